import ArgumentParser

/// `unigrad`: the UniGrad Lab command line. With no subcommand it opens the interactive shell.
@main
struct Unigrad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unigrad",
        abstract: "UniGrad Lab: the unified gradient framework for Siamese self-supervised learning.",
        subcommands: [
            // Each subcommand lives in its own file, named after it.
            GradCommand.self,
            VerifyCommand.self,
        ])

    func run() throws {
        print(Unigrad.helpMessage())
    }
}
