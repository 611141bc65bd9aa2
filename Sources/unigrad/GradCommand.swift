import ArgumentParser
import Foundation
import Methods
import TensorCore

/// `unigrad grad --method NAME --input batch.json [--set key=value]... [--json]`
///
/// Feature-level loss, exact gradients and the unified decomposition of one method on one batch,
/// computed in Double (DESIGN.md "Feature-level contract: `unigrad grad`"). Every user error —
/// unreadable or malformed file, missing/ragged/non-finite arrays, wrong shapes, unknown method or
/// setting — prints one `error: …` line on stderr and exits with status 2 (usage: method, settings,
/// unknown options) or 1 (the input file).
struct GradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grad",
        abstract: "Loss, exact gradient and unified decomposition of one method on a batch of features.",
        discussion: """
            batch.json holds z1, z2 (N×D, required) and optionally z1t, z2t (N×D targets), queue (K×D), \
            F (D×D, before this batch's update) and W (D×D predictor). Methods: \
            \(MethodCatalog.names.joined(separator: ", ")).
            """)

    @Option(name: .long, help: "The method name (see the list above).")
    var method: String?

    @Option(name: .long, help: "Path of the batch JSON file.")
    var input: String?

    @Option(name: .customLong("set"), help: "A hyper-parameter, key=value (repeatable), e.g. tau=0.2.")
    var settings: [String] = []

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unrecognized: [String] = []

    func run() throws {
        // Feature-level matrices are small: extra OpenBLAS threads would only spin (sched_yield).
        BLASThreads.set(1)
        let code = execute(standardOutput: { print($0) }, standardError: { message in
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        })
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the command, writing through the given sinks; returns the exit status.
    func execute(standardOutput: (String) -> Void, standardError: (String) -> Void) -> Int32 {
        if let extra = unrecognized.first {
            standardError("unexpected argument '\(extra)'; usage: unigrad grad --method NAME --input batch.json [--set key=value]... [--json]")
            return 2
        }
        guard let method else {
            standardError("missing --method NAME; valid methods: \(MethodCatalog.names.joined(separator: ", "))")
            return 2
        }
        guard let input else {
            standardError("missing --input batch.json")
            return 2
        }
        let descriptor: MethodDescriptor, parameters: MethodParameters
        do {
            descriptor = try MethodCatalog.descriptor(named: method)
            parameters = try MethodCatalog.parameters(for: method, settings: settings)
        } catch {
            standardError(error.description)
            return 2
        }
        let batch: BatchInput
        do {
            batch = try BatchInput.load(path: input)
            try batch.validate(for: descriptor)
        } catch {
            standardError(error.description)
            return 1
        }
        let queueCapacity = descriptor.parameter("queue_size") != nil ? Int(parameters["queue_size"]) : 4096
        let result: MethodResult<Double>
        do {
            let m = try MethodCatalog.make(method, Double.self, parameters: parameters)
            result = m.evaluate(z1: batch.z1, z2: batch.z2, targets: batch.targets(Double.self),
                                state: batch.state(Double.self, queueCapacity: queueCapacity))
        } catch {
            standardError(error.description)
            return 2
        }
        guard result.loss.isFinite, result.gradZ1.isFinite, result.gradZ2.isFinite else {
            standardError("method '\(method)' produced a non-finite loss or gradient on this input (features too large or degenerate)")
            return 1
        }
        standardOutput(json ? result.jsonString(parameters: parameters) : result.report(parameters: parameters))
        return 0
    }
}
