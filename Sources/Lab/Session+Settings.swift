import Foundation
import Layers
import TensorCore
import SSL
import Methods

extension Session {
    /// Method names for completion: the catalogue.
    static var methodNames: [String] { MethodCatalog.names }

    /// The current method's hyper-parameter keys.
    public var methodKeys: [String] { config.methodKeys }

    /// Sets a setting or hyper-parameter; errors are one line.
    public func set(_ key: String, _ value: String) throws {
        do {
            try config.set(key, value)
        } catch let e as ConfigError {
            throw LabError(e.message)
        }
        state.analysis = nil
        if key == "threads" {
            BLASThreads.set(config.threads > 0 ? config.threads : ProcessInfo.processInfo.activeProcessorCount)
            KernelThreading.followBLASThreads()
        }
    }

    /// The value of a setting or of a hyper-parameter of the current method.
    public func value(of key: String) -> String? {
        if let v = config.value(of: key), TrainingConfig.keyNames.contains(key) { return v }
        guard methodKeys.contains(key), let p = try? config.resolvedMethodParameters() else { return nil }
        return p.entries.first { $0.key == key }.map { formatNumber($0.value) }
    }
}

extension Session {
    /// Loads an official UniGrad config file (YAML) on top of the current settings and forgets the
    /// model (the architecture may have changed). Returns the mapping's notes.
    public func loadOfficialConfig(path: String) throws -> [String] {
        let official: OfficialConfig
        do {
            official = try OfficialConfig.load(path: path, onto: config)
        } catch let e as ConfigError {
            throw LabError(e.message)
        }
        config = official.config
        resetState()
        return official.notes
    }
}
