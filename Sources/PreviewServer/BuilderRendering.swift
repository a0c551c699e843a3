import Diagnostics
import Foundation
import SiteBuilder
import Yams

/// Builds through `SiteBuilder.buildInMemory`: the whole site on every call, nothing written
/// to disk (the site's `public/` is never touched).
///
/// Permalinks point at the preview server (`origin` plus the site's base path), as `jekyll serve`
/// and `hugo server` do, so absolute links in feeds and canonical tags work locally.
public struct SiteBuilderRendering: SiteRendering {
    private let source: URL
    private let includeDrafts: Bool
    private let includeFuture: Bool

    public init(source: URL, includeDrafts: Bool = false, includeFuture: Bool = false) {
        self.source = source
        self.includeDrafts = includeDrafts
        self.includeFuture = includeFuture
    }

    public func render(changedSources: [String]?, origin: String) async throws -> RenderedSite {
        let options = BuildOptions(
            source: source, includeDrafts: includeDrafts, includeFuture: includeFuture,
            baseURL: origin + Self.basePath(of: source))
        let build = try await SiteBuilder.buildInMemory(options)
        return RenderedSite(
            files: build.files, basePath: build.basePath, warnings: build.summary.warnings, summary: build.summary.line)
    }

    /// The path of `base_url` in `site.yml` (`/portal/` for `https://user.github.io/portal/`),
    /// needed before the build to point permalinks at the server; `/` when there is none. A
    /// broken `site.yml` is the builder's to report.
    static func basePath(of source: URL) -> String {
        guard let text = try? String(contentsOf: source.appendingPathComponent("site.yml"), encoding: .utf8),
            let config = (try? Yams.load(yaml: text)) as? [String: Any],
            let baseURL = config["base_url"] as? String
        else { return "/" }
        let path = URLComponents(string: baseURL).map(\.path) ?? baseURL
        return SiteSnapshot.normalisedBasePath(path)
    }
}
