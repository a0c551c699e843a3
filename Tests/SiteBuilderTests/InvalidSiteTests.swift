import Foundation
import SiteBuilder
import Testing

/// The cases under Tests/Fixtures/sites/invalid, each a site with one kind of mistake.
let invalidCases: [String] = {
    let folder = fixtureSites.appendingPathComponent("invalid")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted()
}()

@Test func everyInvalidCaseIsThere() {
    #expect(
        invalidCases == [
            "bad-data-file", "bad-yaml-front-matter", "bad-yaml-site", "broken-content-link", "invalid-utf8",
            "layout-cycle", "missing-layout", "output-is-source", "output-not-ours", "template-error",
            "two-pages-one-url", "unclosed-front-matter", "wrong-front-matter-types",
        ])
}

/// Each invalid site fails with exactly the headlines of its expected-error.txt, and leaves the
/// previous output (a marker and a sentinel file) byte for byte as it was, with no temporary
/// folder left behind.
@Test(arguments: invalidCases) func invalidSiteFailsAndKeepsTheOutput(_ name: String) async throws {
    let site = try copyOfFixture("invalid/" + name)
    let output = site.appendingPathComponent("public")
    try FileManager.default.createDirectory(
        at: output.appendingPathComponent("old"), withIntermediateDirectories: true)
    try Data("sentinel\n".utf8).write(to: output.appendingPathComponent("old/sentinel.html"))
    if name != "output-not-ours" {
        try Data("Written by Bridgehead; safe to delete.\n".utf8).write(
            to: output.appendingPathComponent(".bridgehead"))
    }
    let before = try tree(output)
    let siblingsBefore = try FileManager.default.contentsOfDirectory(atPath: site.path).sorted()
    var options = buildOptions(site)
    if name == "output-is-source" { options.output = site }

    let failure = await failureText(of: options)

    let expected = try text(site, "expected-error.txt").split(separator: "\n").map(String.init)
    #expect(failure.map(headlines) == expected)
    #expect(try tree(output) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: site.path).sorted() == siblingsBefore)
}
