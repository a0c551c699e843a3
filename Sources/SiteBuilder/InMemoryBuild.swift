import Diagnostics
import Foundation
import Parallel
import Search

/// A finished build kept in memory, for the preview server: nothing of it is written to disk.
public struct InMemoryBuild: Sendable {
    /// Every output file by its path in the site (`boston/index.html`), without the marker file.
    public var files: [String: Data]
    /// The path the site lives under: `/portal/` for `https://user.github.io/portal/`, else `/`.
    public var basePath: String
    public var summary: BuildSummary
    /// The output paths that differ from the previous build, when a live rebuild knows them.
    public var changedPaths: [String]?
}

extension SiteBuilder {
    /// Runs the same stages as `build` except writing, so the output folder is never touched,
    /// and `asset_url` gives assets their own names (a stylesheet edit is then swapped in live).
    /// Throws `DiagnosticList` with every error found, as `build` does.
    public static func buildInMemory(_ options: BuildOptions) async throws -> InMemoryBuild {
        try await LiveSite.fullBuild(options, live: false).build
    }
}

/// The site as the preview server builds it again after every edit.
///
/// An edit that changes only the Markdown body of pages (front matter byte for byte as it was,
/// no file added or removed) parses those pages again and re-renders only the outputs that show
/// their body: their own, and every list, feed or page whose render read their `content`,
/// `summary`, `toc` or word count, as recorded in the last render of each. Their search
/// documents and their links are checked again, and links elsewhere to their headings with
/// them. Anything else (a template, `site.yml`, a data file, front matter, a new or removed
/// file) builds the whole site. The result is byte for byte what a whole build would give.
///
/// Use it from one task at a time.
public final class LiveSite: @unchecked Sendable {
    private let options: BuildOptions
    /// The last good build, with what it knows to rebuild part of itself; nil after a failure.
    private var state: BuildState?
    private var files: [String: Data] = [:]
    private var sortedPaths: [String] = []
    private var basePath = "/"
    /// Sources a failed partial rebuild read, and outputs it changed without serving them: the
    /// next one reads and checks them again.
    private var unsettled: Set<String> = []
    private var unsettledOutputs: Set<String> = []

    public init(options: BuildOptions) {
        self.options = options
    }

    /// Builds the site, in part when `changedSources` (paths relative to the site folder, such as
    /// `content/boston/_index.md`) allow it, else whole. Throws `DiagnosticList` as `build` does.
    public func build(changedSources: [String]?) async throws -> InMemoryBuild {
        if let changedSources, let state {
            let sources = unsettled.union(changedSources).sorted()
            if let pages = Self.editedBodies(sources, in: state) {
                return try await rebuild(pages, sources: sources, in: state)
            }
        }
        state = nil
        unsettled = []
        unsettledOutputs = []
        let (build, built) = try await Self.fullBuild(options, live: true)
        state = built
        files = build.files
        sortedPaths = built.live?.checkedPaths ?? []
        basePath = build.basePath
        return build
    }

    static func fullBuild(_ options: BuildOptions, live: Bool) async throws -> (build: InMemoryBuild, state: BuildState)
    {
        let started = ContinuousClock.now
        let state = BuildState(options: options, paths: try OutputFolder.paths(for: options))
        state.fingerprintAssets = false
        if live { state.live = BuildState.Live() }
        let timings = await Pipeline.run(Pipeline.stages.filter { $0.name != "write" }, on: state)
        let warnings = Pipeline.deduplicated(state.warnings + state.filterWarnings.all)
        guard state.errors.isEmpty else {
            throw DiagnosticList(warnings + Pipeline.deduplicated(state.errors))
        }
        var files: [String: Data] = [:]
        for (path, file) in state.outputs where path != OutputFolder.markerName {
            if case .copy(let source) = file {
                files[path] = Data(try FileSystem.readFile(source))
            } else {
                files[path] = file.madeBytes.map { Data($0) }
            }
        }
        if let live = state.live, let graph = state.graph {
            for page in graph.pages {
                if let source = page.source { live.pagesBySource[source.sourcePath] = page }
            }
        }
        let basePath = state.config.map { $0.basePath + "/" } ?? "/"
        let summary = BuildSummary(
            pages: state.pagesRendered, files: files.count, linksChecked: state.linksChecked,
            seconds: Pipeline.seconds(since: started), stages: timings, warnings: warnings)
        return (InMemoryBuild(files: files, basePath: basePath, summary: summary), state)
    }

    /// The pages whose Markdown files are the changed sources, each with the file read again,
    /// when every change is an edit of a page's body; nil when the site must be built whole.
    private static func editedBodies(_ sources: [String], in state: BuildState) -> [(Page, ContentFile)]? {
        guard let config = state.config, let live = state.live else { return nil }
        let reader = ContentReader(
            display: state.paths.display, taxonomies: config.taxonomies,
            languages: Dictionary(
                config.languages.map { ($0.code, $0.index) }, uniquingKeysWith: { first, _ in first }),
            sourceBytes: SourceBytes())
        var edited: [(Page, ContentFile)] = []
        for source in sources {
            guard source.hasPrefix("content/"), source.hasSuffix(".md"),
                let page = live.pagesBySource[source],
                let old = page.source,
                FileSystem.kind(of: state.paths.source + "/" + source) == .file,
                case .success(let new) = reader.read(
                    WalkedFile(relative: old.relativePath, absolute: state.paths.source + "/" + source)),
                old.text[..<old.body.startIndex] == new.text[..<new.body.startIndex]
            else { return nil }
            edited.append((page, new))
        }
        return edited
    }

    private func rebuild(_ edited: [(Page, ContentFile)], sources: [String], in state: BuildState) async throws
        -> InMemoryBuild
    {
        let started = ContinuousClock.now
        guard let graph = state.graph, let config = state.config, let live = state.live else {
            throw DiagnosticList([Diagnostic(at: nil, "the preview lost its previous build; save again")])
        }
        // Pages are changed in place; until a rebuild succeeds, the next one reads them again.
        unsettled = Set(sources)
        var diagnostics: [Diagnostic] = []
        let parser = ParseStage.Parser(graph: graph, config: config)
        for (page, file) in edited {
            page.source = file
            diagnostics += parser.parse(page)
        }
        let changedPages = Set(edited.map { ObjectIdentifier($0.0) })
        let dirty = graph.jobs.indices.filter { index in
            changedPages.contains(ObjectIdentifier(graph.jobs[index].page))
                || !live.bodyReads[index].isDisjoint(with: changedPages)
        }
        let rendered = parallelMap(dirty.count, serial: !state.options.parallel) { position in
            RenderStage.render(graph.jobs[dirty[position]], graph: graph, recordingBodyReads: true)
        }
        diagnostics += rendered.flatMap(\.diagnostics)
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            throw DiagnosticList(Pipeline.deduplicated(diagnostics))
        }

        var changed: [String] = []
        func update(_ path: String, _ file: OutputFile) {
            if let old = state.outputs[path], old.madeBytes == file.madeBytes { return }
            state.outputs[path] = file
            changed.append(path)
        }
        for (index, result) in zip(dirty, rendered) {
            live.bodyReads[index] = result.bodyReads
            if let html = result.html { update(graph.jobs[index].outputPath, html) }
        }
        for (site, entries) in zip(graph.languages, live.feedEntries)
        where entries.contains(where: { changedPages.contains(ObjectIdentifier($0)) }) {
            update(
                outputPath(forSitePath: site.language.prefix + "/feed.xml"),
                .text(feed(site, entries: entries, config: config)))
        }
        if config.search {
            for index in dirty {
                let job = graph.jobs[index]
                guard let entry = live.searchEntries[ObjectIdentifier(job.page)], entry.outputPath == job.outputPath
                else { continue }
                let document = SearchStage.document(job.page, html: state.outputs[job.outputPath])
                let language = config.languages[job.page.language]
                for path in live.searchIndexes[job.page.language].replace(entry.position, with: document) {
                    let full = SearchStage.indexPath(path, language: language)
                    let bytes = live.searchIndexes[job.page.language].files[path]
                    state.outputs[full] = bytes.map { .bytes($0) }
                    changed.append(full)
                }
            }
        }

        let touched = Set(changed).union(unsettledOutputs)
        if !touched.allSatisfy({ files[$0] != nil && state.outputs[$0] != nil }) {
            sortedPaths = state.outputs.keys.sorted(by: precedesInScalarOrder)
        }
        let checking = BuildState(options: state.options, paths: state.paths)
        checking.config = config
        checking.graph = graph
        do {
            let report = try await live.linkCheck?.check(
                BuiltFiles(state.outputs, sortedPaths: sortedPaths), changed: touched.sorted())
            if let report { CheckStage.add(report, to: checking) }
        } catch {
            checking.fail(error)
        }
        checking.graph = nil
        let warnings = Pipeline.deduplicated(diagnostics + checking.warnings)
        guard checking.errors.isEmpty else {
            unsettledOutputs = touched
            throw DiagnosticList(warnings + Pipeline.deduplicated(checking.errors))
        }
        unsettled = []
        unsettledOutputs = []
        var served: [String] = []
        for path in touched.sorted() {
            let bytes = state.outputs[path]?.madeBytes.map { Data($0) }
            guard files[path] != bytes else { continue }
            files[path] = bytes
            served.append(path)
        }
        var summary = BuildSummary(
            pages: state.pagesRendered, files: files.count, linksChecked: checking.linksChecked,
            seconds: Pipeline.seconds(since: started), stages: [], warnings: warnings)
        summary.rerenderedOutputs = dirty.count
        return InMemoryBuild(files: files, basePath: basePath, summary: summary, changedPaths: served)
    }
}
