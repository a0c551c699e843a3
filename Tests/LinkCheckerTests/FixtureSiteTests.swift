import Diagnostics
import Foundation
import LinkChecker
import Testing

/// `Tests/Fixtures/links/`.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/links")

/// Each finding's first line, `path:line:col: error: message`.
func headlines(_ report: LinkReport) -> [String] {
    report.findings.map { $0.diagnostic().headline }
}

/// A new empty folder in the temporary folder; the caller removes it.
func makeTemporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("links-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Checks a small site given as texts and returns the headlines of what was found.
func headlines(
    of pages: [String: String], options: LinkCheckOptions = LinkCheckOptions()
) async throws -> [String] {
    headlines(try await LinkChecker(options: options).check(InMemorySiteFiles(texts: pages)))
}

@Suite struct FixtureSiteTests {
    let site = fixtures.appendingPathComponent("site")

    @Test func findsExactlyTheExpectedFindings() async throws {
        let report = try await LinkChecker(options: LinkCheckOptions(baseURL: "https://example.org/portal/"))
            .check(try DirectorySiteFiles(root: site))
        let expected = try String(contentsOf: fixtures.appendingPathComponent("expected-findings.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(headlines(report) == expected)
        // Eleven pages and a style sheet.
        #expect(report.filesChecked == 12)
        #expect(report.linksChecked == 83)
        // mailto:, tel:, javascript:, data:, three external links, two through an external <base>.
        #expect(report.linksSkipped == 9)
        #expect(report.errorCount == 27)
        #expect(report.warningCount == 2)
    }

    @Test func listsTheFilesOfAFolderInOrder() throws {
        let files = try DirectorySiteFiles(root: site)
        #expect(files.paths.contains("daejeon/대덕특구/index.html"))
        #expect(files.paths.contains("files/annual report.pdf"))
        #expect(files.paths == files.paths.sorted())
        #expect(files.paths.count == 20)
        #expect(try files.contents(of: "css/site.css") == Array("body { margin: 0 }\n".utf8))
        #expect(try files.contents(of: "css/none.css") == nil)
    }

    @Test func aMissingFolderIsADiagnostic() throws {
        #expect(throws: Diagnostic.self) {
            try DirectorySiteFiles(root: fixtures.appendingPathComponent("no-such-folder"))
        }
    }

    @Test func aWarningLevelMakesBrokenLinksWarnings() async throws {
        let report = try await LinkChecker(
            options: LinkCheckOptions(baseURL: "https://example.org/portal/", level: .warning)
        )
        .check(try DirectorySiteFiles(root: site))
        #expect(report.errorCount == 0)
        #expect(report.warningCount == 29)
        #expect(!report.hasErrors)
    }
}

@Test func aSessionReadsOnlyChangedPagesAndReportsOnTheWholeSite() async throws {
    var pages = [
        "index.html": "<a href=\"about/#team\">team</a> <a href=\"about/\">about</a>",
        "about/index.html": "<h2 id=\"team\">Team</h2> <a href=\"/#top\">top</a>",
    ]
    let session = LinkCheckSession()
    #expect(try await session.check(InMemorySiteFiles(texts: pages), changed: nil).findings.isEmpty)
    // The heading linked from the unchanged home page goes: the home page's link breaks.
    pages["about/index.html"] = "<h2 id=\"people\">People</h2> <a href=\"missing/\">x</a>"
    let broken = try await session.check(InMemorySiteFiles(texts: pages), changed: ["about/index.html"])
    let whole = try await LinkChecker().check(InMemorySiteFiles(texts: pages))
    #expect(broken.findings == whole.findings)
    #expect(broken.findings.map(\.location.file) == ["about/index.html", "index.html"])
    #expect(broken.linksChecked == whole.linksChecked)
    pages["about/index.html"] = "<h2 id=\"team\">Team</h2>"
    #expect(try await session.check(InMemorySiteFiles(texts: pages), changed: ["about/index.html"]).findings.isEmpty)
}
