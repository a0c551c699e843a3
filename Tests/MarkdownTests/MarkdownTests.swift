import Diagnostics
import Dispatch
import Foundation
import Markdown
import Synchronization
import Testing

private func html(_ markdown: String, unsafe: Bool = false) throws -> String {
    try MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafe)).render(markdown, path: "page.md").html
}

@Test func tablesUseStyleAttributesForAlignment() throws {
    #expect(
        try html("| 기관 | Count | Note |\n|:---|---:|:---:|\n| 대전 | 280 | *bio* |\n") == """
            <table>
            <thead>
            <tr>
            <th style="text-align: left">기관</th>
            <th style="text-align: right">Count</th>
            <th style="text-align: center">Note</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td style="text-align: left">대전</td>
            <td style="text-align: right">280</td>
            <td style="text-align: center"><em>bio</em></td>
            </tr>
            </tbody>
            </table>

            """)
}

@Test func strikethroughAutolinksAndTaskLists() throws {
    #expect(
        try html("~~old~~ see https://example.org/x and www.example.com.\n\n- [x] done\n- [ ] todo\n") == """
            <p><del>old</del> see <a href="https://example.org/x">https://example.org/x</a> and <a href="http://www.example.com">www.example.com</a>.</p>
            <ul>
            <li><input type="checkbox" checked="" disabled="" /> done</li>
            <li><input type="checkbox" disabled="" /> todo</li>
            </ul>

            """)
}

@Test func footnotes() throws {
    #expect(
        try html("협약[^mou].\n\n[^mou]: 3자 MOU.\n") == """
            <p>협약<sup class="footnote-ref"><a href="#fn-mou" id="fnref-mou" data-footnote-ref>1</a></sup>.</p>
            <section class="footnotes" data-footnotes>
            <ol>
            <li id="fn-mou">
            <p>3자 MOU. <a href="#fnref-mou" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a></p>
            </li>
            </ol>
            </section>

            """)
}

@Test func headingsGetGitHubIdsWithHangulKeptAndRepeatsNumbered() throws {
    let rendered = try MarkdownRenderer().render(
        "# 대전–보스턴 협약 (2019)\n\n## Intro\n\n## Intro\n\n## Intro-1\n\n### `code` & *em*!\n\n## \n", path: "p.md")
    #expect(
        rendered.html
            == """
            <h1 id="대전보스턴-협약-2019">대전–보스턴 협약 (2019)</h1>
            <h2 id="intro">Intro</h2>
            <h2 id="intro-1">Intro</h2>
            <h2 id="intro-1-1">Intro-1</h2>
            <h3 id="code--em">code &amp; em!</h3>
            <h2 id="section"></h2>

            """.replacingOccurrences(of: "code &amp; em!", with: "<code>code</code> &amp; <em>em</em>!"))
    #expect(rendered.headings.map(\.id) == ["대전보스턴-협약-2019", "intro", "intro-1", "intro-1-1", "code--em", "section"])
    #expect(rendered.headings.map(\.line) == [1, 3, 5, 7, 9, 11])
}

@Test func headingIdsMatchTheBenchmarkCorpusRule() {
    // gen-corpus.py keeps str.isalnum() characters, '-' and '_', and turns spaces into '-'.
    #expect(headingID(for: "대전 바이오 Cluster 3") == "대전-바이오-cluster-3")
    #expect(headingID(for: "Lab central 랩센트럴 12") == "lab-central-랩센트럴-12")
    #expect(headingID(for: "Boston's MIT: Open Learning?") == "bostons-mit-open-learning")
}

@Test func tableOfContentsNestsByLevel() throws {
    let toc = try MarkdownRenderer().render("### Starts deep\n\n## A\n\n### A.1\n\n#### A.1.a\n\n## B\n", path: "p.md")
        .tableOfContents
    func outline(_ entries: [TableOfContentsEntry]) -> String {
        entries.map { "\($0.id)" + ($0.children.isEmpty ? "" : "(\(outline($0.children)))") }.joined(separator: ",")
    }
    #expect(outline(toc) == "starts-deep,a(a1(a1a)),b")
}

@Test func linksAreRewrittenAndRecordedWithFilePositions() throws {
    let source = "대전 [LabCentral](../boston/labcentral.md#model) and ![map](map.png)\n\n- item [MIT](mit.md)\n"
    let rendered = try MarkdownRenderer().render(source, path: "content/daejeon/_index.md", firstLine: 5) { link in
        link.destination.hasSuffix(".md") || link.destination.contains(".md#")
            ? .rewrite("/" + link.destination.replacingOccurrences(of: ".md", with: "/")) : .keep
    }
    #expect(
        rendered.html == """
            <p>대전 <a href="/../boston/labcentral/#model">LabCentral</a> and <img src="map.png" alt="map" /></p>
            <ul>
            <li>item <a href="/mit/">MIT</a></li>
            </ul>

            """)
    #expect(rendered.links.map(\.destination) == ["/../boston/labcentral/#model", "map.png", "/mit/"])
    #expect(
        rendered.links.map(\.location.description) == [
            "content/daejeon/_index.md:5:4", "content/daejeon/_index.md:5:52", "content/daejeon/_index.md:7:8",
        ])
    #expect(rendered.links.map(\.isImage) == [false, true, false])
}

@Test func autolinksAreLocatedInTheSource() throws {
    let rendered = try MarkdownRenderer().render("첫 줄\n둘째 https://a.example/ 와 https://b.example/\n", path: "p.md")
    #expect(rendered.links.map(\.location.description) == ["p.md:2:4", "p.md:2:25"])
}

@Test func failedLinksAreReportedTogetherWithTheirLines() {
    let source = "# 제목\n\n보스턴 [없는 문서](missing.md) 와\n\n| a |\n|---|\n| [x](gone.md) |\n"
    do {
        _ = try MarkdownRenderer().render(source, path: "content/a.md", firstLine: 4) { link in
            .fail(message: "link to missing content file '\(link.destination)'", hint: "check the path")
        }
        Issue.record("expected the links to fail")
    } catch let list as DiagnosticList {
        #expect(
            list.description == """
                content/a.md:6:5: error: link to missing content file 'missing.md'
                 6 | 보스턴 [없는 문서](missing.md) 와
                   |        ^
                  hint: check the path
                content/a.md:10:3: error: link to missing content file 'gone.md'
                 10 | | [x](gone.md) |
                    |   ^
                  hint: check the path
                """)
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Test func rawHTMLIsDroppedUnlessAllowed() throws {
    let source = "<div class=\"note\">raw</div>\n\ntext <b>bold</b> <script>alert(1)</script>\n"
    #expect(try html(source) == "<p>text bold alert(1)</p>\n")
    #expect(
        try html(source, unsafe: true) == """
            <div class="note">raw</div>
            <p>text <b>bold</b> &lt;script>alert(1)&lt;/script></p>

            """)
}

@Test func summaryIsTheTextBeforeTheMoreMarker() throws {
    for unsafe in [false, true] {
        let rendered = try MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafe)).render(
            "First.\n\nSecond.\n\n<!--more-->\n\nRest.\n", path: "p.md")
        #expect(rendered.summaryHTML == "<p>First.</p>\n<p>Second.</p>\n")
        #expect(rendered.html == "<p>First.</p>\n<p>Second.</p>\n<p>Rest.</p>\n")
    }
}

@Test func summaryIsTheFirstParagraphOtherwise() throws {
    let rendered = try MarkdownRenderer().render("# Title\n\nOpening *words*.\n\nMore.\n", path: "p.md")
    #expect(rendered.summaryHTML == "<p>Opening <em>words</em>.</p>\n")
}

@Test func plainTextKeepsWordsAndDropsMarkup() throws {
    let rendered = try MarkdownRenderer().render(
        "# 보스턴\n\nLab**Central** `code` [link](x.md)\n\n```\nlet x = 1\n```\n\n<b>html</b>\n", path: "p.md")
    // `<b>` mid-line is inline HTML, dropped in safe mode; the word between the tags is text.
    #expect(rendered.plainText == "보스턴\nLabCentral code link\nlet x = 1\nhtml")
}

@Test func deepNestingDoesNotCrash() throws {
    let quotes = String(repeating: ">", count: 10_000) + " deep\n"
    let lists = (0..<1_000).map { String(repeating: "  ", count: $0) + "- item" }.joined(separator: "\n")
    #expect(try html(quotes).contains("deep"))
    #expect(try html(lists).contains("item"))
}

@Test func rendersConcurrentlyWithIdenticalResults() throws {
    let source = "# 대전 [a](a.md)\n\n| x | y |\n|---|---|\n| 1 | https://e.org/ |\n\nnote[^1]\n\n[^1]: n\n"
    let expected = try html(source)
    let mismatches = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 400) { _ in
        if (try? html(source)) != expected { mismatches.withLock { $0 += 1 } }
    }
    #expect(mismatches.withLock { $0 } == 0)
}
