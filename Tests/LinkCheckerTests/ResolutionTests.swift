import Diagnostics
import Foundation
import LinkChecker
import Testing

@Suite struct ResolutionTests {
    @Test func withoutABaseURLAbsoluteLinksAreExternal() async throws {
        let pages = [
            "index.html": """
            <a href="https://example.org/nowhere/">x</a><a href="//example.org/nowhere/">x</a>
            <a href="/a/">root-relative</a><a href="/a">folder without slash</a><a href="/">root</a>
            <a href="/b/">missing</a>
            """,
            "a/index.html": "",
        ]
        let report = try await LinkChecker().check(InMemorySiteFiles(texts: pages))
        #expect(headlines(report) == ["index.html:3:10: error: broken link '/b/': no such file: b/index.html"])
        #expect(report.linksChecked == 4)
        #expect(report.linksSkipped == 2)
    }

    @Test func absoluteLinksOnTheBaseURLAreFiles() async throws {
        let pages = [
            "index.html": """
            <a href="https://example.org/a/">x</a><a href="HTTPS://Example.ORG:443">x</a>
            <a href="https://example.org:8443/a/">another port</a><a href="https://user@example.org/zzz">x</a>
            """,
            "a/index.html": "",
        ]
        let options = LinkCheckOptions(baseURL: "https://example.org")
        let report = try await LinkChecker(options: options).check(InMemorySiteFiles(texts: pages))
        #expect(
            headlines(report) == [
                "index.html:2:64: error: broken link 'https://user@example.org/zzz': no such file: zzz"
            ])
        #expect(report.linksSkipped == 1)
    }

    @Test func aBaseURLThatIsOnlyAPathSetsTheBasePathAndNamesNoHost() async throws {
        let pages = [
            "index.html": """
            <a href="/portal/a/">x</a><a href="/a/">outside the base path</a>
            <a href="https://example.org/portal/zzz">external: the base names no host</a>
            """,
            "a/index.html": "",
        ]
        let report = try await LinkChecker(options: LinkCheckOptions(baseURL: "/portal"))
            .check(InMemorySiteFiles(texts: pages))
        #expect(headlines(report).count == 1)
        #expect(headlines(report).first?.hasPrefix("index.html:1:36: error: broken link '/a/'") == true)
        #expect(report.linksSkipped == 1)
    }

    @Test func pathsAreNormalisedAsBrowsersDo() async throws {
        let pages = [
            "index.html": """
            <a href="a//b.html">x</a><a href="a\\b.html">x</a><a href="./a/./c/../b.html">x</a>
            <a href="a%2Fb.html">an encoded slash stays</a><a href="a/b.html/">not a folder</a>
            <a href="%EA%B0%80.html">x</a><a href="가.html">x</a><a href="a/B.html">case matters</a>
            <a href="\u{1100}\u{1161}.html">the same name in decomposed jamo</a>
            """,
            "a/b.html": "",
            "가.html": "",
        ]
        #expect(
            try await headlines(of: pages) == [
                "index.html:2:10: error: broken link 'a%2Fb.html': no such file: a%2Fb.html",
                "index.html:2:57: error: broken link 'a/b.html/': no such file: a/b.html/index.html",
                "index.html:3:62: error: broken link 'a/B.html': no such file: a/B.html",
            ])
    }

    @Test func aFolderWithoutSlashTakesItsIndexFragments() async throws {
        let pages = [
            "index.html": "<a href=\"sub#x\">x</a><a href=\"sub#y\">y</a><a href=\"sub/#x\">x</a>",
            "sub/index.html": "<h2 id=\"x\">X</h2>",
        ]
        #expect(
            try await headlines(of: pages) == [
                "index.html:1:31: error: broken link 'sub#y': no id 'y' on sub/index.html"
            ])
    }

    @Test func fragmentsMatchIdsDecodedAndAsWritten() async throws {
        let pages = [
            "index.html": """
            <h2 id="a%20b">x</h2><h2 id="c d">x</h2><h2 id="대전">x</h2>
            <a href="#a%20b">x</a><a href="#c%20d">x</a><a href="#%EB%8C%80%EC%A0%84">x</a><a href="#TOP">x</a>
            <a href="#:~:text=anything">text fragment</a><a href="#c%20e">missing</a>
            """
        ]
        #expect(
            try await headlines(of: pages) == [
                "index.html:3:55: error: broken link '#c%20e': no id 'c e' on index.html"
            ])
    }

    @Test func aBaseAppliesToTheWholePageEvenLinksBeforeIt() async throws {
        let pages = [
            "index.html": "<a href=\"x.html\">x</a><base href=\"sub/\"><a href=\"y.html\">y</a>",
            "sub/x.html": "",
        ]
        #expect(
            try await headlines(of: pages) == ["index.html:1:50: error: broken link 'y.html': no such file: sub/y.html"]
        )
    }

    @Test func aBaseThatClimbsIsReportedAndIgnored() async throws {
        let pages = [
            "index.html": "<base href=\"../../\"><a href=\"x.html\">x</a>",
            "x.html": "",
        ]
        #expect(
            try await headlines(of: pages) == [
                "index.html:1:13: error: broken link '../../': climbs above the site root"
            ])
    }

    @Test func htmPagesAreScannedAndOtherFilesAreNot() async throws {
        let pages = [
            "a.htm": "<a href=\"missing.html\">x</a>",
            "b.txt": "<a href=\"missing.html\">x</a>",
            "c.xml": "<a href=\"missing.html\">x</a>",
        ]
        let report = try await LinkChecker().check(InMemorySiteFiles(texts: pages))
        #expect(headlines(report) == ["a.htm:1:10: error: broken link 'missing.html': no such file: missing.html"])
        #expect(report.filesChecked == 1)
    }

    @Test func badOptionsAreDiagnostics() async throws {
        let site = InMemorySiteFiles(texts: ["index.html": ""])
        await #expect(throws: Diagnostic.self) {
            try await LinkChecker(options: LinkCheckOptions(baseURL: "example.org/portal/")).check(site)
        }
        await #expect(throws: Diagnostic.self) {
            try await LinkChecker(options: LinkCheckOptions(baseURL: "ftp://example.org/")).check(site)
        }
        await #expect(throws: Diagnostic.self) {
            try await LinkChecker(options: LinkCheckOptions(ignorePatterns: ["(unclosed"])).check(site)
        }
    }

    @Test func aFileThatVanishesIsReported() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("<a href=\"b.html\">b</a>".utf8).write(to: folder.appendingPathComponent("a.html"))
        try Data().write(to: folder.appendingPathComponent("b.html"))
        let files = try DirectorySiteFiles(root: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("b.html"))
        let report = try await LinkChecker().check(files)
        #expect(headlines(report) == ["b.html:1:1: error: the file is listed but cannot be found"])
        #expect(report.findings.first?.kind == .unreadableFile)
    }
}
