/// "Did you mean …?" suggestions by edit distance.
public enum Suggestions {
    /// The Levenshtein distance between two strings (insertions, deletions, substitutions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The closest candidate within a distance of about a third of the word (at least 2), if any;
    /// a candidate that starts with the word wins first.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        if let prefixed = candidates.filter({ $0.hasPrefix(word) && !word.isEmpty }).min(by: { $0.count < $1.count }) {
            return prefixed
        }
        let limit = Swift.max(2, word.count / 3)
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// `unknown X 'word'` followed by `; did you mean 'y'?` when a close candidate exists.
    public static func unknown(_ kind: String, _ word: String, among candidates: [String]) -> String {
        var text = "unknown \(kind) '\(word)'"
        if let s = closest(to: word, in: candidates) { text += "; did you mean '\(s)'?" }
        return text
    }
}
