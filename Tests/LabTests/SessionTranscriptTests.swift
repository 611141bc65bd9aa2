import Testing
import Foundation
@testable import Lab

/// Session commands and every error path: each bad input is one `error:` line and the state stays.
@Suite struct SessionTranscriptTests {
    @Test func helpListsEveryFamilyAndExplainsACommand() {
        let t = Transcript(small: false)
        let (ok, out) = t.run("help")
        #expect(ok)
        for family in ["session", "data", "forward", "gradients", "checks", "training", "plots", "lessons"] {
            #expect(out.contains("\n" + family + "\n") || out.hasPrefix(family + "\n"), "family \(family) missing")
        }
        for c in t.interpreter.commands {
            let (ok, text) = t.run("help \(c.name)")
            #expect(ok && text.contains("example: \(c.example)"), "help \(c.name)")
        }
    }

    @Test func setAndShowHyperParameters() {
        let t = Transcript(small: false)
        #expect(t.run("set lambda 10").output == "lambda = 10\n")
        #expect(t.run("show lambda").output == "lambda = 10\n")
        #expect(t.run("set rho 0.9").output == "rho = 0.9\n")
        #expect(t.run("set lr 0.05").output == "lr = 0.05\n")
        #expect(t.run("set batch 48").output == "batch = 48\n")
        #expect(t.run("set sgd_momentum 0.8").ok)
        #expect(t.run("seed 7").output == "seed = 7\n")
        #expect(t.session.config.seed == 7 && t.session.config.batchSize == 48)
        let out = t.run("use moco").output
        #expect(out.contains("method moco (contrastive, Table 1 (a))") && out.contains("tau = 0.2"))
        #expect(t.run("set tau 0.1").output == "tau = 0.1\n")
        #expect(t.run("show").output.contains("tau"))
        #expect(t.run("target stopgrad").output == "target stopgrad\n")
        #expect(t.run("preset small").output.contains("preset small: fashion-mnist"))
        #expect(t.session.config.method == "moco" && t.session.config.target == .stopgrad)
        #expect(t.run("methods").output.contains("* moco"))
        #expect(t.run("reset").output == "session reset (settings kept)\n")
        #expect(t.session.prompt == "unigrad[moco/stopgrad step 0]> ")
    }

    @Test func everyErrorIsOneLineAndKeepsTheState() {
        let t = Transcript()
        #expect(t.run("set lambda 10").ok)
        #expect(t.fails("sett lambda 1", with: "unknown command 'sett'; did you mean 'set'?"))
        #expect(t.fails("grda", with: "did you mean 'grad'?"))
        #expect(t.fails("set lambda", with: "set takes 2 arguments, got 1; usage: set KEY VALUE"))
        #expect(t.fails("seed", with: "seed takes 1 argument, got 0"))
        #expect(t.fails("step two", with: "N must be an integer, got 'two'"))
        #expect(t.fails("use byol-direct", with: "unknown method 'byol-direct'; did you mean 'byol-directpred'?"))
        #expect(t.fails("set lamda 3", with: "unknown key 'lamda'; did you mean 'lambda'?"))
        #expect(t.fails("set batch -3", with: "batch must be in 2…65536, got -3"))
        #expect(t.fails("batch -3", with: "batch size must be in 2…65536, got -3"))
        #expect(t.fails("set lambda nan", with: "lambda"))
        #expect(t.fails("set lambda -1", with: "lambda"))
        #expect(t.fails("target sideways", with: "target must be one of stopgrad, momentum, momentum-positive"))
        #expect(t.fails("preset huge", with: "unknown preset 'huge'"))
        #expect(t.fails("load /nonexistent/run.safetensors", with: "checkpoint not found: /nonexistent/run.safetensors"))
        #expect(t.fails("run /nonexistent/script.unigrad", with: "cannot read '/nonexistent/script.unigrad': no such file"))
        #expect(t.fails("open 99-nothing", with: "unknown lesson '99-nothing'"))
        #expect(t.fails("next", with: "no lesson is open"))
        #expect(t.fails("show 'unterminated", with: "unterminated ' quote"))
        for command in ["grad", "compare", "check", "forward", "trace", "views", "png /tmp/x.png", "inspect z1"] {
            #expect(t.fails(command, with: "no batch yet: draw one with 'batch [N]'"), "\(command)")
        }
        #expect(t.fails("plot loss", with: "nothing to plot yet"))
        #expect(t.fails("plot knn", with: "no evaluations yet"))
        #expect(t.fails("undo", with: "nothing to undo"))
        #expect(t.fails("restore nowhere", with: "unknown snapshot 'nowhere'"))
        #expect(t.run("batch 8").ok)
        #expect(t.fails("grad 8", with: "sample must be in 0…7, got 8"))
        #expect(t.fails("grad 0 3", with: "view must be in 1…2, got 3"))
        #expect(t.fails("views 100", with: "sample must be in 0…7, got 100"))
        #expect(t.fails("inspect nothing", with: "unknown tensor 'nothing'"))
        #expect(t.fails("check sideways", with: "check takes features, params or all"))
        #expect(t.fails("plot lss", with: "unknown plot 'lss'; did you mean 'loss'?"))
        #expect(t.fails("verify nothing", with: "unknown derivation 'nothing'"))
        #expect(t.fails("batch 300", with: "batch size 300 is larger than the training set (256 images)"))
        // The state is intact.
        #expect(t.run("show lambda").output == "lambda = 10\n")
        #expect(t.session.state.batch?.count == 8)
        #expect(t.session.errorCount >= 30)
        #expect(t.run("grad 0").ok)
    }

    @Test func completionOfCommandsMethodsKeysAndPaths() throws {
        let t = Transcript(small: false)
        let i = t.interpreter
        #expect(i.completions(lineBefore: "", word: "se") == ["seed", "set"])
        #expect(i.completions(lineBefore: "use ", word: "byol").sorted() == ["byol", "byol-directpred", "byol-grad"])
        #expect(i.completions(lineBefore: "set ", word: "lam") == ["lambda"])
        #expect(i.completions(lineBefore: "set ", word: "sgd").contains("sgd_momentum"))
        #expect(i.completions(lineBefore: "target ", word: "mom").sorted() == ["momentum", "momentum-positive"])
        #expect(i.completions(lineBefore: "help ", word: "com") == ["compare"])
        #expect(i.completions(lineBefore: "open ", word: "0").count >= 8)
        #expect(i.completions(lineBefore: "plot ", word: "sp") == ["spectrum"])
        let dir = Transcript.temporary("completion")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/run1.safetensors", contents: Data())
        #expect(i.completions(lineBefore: "load ", word: dir + "/r") == [dir + "/run1.safetensors"])
        #expect(i.completions(lineBefore: "load ", word: dir + "/s") == [dir + "/sub/"])
    }

    @Test func scriptsCountFailuresAndStopAtTheFirst() throws {
        let t = Transcript()
        let path = Transcript.temporary("script.unigrad")
        try "# a comment\nset lambda 5\nfrobnicate\nset lambda 6\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ScriptRunner(interpreter: t.interpreter).run(path: path) == 1)
        #expect(t.session.value(of: "lambda") == "5")
        #expect(try ScriptRunner(interpreter: t.interpreter, keepGoing: true).run(path: path) == 1)
        #expect(t.session.value(of: "lambda") == "6")
        #expect(!t.run("run \(path)").ok)
    }
}
