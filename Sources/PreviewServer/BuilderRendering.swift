import Diagnostics
import Foundation
import SiteBuilder

/// Builds through a `LiveSite`: the whole site first, then after an edit of Markdown bodies only
/// the outputs it changes; nothing written to disk (the site's `public/` is never touched).
///
/// Permalinks point at the preview server (`origin` plus the site's base path), as `jekyll serve`
/// and `hugo server` do, so absolute links in feeds and canonical tags work locally.
public final class SiteBuilderRendering: SiteRendering {
    private let source: URL
    private let includeDrafts: Bool
    private let includeFuture: Bool
    /// The live site and the base URL it was made for; a new origin or base path starts afresh.
    private let live = Locked<(site: LiveSite, baseURL: String)?>(nil)

    public init(source: URL, includeDrafts: Bool = false, includeFuture: Bool = false) {
        self.source = source
        self.includeDrafts = includeDrafts
        self.includeFuture = includeFuture
    }

    public func render(changedSources: [String]?, origin: String) async throws -> RenderedSite {
        let baseURL = origin + Self.basePath(of: source)
        let site = live.withLock { live in
            if let live, live.baseURL == baseURL { return live.site }
            let site = LiveSite(
                options: BuildOptions(
                    source: source, includeDrafts: includeDrafts, includeFuture: includeFuture, baseURL: baseURL))
            live = (site, baseURL)
            return site
        }
        let build = try await site.build(changedSources: changedSources)
        return RenderedSite(
            files: build.files, basePath: build.basePath, warnings: build.summary.warnings,
            changedOutputs: build.changedPaths, summary: build.summary.line)
    }

    /// The path of `base_url` in `site.yml` (`/portal/` for `https://user.github.io/portal/`),
    /// needed before the build to point permalinks at the server; `/` when there is none. A
    /// broken `site.yml` is the builder's to report.
    static func basePath(of source: URL) -> String {
        guard let text = try? String(contentsOf: source.appendingPathComponent("site.yml"), encoding: .utf8),
            let path = configuredBasePath(ofSiteConfig: text)
        else { return "/" }
        return SiteSnapshot.normalisedBasePath(path)
    }
}
