import Diagnostics
import Testing

@testable import Markdown

/// One section of every kind of block, including those a cut must not go through: fenced code,
/// `<pre>` and comment HTML blocks and indented code with blank lines and unindented lines
/// inside, loose lists and block quotes that go on after a blank line.
private func section(_ number: Int) -> String {
    """
    ## Overview 대전과 보스턴

    Daejeon's *bio cluster* and ~~old~~ **Boston** [section \(number)](#overview-대전과-보스턴), \
    www.example.org/\(number) and <https://example.org/a\(number)>. 대덕특구 바이오 \(number).
    A second line with `code` and ![a map](map-\(number).png "map").

    Setext title \(number)
    ======

    ```swift
    let x = \(number)

    not a cut: a line in the first column inside a fence
    ```

    <pre>
    pre text

    still pre \(number)
    </pre>

    <!-- a comment

    that goes on -->

        indented code

        more indented code after a blank line

    - loose item \(number)

      its second paragraph
    - [x] done \(number)

    1. one
    2. two

    > quoted \(number)
    >
    > and more, [quoted link](https://example.org/q\(number))

    | a | b |
    |---|---|
    | \(number) | [cell](https://example.org/c\(number)) |

    ***

    Paragraph after the rule, with a [broken link](missing-\(number).md).

    - ```
      code in an item, closed by the end of the list

    ### After the list \(number)

    """
}

private let longDocument = (1...12).map(section).joined()

private func renderInPieces(_ markdown: String, pieceSize: Int?, resolveLink: (MarkdownLink) -> LinkDecision)
    throws -> RenderedMarkdown
{
    var markdown = markdown
    return try markdown.withUTF8 { bytes in
        let pieces = pieceSize.map { LongDocuments.pieces(of: bytes, pieceSize: $0) } ?? nil
        if pieceSize != nil { #expect((pieces?.count ?? 0) > 12) }
        return try MarkdownRenderer().render(
            bytes: bytes, pieces: pieces ?? [0..<bytes.count], path: "content/long.md", firstLine: 4,
            resolveLink: resolveLink)
    }
}

@Test func aDocumentRenderedInPiecesIsTheWholeDocumentRendered() throws {
    let keep: (MarkdownLink) -> LinkDecision = { link in
        link.destination.hasPrefix("https://example.org/a") ? .rewrite(link.destination + "/") : .keep
    }
    let whole = try renderInPieces(longDocument, pieceSize: nil, resolveLink: keep)
    let pieced = try renderInPieces(longDocument, pieceSize: 64, resolveLink: keep)
    #expect(pieced.html == whole.html)
    #expect(pieced.headings == whole.headings)
    #expect(pieced.headings.map(\.id).suffix(2) == ["setext-title-12", "after-the-list-12"])
    #expect(pieced.tableOfContents == whole.tableOfContents)
    #expect(pieced.links == whole.links)
    #expect(pieced.links.count == 12 * 7)
    #expect(pieced.summaryHTML == whole.summaryHTML)
    #expect(pieced.plainText == whole.plainText)
    #expect(whole.html.contains("<del>old</del>") && whole.html.contains("<table>"))
}

@Test func linksFailedInPiecesAreReportedAsInTheWholeDocument() {
    let failMissing: (MarkdownLink) -> LinkDecision = { link in
        link.destination.hasPrefix("missing") ? .fail(message: "no such page", hint: "check it") : .keep
    }
    func report(_ pieceSize: Int?) -> String {
        do {
            _ = try renderInPieces(longDocument, pieceSize: pieceSize, resolveLink: failMissing)
            return "no error"
        } catch {
            return "\(error)"
        }
    }
    let whole = report(nil)
    #expect(whole.hasPrefix("content/long.md:50:34: error: no such page"))
    #expect(report(64) == whole)
}

@Test(arguments: [
    "[a link][ref]\n\n[ref]: https://example.org/\n",
    "A note.[^1]\n\n[^1]: The note.\n",
    "The summary.\n\n<!--more-->\n\nThe rest.\n",
])
func documentsWithWholeDocumentSyntaxAreParsedWhole(tail: String) {
    var markdown = String(repeating: "A paragraph.\n\n", count: 100) + tail
    let pieces = markdown.withUTF8 { LongDocuments.pieces(of: $0, pieceSize: 64) }
    #expect(pieces == nil)
}

/// The pieces `markdown` is cut into when each may be as short as the rules allow.
private func smallestPieces(of markdown: inout String) -> [String]? {
    markdown.withUTF8 { bytes in
        LongDocuments.pieces(of: bytes, pieceSize: 1)?.map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}

@Test func cutsGoOnlyBeforeLinesThatStartANewBlock() {
    var markdown = """
        Para one.

        - a list

        > quote

          indented

        ```
        fenced

        Not a cut inside the fence.
        ```

        Cut here.

        """
    let pieces = smallestPieces(of: &markdown)
    #expect(
        pieces == [
            "Para one.\n\n- a list\n\n> quote\n\n  indented\n\n```\nfenced\n\nNot a cut inside the fence.\n```\n\n",
            "Cut here.\n",
        ])
}

/// Found by the differential fuzzer (fuzz/Sources/FuzzMarkdown): a backtick fence whose info
/// string holds a backtick is text, not a fence, and a fence with an info string opens code
/// but never closes it.
@Test func fencesOpenAndCloseAsCommonMarkSays() {
    var markdown = """
        ```not``a fence

        First cut.

        ````` opens

        ```` does not close

        Not a cut.
        `````

        Second cut.

        """
    let pieces = smallestPieces(of: &markdown)
    #expect(
        pieces == [
            "```not``a fence\n\n",
            "First cut.\n\n````` opens\n\n```` does not close\n\nNot a cut.\n`````\n\n",
            "Second cut.\n",
        ])
}

/// Found by the differential fuzzer: lines end at a lone CR too, as cmark reads them, so a fence
/// on a line that ends with one is seen as a fence.
@Test func linesEndAtALoneCarriageReturnToo() {
    var markdown = "A paragraph.\r\r````\r\rCode, not a cut.\r````\r\rA cut.\r"
    #expect(smallestPieces(of: &markdown) == ["A paragraph.\r\r````\r\rCode, not a cut.\r````\r\r", "A cut.\r"])
}

/// Found by the differential fuzzer: cmark reports a link whose text spans lines past the end of
/// a line, and its column was counted on into the next lines, which differ in a piece.
@Test func aColumnPastTheEndOfALineStaysOnThatLine() {
    var markdown = "Text [\n보스턴](a.md)[\n보s](b.md)p)\n\nNext.\n"
    // Where a link whose text starts with a line break begins is a guess (the locator looks
    // for its `[` near cmark's position); the guess is the same whole and in pieces.
    #expect(failedLinks(in: &markdown, cut: true) == failedLinks(in: &markdown, cut: false))
    #expect(failedLinks(in: &markdown, cut: false).components(separatedBy: "error: no").count == 3)
}

/// Found by the differential fuzzer (2026-12-05): cmark-gfm counts the positions of the links in
/// a paragraph that a table interrupts from the paragraph's missing position, so they named line
/// 3 of whatever text cmark was given, and the locator looked for the `[` nearest to another line
/// in a piece than in the whole page. Such a link is looked for from the table's first line.
@Test func aLinkInAParagraphATableInterruptsIsFoundTheSameWholeAndInPieces() {
    var markdown = "\n[`\nX\nY\n[`]()\nu\n|-"
    #expect(failedLinks(in: &markdown, cut: true) == failedLinks(in: &markdown, cut: false))
    #expect(failedLinks(in: &markdown, cut: false).hasPrefix("page.md:2:1: error: no"))
}

/// The error of a render that fails every link, whole or cut into the smallest pieces.
private func failedLinks(in markdown: inout String, cut: Bool) -> String {
    markdown.withUTF8 { bytes in
        let pieces = cut ? LongDocuments.pieces(of: bytes, pieceSize: 1) ?? [] : [0..<bytes.count]
        do {
            _ = try MarkdownRenderer().render(
                bytes: bytes, pieces: pieces, path: "page.md", firstLine: 1,
                resolveLink: { _ in .fail(message: "no", hint: nil) })
            return "no error"
        } catch {
            return "\(error)"
        }
    }
}

/// Found by the differential fuzzer: a fence line inside an HTML block that a blank line ends
/// is HTML, but the scanner took it for a fence, and from then on took the document's real
/// fences the other way round, so it offered a cut inside one. The renderer asks cmark whether
/// a piece ends inside fenced code or HTML, and then parses it together with the rest.
@Test func aCutInsideABlockTheScannerMissedIsNotMade() throws {
    var markdown = """
        <div>
        ```
        </div>

        Text.

        ```
        code

        Still code, where the scanner offers a cut.
        ```

        After.

        """
    #expect(
        smallestPieces(of: &markdown) == [
            "<div>\n```\n</div>\n\nText.\n\n```\ncode\n\n",
            "Still code, where the scanner offers a cut.\n```\n\nAfter.\n",
        ])
    let keep: (MarkdownLink) -> LinkDecision = { _ in .keep }
    let whole = try renderInPieces(markdown, pieceSize: nil, resolveLink: keep)
    let pieced = try markdown.withUTF8 { bytes in
        try MarkdownRenderer().render(
            bytes: bytes, pieces: LongDocuments.pieces(of: bytes, pieceSize: 1) ?? [], path: "content/long.md",
            firstLine: 4, resolveLink: keep)
    }
    #expect(pieced.html == whole.html)
    #expect(whole.html.contains("<pre><code>code\n\nStill code, where the scanner offers a cut.\n</code></pre>"))
    #expect(pieced.plainText == whole.plainText)
}
