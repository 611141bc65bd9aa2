import Foundation

extension TrainingConfig {
    /// The configuration of a command line, in order of precedence (later wins):
    /// 1. the preset (`preset`, else `paper` when a config file is given, else `tiny`);
    /// 2. the official config file `configFile` (see `OfficialConfig`);
    /// 3. the explicit `settings` (`--method`, `--target`, `--epochs`, `--subset`), in order;
    /// 4. the `key=value` `assignments` (`--set`), in order.
    ///
    /// Returns the configuration and the config file's notes. Throws `ConfigError`.
    public static func commandLine(preset: String?, configFile: String?, settings: [(key: String, value: String)] = [],
                                   assignments: [String] = []) throws -> (config: TrainingConfig, notes: [String]) {
        let name = preset ?? (configFile == nil ? "tiny" : "paper")
        guard var config = Presets.config(name) else {
            throw ConfigError(Suggestions.unknown("preset", name, among: Presets.names))
        }
        var notes: [String] = []
        if let configFile {
            let official = try OfficialConfig.load(path: configFile, onto: config)
            config = official.config
            notes = official.notes
        }
        for (key, value) in settings { try config.set(key, value) }
        try config.apply(assignments: assignments)
        return (config, notes)
    }
}
