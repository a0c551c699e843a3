import Foundation
import Testing

@Suite struct CheckCommandTests {
    let site = repositoryRoot.appendingPathComponent("Tests/Fixtures/links/site").path

    func expectedFindings() throws -> [String] {
        try String(
            contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/links/expected-findings.txt"),
            encoding: .utf8
        ).split(separator: "\n").map { "\(site)/\($0)" }
    }

    /// A temporary folder holding `files`, removed by the caller.
    func folder(with files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        for (path, text) in files {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        return folder
    }

    @Test func brokenLinksFailWithEveryFindingAndTotals() throws {
        let result = try runBridgehead(["check", site, "--base-url", "https://example.org/portal/"])
        #expect(result.status == 1)
        #expect(result.standardError.isEmpty)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix(site) } == (try expectedFindings()))
        #expect(lines.last == "checked 83 links in 12 files (9 skipped): 27 errors, 2 warnings in 7 files")
    }

    @Test func theDefaultFolderIsPublic() throws {
        let folder = try folder(with: [
            "public/index.html": "<a href=\"about/\">about</a><a href=\"https://example.com/\">out</a>",
            "public/about/index.html": "<a href=\"../\">home</a>",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runBridgehead(["check"], in: folder)
        #expect(result.status == 0)
        #expect(result.standardOutput == "checked 2 links in 2 files (1 skipped): no broken links\n")
    }

    @Test func warningsAloneDoNotFail() throws {
        let folder = try folder(with: ["index.html": "<p id=\"a\"></p><p id=\"a\"></p>"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runBridgehead(["check", folder.path])
        #expect(result.status == 0)
        #expect(
            result.standardOutput == """
                \(folder.path)/index.html:1:22: warning: duplicate id 'a' (first at 1:8)

                checked 0 links in 1 file (0 skipped): 1 warning in 1 file

                """)
    }

    @Test func aMissingFolderIsAnError() throws {
        let result = try runBridgehead(["check", "no-such-site"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: no such folder: "))
        #expect(result.standardError.contains("no-such-site"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func jsonFormat() throws {
        let result = try runBridgehead(["check", site, "--base-url", "https://example.org/portal/", "--format", "json"])
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(json?["errors"] as? Int == 27)
        #expect(json?["warnings"] as? Int == 2)
        #expect(json?["links_checked"] as? Int == 83)
        let findings = json?["findings"] as? [[String: Any]] ?? []
        #expect(findings.count == 29)
        #expect(findings.first?["file"] as? String == "\(site)/base/index.html")
        #expect(findings.first?["reason"] as? String == "no id 'local-only' on boston/index.html")
    }

    @Test func githubFormat() throws {
        let result = try runBridgehead([
            "check", site, "--base-url", "https://example.org/portal/", "--format", "github",
        ])
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error file=\(site)/") }.count == 27)
        #expect(lines.filter { $0.hasPrefix("::warning file=\(site)/") }.count == 2)
        #expect(
            lines.first
                == "::error file=\(site)/base/index.html,line=12,col=10::broken link '#local-only': no id 'local-only' on boston/index.html"
        )
    }

    @Test func wrongUsage() throws {
        #expect(try runBridgehead(["check", site, "--format", "xml"]).status == 2)
        // A malformed option value is wrong usage, as for build.
        let badURL = try runBridgehead(["check", site, "--base-url", "example.org"])
        #expect(badURL.status == 2)
        #expect(badURL.standardError.contains("--base-url must be a full URL"), "\(badURL.standardError)")
    }
}
