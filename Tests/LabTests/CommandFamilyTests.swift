import Testing
import Foundation
@testable import Lab
import Data

/// Transcripts of the data, forward, gradient, check, training and plot commands.
@Suite struct CommandFamilyTests {
    @Test func dataBatchViewsAndPNG() throws {
        let t = Transcript()
        let data = t.run("data")
        #expect(data.ok && data.output.contains("256 train / 128 test, 10 classes, 1×28×28"))
        let b = t.run("batch 6")
        #expect(b.ok && b.output.contains("batch #1: 6 samples × 2 views of 1×28×28"))
        let v = t.run("views 0 5")
        #expect(v.ok && v.output.contains("0 v1 ") && v.output.contains("5 v2"))
        // A caption line and 14 text rows (two pixel rows each) of four 28-pixel images side by side.
        #expect(v.output.split(separator: "\n").filter { $0.count >= 4 * 28 }.count == 1 + 14)
        let diff = try #require(number(in: v.output, "mean \\|view1 − view2\\| = ([0-9.e-]+)"))
        #expect(diff > 0)
        let path = Transcript.temporary("views.png")
        #expect(t.run("png \(path) 4").output == "wrote 4 view pairs to \(path)\n")
        let png = try PNGCodec.read(path)
        #expect(png.width > 4 * 28 && png.height > 28)
        // Another draw gives other samples or augmentations.
        let first = try #require(t.session.state.batch)
        #expect(t.run("batch 6").ok)
        #expect(t.session.state.batch != first)
    }

    @Test func forwardTraceAndInspect() throws {
        let t = Transcript()
        #expect(t.run("batch 8").ok)
        let f = t.run("forward")
        #expect(f.ok)
        #expect(f.output.contains("online branch") && f.output.contains("target branch (momentum encoder"))
        #expect(f.output.contains("projector.6") && f.output.contains("momentum_projector.6"))
        // After a ReLU about half the units are zero; after the final linear layer none are.
        let relu = try #require(number(in: f.output, "projector\\.2 +ReLU +16×256 .*zeros +([0-9.]+)%"))
        #expect(relu > 20 && relu < 80)
        let last = try #require(number(in: f.output, "projector\\.6 +Linear\\(256→64\\) +16×64 .*zeros +([0-9.]+)%"))
        #expect(last == 0)
        let tr = t.run("trace")
        #expect(tr.output.contains("[1/10] encoder.0"))
        #expect(t.run("trace all").output.contains("[10/10] projector.6"))
        #expect(t.run("trace").output.contains("[1/10] encoder.0"))
        #expect(t.run("trace reset").ok)
        let u = t.run("inspect u1 2")
        #expect(u.ok && u.output.contains("u1: 8×64") && u.output.contains("row 1:"))
        // Rows of u are unit vectors.
        #expect(try #require(number(in: u.output, "row 0: .*‖·‖ ([0-9.]+)")) == 1)
        let F = t.run("inspect F")
        #expect(F.output.contains("F: 64×64") && F.output.contains("trace 1"))
        let g = t.run("inspect encoder.0.conv.weight.grad")
        #expect(g.ok && g.output.contains("16×1×3×3"))
        #expect(t.run("inspect encoder.0").ok)
    }

    @Test func gradDecompositionAndAllMethodsTable() throws {
        let t = Transcript()
        #expect(t.run("batch 16").ok)
        let g = t.run("grad 3")
        #expect(g.ok)
        #expect(g.output.contains("method unigrad  target momentum  batch 16 × D 64"))
        #expect(g.output.contains("positive") && g.output.contains("negative"))
        #expect(try #require(number(in: g.output, "λ \\(paper units\\) ([0-9.]+)")) == 5)
        #expect(try #require(number(in: g.output, "reconstruction error ([0-9.e-]+)")) < 1e-5)
        #expect(g.output.contains("sample 3 ("))
        #expect(g.output.contains("top weights s_v:") && g.output.contains("← sample "))
        let c = t.run("compare")
        #expect(c.ok)
        let unigrad = try #require(c.output.split(separator: "\n").first { $0.hasPrefix("*unigrad") })
        #expect(unigrad.contains("1.0000    1.0000     1.0000"))
        // InfoNCE's λ is 1 in the paper's units; every method of the catalogue has a row.
        let moco = try #require(c.output.split(separator: "\n").first { $0.hasPrefix(" moco") })
        #expect(moco.contains(" 1 "))
        #expect(c.output.split(separator: "\n").filter { $0.hasPrefix(" ") || $0.hasPrefix("*") }.count == 13)
        #expect(t.run("use moco").ok)
        #expect(t.run("grad 0").output.contains("λ (paper units) 1 "))
    }

    @Test(arguments: ["unigrad", "simclr", "byol-grad", "barlow", "vicreg"])
    func finiteDifferencesAgree(method: String) throws {
        let t = Transcript()
        #expect(t.run("use \(method)").ok)
        #expect(t.run("batch 8").ok)
        let c = t.run("check features 40")
        #expect(c.ok, "\(c.output)")
        let rel = try #require(number(in: c.output, "∂[a-z]+/∂z1 \\(features\\) +40 coords .*max rel err ([0-9.e-]+)"))
        #expect(rel < 1e-7)
    }

    @Test func finiteDifferencesThroughTheNetwork() throws {
        let t = Transcript()
        #expect(t.run("batch 8").ok)
        let c = t.run("check params 3")
        #expect(c.ok, "\(c.output)")
        #expect(c.output.contains("encoder.0.conv.weight") && c.output.contains("projector.6.bias"))
        #expect(c.output.contains("all 4 checks passed"))
    }

    @Test func stepUndoSnapshotSaveAndLoad() throws {
        let t = Transcript()
        #expect(t.run("step").output.contains("step: 1 step (0 → 1)"))
        let weight = { t.session.state.trainer?.model.parameters.first?.value }
        let afterOne = try #require(weight())
        #expect(t.run("snapshot one").ok)
        let s = t.run("step 3")
        #expect(s.ok && s.output.contains("step: 3 steps (1 → 4)"))
        #expect(t.session.prompt == "unigrad[unigrad/momentum step 4]> ")
        #expect(try #require(weight()) != afterOne)
        #expect(t.run("undo").output.contains("back at step 1"))
        #expect(try #require(weight()) == afterOne)
        // The same batches again: the same trajectory.
        #expect(t.run("step 3").ok)
        let afterFour = try #require(weight())
        #expect(t.run("restore one").output.contains("restored 'one': step 1"))
        #expect(t.run("step 3").ok)
        #expect(try #require(weight()) == afterFour)
        let path = Transcript.temporary("run.safetensors")
        #expect(t.run("save \(path)").output == "saved step 4 to \(path)\n")
        let u = Transcript()
        #expect(u.run("load \(path)").output.contains("step 4"))
        #expect(u.session.state.trainer?.model.parameters.first?.value == afterFour)
        #expect(u.session.state.trainer?.history.count == 4)
        // A corrupt file is one error line.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(u.fails("load \(path)", with: "truncated checkpoint"))
        #expect(u.session.step == 4)
    }

    @Test func trainEvaluatePlotAndExport() throws {
        let t = Transcript()
        let tr = t.run("train 10")
        #expect(tr.ok && tr.output.contains("train: 10 steps (0 → 10)"))
        #expect(tr.output.contains("epoch 1 done: kNN top-1"))
        let knn = try #require(number(in: tr.output, "step 10: kNN top-1 ([0-9.]+)%"))
        #expect(knn > 0 && knn <= 100)
        let p = t.run("plot loss")
        #expect(p.ok && p.output.contains("unigrad loss") && p.output.contains("10 points"))
        #expect(p.output.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        let svgPath = Transcript.temporary("knn.svg")
        #expect(t.run("plot knn \(svgPath)").ok)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.hasSuffix("</svg>\n"))
        #expect(t.run("plot spectrum").output.contains("(log scale)"))
        #expect(t.run("plot rank").ok && t.run("plot possim").ok && t.run("plot std").ok && t.run("plot lr").ok)
        let c = t.run("collapse")
        #expect(c.ok && c.output.contains("effective rank"))
        let e = t.run("eval")
        #expect(e.output.contains("step 10: kNN top-1"))
        #expect(t.run("set linear_epochs 2").ok)
        #expect(t.run("probe").output.contains("linear probe top-1"))
    }

    @Test func interruptStopsTrainingAfterTheCurrentStep() {
        let t = Transcript()
        // A sink that raises the flag while the first step prints: the run stops after it.
        let original = t.session.write
        t.session.write = { text in
            original(text)
            if text.hasPrefix("  step 2 ") { t.session.interrupt.raise() }
        }
        t.session.isTerminal = false
        let out = t.interpreter.execute("train 8")
        #expect(out)
        #expect(t.buffer.text.contains("stopped by Ctrl-C after step"))
        #expect(t.session.step < 8)
        #expect(t.run("step").ok)
    }
}
