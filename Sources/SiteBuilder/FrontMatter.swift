import Diagnostics
import Liquid
import Yams

struct Located<Value: Sendable>: Sendable {
    var value: Value
    var location: SourceLocation
}

/// A page's front matter, checked against the contract's types.
struct FrontMatter: Sendable {
    var title = ""
    var date: LiquidDate?
    var updated: LiquidDate?
    var draft = false
    var layout: Located<String>?
    var slug: Located<String>?
    /// A normalised site path (`/about/`, `/feed.html`), without the base path.
    var url: Located<String>?
    var weight: Int?
    var summary: Located<String>?
    var aliases: [Located<String>] = []
    var translationKey: String?
    /// The terms of each taxonomy of `site.yml`, in its order, as written.
    var terms: [[String]] = []
    var params = LiquidObject()
}

/// The parts of a file that starts with `---` front matter.
struct FrontMatterSplit {
    var yaml: Substring
    var body: Substring
    /// The file line the body starts on.
    var bodyFirstLine: Int
}

/// Splits `text` at its front matter fences: `---` on the first line, `---` or `...` on a line of
/// its own to close. Nil when the file does not start with `---`.
func splitFrontMatter(_ text: String, path: String) throws -> FrontMatterSplit? {
    let utf8 = text.utf8
    var lineStart = utf8.startIndex
    var lineNumber = 1
    var yamlStart: String.Index?
    while lineStart < utf8.endIndex || (lineStart == utf8.endIndex && yamlStart != nil) {
        let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        let next = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
        var content = utf8[lineStart..<lineEnd]
        while let last = content.last,
            last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t")
        {
            content = content.dropLast()
        }
        let isDashes = content.elementsEqual("---".utf8)
        if let start = yamlStart {
            if isDashes || content.elementsEqual("...".utf8) {
                return FrontMatterSplit(
                    yaml: text[start..<lineStart], body: text[next...], bodyFirstLine: lineNumber + 1)
            }
        } else {
            guard isDashes else { return nil }
            yamlStart = next
        }
        if lineEnd == utf8.endIndex { break }
        lineStart = next
        lineNumber += 1
    }
    guard yamlStart != nil else { return nil }
    throw Diagnostic(
        at: SourceLocation(file: path, line: 1, column: 1), "front matter opened here is never closed",
        hint: "end the front matter with a line holding only ---", sourceLine: text.line(1))
}

/// Reads the front matter of a content file into typed fields.
struct FrontMatterReader {
    let yaml: YAMLSource
    let taxonomies: [String]

    func read(_ source: String) throws -> FrontMatter {
        let start = SourceLocation(file: yaml.path, line: 1, column: 1)
        guard let root = try yaml.compose(source) else {
            throw yaml.error("the front matter has no 'title'", at: start, hint: "add a line title: \"…\"")
        }
        var matter = FrontMatter()
        matter.terms = Array(repeating: [], count: taxonomies.count)
        var title: String?
        var errors: [Diagnostic] = []
        for (key, _, value) in try yaml.pairs(root, what: "the front matter") {
            do {
                switch key {
                case "title": title = try yaml.string(value, key: key)
                case "date": matter.date = try yaml.date(value, key: key)
                case "updated": matter.updated = try yaml.date(value, key: key)
                case "draft": matter.draft = try yaml.bool(value, key: key)
                case "layout":
                    matter.layout = Located(value: try yaml.string(value, key: key), location: yaml.location(of: value))
                case "slug":
                    let slug = try yaml.string(value, key: key)
                    guard isPathSegment(slug) else {
                        throw yaml.error(
                            "'slug' must be one URL path segment", at: value, hint: "use 'url' to set a whole path")
                    }
                    matter.slug = Located(value: slug, location: yaml.location(of: value))
                case "url":
                    let path = try sitePath(try yaml.string(value, key: key), key: key, node: value)
                    matter.url = Located(value: path, location: yaml.location(of: value))
                case "weight": matter.weight = try yaml.int(value, key: key)
                case "summary":
                    matter.summary = Located(
                        value: try yaml.string(value, key: key), location: yaml.location(of: value))
                case "aliases":
                    let items = try yaml.stringList(value, key: key)
                    for (alias, node) in zip(items, value.sequence ?? []) {
                        let path = try sitePath(alias, key: "aliases", node: node)
                        matter.aliases.append(Located(value: path, location: yaml.location(of: node)))
                    }
                case "translation_key": matter.translationKey = try yaml.string(value, key: key)
                case "search", "sitemap", "feed":
                    matter.params[key] = .bool(try yaml.bool(value, key: key))
                default:
                    if let index = taxonomies.firstIndex(of: key) {
                        matter.terms[index] = try terms(value, key: key)
                    } else {
                        matter.params[key] = yaml.value(value)
                    }
                }
            } catch let diagnostic as Diagnostic {
                errors.append(diagnostic)
            }
        }
        if title == nil, !errors.contains(where: { $0.message.hasPrefix("'title'") }) {
            errors.append(yaml.error("the front matter has no 'title'", at: start, hint: "add a line title: \"…\""))
        }
        guard errors.isEmpty, let title else { throw DiagnosticList(errors) }
        matter.title = title
        return matter
    }

    private func terms(_ node: Node, key: String) throws -> [String] {
        switch node {
        case .scalar:
            return [try yaml.string(node, key: key)]
        case .sequence(let items):
            return try items.map { item in
                guard case .scalar = item, let term = try? yaml.string(item, key: key), !term.isEmpty else {
                    throw yaml.error(
                        "'\(key)' must be a string or a list of strings", at: item, hint: "write [a, b] or one term")
                }
                return term
            }
        default:
            throw yaml.error(
                "'\(key)' must be a string or a list of strings", at: node, hint: "write [a, b] or one term")
        }
    }

    /// A `url` or alias as a normalised site path, or an error at its line.
    private func sitePath(_ text: String, key: String, node: Node) throws -> String {
        switch normaliseSitePath(text) {
        case .success(let path): return path
        case .failure(let problem):
            throw yaml.error(
                "'\(key)' \(problem.message)", at: node,
                hint: "write a path from the site's root, like /boston/labcentral/; pages stay inside the output folder"
            )
        }
    }
}

struct PathProblem: Error {
    var message: String
}

/// A site path written by a user (`about`, `/a/b/`, `/feed.html`) as `/a/b/` or `/feed.html`:
/// leading `/` added; a last segment without a `.` is a folder, so `/` is added; `..`, `.`,
/// backslashes and control characters refused, also after percent-decoding.
func normaliseSitePath(_ text: String) -> Result<String, PathProblem> {
    let segments = text.split(separator: "/", omittingEmptySubsequences: true)
    for segment in segments {
        let decoded = String(segment).percentDecoded
        if decoded == "." || decoded == ".." {
            return .failure(PathProblem(message: "must not contain '.' or '..' segments"))
        }
        if decoded.unicodeScalars.contains(where: { $0 == "\\" || $0 == "/" || $0.value < 0x20 || $0 == "\u{7F}" }) {
            return .failure(PathProblem(message: "must not contain backslashes or control characters"))
        }
    }
    if text.contains("?") || text.contains("#") {
        return .failure(PathProblem(message: "must be a path, without '?' or '#'"))
    }
    if isAbsoluteURLText(text) { return .failure(PathProblem(message: "must be a path on this site, not a full URL")) }
    guard let last = segments.last else { return .success("/") }
    var path = "/" + segments.joined(separator: "/")
    if text.hasSuffix("/") || !last.contains(".") { path += "/" }
    return .success(path)
}

/// `https://…`, `mailto:…`, `//host/…`: a URL that does not point into the site by path.
func isAbsoluteURLText(_ text: String) -> Bool {
    if text.hasPrefix("//") { return true }
    // A scheme is ASCII (RFC 3986: a letter, then letters, digits, + . -), so bytes suffice;
    // most links are relative and end the scan at their first byte.
    var length = 0
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): length += 1
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "-"):
            guard length > 0 else { return false }
            length += 1
        case UInt8(ascii: ":"): return length > 0
        default: return false
        }
    }
    return false
}

/// The output file of a site path: `/a/b/` → `a/b/index.html`, `/feed.html` → `feed.html`.
func outputPath(forSitePath path: String) -> String {
    let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
    let file = relative.isEmpty || relative.hasSuffix("/") ? relative + "index.html" : relative
    return file.percentDecoded
}
