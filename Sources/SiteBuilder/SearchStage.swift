import Foundation
import Liquid
import Search

/// Writes a search index per language (`search/<lang>/…`) and the script that reads it
/// (`search/search.js`), from the rendered pages, so the link checker sees them like any output.
///
/// A page's text is what its layout shows inside `<main>` (so the directory's tables and a term
/// page's list are found too), without navigation, scripts and styles. Pages with `search: false`
/// in their front matter, the 404 page and further pages of a paginated list are left out;
/// `search: false` in `site.yml` writes nothing at all.
enum SearchStage {
    static let folder = "search"

    static func run(_ state: BuildState) async {
        guard let graph = state.graph, let config = state.config, config.search else { return }
        var perLanguage = [[(page: Page, outputPath: String)]](repeating: [], count: config.languages.count)
        for entry in entries(graph) {
            state.live?.searchEntries[ObjectIdentifier(entry.page)] = (
                perLanguage[entry.page.language].count, entry.outputPath
            )
            perLanguage[entry.page.language].append(entry)
        }
        let outputs = state.outputs
        // Each page's text is taken from its HTML as the index asks for it, so that the texts
        // of the whole site are never held at once.
        let indexes = perLanguage.map { entries in
            SearchIndex(count: entries.count) { document(entries[$0].page, html: outputs[entries[$0].outputPath]) }
        }
        state.live?.searchIndexes = indexes
        for (language, index) in zip(config.languages, indexes) {
            for (path, bytes) in index.files {
                state.outputs[indexPath(path, language: language)] = .bytes(bytes)
            }
        }
        state.outputs["\(folder)/search.js"] = .text(SearchScript.source)
    }

    /// The pages searched, each with the output its text is taken from (a list's first page).
    static func entries(_ graph: SiteGraph) -> [(page: Page, outputPath: String)] {
        var seen: Set<ObjectIdentifier> = []
        return graph.jobs.filter { job in
            guard job.page.kind != .notFound, seen.insert(ObjectIdentifier(job.page)).inserted else { return false }
            return !job.page.optsOut(of: "search")
        }.map { (page: $0.page, outputPath: $0.outputPath) }
    }

    /// The page's search document. Its title is the page's first `<h1>` in `<main>` where there
    /// is one, as that is what the reader sees (a taxonomy index's title is its raw key,
    /// `organizations`, while its heading is translated); else `page.title`.
    static func document(_ page: Page, html: OutputFile?) -> SearchDocument {
        let searchable: SearchableText
        switch html {
        case .text(let rendered)?: searchable = searchableText(ofPage: rendered)
        case .bytes(let rendered)?: searchable = rendered.withUnsafeBufferPointer(searchableText(ofPageBytes:))
        case .copy?, nil: searchable = SearchableText(text: [], heading: nil)
        }
        return SearchDocument(
            url: page.url, title: searchable.heading ?? page.title, headings: headingTitles(page.toc),
            textUTF8: searchable.text, terms: page.terms.flatMap { $0 })
    }

    static func indexPath(_ path: String, language: Language) -> String {
        "\(folder)/\(language.code)/\(path)"
    }

    private static func headingTitles(_ toc: LiquidValue) -> [String] {
        guard case .array(let entries) = toc else { return [] }
        return entries.flatMap { entry -> [String] in
            guard case .object(let object) = entry else { return [] }
            var titles: [String] = []
            if case .string(let title)? = object["title"] { titles.append(title) }
            if let children = object["children"] { titles += headingTitles(children) }
            return titles
        }
    }
}
