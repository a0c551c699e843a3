import Diagnostics
import Foundation

/// One complete build as the preview server serves it: every output file by its path inside the
/// site (`boston/labcentral/index.html`, no leading slash), the base path the site lives under,
/// and the errors of the latest build attempt.
///
/// A snapshot never changes; the server swaps in a new one when a rebuild finishes, so a request
/// sees either the old site or the new one, never a mix. When a rebuild fails the server keeps the
/// last good files and only the errors change (`failing(with:)`).
public struct SiteSnapshot: Sendable {
    public let files: [String: Data]
    /// Where the site lives on the server: `/`, or `/portal/` for a `base_url` with a path.
    public let basePath: String
    /// The errors of the build attempt this snapshot stands for; empty after a good build.
    public let errors: [Diagnostic]

    public init(files: [String: Data], basePath: String = "/", errors: [Diagnostic] = []) {
        self.files = files
        self.basePath = Self.normalisedBasePath(basePath)
        self.errors = errors
    }

    /// The same files, shown with `errors` from a failed rebuild.
    public func failing(with errors: [Diagnostic]) -> SiteSnapshot {
        SiteSnapshot(files: files, basePath: basePath, errors: errors)
    }

    public static let empty = SiteSnapshot(files: [:])

    /// The base path's segments: `[]` for `/`, `["portal"]` for `/portal/`.
    var basePathSegments: [String] {
        basePath.split(separator: "/").map(String.init)
    }

    static func normalisedBasePath(_ path: String) -> String {
        let segments = path.split(separator: "/")
        return segments.isEmpty ? "/" : "/" + segments.joined(separator: "/") + "/"
    }

    /// The output paths whose bytes differ between two snapshots, including added and removed ones.
    func changedPaths(since previous: SiteSnapshot) -> [String] {
        var changed: [String] = []
        for (path, bytes) in files where previous.files[path] != bytes {
            changed.append(path)
        }
        for path in previous.files.keys where files[path] == nil {
            changed.append(path)
        }
        return changed.sorted()
    }
}
