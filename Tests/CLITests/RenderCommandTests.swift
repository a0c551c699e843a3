import Foundation
import Testing

/// A fresh folder with the given files, for one test.
func temporaryFolder(_ files: [String: String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-\(UUID().uuidString)")
    for (path, text) in files {
        let file = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

@Test func renderPrintsExactlyTheOutput() throws {
    let folder = try temporaryFolder([
        "page.liquid": "{% for p in pages %}{% include 'item' %}{% render 'badge', n: forloop.index %}{% endfor %}",
        "data.json": #"{"pages": [{"title": "대전"}, {"title": "Boston"}]}"#,
        "partials/item": "[{{ p.title | upcase }}]",
        "partials/badge.liquid": "({{ n }})",
    ])
    let result = try runBridgehead(
        ["render", "page.liquid", "--data", "data.json", "--partials", "partials"], in: folder)
    #expect(result.status == 0)
    #expect(result.standardOutput == "[대전](1)[BOSTON](2)")
    #expect(result.standardError == "")
}

@Test func renderReportsErrorsWithExitOne() throws {
    let folder = try temporaryFolder(["bad.liquid": "ok\n{{ x | nope }}\n"])
    let result = try runBridgehead(["render", "bad.liquid"], in: folder)
    #expect(result.status == 1)
    #expect(result.standardOutput == "")
    #expect(
        result.standardError == """
            bad.liquid:2:8: error: unknown filter 'nope'
             2 | {{ x | nope }}
               |        ^
              hint: the filters are listed in the README's Liquid section

            """)
}

@Test func renderStrictMakesUndefinedAnError() throws {
    let folder = try temporaryFolder(["t.liquid": "{{ missing }}"])
    let lenient = try runBridgehead(["render", "t.liquid"], in: folder)
    #expect(lenient.status == 0)
    #expect(lenient.standardOutput == "")
    #expect(lenient.standardError.hasPrefix("t.liquid:1:4: warning: undefined variable 'missing'"))
    let strict = try runBridgehead(["render", "t.liquid", "--strict"], in: folder)
    #expect(strict.status == 1)
    #expect(strict.standardError.hasPrefix("t.liquid:1:4: error: undefined variable 'missing'"))
}

@Test func renderRejectsBadDataAndMissingFiles() throws {
    let folder = try temporaryFolder(["t.liquid": "x", "bad.json": "{\"a\": [1,}", "list.json": "[1]"])
    let badJSON = try runBridgehead(["render", "t.liquid", "--data", "bad.json"], in: folder)
    #expect(badJSON.status == 1)
    #expect(badJSON.standardError.hasPrefix("bad.json:1:10: error:"))
    let notObject = try runBridgehead(["render", "t.liquid", "--data", "list.json"], in: folder)
    #expect(notObject.status == 1)
    #expect(notObject.standardError.hasPrefix("list.json:1:1: error: the JSON data must be an object"))
    let missing = try runBridgehead(["render", "nope.liquid"], in: folder)
    #expect(missing.status == 1)
    #expect(missing.standardError.hasPrefix("nope.liquid:1:1: error: cannot read file"))
    let missingData = try runBridgehead(["render", "t.liquid", "--data", "nope.json"], in: folder)
    #expect(missingData.status == 1)
    #expect(missingData.standardError.hasPrefix("nope.json:1:1: error: cannot read file"))
    let usage = try runBridgehead(["render"], in: folder)
    #expect(usage.status == 2)
}

/// `markdownify` renders as a site with the default `markdown:` settings does: GitHub Flavored
/// Markdown, heading ids, raw HTML dropped.
@Test func renderHasMarkdownifyAndSlugify() throws {
    let folder = try temporaryFolder([
        "t.liquid": "{{ text | markdownify }}|{{ 'Daejeon–Boston Bio' | slugify }}",
        "data.json": ###"{"text": "## 대전 *Bio*\n\n| a |\n|---|\n| ~~b~~ |\n\n<b>raw</b> www.example.org\n"}"###,
    ])
    let result = try runBridgehead(["render", "t.liquid", "--data", "data.json"], in: folder)
    #expect(result.standardError == "")
    #expect(result.status == 0)
    #expect(
        result.standardOutput == """
            <h2 id="대전-bio">대전 <em>Bio</em></h2>
            <table>
            <thead>
            <tr>
            <th>a</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td><del>b</del></td>
            </tr>
            </tbody>
            </table>
            <p><!-- raw HTML omitted -->raw<!-- raw HTML omitted --> <a href="http://www.example.org">www.example.org</a></p>
            |daejeon-boston-bio
            """)
}

/// `t` and `asset_url` read a site's files; without a site they say so at their place instead
/// of being unknown filters.
@Test func renderExplainsThatTAndAssetURLNeedASite() throws {
    let folder = try temporaryFolder(["t.liquid": "ok\n{{ 'nav.home' | t }}", "a.liquid": "{{ 'x.css' | asset_url }}"])
    let translated = try runBridgehead(["render", "t.liquid"], in: folder)
    #expect(translated.status == 1)
    #expect(translated.standardOutput == "")
    #expect(
        translated.standardError == """
            t.liquid:2:17: error: t: this filter reads the site's templates/i18n/<lang>.yml, and a template rendered on its own has no site
             2 | {{ 'nav.home' | t }}
               |                 ^
              hint: use it in a site's templates and run `bridgehead build`

            """)
    let asset = try runBridgehead(["render", "a.liquid"], in: folder)
    #expect(asset.status == 1)
    #expect(
        asset.standardError.hasPrefix(
            "a.liquid:1:14: error: asset_url: this filter reads the site's templates/static/, and a template rendered on its own has no site"
        ))
}
