import Foundation
import Search
import SiteBuilder
import Testing

private let searchSite: [String: String] = [
    "site.yml": """
    title: "검색 시험"
    base_url: "https://example.org/portal/"
    languages:
      - { code: ko, name: 한국어 }
      - { code: en, name: English }
    """,
    "templates/layouts/default.liquid": """
    <!doctype html><html lang="{{ page.lang }}"><head><title>{{ page.title }}</title></head>
    <body><nav><a href="{{ '/' | relative_url }}">메뉴의 바이오클러스터</a></nav>
    <main><h1>{{ page.title }}</h1>{{ content }}</main><footer>바닥글</footer></body></html>
    """,
    "content/_index.md": "---\ntitle: 홈\n---\n\n시작 페이지.\n",
    "content/_index.en.md": "---\ntitle: Home\n---\n\nThe start.\n",
    "content/city-hall.md": """
    ---
    title: 보스턴 시청
    tags: [마틴 월쉬]
    ---

    허태정 시장은 보스턴시 청사에서 <b>바이오</b>클러스터를 이야기했다.

    ## 산업생태계

    두 도시의 정보를 나눴다 &amp; 약속했다.
    """,
    "content/city-hall.en.md": """
    ---
    title: Boston City Hall
    tags: [Martin Walsh]
    ---

    Mayor Heo met Mayor Walsh about biotech clusters.
    """,
    "content/memo.md": """
    ---
    title: 비공개 메모
    search: false
    ---

    바이오클러스터에 관한 메모.
    """,
]

/// The index files of one language of a built site, as the query engine reads them.
private func index(_ output: URL, _ lang: String) throws -> [String: [UInt8]] {
    try tree(output.appendingPathComponent("search/\(lang)")).mapValues { Array($0) }
}

@Test func everyLanguageGetsAnIndexWithBasePathURLsAndWithoutExcludedPages() async throws {
    let site = try temporarySite(searchSite)
    let summary = try await SiteBuilder.build(buildOptions(site))
    let output = site.appendingPathComponent("public")
    #expect(summary.stages.map(\.name).contains("search"))
    #expect(try text(output, "search/search.js") == SearchScript.source)

    let korean = SearchQueryEngine(files: try index(output, "ko"))
    #expect(korean.search("클러스터") == ["/portal/city-hall/"])
    #expect(korean.search("보스턴시") == ["/portal/city-hall/"])
    #expect(korean.search("생태계") == ["/portal/city-hall/"])
    #expect(korean.search("약속") == ["/portal/city-hall/"])
    #expect(korean.search("월쉬").contains("/portal/city-hall/"))
    #expect(korean.search("메뉴") == [], "navigation is not page text")
    #expect(korean.search("바닥글") == [], "only <main> is indexed")
    #expect(korean.search("메모") == [], "a page with search: false is left out")
    let koreanFiles = try index(output, "ko")
    #expect(!koreanFiles.values.contains { String(decoding: $0, as: UTF8.self).contains("비공개") })

    let english = SearchQueryEngine(files: try index(output, "en"))
    #expect(english.search("cluster") == ["/portal/en/city-hall/"])
    #expect(english.search("WALS").contains("/portal/en/city-hall/"))
    #expect(english.search("클러스터") == [])
    let meta = try text(output, "search/en/meta.json")
    #expect(meta.hasPrefix("{\"v\":1,\"docs\":"))
}

@Test func searchFalseInSiteYmlWritesNoSearchFiles() async throws {
    var files = searchSite
    files["site.yml", default: ""] += "\nsearch: false\n"
    let site = try temporarySite(files)
    let summary = try await SiteBuilder.build(buildOptions(site))
    let built = try tree(site.appendingPathComponent("public"))
    #expect(built["index.html"] != nil)
    #expect(built.keys.filter { $0.hasPrefix("search/") }.sorted() == [])
    #expect(summary.warnings.isEmpty)
}

/// Each search document's URL and title, from the index files of one language.
private func documentTitles(_ output: URL, _ lang: String) throws -> [String: String] {
    var titles: [String: String] = [:]
    for (path, bytes) in try index(output, lang) where path.hasPrefix("d/") {
        let document = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        if let url = document?["u"] as? String { titles[url] = document?["t"] as? String }
    }
    return titles
}

@Test func aDocumentsTitleIsThePagesFirstHeadingInMainElsePageTitle() async throws {
    var files = searchSite
    files["templates/layouts/default.liquid"] = """
        <!doctype html><html><body><h1>사이트</h1>
        <main><nav><h1>메뉴</h1></nav>
        <h1> {% if page.kind == "taxonomy" %}태그 &amp; <em>모음</em>{% else %}{{ page.title }}{% endif %} </h1>
        {{ content }}<h1>둘째 제목</h1></main></body></html>
        """
    files["templates/layouts/bare.liquid"] = "<main><h1> </h1><p>{{ content }}</p></main>"
    files["content/bare.md"] = "---\ntitle: 제목만\nlayout: bare\n---\n\n본문.\n"
    let site = try temporarySite(files)
    _ = try await SiteBuilder.build(buildOptions(site))
    let titles = try documentTitles(site.appendingPathComponent("public"), "ko")
    #expect(titles["/portal/tags/"] == "태그 & 모음", "what the reader sees, not the raw key 'tags'")
    #expect(titles["/portal/city-hall/"] == "보스턴 시청")
    #expect(titles["/portal/bare/"] == "제목만", "a blank h1 gives way to page.title")
}

/// The portal itself (site.yml, content and templates of this repository) in a temporary folder.
private func copyOfPortal() throws -> URL {
    let root = fixtureSites.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let site = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-site-\(UUID().uuidString)")
        .appendingPathComponent("site")
    try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
    for item in ["site.yml", "content", "templates"] {
        try FileManager.default.copyItem(
            at: root.appendingPathComponent(item), to: site.appendingPathComponent(item))
    }
    return site
}

@Test func thePortalsSearchPagesAreInNoSitemapOrFeedAndTheHeaderLinksToThem() async throws {
    let site = try copyOfPortal()
    _ = try await SiteBuilder.build(buildOptions(site))
    let output = site.appendingPathComponent("public")
    for path in ["sitemap.xml", "feed.xml", "en/feed.xml"] {
        #expect(!(try text(output, path)).contains("/search/"), "\(path)")
    }
    #expect(try text(output, "index.html").contains(#"<a class="search-link" href="/search/">"#))
    #expect(try text(output, "en/search/index.html").contains(#"<script src="/search/search.js" defer>"#))
}

@Test func thePortalBuildsWithSearchTurnedOff() async throws {
    let site = try copyOfPortal()
    let config = site.appendingPathComponent("site.yml")
    try Data((try String(contentsOf: config, encoding: .utf8) + "search: false\n").utf8).write(to: config)
    let summary = try await SiteBuilder.build(buildOptions(site))
    #expect(summary.warnings.isEmpty)
    let built = try tree(site.appendingPathComponent("public"))
    #expect(built.keys.filter { $0.hasPrefix("search/") }.sorted() == ["search/index.html"])
    for (path, bytes) in built where path.hasSuffix(".html") {
        let html = String(decoding: bytes, as: UTF8.self)
        #expect(!html.contains("search-link") && !html.contains("search.js"), "\(path)")
    }
    for (path, directory) in [("search/index.html", "/directory/"), ("en/search/index.html", "/en/directory/")] {
        let page = String(decoding: built[path] ?? Data(), as: UTF8.self)
        #expect(page.contains(#"<p class="search-noscript">"#) && page.contains(#"<a href="\#(directory)">"#))
        #expect(!page.contains("<noscript>") && !page.contains("data-bridgehead-search"))
    }
}
