/// Splits a command line into words, shell style: whitespace separates words, `'…'` and `"…"`
/// quote (no escapes inside single quotes; `\"` and `\\` inside double quotes), `#` outside quotes
/// starts a comment.
///
/// ```swift
/// try Tokenizer.split(#"save "my run.safetensors" # keep"#)   // ["save", "my run.safetensors"]
/// ```
public enum Tokenizer {
    /// A line that cannot be split.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(Character)
        public var description: String {
            switch self {
            case .unterminatedQuote(let q): return "unterminated \(q) quote"
            }
        }
    }

    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false
        for ch in line {
            if escaping {
                current.append(ch)
                escaping = false
                continue
            }
            if let q = quote {
                if ch == q {
                    quote = nil
                } else if ch == "\\" && q == "\"" {
                    escaping = true
                } else {
                    current.append(ch)
                }
                continue
            }
            switch ch {
            case "'", "\"":
                quote = ch
                inWord = true
            case "#" where !inWord:
                if inWord { words.append(current) }
                return words
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(ch)
                inWord = true
            }
        }
        if let q = quote { throw Failure.unterminatedQuote(q) }
        if inWord { words.append(current) }
        return words
    }
}
