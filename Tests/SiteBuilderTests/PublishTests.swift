import Diagnostics
import Foundation
import SiteBuilder
import Testing

let pagesBaseURL = "https://user.github.io/portal/"

/// The options `bridgehead publish` gives: production rules under a GitHub Pages address.
func publishOptions(_ site: URL, output: URL, now: Date = fixedNow) -> BuildOptions {
    BuildOptions(
        source: site, output: output, baseURL: pagesBaseURL, production: true, now: now,
        workingDirectory: site.path)
}

/// Every `href`, `src` and `content="0; url=…"` value of the HTML and XML files of a built site,
/// as (file, URL).
func writtenURLs(_ files: [String: Data]) throws -> [(file: String, url: String)] {
    let pattern = try NSRegularExpression(pattern: #"(?:href|src)="([^"]*)"|url=([^"]*)"|<loc>([^<]*)</loc>"#)
    var found: [(String, String)] = []
    for (path, bytes) in files.sorted(by: { $0.key < $1.key })
    where path.hasSuffix(".html") || path.hasSuffix(".xml") {
        let text = String(decoding: bytes, as: UTF8.self)
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            for group in 1...3 {
                if let range = Range(match.range(at: group), in: text) { found.append((path, String(text[range]))) }
            }
        }
    }
    return found
}

@Test func everyInternalURLOfAPublishedSiteCarriesTheBasePath() async throws {
    let site = try copyOfFixture("full")
    let output = site.deletingLastPathComponent().appendingPathComponent("published")
    _ = try await SiteBuilder.build(publishOptions(site, output: output))
    let urls = try writtenURLs(try tree(output))
    #expect(urls.count > 300)
    var checked = 0
    for (file, url) in urls {
        let isExternal = url.hasPrefix("https://example.com/") || url.hasPrefix("mailto:")
        if url.hasPrefix("#") || isExternal { continue }
        if url.hasPrefix("/") || url.contains("://") || file.hasSuffix(".xml") {
            #expect(url.hasPrefix("/portal/") || url.hasPrefix(pagesBaseURL), "\(file): \(url)")
        } else {
            // A relative link from content (`photo.svg`) stays inside the page's folder.
            #expect(!url.hasPrefix(".."), "\(file): \(url)")
        }
        checked += 1
    }
    #expect(checked > 300)
    let home = try text(output, "index.html")
    #expect(home.contains(#"<link rel="stylesheet" href="/portal/css/site."#))
    #expect(try text(output, "old/labcentral/index.html").contains(#"url=/portal/boston/labcentral/"#))
    #expect(try text(output, "robots.txt").contains("Sitemap: https://user.github.io/portal/sitemap.xml"))
}

@Test func aRootRelativeLinkOutsideTheBasePathFailsAPublish() async throws {
    let site = try temporarySite([
        "site.yml": "title: T\n",
        "content/_index.md": "---\ntitle: Home\n---\nHi\n",
        "templates/layouts/default.liquid":
            "<!doctype html>\n<title>{{ page.title }}</title>\n<a href=\"/\">home</a>\n",
    ])
    let output = site.deletingLastPathComponent().appendingPathComponent("published")
    let failure = try #require(await failureText(of: publishOptions(site, output: output)))
    #expect(
        headlines(failure).map { $0.replacingOccurrences(of: output.path + "/", with: "") } == [
            "404.html:3:10: error: broken link '/': outside the base path /portal/",
            "index.html:3:10: error: broken link '/': outside the base path /portal/",
            "tags/index.html:3:10: error: broken link '/': outside the base path /portal/",
        ], "\(failure)")
}

@Test func aPublishWritesNojekyllCNAMEAndAManifest() async throws {
    let site = try copyOfFixture("full")
    let config = site.appendingPathComponent("site.yml")
    try (try String(contentsOf: config, encoding: .utf8) + "cname: portal.example.org\n").write(
        to: config, atomically: true, encoding: .utf8)
    let output = site.deletingLastPathComponent().appendingPathComponent("published")
    _ = try await SiteBuilder.build(publishOptions(site, output: output))
    let files = try tree(output)
    #expect(files[".nojekyll"] == Data())
    #expect(files["CNAME"] == Data("portal.example.org\n".utf8))

    let manifest = try #require(files["build-manifest.json"])
    let object = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
    let entries = try #require(object["files"] as? [[String: Any]])
    let paths = entries.compactMap { $0["path"] as? String }
    #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    #expect(Set(paths) == Set(files.keys).subtracting(["build-manifest.json"]))
    #expect(paths.count == files.count - 1)
    let digests = try sha256sums(of: paths, in: output)
    for entry in entries {
        let path = try #require(entry["path"] as? String)
        #expect(entry["size"] as? Int == files[path]?.count, "\(path)")
        #expect(entry["sha256"] as? String == digests[path], "\(path)")
    }
}

@Test func aPlainBuildWritesNoManifest() async throws {
    let site = try copyOfFixture("full")
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(!FileManager.default.fileExists(atPath: site.appendingPathComponent("public/build-manifest.json").path))
}

@Test func twoPublishesInOtherFoldersAtOtherTimesAreByteIdentical() async throws {
    let first = try copyOfFixture("full")
    let second = try copyOfFixture("full")
    let firstOutput = first.deletingLastPathComponent().appendingPathComponent("out")
    let secondOutput = second.deletingLastPathComponent().appendingPathComponent("elsewhere/out")
    _ = try await SiteBuilder.build(publishOptions(first, output: firstOutput))
    _ = try await SiteBuilder.build(
        publishOptions(second, output: secondOutput, now: fixedNow.addingTimeInterval(86_400 * 30)))
    let one = try tree(firstOutput)
    let two = try tree(secondOutput)
    #expect(one.keys.sorted() == two.keys.sorted())
    #expect(one["build-manifest.json"] == two["build-manifest.json"])
    for (path, bytes) in one.sorted(by: { $0.key < $1.key }) {
        #expect(two[path] == bytes, "\(path) differs")
    }
}

@Test func aPublishRejectsAnUndefinedTemplateVariableThatABuildOnlyWarnsAbout() async throws {
    let site = try temporarySite([
        "site.yml": "title: T\n",
        "content/_index.md": "---\ntitle: Home\n---\nHi\n",
        "templates/layouts/default.liquid": "<!doctype html><title>{{ page.title }}</title>{{ page.subtitle }}\n",
    ])
    let built = try await SiteBuilder.build(buildOptions(site))
    #expect(built.warnings.map(\.headline).contains { $0.contains("undefined") })
    let output = site.deletingLastPathComponent().appendingPathComponent("published")
    let failure = try #require(await failureText(of: publishOptions(site, output: output)))
    #expect(headlines(failure).first?.hasPrefix("templates/layouts/default.liquid:1:") == true, "\(failure)")
    #expect(failure.contains("error:"))
}

// MARK: Fingerprinted assets

private let cssBlack = "body { color: black; }\n"
private let cssRed = "body { color: red; }\n"

private func assetSite(css: String, layout: String = "<link href=\"{{ 'css/site.css' | asset_url }}\">\n") throws
    -> URL
{
    try temporarySite([
        "site.yml": "title: T\nbase_url: /portal/\n",
        "content/_index.md": "---\ntitle: Home\n---\nHi\n",
        "templates/layouts/default.liquid": layout,
        "templates/static/css/site.css": css,
    ])
}

/// The fingerprinted stylesheets of a build and the link of its home page.
private func stylesheets(of site: URL) async throws -> (names: [String], link: String) {
    _ = try await SiteBuilder.build(buildOptions(site))
    let output = site.appendingPathComponent("public")
    let names = try tree(output).keys.filter { $0.hasPrefix("css/site.") && $0 != "css/site.css" }.sorted()
    return (names, try text(output, "index.html"))
}

@Test func assetURLNamesACopyByTheHashOfItsBytes() async throws {
    let site = try assetSite(css: cssBlack)
    let (names, link) = try await stylesheets(of: site)
    // The first 8 hex digits of `printf 'body { color: black; }\n' | sha256sum`.
    #expect(names == ["css/site.494f4abf.css"])
    #expect(link == "<link href=\"/portal/css/site.494f4abf.css\">\n")
    #expect(try text(site.appendingPathComponent("public"), "css/site.494f4abf.css") == cssBlack)
    #expect(try text(site.appendingPathComponent("public"), "css/site.css") == cssBlack)
}

@Test func theFingerprintChangesWithTheAssetsBytesAndOnlyThen() async throws {
    let site = try assetSite(css: cssBlack)
    let first = try await stylesheets(of: site)
    try Data("---\ntitle: Home again\n---\nOther words\n".utf8).write(
        to: site.appendingPathComponent("content/_index.md"))
    let unrelatedChange = try await stylesheets(of: site)
    #expect(unrelatedChange.names == first.names)
    try Data(cssRed.utf8).write(to: site.appendingPathComponent("templates/static/css/site.css"))
    let changed = try await stylesheets(of: site)
    #expect(changed.names == ["css/site.9767e91e.css"])
    #expect(changed.link == "<link href=\"/portal/css/site.9767e91e.css\">\n")
    try Data(cssBlack.utf8).write(to: site.appendingPathComponent("templates/static/css/site.css"))
    #expect(try await stylesheets(of: site).names == first.names)
}

@Test func aMissingAssetIsAnErrorAtItsPlaceInTheTemplate() async throws {
    let site = try assetSite(css: cssBlack, layout: "<p>\n  <link href=\"{{ 'css/gone.css' | asset_url }}\">\n")
    let failure = try #require(await failureText(of: buildOptions(site)))
    #expect(
        headlines(failure).first
            == "templates/layouts/default.liquid:2:35: error: asset_url: no file 'css/gone.css' in templates/static/",
        "\(failure)")
    #expect(failure.contains("like 'css/site.css'"))
}

@Test func thePreviewServesAssetsUnderTheirOwnNames() async throws {
    let site = try assetSite(css: cssBlack)
    let preview = try await SiteBuilder.buildInMemory(buildOptions(site))
    #expect(preview.files["index.html"] == Data("<link href=\"/portal/css/site.css\">\n".utf8))
    #expect(preview.files.keys.filter { $0.hasPrefix("css/") } == ["css/site.css"])
}

@Test func aStaticFileInTheWayOfAFingerprintedCopyIsAnError() async throws {
    let site = try assetSite(css: cssBlack)
    try Data(cssRed.utf8).write(to: site.appendingPathComponent("templates/static/css/site.494f4abf.css"))
    let failure = try #require(await failureText(of: buildOptions(site)))
    #expect(
        headlines(failure).first
            == "error: the fingerprinted copy of templates/static/css/site.css and another file are both written to 'css/site.494f4abf.css'",
        "\(failure)")
}

@Test func aCNAMEThatIsNotAHostNameIsAnErrorInSiteYml() async throws {
    let site = try temporarySite([
        "site.yml": "title: T\ncname: https://portal.example.org/\n",
        "content/_index.md": "---\ntitle: Home\n---\nHi\n",
        "templates/layouts/default.liquid": "{{ content }}\n",
    ])
    let failure = try #require(await failureText(of: buildOptions(site)))
    #expect(
        headlines(failure).first == "site.yml:2:8: error: 'cname' must be a host name like portal.example.org",
        "\(failure)")
}

/// SHA-256 of each file, by coreutils' `sha256sum`, so the manifest is checked against another implementation.
private func sha256sums(of paths: [String], in folder: URL) throws -> [String: String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum", "--"] + paths
    process.currentDirectoryURL = folder
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var result: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { continue }
        result[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
    }
    return result
}
