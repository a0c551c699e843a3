import Diagnostics
import Foundation
import LinkChecker
import Liquid
import Search
import Synchronization

/// Where a build reads and writes, as absolute paths and as diagnostics show them.
struct BuildPaths: Sendable {
    var source: String
    /// What goes before `content/…` in diagnostics: empty when building the current folder,
    /// `site/` for `--source site`, the absolute path when the site is elsewhere.
    var display: String
    var output: String
    /// The output folder as diagnostics show it (`public`).
    var outputDisplay: String
    /// Where the new site is written before it replaces the output folder.
    var temporary: String
    /// Where the previous output goes while the new one is moved in.
    var retired: String

    var content: String { source + "/content" }
    var templates: String { source + "/templates" }

    func shown(_ relative: String) -> String { display + relative }
}

/// A file of the built site: text made by the build, bytes made by it, or a file to copy.
enum OutputFile: Sendable {
    case text(String)
    /// Rendered pages and the search index, made as bytes: kept so rather than validated into a
    /// `String` (200 MB of pages at 10,000 pages), which also held the index twice at the
    /// build's peak.
    case bytes([UInt8])
    case copy(from: String)

    /// The contents of a file the build made; nil for a copy.
    var madeBytes: [UInt8]? {
        switch self {
        case .text(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .copy: nil
        }
    }
}

/// Everything one build knows, handed from stage to stage.
final class BuildState: @unchecked Sendable {
    let options: BuildOptions
    var paths: BuildPaths
    var errors: [Diagnostic] = []
    var warnings: [Diagnostic] = []

    /// Source files already read, for the load stage, which lets go of them when it is done.
    var sourceBytes = SourceBytes()
    var config: SiteConfig?
    var contentFiles: [ContentFile] = []
    /// Files of `content/` that are copied as they are, relative to `content/`.
    var copiedFiles: [WalkedFile] = []
    var staticFiles: [WalkedFile] = []
    var data = LiquidObject()
    var layouts: [String: Layout] = [:]
    var chains: [String: [Layout]] = [:]
    var filterWarnings = FilterWarnings()
    var assets: AssetFingerprints?
    var fingerprintAssets = true

    var graph: SiteGraph?
    /// Set by a live build (`LiveSite`), which keeps what the stages know to rebuild part of
    /// the site after an edit: what `Live` holds.
    var live: Live?

    final class Live {
        /// For each render job, the pages whose body it read.
        var bodyReads: [Set<ObjectIdentifier>] = []
        /// Each language's search index, and where each page's document is in its language's
        /// index and which output its text is taken from.
        var searchIndexes: [SearchIndex] = []
        var searchEntries: [ObjectIdentifier: (position: Int, outputPath: String)] = [:]
        var linkCheck: LinkCheckSession?
        /// The output paths in the order the link checker read them: the same array again tells
        /// it at once that no path came or went.
        var checkedPaths: [String] = []
        /// The pages each language's feed lists.
        var feedEntries: [[Page]] = []
        var pagesBySource: [String: Page] = [:]
    }

    /// Every output file by its path below the output folder.
    var outputs: [String: OutputFile] = [:] {
        didSet { outputPathsInOrder = nil }
    }
    private var outputPathsInOrder: [String]?

    /// The paths of `outputs` in byte order, sorted once for the stages that go through them in
    /// order (writing, then checking). Each had sorted on one core: at 10,000 pages the
    /// writer's sort of 20,000 (path, file) pairs took 0.05 s and the checker's of the paths
    /// 0.02 s (perf); the paths alone, once, take 0.02 s.
    var sortedOutputPaths: [String] {
        if let outputPathsInOrder { return outputPathsInOrder }
        let sorted = outputs.keys.sorted(by: precedesInScalarOrder)
        outputPathsInOrder = sorted
        return sorted
    }
    var pagesRendered = 0
    var linksChecked = 0
    var wroteTemporaryFolder = false
    /// Every output file as the write stage left it, in `sortedOutputPaths` order; nil until
    /// it has written them all.
    var writtenFiles: [(path: String, file: WrittenFile)]?

    init(options: BuildOptions, paths: BuildPaths) {
        self.options = options
        self.paths = paths
    }

    deinit {
        graph?.unlink()
    }

    func fail(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error {
            errors.append(diagnostic)
        } else {
            warnings.append(diagnostic)
        }
    }

    /// Adds a thrown `Diagnostic` or `DiagnosticList`; anything else becomes an error without a place.
    func fail(_ error: any Error) {
        switch error {
        case let diagnostic as Diagnostic: fail(diagnostic)
        case let list as DiagnosticList: list.diagnostics.forEach(fail)
        default: errors.append(Diagnostic(at: nil, "\(error)"))
        }
    }
}

typealias Stage = (name: String, run: @Sendable (BuildState) async -> Void)

enum Pipeline {
    /// The build, stage by stage; each stage reads what the ones before it left in the state.
    static let stages: [Stage] = [
        ("load", LoadStage.run),
        ("graph", GraphStage.run),
        ("parse", ParseStage.run),
        ("render", RenderStage.run),
        ("search", SearchStage.run),
        // Last before writing: its manifest lists every other output.
        ("finish", FinishStage.run),
        ("write", WriteStage.run),
        ("check", CheckStage.run),
    ]

    /// `stages` is the build's own list but in tests, which add stages around it to change the
    /// inputs while a build runs.
    static func build(_ options: BuildOptions, stages: [Stage] = Pipeline.stages) async throws -> BuildSummary {
        let started = ContinuousClock.now
        let paths = try OutputFolder.paths(for: options)
        var cache = BuildCache(options: options, paths: paths)
        if let cache, var summary = cache.reuse(options: options, paths: paths) {
            summary.seconds = seconds(since: started)
            summary.stages = [StageTiming(name: "cache", seconds: summary.seconds)]
            summary.reusedPreviousOutput = true
            return summary
        }
        let state = BuildState(options: options, paths: paths)
        if let sourceBytes = cache?.takeSourceBytes() { state.sourceBytes = sourceBytes }
        var timings = await run(stages, on: state)
        let warnings = deduplicated(state.warnings + state.filterWarnings.all)
        guard state.errors.isEmpty else {
            if state.wroteTemporaryFolder { FileSystem.remove(paths.temporary) }
            throw DiagnosticList(warnings + deduplicated(state.errors))
        }
        let start = ContinuousClock.now
        do {
            try OutputFolder.swap(paths)
        } catch {
            FileSystem.remove(paths.temporary)
            throw DiagnosticList(warnings + [Diagnostic(at: nil, "\(error)")])
        }
        timings.append(StageTiming(name: "swap", seconds: seconds(since: start)))
        let summary = BuildSummary(
            pages: state.pagesRendered, files: state.outputs.count, linksChecked: state.linksChecked,
            seconds: seconds(since: started), stages: timings, warnings: warnings)
        cache?.record(state, summary: summary)
        if options.processEndsAfterBuild { keptUntilExit.withLock { $0.append(state) } }
        return summary
    }

    /// Builds whose memory the process's end reclaims (`BuildOptions.processEndsAfterBuild`).
    private static let keptUntilExit = Mutex<[BuildState]>([])

    /// Runs `stages` in order until one reports an error, timing each.
    static func run(_ stages: [Stage], on state: BuildState) async -> [StageTiming] {
        var timings: [StageTiming] = []
        for stage in stages {
            let start = ContinuousClock.now
            let processorStart = processorSeconds()
            await stage.run(state)
            timings.append(
                StageTiming(
                    name: stage.name, seconds: seconds(since: start),
                    processorSeconds: processorSeconds() - processorStart))
            if !state.errors.isEmpty { break }
        }
        return timings
    }

    /// User and system time of the whole process so far, on all cores.
    private static func processorSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The same problem found on many pages (an undefined variable in a layout) is reported once,
    /// with a note saying how many pages have it.
    static func deduplicated(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var order: [String] = []
        var groups: [String: (first: Diagnostic, count: Int)] = [:]
        for diagnostic in diagnostics {
            let key = diagnostic.headline + "\n" + (diagnostic.hint ?? "")
            if let group = groups[key] {
                groups[key] = (group.first, group.count + 1)
            } else {
                order.append(key)
                groups[key] = (diagnostic, 1)
            }
        }
        return order.compactMap { key in
            guard let group = groups[key] else { return nil }
            var diagnostic = group.first
            let count = group.count
            if count > 1 {
                diagnostic.causes.append(Diagnostic(.note, at: nil, "found \(count) times in this build"))
            }
            return diagnostic
        }
    }
}
