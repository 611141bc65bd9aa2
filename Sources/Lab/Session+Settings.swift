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
    }

    /// The value of a setting or of a hyper-parameter of the current method.
    public func value(of key: String) -> String? {
        if let v = config.value(of: key), TrainingConfig.keyNames.contains(key) { return v }
        guard methodKeys.contains(key), let p = try? config.resolvedMethodParameters() else { return nil }
        return p.entries.first { $0.key == key }.map { formatNumber($0.value) }
    }
}
