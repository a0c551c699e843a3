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
