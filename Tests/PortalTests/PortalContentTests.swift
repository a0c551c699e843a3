import Foundation
import Testing

private let taxonomies = ["organizations", "people"]

private func loadPortal() throws -> Portal {
    try Portal.loaded.get()
}

@Suite("Portal content")
struct PortalContentTests {
    @Test("every Korean page has an English translation and vice versa")
    func everyPageHasItsTranslation() throws {
        let portal = try loadPortal()
        let korean = Set(portal.pages.filter { $0.language == "ko" }.map(\.pairKey))
        let english = Set(portal.pages.filter { $0.language == "en" }.map(\.pairKey))
        #expect(korean.count >= 17, "expected the whole portal, found \(korean.count) Korean pages")
        for key in korean.subtracting(english).sorted() {
            Issue.record("content/\(key) has no English translation (\(key.dropLast(3)).en.md)")
        }
        for key in english.subtracting(korean).sorted() {
            Issue.record("content/\(key.dropLast(3)).en.md has no Korean original (\(key))")
        }
    }

    @Test("a page and its translation share headings, taxonomy entries and ordering keys")
    func translationsShareStructure() throws {
        let portal = try loadPortal()
        for english in portal.pages where english.language == "en" {
            guard let korean = portal.page(at: english.pairKey) else { continue }
            #expect(
                english.headings.map(\.level) == korean.headings.map(\.level),
                "content/\(english.path): heading levels differ from content/\(korean.path)")
            for key in ["weight", "date", "layout", "source", "toc"] {
                #expect(
                    english.frontMatter[key] == korean.frontMatter[key], "content/\(english.path): '\(key)' differs")
            }
            for taxonomy in taxonomies {
                let entries = portal.entries(for: taxonomy)
                let koreanIDs = Set(korean.terms(taxonomy).compactMap { term in entries.first { $0.ko == term }?.id })
                let englishIDs = Set(english.terms(taxonomy).compactMap { term in entries.first { $0.en == term }?.id })
                #expect(
                    koreanIDs == englishIDs,
                    "content/\(english.path): \(taxonomy) differ from the Korean page's by \(koreanIDs.symmetricDifference(englishIDs).sorted())"
                )
            }
        }
    }

    @Test("every page has a title, a summary, a date and a known source")
    func frontMatterIsComplete() throws {
        let portal = try loadPortal()
        for page in portal.pages {
            for key in ["title", "summary", "date", "source"] {
                #expect(page.frontMatter[key]?.string?.isEmpty == false, "content/\(page.path): '\(key)' is missing")
            }
            if let source = page.frontMatter["source"]?.string {
                #expect(portal.sourceKeys.contains(source), "content/\(page.path): unknown source '\(source)'")
            }
        }
    }

    @Test(
        "every figure in the comparison tables appears in the source article",
        .enabled(if: FileManager.default.fileExists(atPath: seedArticle.path), "the seed article is absent"))
    func comparisonFiguresAppearInSource() throws {
        let portal = try loadPortal()
        let article = try String(contentsOf: seedArticle, encoding: .utf8)
        let articleFigures = Set(article.matches(of: /[0-9]+/).map { String($0.output) })
        for path in ["compare.md", "compare.en.md"] {
            let page = try #require(portal.page(at: path), "content/\(path) is missing")
            let tableLines = page.body.split(separator: "\n").filter { $0.hasPrefix("|") }
            let figures = tableLines.flatMap { $0.matches(of: /[0-9]+/).map { String($0.output) } }
            #expect(Set(figures).isSuperset(of: ["3", "48", "500", "280"]), "content/\(path): tables lack figures")
            for figure in figures {
                #expect(articleFigures.contains(figure), "content/\(path): \(figure) is not a figure of the article")
            }
        }
    }

    @Test("taxonomy terms in front matter exist in the data files, in the page's language")
    func taxonomyTermsExistInDataFiles() throws {
        let portal = try loadPortal()
        for page in portal.pages {
            for taxonomy in taxonomies {
                let names = Set(portal.entries(for: taxonomy).map { $0.name(in: page.language) })
                for term in page.terms(taxonomy) {
                    #expect(
                        names.contains(term),
                        "content/\(page.path): '\(term)' is not a `\(page.language)` name in _data/\(taxonomy).yml")
                }
            }
        }
    }

    @Test("every data entry is listed by at least one page in each language")
    func everyDataEntryAppearsOnAPage() throws {
        let portal = try loadPortal()
        for taxonomy in taxonomies {
            let entries = portal.entries(for: taxonomy)
            #expect(!entries.isEmpty, "_data/\(taxonomy).yml has no entries")
            #expect(Set(entries.map(\.id)).count == entries.count, "_data/\(taxonomy).yml repeats an id")
            for entry in entries {
                for language in ["ko", "en"] {
                    let listed = portal.pages.contains {
                        $0.language == language && $0.terms(taxonomy).contains(entry.name(in: language))
                    }
                    #expect(listed, "\(entry.file):\(entry.line): '\(entry.id)' is on no \(language) page")
                }
            }
        }
    }

    /// Keeps the taxonomy lists honest: a page lists exactly the organisations and people its
    /// text names, so each term page lists exactly the pages where the name appears.
    @Test("a page's taxonomy terms are exactly the names its text mentions")
    func taxonomyTermsMatchMentions() throws {
        let portal = try loadPortal()
        for page in portal.pages {
            for taxonomy in taxonomies {
                let entries = portal.entries(for: taxonomy)
                let forms = entries.flatMap { entry in entry.mentionForms(in: page.language).map { ($0, entry.id) } }
                    .sorted { $0.0.count > $1.0.count }
                var text = page.readableText
                var mentioned: Set<String> = []
                for (form, id) in forms {
                    while let range = text.range(of: form) {
                        mentioned.insert(id)
                        text.replaceSubrange(range, with: String(repeating: "\u{1}", count: form.count))
                    }
                }
                let listed = Set(
                    page.terms(taxonomy).compactMap { term in entries.first { $0.name(in: page.language) == term }?.id }
                )
                for id in mentioned.subtracting(listed).sorted() {
                    Issue.record("content/\(page.path): mentions '\(id)' but does not list it in `\(taxonomy)`")
                }
                for id in listed.subtracting(mentioned).sorted() {
                    Issue.record("content/\(page.path): lists '\(id)' in `\(taxonomy)` but never mentions it")
                }
            }
        }
    }

    @Test("every relative link names an existing content file in the page's language, and an existing heading")
    func relativeLinksResolve() throws {
        let portal = try loadPortal()
        var linkCount = 0
        for page in portal.pages {
            for link in page.links where !link.destination.contains(":") && !link.destination.hasPrefix("/") {
                linkCount += 1
                let place = "content/\(page.path):\(link.line)"
                let parts = link.destination.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let target: ContentPage
                if parts[0].isEmpty {
                    target = page
                } else {
                    #expect(parts[0].hasSuffix(".md"), "\(place): '\(link.destination)' is not a content file")
                    let path = URL(fileURLWithPath: "/" + page.folder).appendingPathComponent(String(parts[0]))
                        .standardizedFileURL.path.dropFirst()
                    guard let found = portal.page(at: String(path)) else {
                        Issue.record("\(place): '\(link.destination)' names no content file")
                        continue
                    }
                    #expect(found.language == page.language, "\(place): '\(link.destination)' is in another language")
                    target = found
                }
                if parts.count == 2 {
                    #expect(
                        target.headings.contains { $0.id == parts[1] },
                        "\(place): content/\(target.path) has no heading with id '\(parts[1])'")
                }
            }
        }
        #expect(linkCount > 50, "expected the portal's cross-links, found \(linkCount)")
    }

    @Test("the timeline names known entries and existing pages, in date order")
    func timelineIsConsistent() throws {
        let portal = try loadPortal()
        #expect(portal.timeline.map { $0.string("order") } == (1...portal.timeline.count).map { "\($0)" })
        let dates = portal.timeline.compactMap { $0.string("date") }
        #expect(dates.count == portal.timeline.count && dates == dates.sorted(), "timeline dates are not in order")
        for event in portal.timeline {
            let place = "\(event.file):\(event.line)"
            for language in ["ko", "en"] {
                for key in ["title", "participants", "what"] {
                    #expect(event.string("\(key)_\(language)")?.isEmpty == false, "\(place): '\(key)_\(language)'")
                }
                let url = event.string("url_\(language)") ?? ""
                let page = portal.page(forURL: url)
                #expect(page?.language == language, "\(place): url_\(language) '\(url)' names no \(language) page")
            }
            for (key, taxonomy) in [("organizations", "organizations"), ("people", "people")] {
                let ids = Set(portal.entries(for: taxonomy).map(\.id))
                for id in event.list(key) {
                    #expect(ids.contains(id), "\(place): unknown \(taxonomy) id '\(id)'")
                }
            }
        }
        for person in portal.people {
            let organization = person.string("organization") ?? ""
            #expect(
                portal.organizations.contains { $0.id == organization },
                "\(person.file):\(person.line): unknown organization '\(organization)'")
        }
    }
}

extension DataEntry {
    fileprivate var ko: String { name(in: "ko") }
    fileprivate var en: String { name(in: "en") }
}
