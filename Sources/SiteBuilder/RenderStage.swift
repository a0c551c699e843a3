import Diagnostics
import Liquid
import Parallel

/// Renders every page through its layouts (on all cores, results kept in page order), then
/// makes the other outputs: alias pages, sitemap, feeds, robots.txt, the marker, and the
/// static and content files to copy.
enum RenderStage {
    struct Rendered {
        var html: OutputFile?
        var diagnostics: [Diagnostic]
        /// The pages whose body the render read, when asked for.
        var bodyReads: Set<ObjectIdentifier> = []
    }

    static func run(_ state: BuildState) async {
        guard let graph = state.graph, let config = state.config else { return }
        let jobs = graph.jobs
        let recording = state.live != nil
        let results = parallelMap(jobs.count, serial: !state.options.parallel) { index in
            render(jobs[index], graph: graph, recordingBodyReads: recording)
        }
        state.live?.bodyReads = results.map(\.bodyReads)
        for (job, result) in zip(jobs, results) {
            result.diagnostics.forEach(state.fail)
            if let html = result.html {
                state.outputs[job.outputPath] = html
                state.pagesRendered += 1
            }
        }
        for alias in graph.aliases {
            state.outputs[alias.outputPath] = .text(aliasPage(for: alias.page))
        }
        state.outputs["sitemap.xml"] = .text(sitemap(graph))
        for site in graph.languages {
            let entries = feedEntries(site)
            state.live?.feedEntries.append(entries)
            state.outputs[outputPath(forSitePath: site.language.prefix + "/feed.xml")] = .text(
                feed(site, entries: entries, config: config))
        }
        state.outputs["robots.txt"] = .text(robots(config))
        state.outputs[OutputFolder.markerName] = .text(OutputFolder.markerText(baseURL: config.linkCheckBaseURL))
        for file in state.staticFiles { state.outputs[file.relative] = .copy(from: file.absolute) }
        for file in state.copiedFiles { state.outputs[file.relative] = .copy(from: file.absolute) }
    }

    static func render(_ job: RenderJob, graph: SiteGraph, recordingBodyReads: Bool) -> Rendered {
        guard recordingBodyReads else { return render(job, graph: graph) }
        var (rendered, reads) = BodyReads.recording { render(job, graph: graph) }
        rendered.bodyReads = reads
        return rendered
    }

    private static func render(_ job: RenderJob, graph: SiteGraph) -> Rendered {
        let page = job.page
        var context: [String: LiquidValue] = [
            "page": .drop(page),
            "site": graph.languages[page.language].siteValue,
            "section": page.kind.isSection ? .drop(page) : page.section.map { .drop($0) } ?? .nil,
        ]
        if let paginator = job.paginator { context["paginator"] = paginator }
        var warnings: [Diagnostic] = []
        let rendering = Diagnostic(.note, at: nil, "while rendering \(page.origin)")
        // Layouts hand their output on as a String (the next one's `content`); the last one's
        // stays bytes, as it is written.
        var html = OutputFile.text(page.contentHTML)
        do {
            for (position, layout) in page.layoutChain.enumerated() {
                if case .text(let content) = html { context["content"] = .string(content) }
                context["layout"] = layout.frontMatter
                html =
                    position == page.layoutChain.count - 1
                    ? .bytes(try layout.template.renderUTF8(context, warnings: &warnings))
                    : .text(try layout.template.render(context, warnings: &warnings))
            }
        } catch let diagnostic as Diagnostic {
            return Rendered(
                html: nil,
                diagnostics: warnings.map { $0.adding(cause: rendering) } + [diagnostic.adding(cause: rendering)])
        } catch {
            return Rendered(html: nil, diagnostics: [Diagnostic(at: nil, "\(error)", causes: [rendering])])
        }
        return Rendered(html: html, diagnostics: warnings.map { $0.adding(cause: rendering) })
    }
}

/// A page at an old URL that sends the reader to the new one.
func aliasPage(for page: Page) -> String {
    let url = page.url.xmlEscaped
    return """
        <!doctype html>
        <html lang="\(page.lang.xmlEscaped)">
        <head>
        <meta charset="utf-8">
        <title>\(page.title.xmlEscaped)</title>
        <link rel="canonical" href="\(page.permalink.xmlEscaped)">
        <meta name="robots" content="noindex">
        <meta http-equiv="refresh" content="0; url=\(url)">
        </head>
        <body>
        <p>This page has moved to <a href="\(url)">\(url)</a>.</p>
        </body>
        </html>

        """
}

private let xmlSchemaFormat = "%Y-%m-%dT%H:%M:%S%:z"

/// Every page of every language but those with `sitemap: false`, with its translations as
/// `hreflang` alternates, sorted by URL.
func sitemap(_ graph: SiteGraph) -> String {
    // Each page's entry made on all cores: on one, the 10,000 of the benchmark corpus kept the
    // other core idle for 0.02 s after the render stage's pages (perf).
    let listed = graph.pages.filter { !$0.layoutChain.isEmpty && !$0.optsOut(of: "sitemap") }
    var entries = parallelMap(listed.count) { index -> (location: String, text: String) in
        let page = listed[index]
        let location = page.permalink.xmlEscaped
        var text = "  <url>\n    <loc>\(location)</loc>\n"
        if let modified = page.updated ?? page.date {
            text += "    <lastmod>\(formatDate(modified, xmlSchemaFormat))</lastmod>\n"
        }
        // An alternate is only listed where the sitemap lists it too.
        let translations = page.translations.filter { !$0.optsOut(of: "sitemap") }
        if !translations.isEmpty {
            for version in ([page] + translations).sorted(by: { $0.language < $1.language }) {
                let href = version.permalink.xmlEscaped
                text += "    <xhtml:link rel=\"alternate\" hreflang=\"\(version.lang.xmlEscaped)\" href=\"\(href)\"/>\n"
            }
        }
        return (location, text + "  </url>\n")
    }
    entries.sort { precedesInScalarOrder($0.location, $1.location) }
    return """
        <?xml version="1.0" encoding="utf-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">

        """ + entries.map(\.text).joined() + "</urlset>\n"
}

/// The pages of the language's feed: its 20 newest dated pages, but those with `feed: false`.
func feedEntries(_ site: LanguageSite) -> [Page] {
    let dated = site.pages.filter { $0.date != nil && !$0.optsOut(of: "feed") }.sorted { a, b in
        guard let x = a.date?.date, let y = b.date?.date, x != y else { return standardOrder(a, b) }
        return x > y
    }
    return Array(dated.prefix(20))
}

/// The language's Atom feed of `entries`. Its `updated` is the newest page's date, never the
/// clock, so that the same content gives the same feed.
func feed(_ site: LanguageSite, entries newest: [Page], config: SiteConfig) -> String {
    let updated = newest.compactMap { $0.updated ?? $0.date }.max { $0.date < $1.date }
    let home = site.home.permalink.xmlEscaped
    let own = config.permalink(site.language.prefix + "/feed.xml").xmlEscaped
    var text = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(site.language.code.xmlEscaped)">
          <title>\(site.language.title.xmlEscaped)</title>
          <id>\(home)</id>
          <link rel="self" href="\(own)"/>
          <link rel="alternate" href="\(home)"/>
          <updated>\(updated.map { formatDate($0, xmlSchemaFormat) } ?? "1970-01-01T00:00:00+00:00")</updated>
          <author><name>\(site.language.title.xmlEscaped)</name></author>

        """
    for page in newest {
        guard let date = page.date else { continue }
        let link = page.permalink.xmlEscaped
        text += """
              <entry>
                <title>\(page.title.xmlEscaped)</title>
                <link rel="alternate" href="\(link)"/>
                <id>\(link)</id>
                <published>\(formatDate(date, xmlSchemaFormat))</published>
                <updated>\(formatDate(page.updated ?? date, xmlSchemaFormat))</updated>
                <summary type="html">\(page.summaryHTML.xmlEscaped)</summary>
              </entry>

            """
    }
    return text + "</feed>\n"
}

func robots(_ config: SiteConfig) -> String {
    "User-agent: *\nAllow: /\nSitemap: \(config.permalink("/sitemap.xml"))\n"
}
