import ArgumentParser
import Foundation
import Lab
import Layers
import TensorCore

/// `unigrad`: the UniGrad Lab command line. With no subcommand it opens the interactive shell.
@main
struct Unigrad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unigrad",
        abstract: "UniGrad Lab: the unified gradient framework for Siamese self-supervised learning.",
        subcommands: [
            // Each subcommand lives in its own file, named after it.
            RunCommand.self,
            TrainCommand.self,
            LinearEvalCommand.self,
            GradCommand.self,
            BenchCommand.self,
            VerifyCommand.self,
            ExperimentCommand.self,
            MakeFolderCommand.self,
        ])

    /// Process-wide settings first, while no other thread uses BLAS; then the command line.
    static func main() {
        BLASThreads.limitIdleSpinning()
        main(nil)
    }

    /// No subcommand: the interactive shell on a terminal, or piped commands without a prompt.
    func run() throws {
        KernelThreading.followBLASThreads()
        let session = Session(useColor: Terminal.colorEnabled(forStandardOutput: true))
        let interpreter = Interpreter(session: session)
        let status = isatty(0) == 1 ? ReadlineShell.run(interpreter: interpreter) : ReadlineShell.runPiped(interpreter: interpreter)
        if status != 0 { throw ExitCode(status) }
    }
}
