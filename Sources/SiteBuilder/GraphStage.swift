import Diagnostics
import Foundation
import Liquid

/// What a Markdown link to a content file leads to.
enum LinkTarget {
    case page(Page)
    /// Left out of this build (a draft, a future page): why, and how to include it.
    case excluded(reason: String, hint: String)
}

struct Term {
    var name: String
    var slug: String
    var page: Page
}

/// One language's part of the site.
struct LanguageSite {
    var language: Language
    var home: Page
    /// The regular pages, in the standard order: `site.pages`.
    var pages: [Page]
    /// Per taxonomy of `site.yml`, its terms by name.
    var terms: [[Term]]
    var taxonomyPages: [Page]
    /// The `site` object of every page in this language, made once.
    var siteValue: LiquidValue = .nil
}

/// One file of HTML to render: a page, or one page of a paginated list.
struct RenderJob {
    var page: Page
    var outputPath: String
    var paginator: LiquidValue?
}

struct AliasPage {
    var outputPath: String
    var page: Page
}

/// The complete site as templates see it.
final class SiteGraph: @unchecked Sendable {
    var pages: [Page] = []
    var languages: [LanguageSite] = []
    var linkTargets: [String: LinkTarget] = [:]
    var copiedFiles: Set<String> = []
    var jobs: [RenderJob] = []
    var aliases: [AliasPage] = []
    var notFound: Page?

    func unlink() {
        for page in pages { page.unlink() }
        notFound?.unlink()
        languages = []
        linkTargets = [:]
        jobs = []
        aliases = []
    }

    /// The key under which a content file is found by links: `boston/labcentral|en`.
    static func linkKey(folder: String, stem: String, language: String) -> String {
        (folder.isEmpty ? stem : folder + "/" + stem) + "|" + language
    }
}

/// Builds the page graph from the loaded files: which pages are in, their URLs, sections,
/// order, translations, taxonomies, pagination, layouts, and every output path, with an error
/// for any two things written to one path.
enum GraphStage {
    static func run(_ state: BuildState) async {
        guard let config = state.config else { return }
        var builder = GraphBuilder(state: state, config: config)
        builder.build()
        state.graph = builder.graph
    }
}

private struct GraphBuilder {
    let state: BuildState
    let config: SiteConfig
    let graph = SiteGraph()
    /// Section pages by content folder and language index.
    var sectionPages: [String: Page] = [:]
    var sectionFolders: Set<String> = [""]
    var claims: [String: String] = [:]
    var missingLayoutKinds: Set<String> = []

    init(state: BuildState, config: SiteConfig) {
        self.state = state
        self.config = config
    }

    mutating func build() {
        // Read in place by index: a copy of each file's description retains its dozen strings;
        // copying and freeing them went from 17% of the stage's perf samples to 9% (the rest
        // is each page's own copy).
        let files = state.contentFiles
        let included = includedFiles(files)
        for index in included where files[index].stem == "_index" { sectionFolders.insert(files[index].folder) }
        var contentPages: [Page] = []
        for index in included {
            if let page = makePage(files[index]) { contentPages.append(page) }
        }
        addMissingSections(contentPages)
        // Sorted once: the lists made from it (sections' pages, each language's pages, each
        // term's pages) are in the standard order as they are filtered out. Each had sorted
        // all the site's pages again, a fifth of the stage at 10,000 pages (perf), on one core.
        let ordered = contentPages.sorted(by: standardOrder)
        linkSections(ordered)
        var all = contentPages
        graph.languages = config.languages.map { language in
            let home = sectionPage("", language.index)
            let pages = ordered.filter { $0.language == language.index && $0.kind == .page }
            return LanguageSite(language: language, home: home, pages: pages, terms: [], taxonomyPages: [])
        }
        for index in graph.languages.indices {
            all += makeTaxonomies(&graph.languages[index], orderedPages: ordered)
        }
        let homes = graph.languages.map(\.home)
        let synthesized = sectionPages.values.filter { $0.source == nil }.sorted {
            precedesInScalarOrder($0.path, $1.path)
        }
        all = homes.filter { $0.source == nil } + synthesized.filter { $0.kind != .home } + all
        for page in all { setURL(page) }
        pairTranslations(all)
        graph.pages = all
        for page in all { selectLayout(page) }
        graph.notFound = makeNotFound()
        planOutputs()
        for page in all { page.freeze() }
        for index in graph.languages.indices { graph.languages[index].siteValue = siteValue(graph.languages[index]) }
        graph.copiedFiles = Set(state.copiedFiles.map(\.relative))
    }

    // MARK: Pages

    /// The files in this build, by index; drafts and future pages become link targets that fail.
    private func includedFiles(_ files: [ContentFile]) -> [Int] {
        var included: [Int] = []
        for index in files.indices {
            guard let exclusion = exclusion(of: files[index]) else {
                included.append(index)
                continue
            }
            let code = config.languages[files[index].language].code
            graph.linkTargets[SiteGraph.linkKey(folder: files[index].folder, stem: files[index].stem, language: code)] =
                exclusion
        }
        return included
    }

    /// Why links to the file fail, when it is left out of this build.
    private func exclusion(of file: ContentFile) -> LinkTarget? {
        if file.matter.draft, !state.options.includeDrafts {
            return .excluded(
                reason: "links to a draft page '\(file.sourcePath)'",
                hint: "remove 'draft: true' from it, build with --drafts, or remove the link")
        }
        if let date = file.matter.date, date.date > state.options.now, !state.options.includeFuture {
            return .excluded(
                reason: "links to '\(file.sourcePath)', which is dated in the future",
                hint: "build with --future to include future pages, or remove the link")
        }
        return nil
    }

    private mutating func makePage(_ file: ContentFile) -> Page? {
        let language = config.languages[file.language]
        let kind: PageKind = file.stem == "_index" ? (file.folder.isEmpty ? .home : .section) : .page
        let matter = file.matter
        let page = Page(
            kind: kind, language: language, title: matter.title, source: file, taxonomyNames: config.taxonomies)
        page.date = matter.date
        page.updated = matter.updated
        page.draft = matter.draft
        page.weight = matter.weight
        page.params = matter.params
        page.terms = matter.terms
        page.folder = kind.isSection ? file.folder : pageFolder(file)
        if let url = matter.url {
            page.path = url.value
        } else {
            var segments = file.urlFolder.split(separator: "/").map(String.init)
            if let slug = matter.slug {
                if segments.isEmpty {
                    state.fail(error("the home page cannot have a 'slug'", at: slug.location, in: file))
                } else {
                    segments[segments.count - 1] = slug.value
                }
            }
            page.path = language.prefix + "/" + segments.map { $0 + "/" }.joined()
        }
        graph.linkTargets[SiteGraph.linkKey(folder: file.folder, stem: file.stem, language: language.code)] = .page(
            page)
        if kind.isSection {
            let key = sectionKey(file.folder, language.index)
            if sectionPages[key] == nil { sectionPages[key] = page }
        }
        return page
    }

    /// The folder whose section a regular page belongs to: a bundle's `index.md` belongs with
    /// its folder's siblings.
    private func pageFolder(_ file: ContentFile) -> String {
        file.stem == "index" ? parentFolder(file.folder) : file.folder
    }

    private func sectionKey(_ folder: String, _ language: Int) -> String { "\(language)|\(folder)" }

    private func sectionPage(_ folder: String, _ language: Int) -> Page {
        sectionPages[sectionKey(folder, language)]
            ?? Page(
                kind: .home, language: config.languages[language], title: "", source: nil, taxonomyNames: [])
    }

    private func nearestSection(_ folder: String) -> String {
        var current = folder
        while !sectionFolders.contains(current) { current = parentFolder(current) }
        return current
    }

    /// Sections a language needs but has no `_index` file for: the home of every language, and
    /// each section above a page of the language. They take the title of the section in the
    /// first language that has one.
    private mutating func addMissingSections(_ pages: [Page]) {
        var needed: [(String, Int)] = config.languages.map { ("", $0.index) }
        for page in pages {
            var folder = page.kind.isSection ? parentFolder(page.folder) : page.folder
            if page.kind == .home { continue }
            while true {
                let section = nearestSection(folder)
                needed.append((section, page.language))
                if section.isEmpty { break }
                folder = parentFolder(section)
            }
        }
        let written = sectionPages
        for (folder, language) in needed where sectionPages[sectionKey(folder, language)] == nil {
            let languageInfo = config.languages[language]
            var title = folder.isEmpty ? languageInfo.title : folder
            if !folder.isEmpty,
                let other = config.languages.first(where: { written[sectionKey(folder, $0.index)] != nil }),
                let section = written[sectionKey(folder, other.index)]
            {
                title = section.title
            }
            let page = Page(
                kind: folder.isEmpty ? .home : .section, language: languageInfo, title: title, source: nil,
                taxonomyNames: config.taxonomies)
            page.folder = folder
            page.path = languageInfo.prefix + "/" + folder.split(separator: "/").map { $0 + "/" }.joined()
            page.terms = Array(repeating: [], count: config.taxonomies.count)
            sectionPages[sectionKey(folder, language)] = page
        }
    }

    /// Puts every page in its section and every section in its parent, in the standard order,
    /// and links each regular page to its neighbours. `pages` are in the standard order.
    private func linkSections(_ pages: [Page]) {
        let sections = sectionPages.values.sorted { precedesInScalarOrder($0.path, $1.path) }
        for section in sections {
            section.section = section
            if section.kind == .section {
                let parent = sectionPage(nearestSection(parentFolder(section.folder)), section.language)
                parent.sections.append(section)
            }
        }
        for page in pages where page.kind == .page {
            let section = sectionPage(nearestSection(page.folder), page.language)
            page.section = section
            section.pages.append(page)
        }
        for section in sections {
            section.sections.sort(by: standardOrder)
            for (index, page) in section.pages.enumerated() {
                page.prev = index > 0 ? section.pages[index - 1] : nil
                page.next = index + 1 < section.pages.count ? section.pages[index + 1] : nil
            }
        }
    }

    // MARK: Taxonomies

    /// `orderedPages`: the content pages in the standard order.
    private mutating func makeTaxonomies(_ site: inout LanguageSite, orderedPages: [Page]) -> [Page] {
        var made: [Page] = []
        let language = site.language
        let pages = orderedPages.filter { $0.language == language.index }
        for (index, taxonomy) in config.taxonomies.enumerated() {
            var bySlug: [String: (name: String, pages: [Page])] = [:]
            var slugs: [String: String] = [:]
            for page in pages {
                guard index < page.terms.count else { continue }
                for name in page.terms[index] {
                    let slug = slugs[name] ?? slugify(name)
                    slugs[name] = slug
                    guard !slug.isEmpty else {
                        state.fail(
                            Diagnostic(
                                at: SourceLocation(file: page.origin, line: 1, column: 1),
                                "the \(taxonomy) term '\(name)' has no letter or digit to make a URL of",
                                hint: "use a term with letters or digits", sourceLine: page.source?.text.line(1)))
                        continue
                    }
                    // Taken out while it changes: a copy read from the dictionary would make each
                    // append copy the term's whole page list.
                    var entry = bySlug.removeValue(forKey: slug) ?? (name, [])
                    if precedesInScalarOrder(name, entry.name) { entry.name = name }
                    if entry.pages.last !== page { entry.pages.append(page) }
                    bySlug[slug] = entry
                }
            }
            let indexPage = Page(
                kind: .taxonomy, language: language, title: taxonomy, source: nil, taxonomyNames: config.taxonomies)
            indexPage.path = language.prefix + "/" + taxonomy + "/"
            indexPage.section = site.home
            indexPage.taxonomy = index
            var terms: [Term] = []
            for (slug, entry) in bySlug {
                let term = Page(
                    kind: .term, language: language, title: entry.name, source: nil, taxonomyNames: config.taxonomies)
                term.path = indexPage.path + slug + "/"
                term.pages = entry.pages
                term.section = site.home
                term.taxonomy = index
                terms.append(Term(name: entry.name, slug: slug, page: term))
            }
            terms.sort { precedesInScalarOrder($0.name, $1.name) || ($0.name == $1.name && $0.slug < $1.slug) }
            site.terms.append(terms)
            site.taxonomyPages.append(indexPage)
            made.append(indexPage)
            made += terms.map(\.page)
        }
        return made
    }

    /// `{ name, slug, url, pages }` of each term, as `page.terms` and `site.taxonomies` list them.
    private func termValues(_ terms: [Term]) -> LiquidValue {
        .array(
            terms.map { term in
                [
                    "name": .string(term.name), "slug": .string(term.slug), "url": .string(term.page.url),
                    "pages": .array(term.page.pages.map { .drop($0) }),
                ]
            })
    }

    // MARK: URLs, translations, layouts

    private func setURL(_ page: Page) {
        page.url = config.url(page.path)
        page.permalink = config.permalink(page.path)
        page.outputPath = outputPath(forSitePath: page.path)
    }

    /// Pages in different languages that are one page: same folder and name, or same `translation_key`.
    private func pairTranslations(_ pages: [Page]) {
        var groups: [String: [Page]] = [:]
        var order: [String] = []
        for page in pages {
            let key: String
            if let explicit = page.source?.matter.translationKey {
                key = "key:" + explicit
            } else if let source = page.source {
                key = (page.kind.isSection ? "section:" : "page:") + source.folder + "/" + source.stem
            } else if page.kind.isSection {
                key = "section:" + page.folder + "/_index"
            } else if page.taxonomy != nil {
                key = "taxonomy:" + page.path.dropFirst(config.languages[page.language].prefix.count)
            } else {
                continue
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(page)
        }
        for key in order {
            guard let group = groups[key], group.count > 1 else { continue }
            var byLanguage: [Int: Page] = [:]
            for page in group {
                if let first = byLanguage[page.language] {
                    if key.hasPrefix("key:") {
                        state.fail(
                            Diagnostic(
                                at: SourceLocation(file: page.origin, line: 1, column: 1),
                                "'\(first.origin)' and '\(page.origin)' are both the '\(page.lang)' page of translation_key '\(key.dropFirst(4))'",
                                hint: "give each translation a language of its own"))
                    }
                    continue
                }
                byLanguage[page.language] = page
            }
            let members = byLanguage.keys.sorted().compactMap { byLanguage[$0] }
            for page in members {
                page.translations = members.filter { $0 !== page }
            }
        }
    }

    private mutating func selectLayout(_ page: Page) {
        if let chosen = page.source?.matter.layout {
            if let chain = state.chains[chosen.value] {
                page.layoutChain = chain
            } else if state.layouts[chosen.value] == nil, let source = page.source {
                state.fail(
                    Diagnostic(
                        at: chosen.location, "layout '\(chosen.value)' not found",
                        hint: availableLayoutsHint(state.layouts), sourceLine: source.text.line(chosen.location.line)))
            }
            return
        }
        let kind = page.kind.rawValue
        for name in [kind, "default"] where state.layouts[name] != nil {
            page.layoutChain = state.chains[name] ?? []
            return
        }
        if missingLayoutKinds.insert(kind).inserted {
            state.fail(
                Diagnostic(
                    at: nil,
                    "no layout for \(kind) pages: neither templates/layouts/\(kind).liquid nor templates/layouts/default.liquid exists",
                    hint: "add templates/layouts/default.liquid, which every kind of page falls back to"))
        }
    }

    private func makeNotFound() -> Page? {
        let language = config.defaultLanguage
        let page = Page(
            kind: .notFound, language: language, title: "404", source: nil, taxonomyNames: config.taxonomies)
        page.path = "/404.html"
        page.section = graph.languages.first?.home
        page.contentHTML = "<p>This page does not exist.</p>\n"
        setURL(page)
        for name in ["404", "default"] where state.layouts[name] != nil {
            guard let chain = state.chains[name] else { return nil }
            page.layoutChain = chain
            return page
        }
        state.fail(
            Diagnostic(
                .warning, at: nil,
                "no 404.html: neither templates/layouts/404.liquid nor templates/layouts/default.liquid exists"))
        return nil
    }

    // MARK: Outputs

    /// Every file the site will have, each claimed once; two claims on one path are an error
    /// naming both.
    private mutating func planOutputs() {
        for page in graph.pages {
            guard !page.layoutChain.isEmpty else { continue }
            let location = page.source.map { source in
                source.matter.url?.location ?? source.matter.slug?.location
                    ?? SourceLocation(file: source.displayPath, line: 1, column: 1)
            }
            claim(page.outputPath, by: page.origin, at: location, page: page)
            guard page.kind.isList else {
                graph.jobs.append(RenderJob(page: page, outputPath: page.outputPath, paginator: nil))
                continue
            }
            let items = page.kind == .home ? graph.languages[page.language].pages : page.pages
            // A page size past the list's length is one page: `paginate: 9223372036854775807`
            // overflowed the page count below and stopped the build.
            let perPage = config.paginate > 0 ? min(config.paginate, max(items.count, 1)) : max(items.count, 1)
            let total = max(1, (items.count + perPage - 1) / perPage)
            let base = page.path.hasSuffix("/") ? page.path : page.path + "/"
            let paths = (1...total).map { $0 == 1 ? page.path : base + "page/\($0)/" }
            for number in 1...total {
                let slice = items[min(items.count, (number - 1) * perPage)..<min(items.count, number * perPage)]
                let paginator: LiquidValue = [
                    "pages": .array(slice.map { .drop($0) }), "page": .int(number), "total_pages": .int(total),
                    "prev_url": number > 1 ? .string(config.url(paths[number - 2])) : .nil,
                    "next_url": number < total ? .string(config.url(paths[number])) : .nil,
                ]
                let output = outputPath(forSitePath: paths[number - 1])
                if number > 1 { claim(output, by: "page \(number) of \(page.origin)", at: location, page: page) }
                graph.jobs.append(RenderJob(page: page, outputPath: output, paginator: paginator))
            }
        }
        if let notFound = graph.notFound {
            claim(notFound.outputPath, by: "the 404 page", at: nil, page: nil)
            graph.jobs.append(RenderJob(page: notFound, outputPath: notFound.outputPath, paginator: nil))
        }
        for page in graph.pages {
            for alias in page.source?.matter.aliases ?? [] {
                let output = outputPath(forSitePath: alias.value)
                claim(output, by: "an alias of \(page.origin)", at: alias.location, page: page)
                graph.aliases.append(AliasPage(outputPath: output, page: page))
            }
        }
        claim("sitemap.xml", by: "the sitemap", at: nil, page: nil)
        claim("robots.txt", by: "robots.txt", at: nil, page: nil)
        claim(OutputFolder.markerName, by: "Bridgehead's marker file", at: nil, page: nil)
        for language in config.languages {
            claim(
                outputPath(forSitePath: language.prefix + "/feed.xml"), by: "the \(language.code) feed", at: nil,
                page: nil)
        }
        for file in state.staticFiles {
            claim(file.relative, by: state.paths.shown("templates/static/" + file.relative), at: nil, page: nil)
        }
        for file in state.copiedFiles {
            claim(file.relative, by: state.paths.shown("content/" + file.relative), at: nil, page: nil)
        }
    }

    private mutating func claim(_ path: String, by owner: String, at location: SourceLocation?, page: Page?) {
        if let first = claims[path] {
            state.fail(
                Diagnostic(
                    at: location, "\(first) and \(owner) are both written to '\(path)'",
                    hint: "two things cannot share one URL; change a 'slug' or 'url', or rename a file",
                    sourceLine: location.flatMap { page?.source?.text.line($0.line) }))
        } else {
            claims[path] = owner
        }
    }

    // MARK: site

    private func siteValue(_ site: LanguageSite) -> LiquidValue {
        var object = LiquidObject()
        for (key, value) in config.extra.pairs { object[key] = value }
        let language = site.language
        object["title"] = .string(language.title)
        object["base_url"] = .string(config.baseURL)
        object["search"] = .bool(config.search)
        object["lang"] = .string(language.code)
        object["languages"] = .array(
            graph.languages.map {
                ["code": .string($0.language.code), "name": .string($0.language.name), "url": .string($0.home.url)]
            })
        object["pages"] = .array(site.pages.map { .drop($0) })
        object["sections"] = site.home.sectionsValue
        var taxonomies = LiquidObject()
        for (index, name) in config.taxonomies.enumerated() where index < site.terms.count {
            let terms = termValues(site.terms[index])
            taxonomies[name] = terms
            site.taxonomyPages[index].termsValue = terms
        }
        object["taxonomies"] = .object(taxonomies)
        object["data"] = .object(state.data)
        object["params"] = .object(language.params)
        var menus = LiquidObject()
        for (name, entries) in language.menus {
            menus[name] = .array(
                entries.map { entry in
                    var item: LiquidObject = LiquidObject([
                        ("name", .string(entry.name)),
                        ("url", .string(entry.url.hasPrefix("/") ? config.basePath + entry.url : entry.url)),
                        ("weight", .int(entry.weight)),
                    ])
                    if let identifier = entry.identifier { item["identifier"] = .string(identifier) }
                    return .object(item)
                })
        }
        object["menus"] = .object(menus)
        return .object(object)
    }

    private func error(_ message: String, at location: SourceLocation, in file: ContentFile) -> Diagnostic {
        Diagnostic(at: location, message, sourceLine: file.text.line(location.line))
    }
}

/// The folder that holds `folder` (empty for a top-level folder and for the root).
func parentFolder(_ folder: String) -> String {
    guard let slash = folder.lastIndex(of: "/") else { return "" }
    return String(folder[..<slash])
}
