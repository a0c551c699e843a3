import Diagnostics
import Foundation

/// One run of the checker: every page read and scanned once, in parallel on all cores; then
/// the fragments checked against the ids each page declared; then the external URLs.
struct LinkCheckRun {
    let options: LinkCheckOptions

    /// The scans stay with the task that made them, and each task's are totalled and freed by
    /// one task of the next step: gathered into one list and totalled and freed on one core,
    /// they kept the other cores idle for about a third of the check of a 10,000-page build,
    /// after every page was scanned (perf).
    func check(_ files: some SiteFiles) async throws -> LinkReport {
        let site = try siteIndex(files.paths)
        let pages = site.paths.indices.filter { site.isScanned[$0] }
        let parts = await scanParts(pages, of: files, site: site)
        let anchors = Self.anchors(of: parts.lazy.flatMap(\.outputs), site: site)
        var totals = ScanTotals()
        await withTaskGroup(of: ScanTotals.self) { group in
            for part in parts {
                group.addTask {
                    var partTotals = ScanTotals()
                    for (_, scan) in part.take() {
                        partTotals.add(scan, fragmentFindings: fragmentFindings(scan, anchors: anchors, site: site))
                    }
                    return partTotals
                }
            }
            for await partTotals in group { totals.add(partTotals) }
        }
        return try await report(totals)
    }

    func siteIndex(_ paths: [String]) throws -> SiteIndex {
        SiteIndex(paths: paths, address: try options.baseURL.map(SiteAddress.init(parsing:)))
    }

    /// Every page's ids, by its index in the site.
    static func anchors(of scans: some Sequence<PageScanOutput>, site: SiteIndex) -> [PageAnchors] {
        var anchors = [PageAnchors](repeating: PageAnchors(), count: site.paths.count)
        for scan in scans {
            for (file, pageAnchors) in scan.anchors { anchors[file] = pageAnchors }
        }
        return anchors
    }

    /// The page's links to a fragment that is not among the ids of the page they lead to.
    func fragmentFindings(_ scan: PageScanOutput, anchors: [PageAnchors], site: SiteIndex) -> [LinkFinding] {
        scan.pendingFragments.filter { !anchors[$0.target].contains($0.fragment) }.map { pending in
            pending.place.finding(
                "no id '\(pending.fragment.text)' on \(site.paths[pending.target])", severity: options.level)
        }
    }

    /// The report from every page's scan and fragment findings, with the external URLs checked.
    func report(_ scans: [PageScanOutput], fragmentFindings: [[LinkFinding]]) async throws -> LinkReport {
        var totals = ScanTotals()
        // By index: copying each scan out of the array would retain all it holds, and a live
        // rebuild assembles the report of every page of a large site after each edit.
        for position in scans.indices {
            totals.add(scans[position], fragmentFindings: fragmentFindings[position])
        }
        return try await report(totals)
    }

    /// The report from the pages' totals, with the external URLs checked.
    func report(_ totals: ScanTotals) async throws -> LinkReport {
        let ignorePatterns = try options.ignorePatterns.map(Self.ignorePattern)
        var findings = totals.findings
        var linksChecked = totals.linksChecked
        var linksSkipped = totals.linksSkipped
        let external = totals.external

        var urlsToCheck: [String] = []
        for (url, places) in external {
            if ignorePatterns.contains(where: {
                $0.firstMatch(in: url, range: NSRange(url.startIndex..., in: url)) != nil
            }) {
                linksSkipped += places.count
            } else {
                linksChecked += places.count
                urlsToCheck.append(url)
            }
        }
        if !urlsToCheck.isEmpty {
            let results = try await ExternalLinkChecker(options: options).check(urlsToCheck.sorted())
            for (url, reason) in results {
                for place in external[url] ?? [] {
                    findings.append(place.finding(reason, severity: options.level))
                }
            }
        }
        findings.sort { ($0.location, $0.url) < ($1.location, $1.url) }
        return LinkReport(
            findings: findings, filesChecked: totals.filesChecked, linksChecked: linksChecked,
            linksSkipped: linksSkipped)
    }

    private static func ignorePattern(_ pattern: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw Diagnostic(
                at: nil, "the ignore pattern '\(pattern)' is not a valid regular expression",
                hint: "patterns use ICU regular expression syntax, for example ^https://example\\.com/")
        }
    }

    /// Scans the pages on as many tasks as there are cores, each taking the next few pages
    /// when it is done with its last, so that one large page does not hold the others up.
    /// Returns one scan per page, in the order of `pages`.
    func scan(_ pages: [Int], of files: some SiteFiles, site: SiteIndex) async -> [PageScanOutput] {
        var scans = [PageScanOutput](repeating: PageScanOutput(), count: pages.count)
        for part in await scanParts(pages, of: files, site: site) {
            for (position, output) in part.take() { scans[position] = output }
        }
        return scans
    }

    /// The scans of the pages, as each scanning task left them.
    private func scanParts(_ pages: [Int], of files: some SiteFiles, site: SiteIndex) async -> [ScannedPart] {
        let queue = WorkQueue(count: pages.count, batch: 16)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, (pages.count + 15) / 16))
        let options = options
        return await withTaskGroup(of: ScannedPart.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var scanner = PageScanner(site: site, options: options)
                    var done: [(position: Int, output: PageScanOutput)] = []
                    while let batch = queue.take() {
                        for position in batch {
                            scanner.scan(page: pages[position], of: files)
                            done.append((position, scanner.output))
                            scanner.output = PageScanOutput()
                        }
                    }
                    return ScannedPart(done)
                }
            }
            var parts: [ScannedPart] = []
            for await part in group { parts.append(part) }
            return parts
        }
    }
}

/// One scanning task's scans, each with its position in the pages scanned, taken whole by the
/// task that uses them next, so that they are freed on its thread.
final class ScannedPart: @unchecked Sendable {
    // Written once by the task that scanned, then read and taken by one task at a time.
    private var scans: [(position: Int, output: PageScanOutput)]

    init(_ scans: [(position: Int, output: PageScanOutput)]) {
        self.scans = scans
    }

    var outputs: LazyMapSequence<[(position: Int, output: PageScanOutput)], PageScanOutput> {
        scans.lazy.map(\.output)
    }

    func take() -> [(position: Int, output: PageScanOutput)] {
        var taken: [(position: Int, output: PageScanOutput)] = []
        swap(&taken, &scans)
        return taken
    }
}

/// What the pages' scans add up to before the external URLs are checked.
struct ScanTotals: Sendable {
    var findings: [LinkFinding] = []
    var filesChecked = 0
    var linksChecked = 0
    var linksSkipped = 0
    /// External URLs and where they are written; only when they are checked.
    var external: [String: [LinkPlace]] = [:]

    mutating func add(_ scan: PageScanOutput, fragmentFindings: [LinkFinding]) {
        findings += scan.findings
        findings += fragmentFindings
        filesChecked += 1
        linksChecked += scan.linksChecked
        linksSkipped += scan.linksSkipped
        if !scan.external.isEmpty { external.merge(scan.external) { $0 + $1 } }
    }

    mutating func add(_ other: ScanTotals) {
        findings += other.findings
        filesChecked += other.filesChecked
        linksChecked += other.linksChecked
        linksSkipped += other.linksSkipped
        if !other.external.isEmpty { external.merge(other.external) { $0 + $1 } }
    }
}

/// Hands out batches of indices `0..<count` to the scanning tasks.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private let batch: Int

    init(count: Int, batch: Int) {
        self.count = count
        self.batch = batch
    }

    func take() -> Range<Int>? {
        lock.withLock {
            guard next < count else { return nil }
            let range = next..<min(next + batch, count)
            next = range.upperBound
            return range
        }
    }
}

/// Where a link is, and how it was written there.
struct LinkPlace: Sendable {
    var location: SourceLocation
    var url: String

    func finding(_ reason: String, severity: Severity, kind: LinkFinding.Kind = .brokenLink) -> LinkFinding {
        LinkFinding(location: location, url: url, reason: reason, severity: severity, kind: kind)
    }
}

/// A link to `#fragment` on another page, checked once every page's ids are known.
struct PendingFragment: Sendable {
    var target: Int
    var fragment: AnchorName
    var place: LinkPlace
}

struct PageScanOutput: Sendable {
    var findings: [LinkFinding] = []
    var anchors: [(file: Int, anchors: PageAnchors)] = []
    var pendingFragments: [PendingFragment] = []
    /// External URLs (without fragment) and where they are written; only when they are checked.
    var external: [String: [LinkPlace]] = [:]
    var linksChecked = 0
    var linksSkipped = 0
}

/// Reads and checks pages one after the other on one task, gathering what it finds.
struct PageScanner {
    let options: LinkCheckOptions
    var resolver: LinkResolver
    var output = PageScanOutput()

    init(site: SiteIndex, options: LinkCheckOptions) {
        self.options = options
        resolver = LinkResolver(site: site)
    }

    mutating func scan(page file: Int, of files: some SiteFiles) {
        let path = resolver.site.paths[file]
        let bytes: [UInt8]
        do {
            guard let contents = try files.contents(of: path) else {
                return unreadable(path, "the file is listed but cannot be found")
            }
            bytes = contents
        } catch {
            return unreadable(path, "cannot read the file: \(error)")
        }
        bytes.withUnsafeBufferPointer { buffer in
            let page =
                resolver.site.isHTML[file]
                ? HTMLScanner.scan(buffer) : ScannedPage(links: styleSheetLinks(buffer, from: 0, to: buffer.count))
            output.anchors.append((file, anchors(of: page, in: buffer, path: path)))
            checkLinks(of: page, in: buffer, path: path)
        }
    }

    private mutating func unreadable(_ path: String, _ reason: String) {
        output.findings.append(
            LinkFinding(
                location: SourceLocation(file: path, line: 1, column: 1), url: "", reason: reason, severity: .error,
                kind: .unreadableFile))
    }

    /// The page's ids and `<a name>`s. An id with `%` also counts decoded, since a browser
    /// finds `#a%20b` by `id="a b"` and by `id="a%20b"`.
    private mutating func anchors(
        of page: ScannedPage, in buffer: UnsafeBufferPointer<UInt8>, path: String
    ) -> PageAnchors {
        var anchors = PageAnchors()
        anchors.names.reserveCapacity(page.ids.count + page.anchorNames.count)
        var positions = PositionCounter(buffer)
        for span in page.ids {
            let id = decoded(buffer, span)
            if !anchors.insert(id) {
                let first = page.ids.first { decoded(buffer, $0) == id } ?? span
                var firstPositions = PositionCounter(buffer)
                let (line, column) = firstPositions.position(of: first.start)
                let place = LinkPlace(location: positions.location(of: span.start, in: path), url: "#\(id.text)")
                output.findings.append(
                    place.finding(
                        "duplicate id '\(id.text)' (first at \(line):\(column))", severity: .warning,
                        kind: .duplicateID))
            }
            if id.bytes.contains(.percent) {
                _ = anchors.insert(id.percentDecoded)
            }
        }
        for span in page.anchorNames {
            _ = anchors.insert(decoded(buffer, span))
        }
        return anchors
    }

    private mutating func checkLinks(of page: ScannedPage, in buffer: UnsafeBufferPointer<UInt8>, path: String) {
        var base = DocumentBase(page: path)
        if let span = page.base {
            switch resolver.documentBase(buffer, span, page: base) {
            case .success(let found?):
                base = found
            case .success(nil):
                break
            case .failure(let error):
                var positions = PositionCounter(buffer)
                output.findings.append(
                    place(span, buffer, path, &positions).finding(error.reason, severity: options.level))
            }
        }
        var positions = PositionCounter(buffer)
        for span in page.links {
            switch resolver.resolve(buffer, span, base: base) {
            case .skipped:
                output.linksSkipped += 1
            case .external(let url):
                if options.checkExternal {
                    output.external[url, default: []].append(place(span, buffer, path, &positions))
                } else {
                    output.linksSkipped += 1
                }
            case .local(let target, let fragment):
                output.linksChecked += 1
                if let fragment {
                    output.pendingFragments.append(
                        PendingFragment(
                            target: target, fragment: fragment, place: place(span, buffer, path, &positions)))
                }
            case .broken(let reason):
                output.linksChecked += 1
                output.findings.append(place(span, buffer, path, &positions).finding(reason, severity: options.level))
            }
        }
    }

    /// The link's place, with its URL as written: character references kept, surrounding
    /// whitespace dropped.
    private func place(
        _ span: ByteSpan, _ buffer: UnsafeBufferPointer<UInt8>, _ path: String, _ positions: inout PositionCounter
    ) -> LinkPlace {
        var start = span.start
        var end = span.end
        while start < end, isHTMLWhitespace(buffer[start]) { start += 1 }
        while end > start, isHTMLWhitespace(buffer[end - 1]) { end -= 1 }
        return LinkPlace(
            location: positions.location(of: start, in: path),
            url: String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
    }

    /// An attribute's value with its character references decoded.
    private func decoded(_ buffer: UnsafeBufferPointer<UInt8>, _ span: ByteSpan) -> AnchorName {
        let slice = UnsafeBufferPointer(rebasing: buffer[span.start..<span.end])
        guard slice.contains(.ampersand) else { return AnchorName(bytes: Array(slice)) }
        var bytes: [UInt8] = []
        CharacterReferences.decode(buffer, span, into: &bytes)
        return AnchorName(bytes: bytes)
    }
}

/// Line and column (in Unicode scalars, both 1-based) of byte offsets, asked in increasing
/// order so that each byte is counted once.
struct PositionCounter {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var line = 1
    private var column = 1

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func position(of target: Int) -> (line: Int, column: Int) {
        if target < offset {
            offset = 0
            line = 1
            column = 1
        }
        guard let base = bytes.baseAddress else { return (line, column) }
        // Line breaks through memchr; only the bytes of the last line are counted one by one.
        var index = offset
        while index < target, let found = memchr(base + index, 0x0A, target - index) {
            line += 1
            column = 1
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        while index < target {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        offset = target
        return (line, column)
    }

    mutating func location(of target: Int, in path: String) -> SourceLocation {
        let (line, column) = position(of: target)
        return SourceLocation(file: path, line: line, column: column)
    }
}
