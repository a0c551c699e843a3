import Diagnostics
import Foundation
import SiteBuilder
import Testing

let expectedFullSite = fixtureSites.appendingPathComponent("full.expected")

/// The site with every feature, built with the real Liquid and Markdown, must give exactly the
/// files of Tests/Fixtures/sites/full.expected. Set BRIDGEHEAD_UPDATE_FIXTURES=1 to rewrite
/// them after a deliberate change, then read the diff.
@Test func fullSiteGivesTheExpectedFiles() async throws {
    let site = try copyOfFixture("full")
    let summary = try await SiteBuilder.build(buildOptions(site))
    let output = site.appendingPathComponent("public")
    let built = try tree(output)
    if ProcessInfo.processInfo.environment["BRIDGEHEAD_UPDATE_FIXTURES"] == "1" {
        try? FileManager.default.removeItem(at: expectedFullSite)
        try FileManager.default.copyItem(at: output, to: expectedFullSite)
    }
    let expected = try tree(expectedFullSite)
    #expect(built.keys.sorted() == expected.keys.sorted())
    for (path, bytes) in expected.sorted(by: { $0.key < $1.key }) {
        #expect(
            built[path].map { String(decoding: $0, as: UTF8.self) } == String(decoding: bytes, as: UTF8.self),
            "\(path) differs")
    }
    #expect(summary.pages == 32)
    #expect(summary.files == built.count)
    #expect(
        summary.stages.map(\.name) == [
            "load", "graph", "parse", "render", "search", "finish", "write", "check", "swap",
        ])
    #expect(
        summary.warnings.map(\.headline) == [
            "templates/layouts/home.liquid:6:21: warning: no translation of 'partners' in templates/i18n/en.yml; using the ko text"
        ])
}

@Test func draftsAndFuturePagesAreLeftOutEntirely() async throws {
    let site = try copyOfFixture("full")
    _ = try await SiteBuilder.build(buildOptions(site))
    let output = site.appendingPathComponent("public")
    let files = try tree(output)
    #expect(files["boston/draft-note/index.html"] == nil)
    #expect(files["boston/future/index.html"] == nil)
    for path in ["sitemap.xml", "feed.xml", "index.html", "boston/index.html", "boston/page/2/index.html"] {
        let text = try text(output, path)
        #expect(!text.contains("draft-note") && !text.contains("future") && !text.contains("초안"), "\(path)")
    }
}

@Test func draftsAndFuturePagesAreBuiltWhenAskedFor() async throws {
    let site = try copyOfFixture("full")
    var options = buildOptions(site)
    options.includeDrafts = true
    options.includeFuture = true
    _ = try await SiteBuilder.build(options)
    let output = site.appendingPathComponent("public")
    #expect(try text(output, "boston/draft-note/index.html").contains("<h1>초안</h1>"))
    #expect(try text(output, "boston/draft-note/index.html").contains(" · draft</p>"))
    #expect(try text(output, "boston/future/index.html").contains("<p class=\"meta\">2030-01-01 · "))
    #expect(try text(output, "sitemap.xml").contains("<loc>https://example.org/portal/boston/future/</loc>"))
}

@Test func twoBuildsGiveIdenticalBytes() async throws {
    let site = try copyOfFixture("full")
    let first = site.deletingLastPathComponent().appendingPathComponent("first")
    let second = site.deletingLastPathComponent().appendingPathComponent("second")
    _ = try await SiteBuilder.build(buildOptions(site, output: first))
    _ = try await SiteBuilder.build(buildOptions(site, output: second))
    #expect(try tree(first) == tree(second))
}

@Test func serialAndParallelBuildsGiveIdenticalBytes() async throws {
    let site = try copyOfFixture("full")
    let parallel = site.deletingLastPathComponent().appendingPathComponent("parallel")
    let serial = site.deletingLastPathComponent().appendingPathComponent("serial")
    _ = try await SiteBuilder.build(buildOptions(site, output: parallel))
    var options = buildOptions(site, output: serial)
    options.parallel = false
    _ = try await SiteBuilder.build(options)
    #expect(try tree(parallel) == tree(serial))
}

@Test func aRebuildReplacesTheOutputAndKeepsNothingStale() async throws {
    let site = try copyOfFixture("full")
    let output = site.appendingPathComponent("public")
    _ = try await SiteBuilder.build(buildOptions(site))
    try FileManager.default.removeItem(at: site.appendingPathComponent("content/소식.md"))
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("소식/index.html").path))
    #expect(
        try text(output, ".bridgehead")
            == "Written by Bridgehead; safe to delete.\nbase_url: https://example.org/portal/\n")
    let siblings = try FileManager.default.contentsOfDirectory(atPath: site.path)
    #expect(!siblings.contains { $0.contains("bridgehead-") })
}
