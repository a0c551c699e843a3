import Diagnostics
import Liquid
import Markdown
import Parallel

/// Renders every page's Markdown (on all cores), rewriting links to content files into URLs.
enum ParseStage {
    static func run(_ state: BuildState) async {
        guard let graph = state.graph, let config = state.config else { return }
        let parser = Parser(graph: graph, config: config)
        let pages = graph.pages.filter { $0.source != nil }
        let failures = parallelMap(pages.count, serial: !state.options.parallel) { index in
            parser.parse(pages[index])
        }
        for diagnostics in failures { diagnostics.forEach(state.fail) }
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

        /// Fills in the page's HTML, summary, table of contents, text and links; returns its errors.
        func parse(_ page: Page) -> [Diagnostic] {
            guard let source = page.source else { return [] }
            do {
                let rendered = try renderer.render(
                    source.body, path: source.displayPath, firstLine: source.bodyFirstLine
                ) { resolver.resolve($0, from: source) }
                page.contentHTML = rendered.html
                page.toc = tableOfContentsValue(rendered.tableOfContents)
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
            } catch let list as DiagnosticList {
                return list.diagnostics
            } catch let diagnostic as Diagnostic {
                return [diagnostic]
            } catch {
                return [Diagnostic(at: SourceLocation(file: source.displayPath, line: 1, column: 1), "\(error)")]
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
        let cut = destination.firstIndex { $0 == "#" || $0 == "?" } ?? destination.endIndex
        let path = String(destination[..<cut]).percentDecoded
        let suffix = destination[cut...]
        if path.hasSuffix(".md") {
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
