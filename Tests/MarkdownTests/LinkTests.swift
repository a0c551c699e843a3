import Diagnostics
import Markdown
import Testing

/// A site builder's resolver in miniature: content files it knows become page URLs, other
/// `.md` links fail, everything else stays.
func resolveContentLinks(_ link: MarkdownLink) -> LinkDecision {
    let pages = ["../boston/labcentral.md": "/boston/labcentral/", "../daejeon/_index.md": "/daejeon/"]
    let parts = link.destination.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    let file = String(parts[0])
    guard file.hasSuffix(".md") else { return .keep }
    guard let url = pages[file] else {
        return .fail(message: "link to a missing content file \(file)", hint: "check the path relative to this file")
    }
    return .rewrite(parts.count == 2 ? "\(url)#\(parts[1])" : url)
}

@Test func relativeContentLinksAreRewritten() throws {
    let markdown = """
        See [LabCentral](../boston/labcentral.md#장비-임대) and [대전](../daejeon/_index.md).
        ![map](../boston/map.png "Map") [external](https://example.org/a?b=1&c=2)
        """
    let rendered = try render(markdown, path: "content/intro.md", firstLine: 3, resolveLink: resolveContentLinks)
    #expect(
        rendered.html == """
            <p>See <a href="/boston/labcentral/#%EC%9E%A5%EB%B9%84-%EC%9E%84%EB%8C%80">LabCentral</a> \
            and <a href="/daejeon/">대전</a>.
            <img src="../boston/map.png" alt="map" title="Map" /> \
            <a href="https://example.org/a?b=1&amp;c=2">external</a></p>

            """
    )
    #expect(
        rendered.links == [
            MarkdownLink(
                destination: "/boston/labcentral/#장비-임대", isImage: false,
                location: SourceLocation(file: "content/intro.md", line: 3, column: 5)
            ),
            MarkdownLink(
                destination: "/daejeon/", isImage: false,
                location: SourceLocation(file: "content/intro.md", line: 3, column: 53)
            ),
            MarkdownLink(
                destination: "../boston/map.png", isImage: true,
                location: SourceLocation(file: "content/intro.md", line: 4, column: 1)
            ),
            MarkdownLink(
                destination: "https://example.org/a?b=1&c=2", isImage: false,
                location: SourceLocation(file: "content/intro.md", line: 4, column: 33)
            ),
        ]
    )
}

@Test func referenceLinksNestedImagesAndAutolinksAreReported() throws {
    let markdown = """
        [![badge](b.svg)](../boston/labcentral.md) and [the lab][lab], [lab].
        www.example.org, <https://a.example> and mail@example.org

        [lab]: ../daejeon/_index.md
        """
    let rendered = try render(markdown, resolveLink: resolveContentLinks)
    #expect(
        positions(rendered) == [
            "1:1 /boston/labcentral/",
            "1:2 b.svg",
            "1:48 /daejeon/",
            "1:64 /daejeon/",
            "2:1 http://www.example.org",
            "2:18 https://a.example",
            "2:42 mailto:mail@example.org",
        ]
    )
    #expect(
        rendered.html == """
            <p><a href="/boston/labcentral/"><img src="b.svg" alt="badge" /></a> and \
            <a href="/daejeon/">the lab</a>, <a href="/daejeon/">lab</a>.
            <a href="http://www.example.org">www.example.org</a>, <a href="https://a.example">https://a.example</a> \
            and <a href="mailto:mail@example.org">mail@example.org</a></p>

            """
    )
}

/// cmark-gfm's own inline columns are wrong in several of these places (lazy and
/// re-indented continuation lines, `\\|` in tables, autolinks, a paragraph after a link
/// reference definition); the reported columns are the real ones, in Unicode scalars.
@Test func linkPositionsPointAtTheOpeningInEveryContext() throws {
    let markdown = """
        대전 바이오 [링크](a.md) and ![그림](b.png)

        - item [l1](c.md)
          cont [l2](d.md)
        lazy [l3](e.md)

        > quote [l4](f.md)
        > more [l5](g.md)
        lazy2 [l6](h.md)
        >   spaced [l7](i.md)

        | 기관 | [t1](j.md) |
        |---|---|
        | 한국 [t2](k.md) | a \\| b [t3](l.md) |

        <https://auto.example> and www.x.org and https://y.org/z text [after](m.md)

        [ref]: /ref-url
        [r1](n.md) and [ref]

        1. one
           > nested [l8](o.md)
           > `code
           > span` [l9](p.md)

        para with `multi
        line code` [l10](q.md) and <span
        class="x"> [l11](r.md)

           [indent](s.md)
        \t[tab](t.md) [x] [after-x](u.md)
        """
    #expect(
        positions(try render(markdown, firstLine: 1)) == [
            "1:8 a.md", "1:23 b.png",
            "3:8 c.md", "4:8 d.md", "5:6 e.md",
            "7:9 f.md", "8:8 g.md", "9:7 h.md", "10:12 i.md",
            "12:8 j.md", "14:6 k.md", "14:26 l.md",
            "16:1 https://auto.example", "16:28 http://www.x.org", "16:42 https://y.org/z", "16:63 m.md",
            "19:1 n.md", "19:16 /ref-url",
            "22:13 o.md", "24:12 p.md",
            "27:12 q.md", "28:12 r.md",
            "30:4 s.md", "31:2 t.md", "31:18 u.md",
        ]
    )
}

/// cmark-gfm gives a paragraph that a table interrupts no position, and starts the table on
/// the paragraph's first line; the links of such a paragraph were reported on the file's first line.
@Test func linksInAParagraphATableInterruptsPointAtTheirLines() throws {
    let markdown = """
        Intro line.

        Some text with [a link](x.md) here
        and [another](y.md)
        | a | [cell](z.md) |
        |---|---|
        | 1 | 2 |
        """
    let found = positions(try render(markdown, firstLine: 1))
    #expect(found == ["3:16 x.md", "4:5 y.md", "5:7 z.md"])
}

@Test func failingLinksAreAllReportedWithTheirSourceLines() throws {
    let markdown = """
        대전 바이오 클러스터 [없는 페이지](../missing/page.md) 소개.

        - 항목 [gone](../gone.md)
          and [fine](../boston/labcentral.md)

        | 기관 | 링크 |
        |---|---|
        | 대전 | [표](../table.md#x) |

        > 인용 [quote](../quote.md)
        게으른 [lazy](../lazy.md)
        """
    #expect {
        try render(markdown, path: "content/boston/page.md", firstLine: 5, resolveLink: resolveContentLinks)
    } throws: { error in
        guard let list = error as? DiagnosticList else { return false }
        let hint = "  hint: check the path relative to this file"
        let expected = [
            "content/boston/page.md:5:13: error: link to a missing content file ../missing/page.md",
            " 5 | 대전 바이오 클러스터 [없는 페이지](../missing/page.md) 소개.",
            "   |                      ^",
            hint,
            "content/boston/page.md:7:6: error: link to a missing content file ../gone.md",
            " 7 | - 항목 [gone](../gone.md)",
            "   |        ^",
            hint,
            "content/boston/page.md:12:8: error: link to a missing content file ../table.md",
            " 12 | | 대전 | [표](../table.md#x) |",
            "    |          ^",
            hint,
            "content/boston/page.md:14:6: error: link to a missing content file ../quote.md",
            " 14 | > 인용 [quote](../quote.md)",
            "    |        ^",
            hint,
            "content/boston/page.md:15:5: error: link to a missing content file ../lazy.md",
            " 15 | 게으른 [lazy](../lazy.md)",
            "    |        ^",
            hint,
        ]
        return list.diagnostics.count == 5 && list.description == expected.joined(separator: "\n")
    }
}

@Test func keptLinksAreReportedAsWritten() throws {
    var seen: [String] = []
    let rendered = try render("[a](x.md#f) [b](<y z.md>) [c](https://e.org/%20)") { link in
        seen.append(link.destination)
        return .keep
    }
    #expect(seen == ["x.md#f", "y z.md", "https://e.org/%20"])
    #expect(rendered.links.map(\.destination) == seen)
    #expect(
        rendered.html
            == "<p><a href=\"x.md#f\">a</a> <a href=\"y%20z.md\">b</a> <a href=\"https://e.org/%20\">c</a></p>\n"
    )
}
