import Foundation
import Testing

@testable import Search

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/search")

private struct Cases: Decodable {
    struct TokenCase: Decodable {
        var text: String
        var tokens: [String]
    }

    struct QueryCase: Decodable {
        struct Term: Decodable, Equatable {
            var tokens: [String]
            var prefix: Bool
            var alsoPrefix: String?
            var withoutParticle: [String]?
        }

        var query: String
        var terms: [Term]
    }

    var tokens: [TokenCase]
    var queries: [QueryCase]
}

private func cases() throws -> Cases {
    try JSONDecoder().decode(
        Cases.self, from: Data(contentsOf: fixtures.appendingPathComponent("tokenizer-cases.json")))
}

@Test func tokenizerFollowsTheSharedCases() throws {
    for test in try cases().tokens {
        #expect(SearchTokenizer.tokens(test.text) == test.tokens, "\(test.text)")
    }
    for test in try cases().queries {
        #expect(SearchTokenizer.queryTerms(test.query).map(Cases.QueryCase.Term.init) == test.terms, "\(test.query)")
    }
}

extension Cases.QueryCase.Term {
    fileprivate init(_ term: QueryTerm) {
        self.init(
            tokens: term.tokens, prefix: term.isPrefix, alsoPrefix: term.alsoPrefix,
            withoutParticle: term.withoutParticle)
    }
}

private let documents = [
    SearchDocument(url: "/boston/", title: "보스턴 바이오클러스터", headings: ["개요"], text: "보스턴은 세계 3대 바이오클러스터 중 하나다."),
    SearchDocument(
        url: "/boston/city-hall/", title: "보스턴 시청", text: "허태정 시장은 보스턴시 마틴 월쉬 시장과 만났다.",
        terms: ["마틴 월쉬"]),
    SearchDocument(
        url: "/en/boston/labcentral/", title: "LabCentral", headings: ["Who it serves"],
        text: "Jean-Jacques Yarmoff of Biolabs showed the facility. Startups rent costly equipment.", terms: ["Biolabs"]
    ),
    SearchDocument(
        url: "/en/daejeon/", title: "Daejeon cluster", text: "Some 280 bio clusters around Daedeok; a new cluster plan."
    ),
]

@Test func koreanQueriesMatchInsideCompoundWords() {
    let engine = SearchQueryEngine(
        files: SearchIndex(documents).files)
    #expect(engine.search("클러스터") == ["/boston/"])
    #expect(engine.search("보스턴") == ["/boston/", "/boston/city-hall/"])
    #expect(engine.search("보스턴시") == ["/boston/city-hall/"])
    #expect(engine.search("월쉬 시장") == ["/boston/city-hall/"])
}

@Test func englishQueriesIgnoreCaseAndPluralsAndMatchPrefixes() {
    let engine = SearchQueryEngine(files: SearchIndex(documents).files)
    #expect(engine.search("BIOLABS") == ["/en/boston/labcentral/"])
    #expect(engine.search("biol") == ["/en/boston/labcentral/"])
    #expect(engine.search("startup") == ["/en/boston/labcentral/"])
    #expect(engine.search("clusters daed") == ["/en/daejeon/"])
    #expect(engine.search("nothing-like-this") == [])
}

@Test func titleAndHeadingHitsRankFirst() throws {
    let body = Array(repeating: "cluster", count: 12).joined(separator: " ")
    try expectSearches(
        [
            SearchDocument(url: "/body/", title: "Other", text: body),
            SearchDocument(url: "/heading/", title: "Other", headings: ["The cluster"], text: "text"),
            SearchDocument(url: "/title/", title: "Cluster", text: "text"),
        ], ["cluster": ["/title/", "/heading/", "/body/"], "clus": ["/title/", "/heading/", "/body/"]])
}

/// A place counts once however often the word stands there: the glossary, with 대덕 in several
/// headings, a taxonomy term and all over its text, ranks below the page titled with it.
@Test func aTitleHitOutranksAnyNumberOfOtherHits() throws {
    let everywhere = Array(repeating: "대덕연구단지 cluster", count: 12).joined(separator: " ")
    try expectSearches(
        [
            SearchDocument(
                url: "/glossary/", title: "용어집", headings: ["대덕", "대덕특구", "대덕연구단지", "Cluster", "Clusters"],
                text: everywhere, terms: ["대덕", "cluster"]),
            SearchDocument(url: "/daedeok/", title: "대덕특구", text: "대덕특구 소개"),
            SearchDocument(url: "/cluster/", title: "Clusters of Daejeon", text: "text"),
        ],
        [
            "대덕": ["/daedeok/", "/glossary/"], "대": ["/daedeok/", "/glossary/"],
            "cluster": ["/cluster/", "/glossary/"], "clus": ["/cluster/", "/glossary/"],
        ])
}

/// Names are typed without the space they are written with, and a word is typed as far as its
/// last syllable alone.
@Test func koreanNamesMatchWithoutTheirSpaceAndByTheirLastSyllable() throws {
    let pages =
        documents + [
            SearchDocument(url: "/daejeon/", title: "대전 테크노파크", text: "대전 바이오 스타트업 지원"),
            SearchDocument(url: "/harvard/", title: "Harvard", text: "하버드 의대 병원과  협력"),
        ]
    try expectSearches(
        pages,
        [
            "마틴월쉬": ["/boston/city-hall/"], "대전테크노파크": ["/daejeon/"], "하버드의대병원": ["/harvard/"],
            "쉬": ["/boston/city-hall/"], "업": ["/daejeon/"], "틴": ["/boston/city-hall/"],
            "월쉬시장": ["/boston/city-hall/"],
            // No pair is made across two spaces, nor across a word between (세계 3대).
            "병원과협력": [], "세계대": [],
        ])
}

/// A Korean term that finds nothing is tried once more without a final particle.
@Test func aTrailingParticleIsDroppedWhenTheTermFindsNothing() throws {
    let pages =
        documents + [
            SearchDocument(url: "/labcentral/", title: "랩센트럴", text: "랩센트럴은 보스턴의 공유 실험실이다."),
            SearchDocument(url: "/korea/", title: "한국이", text: "text"),
        ]
    try expectSearches(
        pages,
        [
            "랩센트럴의": ["/labcentral/"], "보스턴시의 시장": ["/boston/city-hall/"], "센트럴로": ["/labcentral/"],
            // Found as typed, the term is not cut: 한국이 is on the page.
            "한국이": ["/korea/"], "보스턴의": ["/labcentral/"],
            // Only from three characters on, and only a particle.
            "한이": [], "랩센트": ["/labcentral/"], "랩센트럴님": [],
        ])
}

/// English words are indexed without their plural ending ("companies" as "company"), and are
/// found while still being typed.
@Test func partlyTypedIesPluralsAreFound() throws {
    let pages = [
        SearchDocument(
            url: "/companies/", title: "Boston", text: "Biotech companies and technologies of Kendall Square."),
        SearchDocument(url: "/taxi/", title: "Taxis", text: "A taxi ride."),
    ]
    try expectSearches(
        pages,
        [
            "compani": ["/companies/"], "technologi": ["/companies/"], "companies": ["/companies/"],
            "company": ["/companies/"], "taxi": ["/taxi/"], "hi": [],
        ])
}

@Test func indexIsShardedByPrefix() {
    let files = SearchIndex(documents).files
    #expect(files["meta.json"].map { String(decoding: $0, as: UTF8.self).hasPrefix("{\"v\":1,\"docs\":4,") } == true)
    // "보" (eb b3 b4) holds 보스; "bi" (62 69) holds biolab; each shard is its own file.
    #expect(files["t/ebb3b4.json"].map { String(decoding: $0, as: UTF8.self).contains("\"보스\":[") } == true)
    #expect(files["t/6269.json"].map { String(decoding: $0, as: UTF8.self).contains("\"biolab\":[") } == true)
    #expect(files.keys.filter { $0.hasPrefix("d/") }.count == 4)
}

/// A shard lists a token's pages as gaps between page numbers, each followed by the score.
@Test func postingsAreWrittenAsGapsAndScores() throws {
    let pages = [
        SearchDocument(url: "/a/", title: "A", text: "zeta"), SearchDocument(url: "/b/", title: "B", text: "other"),
        SearchDocument(url: "/c/", title: "C", text: "zeta"), SearchDocument(url: "/d/", title: "D", text: "zeta zeta"),
    ]
    let shard = SearchIndex(pages).files["t/7a65.json"].map { String(decoding: $0, as: UTF8.self) }
    #expect(shard == "{\"zeta\":[0,1,2,1,1,2]}")
    try expectSearches(pages, ["zeta": ["/d/", "/a/", "/c/"], "ze": ["/d/", "/a/", "/c/"]])
}

/// The browser script must tokenize and rank exactly as the Swift code does.
@Test func scriptAgreesWithSwift() throws {
    let queries = ["클러스터", "보스턴", "보스턴시", "biol", "clusters daed", "BIOLABS", "월쉬 시장", "대"]
    let snippets = [
        ("Biotech companies of Boston", "companies"), ("Biotech companies of Boston", "compani"),
        ("One company in Boston", "companies"), ("랩센트럴은 보스턴의 실험실", "랩센트럴의"),
    ]
    guard let script = try runScript(documents, queries: queries, snippets: snippets) else { return }
    let all = try cases()
    #expect(script.tokens == all.tokens.map { SearchTokenizer.tokens($0.text) })
    #expect(script.terms == all.queries.map { SearchTokenizer.queryTerms($0.query).map(Cases.QueryCase.Term.init) })
    let engine = SearchQueryEngine(files: SearchIndex(documents).files)
    #expect(script.urls == queries.map(engine.search))
    // A snippet marks the word as the text has it, plural or typed only in part.
    #expect(
        script.snippets == [
            "Biotech <mark>companies</mark> of Boston", "Biotech <mark>compani</mark>es of Boston",
            "One <mark>company</mark> in Boston", "<mark>랩센트럴</mark>은 보스턴의 실험실",
        ])
}

/// Each query finds exactly its URLs, in order, in an index of `documents`: in Swift, and in the
/// browser script when node is installed.
private func expectSearches(
    _ documents: [SearchDocument], _ expected: KeyValuePairs<String, [String]>,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let engine = SearchQueryEngine(files: SearchIndex(documents).files)
    for (query, urls) in expected {
        #expect(engine.search(query) == urls, "\(query)", sourceLocation: sourceLocation)
    }
    guard let script = try runScript(documents, queries: expected.map(\.key)) else { return }
    for ((query, urls), found) in zip(expected, script.urls) {
        #expect(found == urls, "script: \(query)", sourceLocation: sourceLocation)
    }
}

private struct ScriptResult: Decodable {
    var tokens: [[String]]
    var terms: [[Cases.QueryCase.Term]]
    var urls: [[String]]
    var snippets: [String]
}

/// What the browser script makes of the shared cases, the URLs it finds for `queries` in an
/// index of `documents`, and its snippets of texts for queries; nil when node is not installed.
private func runScript(
    _ documents: [SearchDocument], queries: [String], snippets: [(text: String, query: String)] = []
) throws -> ScriptResult? {
    guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: FileManager.default.isExecutableFile) else {
        print("search script check skipped: node is not installed")
        return nil
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    for (path, bytes) in SearchIndex(documents).files {
        let file = folder.appendingPathComponent("index/\(path)")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }
    try Data(SearchScript.source.utf8).write(to: folder.appendingPathComponent("search.js"))
    func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
    let check = """
        const s = require("./search.js"), fs = require("fs");
        const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
        const engine = s.engine(async (p) => JSON.parse(fs.readFileSync("index/" + p, "utf8")));
        (async () => {
          const urls = [], snippets = [];
          for (const q of \(try json(queries))) {
            const { docs } = await engine.search(q);
            urls.push(await Promise.all(docs.map(async (d) => (await engine.document(d)).u)));
          }
          for (const [text, q] of \(try json(snippets.map { [$0.text, $0.query] }))) {
            const { terms } = await engine.search(q);
            snippets.push(s.snippet(text, terms));
          }
          console.log(JSON.stringify({
            tokens: cases.tokens.map((c) => s.tokens(c.text)),
            terms: cases.queries.map((c) => s.queryTerms(c.query).map((t) =>
              ({ tokens: t.tokens, prefix: t.prefix, alsoPrefix: t.alsoPrefix, withoutParticle: t.withoutParticle }))),
            urls, snippets,
          }));
        })();
        """
    try Data(check.utf8).write(to: folder.appendingPathComponent("check.js"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: node)
    process.arguments = ["check.js", fixtures.appendingPathComponent("tokenizer-cases.json").path]
    process.currentDirectoryURL = folder
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONDecoder().decode(ScriptResult.self, from: data)
}

@Test func replacingADocumentGivesTheFilesOfAFreshIndex() {
    var documents = [
        SearchDocument(url: "/a/", title: "바이오클러스터", headings: ["보스턴"], text: "랩센트럴 보스턴 clusters"),
        SearchDocument(url: "/b/", title: "KAIST", text: "대전 바이오 startup"),
        SearchDocument(url: "/c/", title: "MIT", text: "Open Learning 보스턴"),
    ]
    var index = SearchIndex(documents)
    let replacements = [
        SearchDocument(url: "/b/", title: "KAIST", text: "대전 바이오 startups 유성구"),
        // Every token of the page gone but the title: shards empty out and leave the index.
        SearchDocument(url: "/b/", title: "KAIST", text: ""),
        SearchDocument(url: "/b/", title: "KAIST", text: "대전 바이오 startup"),
    ]
    for replacement in replacements {
        let before = index.files
        let changed = index.replace(1, with: replacement)
        documents[1] = replacement
        let fresh = SearchIndex(documents).files
        #expect(index.files == fresh)
        #expect(changed == Set(before.keys).union(fresh.keys).filter { before[$0] != fresh[$0] }.sorted())
    }
    #expect(index.replace(1, with: documents[1]) == [])
}

/// Tokens longer than the 24 bytes a token holds inline, and tokens that share those 24 bytes,
/// stay distinct, are found, and sort in byte order within their shard.
@Test func longTokensAreKeptWholeAndSortedByTheirBytes() {
    let longer = "internationalizationsxyzabc"
    let longest = "internationalizationsxyzabcd"
    #expect(SearchTokenizer.tokens("\(longer) \(longest)") == [longer, longest])
    let files = SearchIndex([
        SearchDocument(url: "/a/", title: "A", text: longest),
        SearchDocument(url: "/b/", title: "B", text: longer),
        SearchDocument(url: "/c/", title: "C", text: "int"),
    ]).files
    let engine = SearchQueryEngine(files: files)
    #expect(engine.search(longest) == ["/a/"])
    #expect(engine.search(longer) == ["/b/", "/a/"])
    let shard = files["t/696e.json"].map { String(decoding: $0, as: UTF8.self) }
    #expect(shard == "{\"int\":[2,1],\"\(longer)\":[1,1],\"\(longest)\":[0,1]}")
}

/// A page's stored text is cut after 2,000 scalars, but not between a letter and the
/// combining mark on it.
@Test func storedTextIsCutAfterItsLimitButNotInsideACharacter() throws {
    let text = String(repeating: "가", count: 1_999) + "e\u{301}" + String(repeating: "나", count: 10)
    let files = SearchIndex([SearchDocument(url: "/a/", title: "A", text: text)]).files
    let stored = try #require(files["d/0.json"].map { String(decoding: $0, as: UTF8.self) })
    #expect(stored.hasSuffix("가e\u{301}\"}"))
}

@Test func pageTextIsMainsVisibleTextWithReferencesDecoded() {
    let page = searchableText(
        ofPage: """
            <html><body><nav>skip me</nav><main><h1> Title <em>x</em></h1><p>a&amp;b &lt;tag&gt; caf&#233; \
            &#x1F600;</p><script>var x</script><p>one<b>two</b>
            \tthree</p></main></body></html>
            """)
    #expect(String(decoding: page.text, as: UTF8.self) == "Title x a&b <tag> café 😀 onetwo three")
    #expect(page.heading == "Title x")
    // A decoded space is kept as it is, but never at either end.
    let spaced = searchableText(ofPage: "<main>&nbsp;&nbsp;word&#32;&#32;</main>")
    #expect(String(decoding: spaced.text, as: UTF8.self) == "word")
    #expect(spaced.heading == nil)
    // Four bytes from eight, the most a reference gives for its length; no <main>, so <body>.
    let references = searchableText(ofPage: "<body>&#65536;&#65536;</body>")
    #expect(String(decoding: references.text, as: UTF8.self) == "\u{10000}\u{10000}")
    // Spaces between words, single (copied with the words), doubled, before a tag, a reference
    // or a line break, and at the end, all come out as one space between words.
    let words = searchableText(ofPage: "<main>대전 바이오  클러스터 <b>a</b> b &amp; c \n d\t e f </main>")
    #expect(String(decoding: words.text, as: UTF8.self) == "대전 바이오 클러스터 a b & c d e f")
}

/// Every byte that JSON (or a page holding the JSON) needs escaped, at every place of the eight
/// bytes read at once and of the bytes after them, among ASCII and Hangul bytes.
@Test func everyByteThatNeedsEscapingIsEscapedWhereverItStands() {
    func escape(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "\""): return Array("\\\"".utf8)
        case UInt8(ascii: "\\"): return Array("\\\\".utf8)
        case UInt8(ascii: "\n"): return Array("\\n".utf8)
        case UInt8(ascii: "\r"): return Array("\\r".utf8)
        case UInt8(ascii: "\t"): return Array("\\t".utf8)
        case UInt8(ascii: "<"): return Array("\\u003c".utf8)
        case ..<0x20: return Array(String(format: "\\u%04x", byte).utf8)
        default: return [byte]
        }
    }
    let needEscaping: [UInt8] = Array(0..<0x20) + [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "<")]
    for filler in [Array("abcdefgh12345678z".utf8), Array("대전바이오클".utf8) + [UInt8(ascii: "x")]] {
        for byte in needEscaping {
            for position in filler.indices {
                var bytes = filler
                bytes[position] = byte
                var json: [UInt8] = []
                bytes.withUnsafeBufferPointer { appendJSONString(utf8: $0, to: &json) }
                let reference = [UInt8(ascii: "\"")] + bytes.flatMap(escape) + [UInt8(ascii: "\"")]
                #expect(json == reference, "byte \(byte) at \(position)")
            }
        }
    }
}
