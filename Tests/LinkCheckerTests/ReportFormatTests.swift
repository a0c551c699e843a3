import Diagnostics
import LinkChecker
import Testing

@Suite struct ReportFormatTests {
    /// Two files; the first finding carries the note a site builder adds for a link from Markdown.
    let report = LinkReport(
        findings: [
            LinkFinding(
                location: SourceLocation(file: "boston/index.html", line: 12, column: 5), url: "/boston/x/",
                reason: "no such file: boston/x/index.html", severity: .error,
                sourceNote: Diagnostic(
                    .note, at: SourceLocation(file: "content/boston/_index.md", line: 3, column: 10),
                    "the link is written here")),
            LinkFinding(
                location: SourceLocation(file: "boston/index.html", line: 14, column: 2), url: "#intro",
                reason: "duplicate id 'intro' (first at 3:5)", severity: .warning, kind: .duplicateID),
            LinkFinding(
                location: SourceLocation(file: "a,b.html", line: 1, column: 1), url: "q?a=\"1\"&b=%41",
                reason: "no such file: q", severity: .error),
        ],
        filesChecked: 3, linksChecked: 10, linksSkipped: 2)

    @Test func humanIsGroupedByFileWithTotals() {
        #expect(
            report.formatted(as: .human, pathPrefix: "public/") == """
                public/boston/index.html:12:5: error: broken link '/boston/x/': no such file: boston/x/index.html
                content/boston/_index.md:3:10: note: the link is written here
                public/boston/index.html:14:2: warning: duplicate id 'intro' (first at 3:5)

                public/a,b.html:1:1: error: broken link 'q?a="1"&b=%41': no such file: q

                checked 10 links in 3 files (2 skipped): 2 errors, 1 warning in 2 files

                """)
    }

    @Test func jsonHasEveryField() {
        #expect(
            report.formatted(as: .json, pathPrefix: "public/") == """
                {
                  "files_checked": 3,
                  "links_checked": 10,
                  "links_skipped": 2,
                  "errors": 2,
                  "warnings": 1,
                  "findings": [
                    {"file": "public/boston/index.html", "line": 12, "column": 5, "severity": "error", "kind": "broken_link", "url": "/boston/x/", "reason": "no such file: boston/x/index.html", "source": {"file": "content/boston/_index.md", "line": 3, "column": 10, "message": "the link is written here"}},
                    {"file": "public/boston/index.html", "line": 14, "column": 2, "severity": "warning", "kind": "duplicate_id", "url": "#intro", "reason": "duplicate id 'intro' (first at 3:5)"},
                    {"file": "public/a,b.html", "line": 1, "column": 1, "severity": "error", "kind": "broken_link", "url": "q?a=\\"1\\"&b=%41", "reason": "no such file: q"}
                  ]
                }

                """)
    }

    @Test func githubAnnotatesTheSourceWhereThereIsOne() {
        #expect(
            report.formatted(as: .github, pathPrefix: "public/") == """
                ::error file=content/boston/_index.md,line=3,col=10::broken link '/boston/x/': no such file: boston/x/index.html (in public/boston/index.html:12:5)
                ::warning file=public/boston/index.html,line=14,col=2::duplicate id 'intro' (first at 3:5)
                ::error file=public/a%2Cb.html,line=1,col=1::broken link 'q?a="1"&b=%2541': no such file: q
                checked 10 links in 3 files (2 skipped): 2 errors, 1 warning in 2 files

                """)
    }

    @Test func anEmptyReport() {
        let empty = LinkReport(findings: [], filesChecked: 1, linksChecked: 1)
        #expect(empty.formatted(as: .human) == "checked 1 link in 1 file (0 skipped): no broken links\n")
        #expect(empty.formatted(as: .github) == "checked 1 link in 1 file (0 skipped): no broken links\n")
        #expect(
            empty.formatted(as: .json) == """
                {
                  "files_checked": 1,
                  "links_checked": 1,
                  "links_skipped": 0,
                  "errors": 0,
                  "warnings": 0,
                  "findings": []
                }

                """)
    }

    @Test func aFindingAsADiagnostic() {
        let diagnostic = report.findings[0].diagnostic(pathPrefix: "public/")
        #expect(
            diagnostic.headline
                == "public/boston/index.html:12:5: error: broken link '/boston/x/': no such file: boston/x/index.html")
        #expect(diagnostic.causes.map(\.headline) == ["content/boston/_index.md:3:10: note: the link is written here"])
    }
}
