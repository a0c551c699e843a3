import Diagnostics
import Foundation

/// What `bridgehead serve` needs from a site builder: a build into memory, told which sources
/// changed so that a builder able to rebuild part of a site can.
public protocol SiteRendering: Sendable {
    /// Builds the site. `changedSources` lists the source paths (relative to the site folder, as
    /// `FileWatcher` reports them) changed since the previous call, or is nil for a full build.
    /// `origin` is where the preview server listens (`http://127.0.0.1:4000`), for absolute URLs.
    /// Throws `DiagnosticList` (or a `Diagnostic`) with every error found.
    func render(changedSources: [String]?, origin: String) async throws -> RenderedSite
}

/// A build held in memory.
public struct RenderedSite: Sendable {
    /// Output path inside the site (`boston/index.html`) → bytes.
    public var files: [String: Data]
    /// The path the site lives under (`/`, or `/portal/`).
    public var basePath: String
    public var warnings: [Diagnostic]
    /// The output paths that differ from the previous build, when the builder knows them.
    public var changedOutputs: [String]?
    /// The line to print for this build (pages, files, time).
    public var summary: String

    public init(
        files: [String: Data], basePath: String = "/", warnings: [Diagnostic] = [], changedOutputs: [String]? = nil,
        summary: String
    ) {
        self.files = files
        self.basePath = basePath
        self.warnings = warnings
        self.changedOutputs = changedOutputs
        self.summary = summary
    }
}
