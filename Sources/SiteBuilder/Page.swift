import Diagnostics
import Liquid
import Markdown
import Synchronization

enum PageKind: String, Sendable {
    case home
    case section
    case page
    case taxonomy
    case term
    case notFound = "404"

    var isList: Bool { self == .home || self == .section || self == .term }
    var isSection: Bool { self == .home || self == .section }
}

/// A Markdown file read up to its body: where it is, its language and its front matter.
struct ContentFile: Sendable {
    /// The path below `content/`: `boston/labcentral.en.md`.
    var relativePath: String
    /// The folder below `content/` (`boston`, or empty at the root).
    var folder: String
    /// The name without language and `.md`: `labcentral`, `_index`, `index`.
    var stem: String
    var language: Int
    /// `content/boston/labcentral.en.md`, as `page.source_path` shows it.
    var sourcePath: String
    /// The path diagnostics show (relative to the current folder).
    var displayPath: String
    var text: String
    var body: Substring
    var bodyFirstLine: Int
    var matter: FrontMatter

    /// The content folder whose URL the page takes: its own for `_index.md` and bundles'
    /// `index.md`, else the folder plus its name.
    var urlFolder: String {
        if stem == "_index" || stem == "index" { return folder }
        return folder.isEmpty ? stem : folder + "/" + stem
    }
}

/// A page of the site, and the object templates see as `page`, `section` or a list item.
///
/// Pages are built and linked on one thread in the graph stage and filled in by exactly one
/// worker each in the parse stage; the render stage only reads them, from many threads.
final class Page: LiquidDrop, @unchecked Sendable {
    let kind: PageKind
    let language: Int
    let lang: String
    var title: String
    /// The path below the site root without the base path: `/en/boston/`.
    var path = "/"
    var url = "/"
    var permalink = "/"
    var outputPath = "index.html"
    var date: LiquidDate?
    var updated: LiquidDate?
    var draft = false
    var weight: Int?
    var params = LiquidObject()
    /// Replaced only by a live rebuild whose edit left the front matter as it was.
    var source: ContentFile?
    /// The content folder a section stands for (`boston/labs`; empty for the home).
    var folder = ""
    var taxonomy: Int?
    var layoutChain: [Layout] = []

    var contentHTML = ""
    var summaryHTML = ""
    var toc: LiquidValue = .array([])
    /// The text without markup, counted only when a template asks for `word_count`.
    private(set) var plainText = ""
    private let countedWords = Atomic<Int>(-1)
    var markdownLinks: [MarkdownLink] = []

    var section: Page?
    var prev: Page?
    var next: Page?
    var translations: [Page] = []
    /// A section's regular pages, or a term's pages, in the standard order.
    var pages: [Page] = []
    var sections: [Page] = []
    /// Each taxonomy's terms of this page (`page.tags`), as written.
    var terms: [[String]] = []
    let taxonomyNames: [String]

    var pagesValue: LiquidValue = .array([])
    var sectionsValue: LiquidValue = .array([])
    var termsValue: LiquidValue = .nil
    var translationsValue: LiquidValue = .array([])
    var termValues: [LiquidValue] = []

    init(kind: PageKind, language: Language, title: String, source: ContentFile?, taxonomyNames: [String]) {
        self.kind = kind
        self.language = language.index
        self.lang = language.code
        self.title = title
        self.source = source
        self.taxonomyNames = taxonomyNames
    }

    var sourcePath: String? { source?.sourcePath }

    /// Whether the front matter sets `key` (`search`, `sitemap`, `feed`) to false, which leaves
    /// the page out of that output.
    func optsOut(of key: String) -> Bool {
        if case .bool(false)? = params[key] { return true }
        return false
    }

    /// Where diagnostics about this page point: its file, or what generated it.
    var origin: String {
        if let source { return source.displayPath }
        switch kind {
        case .taxonomy: return "the '\(path)' taxonomy index"
        case .term: return "the '\(path)' taxonomy term page"
        case .notFound: return "the 404 page"
        case .home: return "the home page of language '\(lang)'"
        default: return "the '\(path)' section page"
        }
    }

    /// Fills the values lists give templates; called once the graph is complete.
    func freeze() {
        pagesValue = .array(pages.map { .drop($0) })
        sectionsValue = .array(sections.map { .drop($0) })
        translationsValue = .array(
            translations.map { ["lang": .string($0.lang), "url": .string($0.url), "title": .string($0.title)] })
        termValues = terms.map { .array($0.map(LiquidValue.string)) }
    }

    /// Breaks the references between pages so that a finished build frees them.
    func unlink() {
        section = nil
        prev = nil
        next = nil
        translations = []
        pages = []
        sections = []
        pagesValue = .nil
        sectionsValue = .nil
        termsValue = .nil
        translationsValue = .nil
        layoutChain = []
    }

    /// Words as `number_of_words` counts them, each Hangul, Han or Kana character as one; counted
    /// once, by whichever render asks first.
    var wordCount: Int {
        let known = countedWords.load(ordering: .relaxed)
        if known >= 0 { return known }
        let counted = countWords(plainText)
        countedWords.store(counted, ordering: .relaxed)
        return counted
    }

    /// At 250 words a minute, rounded up: a page with any words takes at least a minute, and
    /// one without words (a list page, an empty body) none, as in Hugo.
    var readingMinutes: Int { (wordCount + 249) / 250 }

    /// Takes the text of a body parsed again, so that `word_count` counts it afresh.
    func setPlainText(_ text: String) {
        plainText = text
        countedWords.store(-1, ordering: .relaxed)
    }

    func value(forKey key: String) -> LiquidValue? {
        switch key {
        case "title": return .string(title)
        case "content", "summary", "toc", "word_count", "reading_minutes":
            BodyReads.note(self)
            return bodyValue(key)
        case "url": return .string(url)
        case "permalink": return .string(permalink)
        case "date": return date.map(LiquidValue.date) ?? .nil
        case "updated": return updated.map(LiquidValue.date) ?? .nil
        case "lang": return .string(lang)
        case "draft": return .bool(draft)
        case "weight": return weight.map(LiquidValue.int) ?? .nil
        case "params": return .object(params)
        case "source_path": return sourcePath.map(LiquidValue.string) ?? .nil
        case "translations": return translationsValue
        case "prev": return prev.map { .drop($0) } ?? .nil
        case "next": return next.map { .drop($0) } ?? .nil
        case "section": return section.map { .drop($0) } ?? .nil
        case "kind": return .string(kind.rawValue)
        case "pages": return kind.isList ? pagesValue : nil
        case "sections": return kind.isSection ? sectionsValue : nil
        case "terms": return kind == .taxonomy ? termsValue : nil
        default:
            if let index = taxonomyNames.firstIndex(of: key) {
                return index < termValues.count ? termValues[index] : .array([])
            }
            return nil
        }
    }

    /// The properties made from the Markdown body, the only ones an edit of the body changes.
    private func bodyValue(_ key: String) -> LiquidValue? {
        switch key {
        case "content": return .string(contentHTML)
        case "summary": return .string(summaryHTML)
        case "toc": return toc
        case "word_count": return .int(wordCount)
        default: return .int(readingMinutes)
        }
    }

    /// What `jsonify` shows: every property but those that lead to other pages (and back).
    var propertyNames: [String] {
        [
            "title", "url", "permalink", "date", "updated", "lang", "draft", "weight", "kind", "source_path",
            "word_count", "reading_minutes", "summary", "content", "toc", "translations", "params",
        ] + taxonomyNames
    }

    var outputText: String { title }
}

/// The standard order of `pages` everywhere: pages with a weight first, by weight; then the
/// newest date first, undated last; then title in Unicode scalar order; then source path.
/// `weight: 0` counts as no weight, as in Hugo.
func standardOrder(_ a: Page, _ b: Page) -> Bool {
    if let order = weightOrder(a.weight ?? 0, b.weight ?? 0) { return order }
    switch (a.date, b.date) {
    case (let x?, let y?) where x.date != y.date: return x.date > y.date
    case (.some, .none): return true
    case (.none, .some): return false
    default: break
    }
    if !a.title.utf8.elementsEqual(b.title.utf8) { return precedesInScalarOrder(a.title, b.title) }
    return precedesInScalarOrder(a.sourcePath ?? a.path, b.sourcePath ?? b.path)
}

/// Hugo's weight rule for pages and menu entries: a weight of 0 (or none) sorts after every
/// other weight, negative ones first. Nil when the weights do not decide.
func weightOrder(_ a: Int, _ b: Int) -> Bool? {
    guard a != b else { return nil }
    if a == 0 { return false }
    if b == 0 { return true }
    return a < b
}
