import Foundation
import SiteBuilder
import Testing

/// Inputs that look odd but are valid: they must build, and give the same site as the plain ones.

/// Every text file of the full fixture rewritten with CRLF line endings builds to the expected
/// site, except for the carriage returns the templates' own text carries into the output.
@Test func crlfLineEndingsBuildTheSameSite() async throws {
    let site = try copyOfFixture("full")
    try rewriteTextFiles(of: site) { text in Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }
    _ = try await SiteBuilder.build(buildOptions(site))
    let built = try tree(site.appendingPathComponent("public"))
    let expected = try tree(expectedFullSite)
    #expect(built.keys.sorted() == expected.keys.sorted())
    for (path, bytes) in expected.sorted(by: { $0.key < $1.key }) {
        let withoutCR = built[path].map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\r", with: "") }
        #expect(withoutCR == String(decoding: bytes, as: UTF8.self), "\(path) differs")
    }
}

/// A UTF-8 byte order mark at the start of every text file is dropped, as Jekyll and Hugo drop it.
@Test func byteOrderMarksBuildTheSameSite() async throws {
    let site = try copyOfFixture("full")
    try rewriteTextFiles(of: site) { text in Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)) }
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(try tree(site.appendingPathComponent("public")) == tree(expectedFullSite))
}

/// 10,000 levels of block quotes and of lists in a page go through Markdown, the layout and the
/// link checker without exhausting the stack.
@Test func deeplyNestedMarkdownBuilds() async throws {
    let site = try temporarySite([
        "site.yml": "title: Deep\n",
        "content/_index.md": "---\ntitle: Home\n---\n" + String(repeating: "> ", count: 10_000)
            + "[quote](quotes.md)\n",
        "content/quotes.md": "---\ntitle: Lists\n---\n" + String(repeating: "- ", count: 10_000) + "## 끝\n",
        "templates/layouts/default.liquid": "<html><body>{{ content }}</body></html>\n",
    ])
    _ = try await SiteBuilder.build(buildOptions(site))
    let home = try text(site, "public/index.html")
    #expect(home.components(separatedBy: "<blockquote>").count - 1 == 10_000)
    #expect(home.contains("<a href=\"/quotes/\">quote</a>"))
    let lists = try text(site, "public/quotes/index.html")
    #expect(lists.components(separatedBy: "<ul>").count - 1 == 10_000)
}

/// A Markdown page of about `megabytes` MB builds; set BRIDGEHEAD_BIG_PAGE_MB to try 50 (see
/// the README's Reliability section for the memory it takes).
@Test func bigMarkdownPageBuilds() async throws {
    let megabytes = Int(ProcessInfo.processInfo.environment["BRIDGEHEAD_BIG_PAGE_MB"] ?? "") ?? 5
    let site = try temporarySite([
        "site.yml": "title: Big\n",
        "content/_index.md": "---\ntitle: Home\n---\n[big](big.md)\n",
        "templates/layouts/default.liquid": "<html><body>{{ content }}</body></html>\n",
    ])
    try writeBigPage(to: site.appendingPathComponent("content/big.md"), megabytes: megabytes)
    _ = try await SiteBuilder.build(buildOptions(site))
    let page = try Data(contentsOf: site.appendingPathComponent("public/big/index.html"))
    #expect(page.count > megabytes * 1_000_000)
    #expect(String(decoding: page.suffix(64), as: UTF8.self).hasSuffix("<p>The end.</p>\n</body></html>\n"))
}

/// Writes a page of `megabytes` MB of paragraphs, headings, lists and links, in blocks, without
/// holding it in memory whole.
func writeBigPage(to file: URL, megabytes: Int) throws {
    guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    try handle.write(contentsOf: Data("---\ntitle: Big\n---\n".utf8))
    var written = 0
    var section = 0
    while written < megabytes * 1_000_000 {
        var chunk = ""
        for _ in 0..<100 {
            section += 1
            chunk += """
                ## Section \(section) 대전과 보스턴

                Daejeon's Daedeok Innopolis and Boston's Kendall Square are *bio clusters* with **\(section)** \
                [links](#section-\(section)-대전과-보스턴) and `code`. 대덕연구개발특구는 바이오 기업이 모인 곳이다.

                - one item
                - two items with ~~strikes~~


                """
        }
        let data = Data(chunk.utf8)
        try handle.write(contentsOf: data)
        written += data.count
    }
    try handle.write(contentsOf: Data("The end.\n".utf8))
}

/// Rewrites every Markdown, YAML, JSON and Liquid file below `folder` with `change`.
func rewriteTextFiles(of folder: URL, _ change: (String) -> Data) throws {
    guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return }
    while let relative = enumerator.nextObject() as? String {
        guard ["md", "yml", "json", "liquid"].contains((relative as NSString).pathExtension) else { continue }
        let file = folder.appendingPathComponent(relative)
        try change(try String(contentsOf: file, encoding: .utf8)).write(to: file)
    }
}

/// A page size larger than any list (up to Int.max) paginates nothing: the same site as
/// `paginate: 0`. Int.max overflowed the page count and stopped the build.
@Test func aPageSizeBeyondEveryListIsOnePage() async throws {
    var sites: [[String: Data]] = []
    for size in ["0", "1000", "9223372036854775807"] {
        let site = try copyOfFixture("full")
        let config = site.appendingPathComponent("site.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "paginate: 2", with: "paginate: \(size)").utf8).write(to: config)
        _ = try await SiteBuilder.build(buildOptions(site))
        sites.append(try tree(site.appendingPathComponent("public")))
    }
    #expect(sites[0] == sites[1])
    #expect(sites[0] == sites[2])
}

/// The smallest `Int` is a weight like any other (its digits alone are past Int.max, and it
/// was refused as not a whole number), and sorts first.
@Test func theSmallestWholeNumberIsAWeight() async throws {
    let site = try minimalSite([
        "content/a.md": "---\ntitle: A\nweight: 1\n---\n",
        "content/b.md": "---\ntitle: B\nweight: -9223372036854775808\n---\n",
        "templates/layouts/default.liquid": "{% for p in site.pages %}{{ p.title }}{% endfor %}",
    ])
    _ = try await SiteBuilder.build(buildOptions(site))
    let home = try String(contentsOf: site.appendingPathComponent("public/index.html"), encoding: .utf8)
    #expect(home.hasPrefix("BA"))
}
