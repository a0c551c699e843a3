import Diagnostics
import Foundation
import SiteBuilder
import Yams

/// Builds through `SiteBuilder.build` into a private temporary folder (never the site's
/// `public/`) and loads the result into memory. Every call is a full build.
///
/// Permalinks point at the preview server (`origin` plus the site's base path), as `jekyll serve`
/// and `hugo server` do, so absolute links in feeds and canonical tags work locally.
public final class SiteBuilderRendering: SiteRendering {
    private let source: URL
    private let includeDrafts: Bool
    private let includeFuture: Bool
    private let workFolder: URL

    public init(source: URL, includeDrafts: Bool = false, includeFuture: Bool = false) throws {
        self.source = source
        self.includeDrafts = includeDrafts
        self.includeFuture = includeFuture
        workFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "bridgehead-serve-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workFolder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: workFolder)
    }

    public func render(changedSources: [String]?, origin: String) async throws -> RenderedSite {
        let basePath = Self.basePath(of: source)
        let output = workFolder.appendingPathComponent("site")
        let options = BuildOptions(
            source: source, output: output, includeDrafts: includeDrafts, includeFuture: includeFuture,
            baseURL: origin + basePath)
        let summary = try await SiteBuilder.build(options)
        return RenderedSite(
            files: try Self.readFiles(under: output), basePath: basePath, warnings: summary.warnings,
            summary: summary.line)
    }

    /// The path of `base_url` in `site.yml` (`/portal/` for `https://user.github.io/portal/`);
    /// `/` when there is none. A broken `site.yml` is the builder's to report.
    static func basePath(of source: URL) -> String {
        guard let text = try? String(contentsOf: source.appendingPathComponent("site.yml"), encoding: .utf8),
            let config = (try? Yams.load(yaml: text)) as? [String: Any],
            let baseURL = config["base_url"] as? String
        else { return "/" }
        let path = URLComponents(string: baseURL).map(\.path) ?? baseURL
        return SiteSnapshot.normalisedBasePath(path)
    }

    static func readFiles(under folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let prefix = folder.standardizedFileURL.path + "/"
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else {
            return files
        }
        for case let file as URL in walker {
            guard try file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = String(file.standardizedFileURL.path.dropFirst(prefix.count))
            if path == ".bridgehead" { continue }
            files[path] = try Data(contentsOf: file)
        }
        return files
    }
}
