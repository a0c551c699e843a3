import Foundation
import Search
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/search")

private struct Cases: Decodable {
    struct TokenCase: Decodable {
        var text: String
        var tokens: [String]
    }

    struct QueryCase: Decodable {
        struct Term: Decodable {
            var tokens: [String]
            var prefix: Bool
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
        let terms = SearchTokenizer.queryTerms(test.query)
        #expect(terms.map(\.tokens) == test.terms.map(\.tokens), "\(test.query)")
        #expect(terms.map(\.isPrefix) == test.terms.map(\.prefix), "\(test.query)")
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

@Test func titleAndHeadingHitsRankFirst() {
    let index = SearchIndex([
        SearchDocument(url: "/body/", title: "Other", text: "cluster cluster cluster cluster cluster cluster"),
        SearchDocument(url: "/heading/", title: "Other", headings: ["The cluster"], text: "text"),
        SearchDocument(url: "/title/", title: "Cluster", text: "text"),
    ])
    #expect(SearchQueryEngine(files: index.files).search("cluster") == ["/title/", "/heading/", "/body/"])
}

@Test func indexIsShardedByPrefix() {
    let files = SearchIndex(documents).files
    #expect(files["meta.json"].map { String(decoding: $0, as: UTF8.self).hasPrefix("{\"v\":1,\"docs\":4,") } == true)
    // "보" (eb b3 b4) holds 보스; "bi" (62 69) holds biolab; each shard is its own file.
    #expect(files["t/ebb3b4.json"].map { String(decoding: $0, as: UTF8.self).contains("\"보스\":[") } == true)
    #expect(files["t/6269.json"].map { String(decoding: $0, as: UTF8.self).contains("\"biolab\":[") } == true)
    #expect(files.keys.filter { $0.hasPrefix("d/") }.count == 4)
}

/// The browser script must tokenize and rank exactly as the Swift code does.
@Test func scriptAgreesWithSwift() throws {
    guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: FileManager.default.isExecutableFile) else {
        print("search script check skipped: node is not installed")
        return
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("search-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    for (path, bytes) in SearchIndex(documents).files {
        let file = folder.appendingPathComponent("index/\(path)")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }
    try Data(SearchScript.source.utf8).write(to: folder.appendingPathComponent("search.js"))
    let queries = ["클러스터", "보스턴", "보스턴시", "biol", "clusters daed", "BIOLABS", "월쉬 시장", "대"]
    let check = """
        const s = require("./search.js"), fs = require("fs");
        const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
        const engine = s.engine(async (p) => JSON.parse(fs.readFileSync("index/" + p, "utf8")));
        (async () => {
          const urls = [];
          for (const q of \(String(decoding: try JSONEncoder().encode(queries), as: UTF8.self))) {
            const { docs } = await engine.search(q);
            urls.push(await Promise.all(docs.map(async (d) => (await engine.document(d)).u)));
          }
          console.log(JSON.stringify({
            tokens: cases.tokens.map((c) => s.tokens(c.text)),
            terms: cases.queries.map((c) => s.queryTerms(c.query).map((t) => ({ tokens: t.tokens, prefix: t.prefix }))),
            urls,
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
    struct Result: Decodable {
        var tokens: [[String]]
        var terms: [[Cases.QueryCase.Term]]
        var urls: [[String]]
    }
    let result = try JSONDecoder().decode(Result.self, from: data)
    let all = try cases()
    #expect(result.tokens == all.tokens.map { SearchTokenizer.tokens($0.text) })
    #expect(
        result.terms.map { $0.map(\.tokens) } == all.queries.map { SearchTokenizer.queryTerms($0.query).map(\.tokens) })
    #expect(
        result.terms.map { $0.map(\.prefix) }
            == all.queries.map { SearchTokenizer.queryTerms($0.query).map(\.isPrefix) })
    let engine = SearchQueryEngine(files: SearchIndex(documents).files)
    #expect(result.urls == queries.map(engine.search))
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
    #expect(shard == "{\"int\":[[2,1]],\"\(longer)\":[[1,1]],\"\(longest)\":[[0,1]]}")
}

/// A page's stored text is cut after 4,000 scalars, but not between a letter and the
/// combining mark on it.
@Test func storedTextIsCutAfterItsLimitButNotInsideACharacter() throws {
    let text = String(repeating: "가", count: 3_999) + "e\u{301}" + String(repeating: "나", count: 10)
    let files = SearchIndex([SearchDocument(url: "/a/", title: "A", text: text)]).files
    let stored = try #require(files["d/0.json"].map { String(decoding: $0, as: UTF8.self) })
    #expect(stored.hasSuffix("가e\u{301}\"}"))
}
