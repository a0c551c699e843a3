import Markdown
import Testing

@Test func koreanAndDuplicateHeadingsGetGitHubIds() throws {
    let markdown = """
        # 보스턴 진출 교두보

        ## Intro
        ## Intro
        ## intro-1
        ## Intro
        """
    let rendered = try render(markdown, firstLine: 4)
    #expect(
        rendered.html == """
            <h1 id="보스턴-진출-교두보">보스턴 진출 교두보</h1>
            <h2 id="intro">Intro</h2>
            <h2 id="intro-1">Intro</h2>
            <h2 id="intro-1-1">intro-1</h2>
            <h2 id="intro-2">Intro</h2>

            """
    )
    #expect(
        rendered.headings == [
            Heading(level: 1, id: "보스턴-진출-교두보", title: "보스턴 진출 교두보", line: 4),
            Heading(level: 2, id: "intro", title: "Intro", line: 6),
            Heading(level: 2, id: "intro-1", title: "Intro", line: 7),
            Heading(level: 2, id: "intro-1-1", title: "intro-1", line: 8),
            Heading(level: 2, id: "intro-2", title: "Intro", line: 9),
        ]
    )
}

@Test func suffixedIdsSkipIdsTakenLiterally() throws {
    let rendered = try render("## intro-1\n## Intro\n## Intro\n## Intro\n")
    #expect(rendered.headings.map(\.id) == ["intro-1", "intro", "intro-2", "intro-3"])
}

/// Ids are told apart by their bytes, as a browser matches them and github-slugger counts
/// repeats: 한 written as one syllable and as three jamo are two ids, not a repeat; the same
/// bytes twice are.
@Test func idsThatDifferOnlyInNormalizationAreNotRepeats() throws {
    let rendered = try render("## \u{D55C}\n## \u{1112}\u{1161}\u{11AB}\n## \u{1112}\u{1161}\u{11AB}\n")
    #expect(
        rendered.headings.map { Array($0.id.unicodeScalars) }
            == [["\u{D55C}"], ["\u{1112}", "\u{1161}", "\u{11AB}"], ["\u{1112}", "\u{1161}", "\u{11AB}", "-", "1"]])
}

/// The benchmark corpus links to `#slug(heading)` with gen-corpus.py's `slug()`; these are
/// its results for these texts (computed with that function).
@Test(arguments: [
    ("대전 바이오 Cluster 3", "대전-바이오-cluster-3"),
    ("Kaist 교두보 innopolis 1", "kaist-교두보-innopolis-1"),
    ("Global research 벨트 1", "global-research-벨트-1"),
    ("랩센트럴 장비 임대 4", "랩센트럴-장비-임대-4"),
    ("Hello, World! (2024)", "hello-world-2024"),
    ("Ünïcode Straße 5", "ünïcode-straße-5"),
    ("a_b-c d--e", "a_b-c-d--e"),
])
func headingIdsMatchTheCorpusGenerator(title: String, id: String) throws {
    let rendered = try render("## \(title)\n")
    #expect(rendered.headings.map(\.id) == [id])
    #expect(rendered.html == "<h2 id=\"\(id)\">\(title)</h2>\n")
}

/// github-slugger (the rule GitHub's anchors follow) strips Unicode's Other_Number (`①`, `²`,
/// `₂`) like symbols, but keeps Letter_Number (`Ⅻ`, lower-cased to `ⅻ`) and the alphabetic
/// symbols (`Ⓐ` → `ⓐ`); the ids below are the ones its test fixtures give for these characters.
@Test func headingIdsKeepLetterNumbersAndAlphabeticSymbolsAndDropOtherNumbers() throws {
    let markdown = "## ① 개요\n## CO₂ 배출\n## x²\n## Ⅻ roman\n## Ⓐ 계획\n## ᛮ ⅳ 〇\n"
    #expect(
        try render(markdown).html == """
            <h2 id="-개요">① 개요</h2>
            <h2 id="co-배출">CO₂ 배출</h2>
            <h2 id="x">x²</h2>
            <h2 id="ⅻ-roman">Ⅻ roman</h2>
            <h2 id="ⓐ-계획">Ⓐ 계획</h2>
            <h2 id="ᛮ-ⅳ-〇">ᛮ ⅳ 〇</h2>

            """)
    #expect(headingID(for: "Ⅻ roman") == "ⅻ-roman")
}

@Test func headingTitlesAreTextWithoutMarkup() throws {
    let markdown = "## Use `render()` with *care* ![logo](l.png) & [links](x.md) ~~old~~[^1]\n\n[^1]: Note.\n"
    let rendered = try render(markdown)
    #expect(rendered.headings.map(\.title) == ["Use render() with care  & links old"])
    #expect(rendered.headings.map(\.id) == ["use-render-with-care---links-old"])
}

@Test func emptyHeadingsGetAStableId() throws {
    let rendered = try render("#\n\n## ***\n\n## !!!\n")
    #expect(rendered.headings.map(\.id) == ["section", "section-1", "section-2"])
    #expect(
        rendered.html == "<h1 id=\"section\"></h1>\n<h2 id=\"section-1\">***</h2>\n<h2 id=\"section-2\">!!!</h2>\n"
    )
}

@Test func headingsInsideContainersGetIds() throws {
    let rendered = try render("> ## Quoted\n\n- ## Listed\n")
    #expect(
        rendered.html == """
            <blockquote>
            <h2 id="quoted">Quoted</h2>
            </blockquote>
            <ul>
            <li>
            <h2 id="listed">Listed</h2>
            </li>
            </ul>

            """
    )
}

@Test func tableOfContentsNestsByLevel() throws {
    let markdown = """
        ## A
        ### A.1
        #### A.1.a
        ### A.2
        ## B
        #### B.x
        ### B.1
        # C
        """
    let toc = try render(markdown).tableOfContents
    #expect(
        toc == [
            TableOfContentsEntry(
                level: 2, id: "a", title: "A",
                children: [
                    TableOfContentsEntry(
                        level: 3, id: "a1", title: "A.1",
                        children: [TableOfContentsEntry(level: 4, id: "a1a", title: "A.1.a")]
                    ),
                    TableOfContentsEntry(level: 3, id: "a2", title: "A.2"),
                ]
            ),
            TableOfContentsEntry(
                level: 2, id: "b", title: "B",
                children: [
                    TableOfContentsEntry(level: 4, id: "bx", title: "B.x"),
                    TableOfContentsEntry(level: 3, id: "b1", title: "B.1"),
                ]
            ),
            TableOfContentsEntry(level: 1, id: "c", title: "C"),
        ]
    )
}

@Test func tableOfContentsOfADocumentStartingAtH3() throws {
    let toc = try render("### Deep\n## Up\n### Down\n").tableOfContents
    #expect(
        toc == [
            TableOfContentsEntry(level: 3, id: "deep", title: "Deep"),
            TableOfContentsEntry(
                level: 2, id: "up", title: "Up",
                children: [TableOfContentsEntry(level: 3, id: "down", title: "Down")]
            ),
        ]
    )
}
