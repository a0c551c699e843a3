import Diagnostics
import LinkChecker
import Markdown

/// The build's outputs as the link checker reads them, from memory.
struct BuiltFiles: SiteFiles {
    let files: [String: OutputFile]
    let paths: [String]

    /// `sortedPaths` must be the keys of `files` in byte order, as a caller that keeps them knows.
    init(_ files: [String: OutputFile], sortedPaths: [String]) {
        self.files = files
        paths = sortedPaths
    }

    func contents(of path: String) throws -> [UInt8]? {
        guard let file = files[path] else { return nil }
        if case .copy(let source) = file { return try FileSystem.readFile(source) }
        return file.madeBytes
    }
}

/// Checks every link of the built site before it is written over the old one. A broken link
/// written in Markdown gets a note pointing at its place in the content file.
enum CheckStage {
    static func run(_ state: BuildState) async {
        guard let config = state.config else { return }
        do {
            let files = BuiltFiles(state.outputs, sortedPaths: state.sortedOutputPaths)
            state.live?.checkedPaths = files.paths
            let options = options(config, production: state.options.production)
            let report: LinkReport
            if let live = state.live {
                let session = LinkCheckSession(options: options)
                live.linkCheck = session
                report = try await session.check(files, changed: nil)
            } else {
                report = try await LinkChecker(options: options).check(files)
            }
            add(report, to: state)
        } catch {
            state.fail(error)
        }
    }

    static func options(_ config: SiteConfig, production: Bool) -> LinkCheckOptions {
        LinkCheckOptions(
            baseURL: config.linkCheckBaseURL, checkExternal: config.linksExternal,
            ignorePatterns: config.linksIgnore, level: production ? .error : config.linksLevel)
    }

    /// The report's findings as the build's diagnostics.
    static func add(_ report: LinkReport, to state: BuildState) {
        guard let graph = state.graph else { return }
        state.linksChecked = report.linksChecked
        guard !report.findings.isEmpty else { return }
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
