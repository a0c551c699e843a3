import Diagnostics
import LinkChecker
import Markdown

/// The build's outputs as the link checker reads them, from memory.
struct BuiltFiles: SiteFiles {
    let files: [String: OutputFile]
    let paths: [String]

    init(_ files: [String: OutputFile]) {
        self.files = files
        paths = files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func contents(of path: String) throws -> [UInt8]? {
        switch files[path] {
        case .text(let text)?: return Array(text.utf8)
        case .copy(let source)?: return try FileSystem.readFile(source)
        case nil: return nil
        }
    }
}

/// Checks every link of the built site before it is written over the old one. A broken link
/// written in Markdown gets a note pointing at its place in the content file.
enum CheckStage {
    static func run(_ state: BuildState) async {
        guard let config = state.config, let graph = state.graph else { return }
        // A base URL that is only a path (`/portal/`) still decides where root-relative links
        // must point; the checker takes it behind a host no link can name.
        let siteAddress = config.root.isEmpty ? "http://base-path.invalid" + config.basePath + "/" : config.baseURL
        let options = LinkCheckOptions(
            baseURL: siteAddress, checkExternal: config.linksExternal,
            ignorePatterns: config.linksIgnore, level: state.options.production ? .error : config.linksLevel)
        let report: LinkReport
        do {
            report = try await LinkChecker(options: options).check(BuiltFiles(state.outputs))
        } catch {
            state.fail(error)
            return
        }
        state.linksChecked = report.linksChecked
        var pagesByOutput: [String: Page] = [:]
        for job in graph.jobs { pagesByOutput[job.outputPath] = job.page }
        for finding in report.findings {
            var location = finding.location
            location.file = state.paths.outputDisplay + "/" + location.file
            var diagnostic = Diagnostic(
                finding.severity, at: location, "broken link '\(finding.url)': \(finding.reason)")
            if let page = pagesByOutput[finding.location.file], let source = page.source,
                let link = writtenLink(finding.url, in: page.markdownLinks)
            {
                diagnostic.causes.append(
                    Diagnostic(
                        .note, at: link.location, "the link is written here",
                        sourceLine: source.text.line(link.location.line)))
            }
            state.fail(diagnostic)
        }
    }

    /// The Markdown link whose HTML is `url` (cmark percent-encodes what it writes).
    private static func writtenLink(_ url: String, in links: [MarkdownLink]) -> MarkdownLink? {
        if let exact = links.first(where: { $0.destination == url }) { return exact }
        let decoded = url.percentDecoded
        return links.first { $0.destination.percentDecoded == decoded }
    }
}
