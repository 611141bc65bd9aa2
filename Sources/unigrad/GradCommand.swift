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
        usage: "unigrad grad --method NAME --input batch.json [--set key=value]... [--json]",
        discussion: """
            batch.json holds z1, z2 (N×D, required) and optionally z1t, z2t (N×D targets), queue (K×D), \
            F (D×D, before this batch's update) and W (D×D predictor). Methods: \
            \(MethodCatalog.names.joined(separator: ", ")).
            """)

    // The options are parsed here rather than by ArgumentParser so that every mistake (even a
    // missing option value) is one `error:` line with exit status 2, never ArgumentParser's 64.
    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("--method NAME --input batch.json [--set key=value]... [--json]",
                                 valueName: "options"))
    var arguments: [String] = []

    /// The parsed options.
    struct Options: Equatable {
        var method: String?
        var input: String?
        var settings: [String] = []
        var json = false
        var help = false
    }

    /// Parses `--method NAME`, `--input PATH`, `--set key=value` (repeatable), `--json`; the
    /// `--key=value` spelling is accepted too.
    static func parse(_ arguments: [String]) -> Result<Options, UsageError> {
        var options = Options()
        var i = 0
        while i < arguments.count {
            var name = arguments[i], inlineValue: String?
            if name.hasPrefix("--"), let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            func value() -> String? {
                if let inlineValue { return inlineValue }
                guard i + 1 < arguments.count else { return nil }
                i += 1
                return arguments[i]
            }
            switch name {
            case "--method", "--input", "--set":
                guard let v = value() else { return .failure(UsageError("missing value for '\(name)'")) }
                if name == "--method" { options.method = v } else if name == "--input" { options.input = v } else { options.settings.append(v) }
            case "--help", "-h":
                options.help = true
            case "--json":
                guard inlineValue == nil else { return .failure(UsageError("'--json' takes no value")) }
                options.json = true
            default:
                return .failure(UsageError("unexpected argument '\(arguments[i])'"))
            }
            i += 1
        }
        return .success(options)
    }

    /// A command-line mistake.
    struct UsageError: Error, Equatable { var message: String; init(_ m: String) { message = m } }

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
        let options: Options
        switch Self.parse(arguments) {
        case .success(let o): options = o
        case .failure(let e):
            standardError("\(e.message); usage: unigrad grad --method NAME --input batch.json [--set key=value]... [--json]")
            return 2
        }
        let settings = options.settings, json = options.json
        if options.help {
            standardOutput(Self.helpMessage())
            return 0
        }
        guard let method = options.method else {
            standardError("missing --method NAME; valid methods: \(MethodCatalog.names.joined(separator: ", "))")
            return 2
        }
        guard let input = options.input else {
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
