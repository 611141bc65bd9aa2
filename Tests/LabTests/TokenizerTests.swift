import Testing
@testable import Lab

@Suite struct TokenizerTests {
    @Test func splitsQuotesAndComments() throws {
        #expect(try Tokenizer.split(#"save "my run.st" # keep"#) == ["save", "my run.st"])
        #expect(try Tokenizer.split("set  lambda   10") == ["set", "lambda", "10"])
        #expect(try Tokenizer.split("a 'b c' \"d \\\" e\"") == ["a", "b c", "d \" e"])
        #expect(throws: Tokenizer.Failure.unterminatedQuote("'")) { try Tokenizer.split("show 'x") }
    }
}
