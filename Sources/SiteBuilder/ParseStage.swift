import Diagnostics
import Liquid
import Markdown
import Parallel
import Synchronization

/// Renders every page's Markdown (on all cores), rewriting links to content files into URLs.
enum ParseStage {
    /// Documents a thread feeds while another thread's inline parsing holds cmark-gfm's table,
    /// before it waits for it: enough to cover a long page's inline parsing with short pages'
    /// feeding, few and small enough that their trees take little memory (a page of a few
    /// megabytes is finished at once rather than kept waiting).
    static let documentsWaitingPerThread = 4
    static let bytesWaitingPerThread = 1 << 20

    static func run(_ state: BuildState) async {
        guard let graph = state.graph, let config = state.config else { return }
        let parser = Parser(graph: graph, config: config)
        let pages = graph.pages.filter { $0.source != nil }
        let failures = Mutex<[(index: Int, diagnostics: [Diagnostic])]>([])
        forEachIndex(pages.count, serial: !state.options.parallel) { next in
            // Started documents of this thread, oldest first, finished in the order they came.
            var waiting: [(index: Int, started: StartedMarkdown)] = []
            var waitingBytes = 0
            func record(_ index: Int, _ diagnostics: [Diagnostic]) {
                if !diagnostics.isEmpty { failures.withLock { $0.append((index, diagnostics)) } }
            }
            func finishWaiting(untilAtMost limit: Int, bytes byteLimit: Int) {
                while let (index, started) = waiting.first {
                    if waiting.count > limit || waitingBytes > byteLimit {
                        record(index, parser.finish(pages[index], started, waiting: true) ?? [])
                    } else if let diagnostics = parser.finish(pages[index], started, waiting: false) {
                        record(index, diagnostics)
                    } else {
                        return
                    }
                    waiting.removeFirst()
                    waitingBytes -= started.byteCount
                }
            }
            while let index = next() {
                switch parser.start(pages[index]) {
                case .done(let diagnostics): record(index, diagnostics)
                case .started(let started):
                    waiting.append((index, started))
                    waitingBytes += started.byteCount
                }
                finishWaiting(untilAtMost: documentsWaitingPerThread, bytes: bytesWaitingPerThread)
            }
            finishWaiting(untilAtMost: 0, bytes: 0)
        }
        for failure in failures.withLock({ $0 }).sorted(by: { $0.index < $1.index }) {
            failure.diagnostics.forEach(state.fail)
        }
    }

    /// Renders pages' Markdown against one graph; safe to use from many threads at once.
    struct Parser: Sendable {
        let renderer: MarkdownRenderer
        let resolver: LinkResolver

        init(graph: SiteGraph, config: SiteConfig) {
            renderer = MarkdownRenderer(options: MarkdownOptions(unsafeHTML: config.unsafeHTML))
            resolver = LinkResolver(
                targets: graph.linkTargets, copiedFiles: graph.copiedFiles,
                languageCodes: Set(config.languages.map(\.code)),
                defaultLanguage: config.defaultLanguage.code, basePath: config.basePath)
        }

        enum Start {
            /// Rendered already (a long page, rendered whole) or failed: its errors.
            case done([Diagnostic])
            /// Fed to cmark, to be finished on this thread.
            case started(StartedMarkdown)
        }

        /// Renders the page's Markdown at once; returns its errors.
        func parse(_ page: Page) -> [Diagnostic] {
            switch start(page) {
            case .done(let diagnostics): return diagnostics
            case .started(let started): return finish(page, started, waiting: true) ?? []
            }
        }

        /// Feeds the page's Markdown to cmark, or renders it all if it is long.
        func start(_ page: Page) -> Start {
            guard let source = page.source else { return .done([]) }
            do {
                guard
                    let started = try renderer.start(
                        source.body, path: source.displayPath, firstLine: source.bodyFirstLine)
                else {
                    let rendered = try renderer.render(
                        source.body, path: source.displayPath, firstLine: source.bodyFirstLine
                    ) { resolver.resolve($0, from: source) }
                    return .done(try complete(page, source, rendered))
                }
                return .started(started)
            } catch {
                return .done(Self.diagnostics(error, source))
            }
        }

        /// Finishes a started page: its errors, or nil when `waiting` is false and another
        /// thread's inline parsing runs.
        func finish(_ page: Page, _ started: StartedMarkdown, waiting: Bool) -> [Diagnostic]? {
            guard let source = page.source else { return [] }
            do {
                let link = { (link: MarkdownLink) in resolver.resolve(link, from: source) }
                if waiting { return try complete(page, source, renderer.finish(started, resolveLink: link)) }
                guard let rendered = try renderer.finishIfFree(started, resolveLink: link) else { return nil }
                return try complete(page, source, rendered)
            } catch {
                return Self.diagnostics(error, source)
            }
        }

        /// Fills in the page's HTML, summary, table of contents, text and links.
        private func complete(_ page: Page, _ source: ContentFile, _ rendered: RenderedMarkdown) throws -> [Diagnostic]
        {
            page.contentHTML = rendered.html
            page.toc = ParseStage.tableOfContentsValue(rendered.tableOfContents)
            page.setPlainText(rendered.plainText)
            page.markdownLinks = rendered.links
            if let summary = source.matter.summary {
                page.summaryHTML =
                    try renderer.render(summary.value, path: source.displayPath, firstLine: summary.location.line) {
                        resolver.resolve($0, from: source)
                    }
                    .html
            } else {
                page.summaryHTML = rendered.summaryHTML
            }
            return []
        }

        private static func diagnostics(_ error: any Error, _ source: ContentFile) -> [Diagnostic] {
            switch error {
            case let list as DiagnosticList: return list.diagnostics
            case let diagnostic as Diagnostic: return [diagnostic]
            default: return [Diagnostic(at: SourceLocation(file: source.displayPath, line: 1, column: 1), "\(error)")]
            }
        }
    }

    private static func tableOfContentsValue(_ entries: [TableOfContentsEntry]) -> LiquidValue {
        .array(
            entries.map { entry in
                [
                    "level": .int(entry.level), "id": .string(entry.id), "title": .string(entry.title),
                    "children": tableOfContentsValue(entry.children),
                ]
            })
    }
}

/// Decides each Markdown link: a relative link to a `.md` file becomes that page's URL (or an
/// error when there is no such page in this build); a relative link to a copied content file
/// becomes its root-relative URL, so it works from the page's pretty URL; the rest stays.
struct LinkResolver: @unchecked Sendable {
    let targets: [String: LinkTarget]
    let copiedFiles: Set<String>
    let languageCodes: Set<String>
    let defaultLanguage: String
    let basePath: String

    func resolve(_ link: MarkdownLink, from file: ContentFile) -> LinkDecision {
        let destination = link.destination
        guard let first = destination.utf8.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "/"),
            !isAbsoluteURLText(destination)
        else { return .keep }
        // Bytes rather than characters: a URL ends its path at the first `#` or `?` whatever
        // follows it, and a Korean link's characters cost more to find than the rest of
        // resolving it (perf).
        let cut =
            destination.utf8.firstIndex { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") } ?? destination.endIndex
        let path = String(destination[..<cut]).percentDecoded
        let suffix = destination[cut...]
        if path.utf8.count >= 3, path.utf8.suffix(3).elementsEqual(".md".utf8) {
            guard let resolved = resolveRelative(path, from: file.folder) else {
                return .fail(
                    message: "link to missing content file '\(path)'", hint: "the path leads out of content/")
            }
            let slash = resolved.lastIndex(of: "/")
            let folder = slash.map { String(resolved[..<$0]) } ?? ""
            var stem = String(resolved[(slash.map { resolved.index(after: $0) } ?? resolved.startIndex)...].dropLast(3))
            var language = defaultLanguage
            if let dot = stem.lastIndex(of: "."), languageCodes.contains(String(stem[stem.index(after: dot)...])) {
                language = String(stem[stem.index(after: dot)...])
                stem = String(stem[..<dot])
            }
            switch targets[SiteGraph.linkKey(folder: folder, stem: stem, language: language)] {
            case .page(let page)?:
                return .rewrite(page.url + suffix)
            case .excluded(let reason, let hint)?:
                return .fail(message: reason, hint: hint)
            case nil:
                return .fail(
                    message: "link to missing content file '\(path)'",
                    hint: "there is no content/\(resolved); check the file name and the '../' steps")
            }
        }
        guard !copiedFiles.isEmpty, !path.isEmpty, let resolved = resolveRelative(path, from: file.folder),
            copiedFiles.contains(resolved)
        else { return .keep }
        return .rewrite(basePath + "/" + resolved + suffix)
    }

    /// `path` taken from `folder` (both below `content/`), or nil if it leads out of `content/`.
    private func resolveRelative(_ path: String, from folder: String) -> String? {
        var parts = folder.split(separator: "/")
        for segment in path.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(segment)
            }
        }
        return parts.joined(separator: "/")
    }
}
