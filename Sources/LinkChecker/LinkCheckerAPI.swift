// Public surface of the link checker. It knows a folder of HTML and nothing of sites.
import Diagnostics
import Foundation

public struct LinkCheckOptions: Sendable {
    /// The site's own root URL (`https://user.github.io/portal/`). Absolute URLs under it are
    /// internal, and its path is the base path root-relative links must carry.
    public var baseURL: String?
    public var checkExternal: Bool
    /// Regular expressions; an external URL matching any is not checked.
    public var ignorePatterns: [String]
    /// Severity of a broken link: `.error` fails the run, `.warning` only reports.
    public var level: Severity
    /// Where external results are remembered between runs, and for how long.
    public var externalCacheFile: String?
    public var externalCacheMaxAge: TimeInterval
    public var timeout: TimeInterval
    public var retries: Int
    public var maximumConnectionsPerHost: Int

    public init(
        baseURL: String? = nil, checkExternal: Bool = false, ignorePatterns: [String] = [],
        level: Severity = .error, externalCacheFile: String? = nil, externalCacheMaxAge: TimeInterval = 86_400,
        timeout: TimeInterval = 10, retries: Int = 2, maximumConnectionsPerHost: Int = 4
    ) {
        self.baseURL = baseURL
        self.checkExternal = checkExternal
        self.ignorePatterns = ignorePatterns
        self.level = level
        self.externalCacheFile = externalCacheFile
        self.externalCacheMaxAge = externalCacheMaxAge
        self.timeout = timeout
        self.retries = retries
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
    }
}

/// The files of a built site: on disk, or still in memory when the build checks before writing.
public protocol SiteFiles: Sendable {
    /// Every file, as a path relative to the site root with `/` separators, in a stable order.
    var paths: [String] { get }
    /// The bytes of the file at `path`, or nil if it does not exist.
    func contents(of path: String) throws -> [UInt8]?
}

public struct LinkFinding: Sendable, Hashable {
    /// Where the link is: an output path relative to the site root, with line and column.
    public var location: SourceLocation
    /// The URL as written in the HTML.
    public var url: String
    public var reason: String
    public var severity: Severity
}

public struct LinkReport: Sendable {
    public var findings: [LinkFinding]
    public var filesChecked: Int
    public var linksChecked: Int
}

public enum ReportFormat: String, Sendable, CaseIterable {
    case human
    case json
    case github
}

public struct LinkChecker: Sendable {
    public let options: LinkCheckOptions

    public init(options: LinkCheckOptions = LinkCheckOptions()) {
        self.options = options
    }

    public func check(_ files: some SiteFiles) async throws -> LinkReport {
        LinkReport(findings: [], filesChecked: files.paths.count, linksChecked: 0)
    }
}
