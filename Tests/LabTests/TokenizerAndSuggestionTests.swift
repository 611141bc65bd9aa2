import Testing
import Lab
import SSL

@Suite struct TokenizerAndSuggestionTests {
    @Test func tokenizerSplitsQuotesAndComments() throws {
        #expect(try Tokenizer.split(#"save "my run.safetensors" # keep"#) == ["save", "my run.safetensors"])
        #expect(try Tokenizer.split("set  lambda\t10") == ["set", "lambda", "10"])
        #expect(try Tokenizer.split(#"echo 'a "b"' "c \"d\"""#) == ["echo", #"a "b""#, #"c "d""#])
        #expect(throws: Tokenizer.Failure.unterminatedQuote("\"")) { try Tokenizer.split(#"open "x"#) }
    }

    @Test func suggestionsFindCloseNames() {
        #expect(Suggestions.editDistance("lamda", "lambda") == 1)
        #expect(Suggestions.closest(to: "lamda", in: ["lambda", "tau", "rho"]) == "lambda")
        #expect(Suggestions.closest(to: "xyz", in: ["lambda", "tau"]) == nil)
        #expect(Suggestions.unknown("method", "unigard", among: ["unigrad", "simclr"])
                == "unknown method 'unigard'; did you mean 'unigrad'?")
    }
}
