import Diagnostics
import Foundation
import SiteBuilder
import Testing

let fixtureSites = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/sites")

/// 2024-01-01T00:00:00Z: the fixtures' future page (2030) is in the future, the rest in the past.
let fixedNow = Date(timeIntervalSince1970: 1_704_067_200)

/// A copy of a fixture site in a fresh temporary folder, so that a build never writes into the repository.
func copyOfFixture(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-site-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let site = folder.appendingPathComponent("site")
    try FileManager.default.copyItem(at: fixtureSites.appendingPathComponent(name), to: site)
    return site
}

/// A fresh temporary folder holding `files` (path → text).
func temporarySite(_ files: [String: String]) throws -> URL {
    let site = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-site-\(UUID().uuidString)")
        .appendingPathComponent("site")
    for (path, text) in files {
        let file = site.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
    return site
}

/// `temporarySite` with a `site.yml` titled Test and an empty home page besides `files`,
/// which may replace either.
func minimalSite(_ files: [String: String]) throws -> URL {
    let defaults = ["site.yml": "title: Test\n", "content/_index.md": "---\ntitle: Home\n---\n"]
    return try temporarySite(defaults.merging(files) { _, given in given })
}

func buildOptions(_ site: URL, output: URL? = nil) -> BuildOptions {
    BuildOptions(source: site, output: output, now: fixedNow, workingDirectory: site.path)
}

/// Every file below `folder` (relative path → bytes), hidden files included.
func tree(_ folder: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return result }
    while let relative = enumerator.nextObject() as? String {
        let file = folder.appendingPathComponent(relative)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue {
            result[relative] = try Data(contentsOf: file)
        }
    }
    return result
}

func text(_ folder: URL, _ path: String) throws -> String {
    String(decoding: try Data(contentsOf: folder.appendingPathComponent(path)), as: UTF8.self)
}

/// What a failed build prints, as the CLI prints it.
func failureText(of options: BuildOptions) async -> String? {
    do {
        _ = try await SiteBuilder.build(options)
        return nil
    } catch let list as DiagnosticList {
        return list.description
    } catch {
        return "\(error)"
    }
}

/// The lines of diagnostics that name a place and a severity: not the quoted source, carets or hints.
func headlines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(" ") }
}
