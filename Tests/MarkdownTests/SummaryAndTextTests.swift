import Markdown
import Testing

@Test(arguments: [false, true])
func moreMarkerSplitsTheSummaryAndLeavesNoTrace(unsafeHTML: Bool) throws {
    let markdown = """
        # Title

        First paragraph[^n] with a [link](a.md).

        Second paragraph.
        <!--more-->
        After the marker.

        [^n]: The note.
        """
    let rendered = try render(markdown, unsafeHTML: unsafeHTML)
    #expect(
        rendered.summaryHTML == """
            <h1>Title</h1>
            <p>First paragraph with a <a href="a.md">link</a>.</p>
            <p>Second paragraph.</p>

            """
    )
    #expect(
        rendered.html == """
            <h1 id="title">Title</h1>
            <p>First paragraph<sup class="footnote-ref"><a href="#fn-n" id="fnref-n" data-footnote-ref>1</a></sup> \
            with a <a href="a.md">link</a>.</p>
            <p>Second paragraph.</p>
            <p>After the marker.</p>
            <section class="footnotes" data-footnotes>
            <ol>
            <li id="fn-n">
            <p>The note. <a href="#fnref-n" class="footnote-backref" data-footnote-backref \
            aria-label="Back to content">↩</a></p>
            </li>
            </ol>
            </section>

            """
    )
    #expect(!rendered.plainText.contains("more"))
}

@Test func inlineMoreMarkerSplitsInsideItsParagraph() throws {
    let rendered = try render("Intro *text* <!--more--> and the rest.\n\nLater <!--more--> again.\n")
    #expect(rendered.summaryHTML == "<p>Intro <em>text</em> </p>\n")
    #expect(rendered.html == "<p>Intro <em>text</em>  and the rest.</p>\n<p>Later  again.</p>\n")
}

@Test func moreMarkerInsideAListClosesWhatIsOpen() throws {
    let rendered = try render("- one\n- two\n  <!--more-->\n- three\n\nafter\n")
    #expect(rendered.summaryHTML == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n")
    #expect(rendered.html == "<ul>\n<li>one</li>\n<li>two</li>\n<li>three</li>\n</ul>\n<p>after</p>\n")
}

@Test func markerLookalikesAreRawHTML() throws {
    let rendered = try render("Text.\n\n<!-- more -->\n")
    #expect(rendered.summaryHTML == "<p>Text.</p>\n")
    #expect(rendered.html == "<p>Text.</p>\n<!-- raw HTML omitted -->\n")
}

@Test func withoutMarkerTheSummaryIsTheFirstParagraph() throws {
    let rendered = try render("## 소개\n\n> 인용문이 첫 문단[^1].\n\nSecond.\n\n[^1]: Note.\n")
    #expect(rendered.summaryHTML == "<p>인용문이 첫 문단.</p>\n")
}

@Test func firstParagraphOfATightListStillGetsItsParagraphTag() throws {
    let rendered = try render("- **first** item\n- second\n")
    #expect(rendered.summaryHTML == "<p><strong>first</strong> item</p>\n")
    #expect(rendered.html == "<ul>\n<li><strong>first</strong> item</li>\n<li>second</li>\n</ul>\n")
}

@Test func documentWithoutParagraphsHasAnEmptySummary() throws {
    let rendered = try render("# Only a heading\n\n```\ncode\n```\n")
    #expect(rendered.summaryHTML == "")
}

@Test func plainTextKeepsTextAndCodeWithoutMarkupOrHTML() throws {
    let markdown = """
        # 대전 *바이오*

        Text with `code`, **bold**, a [link](x.md), ![an image](i.png) and <b>raw</b> HTML.
        Soft break and hard  
        break.

        <div>block html</div>

        - [x] task
        - item

        | a | b |
        |---|---|
        | 1 | 2 |

        ```swift
        let x = 1
        ```

        > quote[^1]

        [^1]: note
        """
    #expect(
        try render(markdown).plainText == """
            대전 바이오
            Text with code, bold, a link, an image and raw HTML. Soft break and hard
            break.
            task
            item
            a
            b
            1
            2
            let x = 1
            quote
            note
            """
    )
}
