import Diagnostics
import Testing

@Test func headlineNamesFileLineAndColumn() {
    let diagnostic = Diagnostic(at: SourceLocation(file: "content/a.md", line: 3, column: 7), "unclosed front matter")
    #expect(diagnostic.headline == "content/a.md:3:7: error: unclosed front matter")
}

@Test func caretSitsUnderTheColumnAfterHangul() {
    let diagnostic = Diagnostic(
        at: SourceLocation(file: "t.liquid", line: 12, column: 4),
        "unknown filter 'nope'",
        hint: "did you mean 'upcase'?",
        sourceLine: "대전 {{ x | nope }}"
    )
    #expect(
        diagnostic.description == """
            t.liquid:12:4: error: unknown filter 'nope'
             12 | 대전 {{ x | nope }}
                |      ^
              hint: did you mean 'upcase'?
            """)
}

@Test func aLongLineIsQuotedAroundTheColumn() {
    // 40 columns before the caret, 80 from it; "…" where the line is cut.
    let line = String(repeating: "a", count: 1_000) + "{{ x | nope }}" + String(repeating: "b", count: 1_000)
    let diagnostic = Diagnostic(
        at: SourceLocation(file: "t.liquid", line: 3, column: 1_008), "unknown filter 'nope'", sourceLine: line)
    #expect(
        diagnostic.description == """
            t.liquid:3:1008: error: unknown filter 'nope'
             3 | …\(String(repeating: "a", count: 33)){{ x | nope }}\(String(repeating: "b", count: 73))…
               | \(String(repeating: " ", count: 41))^
            """)
    // Wide characters take two columns each: 20 Hangul syllables before the caret.
    let hangul = String(repeating: "대", count: 500) + "!" + String(repeating: "전", count: 500)
    let wide = Diagnostic(at: SourceLocation(file: "t.md", line: 1, column: 501), "here", sourceLine: hangul)
    #expect(
        wide.description == """
            t.md:1:501: error: here
             1 | …\(String(repeating: "대", count: 20))!\(String(repeating: "전", count: 39))…
               | \(String(repeating: " ", count: 41))^
            """)
    // A line that fits is shown whole, also when its column is past its end.
    let short = Diagnostic(at: SourceLocation(file: "t.md", line: 1, column: 9), "end", sourceLine: "abc")
    #expect(short.description == "t.md:1:9: error: end\n 1 | abc\n   |    ^")
}

@Test func causesFollowAsTheirOwnLines() {
    let inner = Diagnostic(at: SourceLocation(file: "includes/a.liquid", line: 1, column: 1), "boom")
    let outer = inner.adding(
        cause: Diagnostic(
            .note, at: SourceLocation(file: "layouts/page.liquid", line: 5, column: 3), "included from here"))
    #expect(
        outer.description == """
            includes/a.liquid:1:1: error: boom
            layouts/page.liquid:5:3: note: included from here
            """)
}

@Test func lineLookupHandlesCRLFAndTheLastLine() {
    let text = "one\r\ntwo\nthree"
    #expect(text.line(1) == "one")
    #expect(text.line(2) == "two")
    #expect(text.line(3) == "three")
    #expect(text.line(4) == nil)
}
