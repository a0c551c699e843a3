import Foundation
import Testing

/// The portal of this repository, published as the Pages workflow publishes it, under a base path.
@Test func thePortalPublishesUnderABasePathWithEveryLinkInsideIt() throws {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(
        "bridgehead-publish-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let baseURL = "https://user.github.io/portal/"
    let published = try runBridgehead(
        ["publish", "--base-url", baseURL, "--source", repositoryRoot.path, "--output", output.path])
    #expect(published.status == 0, "\(published.standardError)")
    #expect(published.standardOutput.hasPrefix("built "))

    let checked = try runBridgehead(["check", output.path, "--base-url", baseURL])
    #expect(checked.status == 0, "\(checked.standardOutput)")
    #expect(checked.standardOutput.contains("no broken links"))
    // Without --base-url, check takes the base URL the publish recorded in its marker file.
    let checkedAsPublished = try runBridgehead(["check", output.path])
    #expect(checkedAsPublished.status == 0, "\(checkedAsPublished.standardOutput)")

    let attribute = try NSRegularExpression(pattern: #"(?:href|src)="(/[^"]*)""#)
    var rootRelative = 0
    let files = FileManager.default.enumerator(atPath: output.path)
    while let path = files?.nextObject() as? String {
        guard path.hasSuffix(".html") else { continue }
        let text = try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
        for match in attribute.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range(at: 1), in: text) else { continue }
            #expect(text[range].hasPrefix("/portal/"), "\(path): \(text[range])")
            rootRelative += 1
        }
    }
    #expect(rootRelative > 1000)
    let home = try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8)
    let stylesheet = try #require(home.firstMatch(of: /href="\/portal\/(css\/site\.[0-9a-f]{8}\.css)"/))
    #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(String(stylesheet.output.1)).path))
    for name in [".nojekyll", "build-manifest.json", "sitemap.xml", "feed.xml", "en/feed.xml"] {
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
    }
}

@Test func publishNeedsAnAbsoluteBaseURL() throws {
    let missing = try runBridgehead(["publish"], in: repositoryRoot)
    #expect(missing.status == 2)
    #expect(missing.standardError.contains("--base-url"))
    let pathOnly = try runBridgehead(["publish", "--base-url", "/portal/"], in: repositoryRoot)
    #expect(pathOnly.status == 2)
    #expect(pathOnly.standardError.contains("--base-url must be an http or https URL"))
}

@Test func publishFailsOnAnUndefinedVariableWithItsPlace() throws {
    let folder = try temporaryFolder([
        "site/site.yml": "title: T\n",
        "site/content/_index.md": "---\ntitle: Home\n---\nHi\n",
        "site/templates/layouts/default.liquid": "<!doctype html>\n<title>{{ page.title }}</title>{{ page.nope }}\n",
    ])
    defer { try? FileManager.default.removeItem(at: folder) }
    let built = try runBridgehead(["build", "--source", "site"], in: folder)
    #expect(built.status == 0, "\(built.standardError)")
    let published = try runBridgehead(
        ["publish", "--source", "site", "--base-url", "https://example.org/", "--output", "out"], in: folder)
    #expect(published.status == 1)
    #expect(published.standardError.hasPrefix("site/templates/layouts/default.liquid:2:"), "\(published.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
}

/// SOURCE_DATE_EPOCH, not the clock, decides which pages are in the future.
@Test func sourceDateEpochDecidesWhichPagesAreFuture() throws {
    let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/sites/full")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: fixture, to: folder.appendingPathComponent("site"))
    let future = "boston/future/index.html"
    // 2024-01-01 and 2030-03-17; the fixture's future page is dated 2030-01-01.
    for (epoch, expected) in [("1704067200", false), ("1900000000", true)] {
        let output = "out-\(epoch)"
        let result = try runBridgehead(
            ["publish", "--source", "site", "--base-url", "https://example.org/portal/", "--output", output],
            in: folder, environment: ["SOURCE_DATE_EPOCH": epoch])
        #expect(result.status == 0, "\(result.standardError)")
        let path = folder.appendingPathComponent(output).appendingPathComponent(future).path
        #expect(FileManager.default.fileExists(atPath: path) == expected, "SOURCE_DATE_EPOCH=\(epoch)")
    }
}
