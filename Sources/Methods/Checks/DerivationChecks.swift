// The registry of derivation checks: every id a `check` fence may name.

/// All named numeric checks of the derivations, by id.
///
/// A check id is `family.claim`; `derivations/*.md` name them in ```` ```check ```` fences and
/// `unigrad verify` runs them (see `DerivationVerifier`).
public enum DerivationChecks {
    /// Every registered check, in a stable order (family by family).
    public static let all: [DerivationCheck] = {
        let checks = NormalizationChecks.all + ContrastiveChecks.all + AsymmetricChecks.all
            + DecorrelationChecks.all + UniGradChecks.all + ScheduleChecks.all + LibraryChecks.all
        var seen = Set<String>()
        for c in checks { precondition(seen.insert(c.id).inserted, "duplicate check id \(c.id)") }
        return checks
    }()

    /// The registry as a dictionary.
    public static let byID: [String: DerivationCheck] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The check named `id`, or `nil`.
    public static func check(id: String) -> DerivationCheck? { byID[id] }
}
