// Public surface of the link checker. It knows a folder of HTML and nothing of sites.
import Diagnostics
import Foundation

public struct LinkCheckOptions: Sendable {
    /// The site's own root URL (`https://user.github.io/portal/`), or only its path
    /// (`/portal/`). Absolute URLs under it are internal, and its path is the base path
    /// root-relative links must carry.
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
    /// The wait before the first retry of an external URL; it doubles with each further try.
    /// A `Retry-After` header, when the server sends one with 429, replaces it.
    public var retryDelay: TimeInterval = 1
    /// How many external requests may be in flight at once, over all hosts.
    public var maximumConnections: Int = 32

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
    public enum Kind: String, Sendable, Hashable {
        /// A link, asset or fragment that leads nowhere.
        case brokenLink = "broken_link"
        /// A second element with an `id` already used on the page: fragments to it are ambiguous.
        case duplicateID = "duplicate_id"
        /// An HTML file of the site that could not be read.
        case unreadableFile = "unreadable_file"
    }

    /// Where the link is: an output path relative to the site root, with line and column.
    public var location: SourceLocation
    /// The URL as written in the HTML.
    public var url: String
    public var reason: String
    public var severity: Severity
    public var kind: Kind
    /// Where the link came from before it was HTML, for example `content/boston/_index.md:3:10`
    /// when the site builder wrote it from Markdown. The checker never sets it; the builder does.
    public var sourceNote: Diagnostic?

    public init(
        location: SourceLocation, url: String, reason: String, severity: Severity, kind: Kind = .brokenLink,
        sourceNote: Diagnostic? = nil
    ) {
        self.location = location
        self.url = url
        self.reason = reason
        self.severity = severity
        self.kind = kind
        self.sourceNote = sourceNote
    }
}

public struct LinkReport: Sendable {
    /// Sorted by file, line and column.
    public var findings: [LinkFinding]
    /// The HTML files read.
    public var filesChecked: Int
    /// Internal links checked, plus external ones when they were checked.
    public var linksChecked: Int
    /// `mailto:`, `tel:`, `javascript:`, `data:` and other schemes, external links when they
    /// are not checked, and those matching an ignore pattern.
    public var linksSkipped: Int

    public init(findings: [LinkFinding], filesChecked: Int, linksChecked: Int, linksSkipped: Int = 0) {
        self.findings = findings
        self.filesChecked = filesChecked
        self.linksChecked = linksChecked
        self.linksSkipped = linksSkipped
    }

    public var errorCount: Int { findings.count(where: { $0.severity == .error }) }
    public var warningCount: Int { findings.count(where: { $0.severity == .warning }) }
    public var hasErrors: Bool { errorCount > 0 }
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

    /// Checks every HTML file of `files`: local links, assets and fragments always, external
    /// URLs when `options.checkExternal` is set. Throws a `Diagnostic` only for bad options
    /// (a base URL or ignore pattern that does not parse, an unreadable external cache); what is
    /// wrong with the site itself is in the report.
    public func check(_ files: some SiteFiles) async throws -> LinkReport {
        try await LinkCheckRun(options: options).check(files)
    }
}

/// A checker for a site built again and again (the preview server): it remembers each page's
/// scan, so after an edit it reads only the pages that changed, and still reports on the whole
/// site, such as a link on an unchanged page to a heading the edit removed. Use it from one task
/// at a time.
public final class LinkCheckSession: @unchecked Sendable {
    private let run: LinkCheckRun
    private var site: SiteIndex?
    /// The HTML files of `site` (as indices into its paths), each one's scan and its links to
    /// missing fragments.
    private var pages: [Int] = []
    private var scans: [PageScanOutput] = []
    private var fragmentFindings: [[LinkFinding]] = []
    private var positions: [String: Int] = [:]
    private var anchors: [PageAnchors] = []
    /// For each file of the site, the pages (positions in `pages`) with a link to a fragment on it.
    private var referrers: [Set<Int>] = []

    public init(options: LinkCheckOptions = LinkCheckOptions()) {
        run = LinkCheckRun(options: options)
    }

    /// Checks `files`, reading only the `changed` paths when the site has the same paths as at
    /// the last call (every file when `changed` is nil).
    public func check(_ files: some SiteFiles, changed: [String]?) async throws -> LinkReport {
        if let changed, let site, site.paths == files.paths {
            var scanner = PageScanner(site: site, options: run.options)
            var affected: Set<Int> = []
            for position in changed.compactMap({ positions[$0] }) {
                for target in Set(scans[position].pendingFragments.map(\.target)) {
                    referrers[target].remove(position)
                }
                scanner.scan(page: pages[position], of: files)
                scans[position] = scanner.output
                scanner.output = PageScanOutput()
                note(position)
                affected.insert(position)
                affected.formUnion(referrers[pages[position]])
            }
            for position in affected {
                fragmentFindings[position] = run.fragmentFindings(scans[position], anchors: anchors, site: site)
            }
            return try await run.report(scans, fragmentFindings: fragmentFindings)
        }
        site = nil
        let index = try run.siteIndex(files.paths)
        pages = index.paths.indices.filter { index.isScanned[$0] }
        scans = await run.scan(pages, of: files, site: index)
        positions = Dictionary(uniqueKeysWithValues: pages.enumerated().map { (index.paths[$0.element], $0.offset) })
        anchors = LinkCheckRun.anchors(of: scans, site: index)
        referrers = Array(repeating: [], count: index.paths.count)
        for position in scans.indices { note(position) }
        fragmentFindings = scans.map { run.fragmentFindings($0, anchors: anchors, site: index) }
        site = index
        return try await run.report(scans, fragmentFindings: fragmentFindings)
    }

    /// Takes in the ids and fragment links of the page scanned at `position`.
    private func note(_ position: Int) {
        for (file, pageAnchors) in scans[position].anchors { anchors[file] = pageAnchors }
        for pending in scans[position].pendingFragments { referrers[pending.target].insert(position) }
    }
}
