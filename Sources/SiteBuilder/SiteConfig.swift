import Diagnostics
import Foundation
import Liquid
import Yams

struct MenuEntry: Sendable {
    var name: String
    var url: String
    /// 0 when not given, which sorts after every other weight (`weightOrder`).
    var weight: Int
    var identifier: String?
}

struct Language: Sendable {
    var index: Int
    var code: String
    var name: String
    /// The site title in this language.
    var title: String
    /// The site's params with this language's params over them.
    var params: LiquidObject
    var menus: [(name: String, entries: [MenuEntry])]
    /// `""` for the default language, `/en` for the others: what goes before a page's path.
    var prefix: String
}

/// `site.yml`, checked and with its defaults filled in.
struct SiteConfig: Sendable {
    var title: String
    var baseURL: String
    /// `/portal` for `https://user.github.io/portal/`; empty for a site at the root of its host.
    var basePath: String
    /// `https://user.github.io/portal`; empty when the base URL has no scheme and host.
    var root: String
    var languages: [Language]
    var taxonomies: [String]
    var paginate: Int
    var unsafeHTML: Bool
    var linksExternal: Bool
    var linksLevel: Severity
    var linksIgnore: [String]
    /// Top-level keys Bridgehead does not know, kept as `site.<key>` as Jekyll keeps them.
    var extra: LiquidObject
    /// The custom domain GitHub Pages serves the site on, written to the output as `CNAME`.
    var cname: String? = nil
    /// `search: false` leaves the search index and script out of the build.
    var search = true

    var defaultLanguage: Language { languages[0] }

    /// The site-relative URL of a path (`/boston/` → `/portal/boston/`), with bytes that are not
    /// ASCII percent-encoded (`/소식/` → `/%EC%86%8C%EC%8B%9D/`), as Hugo and Jekyll write them
    /// and as cmark writes a Markdown link to the same page.
    func url(_ path: String) -> String { (basePath + path).percentEncodedNonASCII }

    /// The absolute URL of a path, or the site-relative one when the base URL names no host.
    func permalink(_ path: String) -> String { (root.isEmpty ? basePath + path : root + path).percentEncodedNonASCII }

    /// The address the link checker takes the output to be at: the base URL, or only its path
    /// when it names no host. Recorded in the output's marker file for `bridgehead check`.
    var linkCheckBaseURL: String { (root.isEmpty ? basePath : root) + "/" }
}

/// Keys a front matter uses for itself; a taxonomy cannot take one of these names.
let reservedPageKeys: Set<String> = [
    "title", "date", "updated", "draft", "layout", "slug", "url", "weight", "summary", "aliases", "translation_key",
    "search", "sitemap", "feed", "toc", "content", "permalink", "lang", "params", "source_path", "word_count",
    "reading_minutes", "translations", "prev", "next", "section", "kind", "pages", "sections", "terms",
]

/// The path of `base_url` in the text of a `site.yml` (`/portal` for
/// `https://user.github.io/portal/`, empty at the root of a host), read as the build reads it;
/// nil when the text makes no configuration, which the build reports.
public func configuredBasePath(ofSiteConfig text: String) -> String? {
    var loader = SiteConfigLoader(path: "site.yml", text: text)
    return loader.load(baseURLOverride: nil)?.basePath
}

struct SiteConfigLoader {
    let yaml: YAMLSource
    var errors: [Diagnostic] = []
    var warnings: [Diagnostic] = []

    init(path: String, text: String) {
        yaml = YAMLSource(path: path, fileText: text, lineOffset: 0)
    }

    /// The configuration, or nil when `errors` says why there is none.
    mutating func load(baseURLOverride: String?) -> SiteConfig? {
        let root: Node?
        do {
            root = try yaml.compose(yaml.fileText)
        } catch {
            errors.append(error as? Diagnostic ?? Diagnostic(at: nil, "\(error)"))
            return nil
        }
        guard let root else {
            errors.append(
                Diagnostic(
                    at: SourceLocation(file: yaml.path, line: 1, column: 1), "site.yml is empty",
                    hint: "it needs at least a title: title: \"My site\""))
            return nil
        }
        let pairs: [(key: String, keyNode: Node, value: Node)]
        do {
            pairs = try yaml.pairs(root, what: "site.yml")
        } catch {
            errors.append(error as? Diagnostic ?? Diagnostic(at: nil, "\(error)"))
            return nil
        }

        var title: String?
        var baseURL = "/"
        var baseURLNode: Node?
        var languageNode: Node?
        var taxonomies = ["tags"]
        var paginate = 0
        var unsafeHTML = false
        var linksExternal = false
        var linksLevel = Severity.error
        var linksIgnore: [String] = []
        var menus: [(String, [MenuEntry])] = []
        var params = LiquidObject()
        var extra = LiquidObject()
        var cname: String?
        var search = true

        for (key, keyNode, value) in pairs {
            do {
                switch key {
                case "title": title = try yaml.string(value, key: key)
                case "base_url":
                    baseURL = try yaml.string(value, key: key)
                    baseURLNode = value
                case "languages": languageNode = value
                case "taxonomies": taxonomies = try taxonomyNames(value)
                case "paginate":
                    paginate = try yaml.int(value, key: key)
                    if paginate < 0 { throw yaml.error("'paginate' must be 0 or more", at: value) }
                case "markdown":
                    for (subkey, subkeyNode, subvalue) in try yaml.pairs(value, what: "'markdown'") {
                        if subkey == "unsafe_html" {
                            unsafeHTML = try yaml.bool(subvalue, key: "markdown.unsafe_html")
                        } else {
                            unknownKey("markdown.\(subkey)", at: subkeyNode)
                        }
                    }
                case "links":
                    for (subkey, subkeyNode, subvalue) in try yaml.pairs(value, what: "'links'") {
                        switch subkey {
                        case "external": linksExternal = try yaml.bool(subvalue, key: "links.external")
                        case "level": linksLevel = try linkLevel(subvalue)
                        case "ignore": linksIgnore = try ignorePatterns(subvalue)
                        default: unknownKey("links.\(subkey)", at: subkeyNode)
                        }
                    }
                case "menus": menus = try self.menus(value, key: "menus")
                case "cname": cname = try hostName(value)
                case "search": search = try yaml.bool(value, key: key)
                case "params":
                    guard case .object(let object) = yaml.value(value) else {
                        throw yaml.error("'params' must be a mapping of keys to values", at: value)
                    }
                    params = object
                default:
                    unknownKey(key, at: keyNode)
                    extra[key] = yaml.value(value)
                }
            } catch {
                errors.append(error as? Diagnostic ?? Diagnostic(at: yaml.location(of: value), "\(error)"))
            }
        }
        guard let title else {
            if !pairs.isEmpty || errors.isEmpty {
                errors.append(
                    Diagnostic(
                        at: SourceLocation(file: yaml.path, line: 1, column: 1), "site.yml has no 'title'",
                        hint: "add a line: title: \"My site\"", sourceLine: yaml.fileText.line(1)))
            }
            return nil
        }
        if let baseURLOverride {
            baseURL = baseURLOverride
            baseURLNode = nil
        }
        guard let (basePath, siteRoot) = splitBaseURL(baseURL, node: baseURLNode) else { return nil }
        let languages = self.languages(languageNode, title: title, params: params, menus: menus)
        guard errors.isEmpty else { return nil }
        return SiteConfig(
            title: title, baseURL: baseURL, basePath: basePath, root: siteRoot, languages: languages,
            taxonomies: taxonomies, paginate: paginate, unsafeHTML: unsafeHTML, linksExternal: linksExternal,
            linksLevel: linksLevel, linksIgnore: linksIgnore, extra: extra, cname: cname, search: search)
    }

    /// `cname:`, the bare host name GitHub Pages expects in a `CNAME` file.
    private func hostName(_ node: Node) throws -> String {
        let name = try yaml.string(node, key: "cname")
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            labels.count >= 2
            && labels.allSatisfy { label in
                !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
                    }
            }
        guard valid else {
            throw yaml.error(
                "'cname' must be a host name like portal.example.org", at: node,
                hint: "write the domain alone, without https:// or a path")
        }
        return name
    }

    private mutating func unknownKey(_ key: String, at node: Node) {
        warnings.append(yaml.error("unknown key '\(key)' in site.yml", at: yaml.location(of: node), .warning))
    }

    /// The base path and the absolute root of a base URL, or nil after reporting why it is not one.
    private mutating func splitBaseURL(_ text: String, node: Node?) -> (String, String)? {
        if let split = baseURLParts(text) { return split }
        let message = "'base_url' " + baseURLRule
        if let node {
            errors.append(yaml.error(message, at: node))
        } else {
            errors.append(Diagnostic(at: nil, "--base-url: " + message))
        }
        return nil
    }

    private func taxonomyNames(_ node: Node) throws -> [String] {
        let names = try yaml.stringList(node, key: "taxonomies")
        var seen: Set<String> = []
        for (name, item) in zip(names, node.sequence ?? []) {
            guard isPathSegment(name), !name.hasPrefix("_"), !name.hasPrefix(".") else {
                throw yaml.error("taxonomy '\(name)' must be one URL path segment", at: item)
            }
            guard !reservedPageKeys.contains(name) else {
                throw yaml.error(
                    "taxonomy '\(name)' has the name of a front matter key", at: item, hint: "choose another name")
            }
            guard seen.insert(name).inserted else { throw yaml.error("taxonomy '\(name)' is listed twice", at: item) }
        }
        return names
    }

    private func linkLevel(_ node: Node) throws -> Severity {
        switch try yaml.string(node, key: "links.level") {
        case "error": return .error
        case "warning": return .warning
        default: throw yaml.error("'links.level' must be error or warning", at: node)
        }
    }

    private func ignorePatterns(_ node: Node) throws -> [String] {
        let patterns = try yaml.stringList(node, key: "links.ignore")
        for (pattern, item) in zip(patterns, node.sequence ?? []) {
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw yaml.error("'\(pattern)' is not a valid regular expression", at: item)
            }
        }
        return patterns
    }

    private mutating func menus(_ node: Node, key: String) throws -> [(String, [MenuEntry])] {
        var result: [(String, [MenuEntry])] = []
        for (name, _, list) in try yaml.pairs(node, what: "'\(key)'") {
            guard case .sequence(let items) = list else {
                throw yaml.error("menu '\(name)' must be a list of entries", at: list)
            }
            var entries: [MenuEntry] = []
            for item in items {
                var entryName: String?
                var url: String?
                var weight = 0
                var identifier: String?
                for (field, fieldNode, value) in try yaml.pairs(item, what: "a menu entry") {
                    switch field {
                    case "name": entryName = try yaml.string(value, key: "name")
                    case "url": url = try yaml.string(value, key: "url")
                    case "weight": weight = try yaml.int(value, key: "weight")
                    case "identifier": identifier = try yaml.string(value, key: "identifier")
                    default: unknownKey("\(key).\(name).\(field)", at: fieldNode)
                    }
                }
                guard let entryName, let url else {
                    throw yaml.error(
                        "a menu entry needs a 'name' and a 'url'", at: item,
                        hint: "write it as { name: \"Boston\", url: \"/boston/\", weight: 1 }")
                }
                entries.append(MenuEntry(name: entryName, url: url, weight: weight, identifier: identifier))
            }
            entries.sort { a, b in weightOrder(a.weight, b.weight) ?? precedesInScalarOrder(a.name, b.name) }
            result.append((name, entries))
        }
        return result
    }

    private mutating func languages(
        _ node: Node?, title: String, params: LiquidObject, menus: [(String, [MenuEntry])]
    ) -> [Language] {
        guard let node else {
            return [
                Language(index: 0, code: "en", name: "English", title: title, params: params, menus: menus, prefix: "")
            ]
        }
        guard case .sequence(let items) = node, !items.isEmpty else {
            errors.append(
                yaml.error(
                    "'languages' must be a list of { code, name } entries", at: node,
                    hint: "for example: languages: [{ code: ko, name: 한국어 }, { code: en, name: English }]"))
            return []
        }
        var result: [Language] = []
        var codes: Set<String> = []
        for item in items {
            do {
                var code: String?
                var name: String?
                var languageTitle = title
                var languageParams = params
                var languageMenus = menus
                for (field, fieldNode, value) in try yaml.pairs(item, what: "a language") {
                    switch field {
                    case "code":
                        let text = try yaml.string(value, key: "code")
                        guard !text.isEmpty,
                            text.unicodeScalars.allSatisfy({
                                $0.isASCII
                                    && ($0.properties.isAlphabetic || $0 == "-" || $0 == "_"
                                        || $0.properties.numericType != nil)
                            })
                        else {
                            throw yaml.error(
                                "a language code must be letters, digits and '-', like ko or pt-br", at: value)
                        }
                        guard codes.insert(text).inserted else {
                            throw yaml.error("language '\(text)' is listed twice", at: value)
                        }
                        code = text
                    case "name": name = try yaml.string(value, key: "name")
                    case "title": languageTitle = try yaml.string(value, key: "title")
                    case "params":
                        guard case .object(let object) = yaml.value(value) else {
                            throw yaml.error("'params' must be a mapping of keys to values", at: value)
                        }
                        for (key, override) in object.pairs { languageParams[key] = override }
                    case "menus":
                        for (menuName, entries) in try self.menus(value, key: "menus") {
                            if let existing = languageMenus.firstIndex(where: { $0.0 == menuName }) {
                                languageMenus[existing].1 = entries
                            } else {
                                languageMenus.append((menuName, entries))
                            }
                        }
                    default: unknownKey("languages.\(field)", at: fieldNode)
                    }
                }
                guard let code, let name else {
                    throw yaml.error(
                        "a language needs a 'code' and a 'name'", at: item, hint: "{ code: en, name: English }")
                }
                result.append(
                    Language(
                        index: result.count, code: code, name: name, title: languageTitle, params: languageParams,
                        menus: languageMenus, prefix: result.isEmpty ? "" : "/" + code))
            } catch {
                errors.append(error as? Diagnostic ?? Diagnostic(at: yaml.location(of: item), "\(error)"))
            }
        }
        return result
    }
}

let baseURLRule = "must be a full URL like https://example.org/ or a path like /portal/"

/// The base path and the absolute root of a base URL: `/portal` and `https://user.github.io/portal`
/// for `https://user.github.io/portal/`, `/portal` and `` for `/portal/`; nil for anything else.
func baseURLParts(_ text: String) -> (basePath: String, root: String)? {
    var trimmed = text
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    let invalid = trimmed.unicodeScalars.contains { $0 == " " || $0 == "?" || $0 == "#" || $0 == "\\" }
    if let schemeEnd = trimmed.range(of: "://") {
        let afterScheme = trimmed[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let host = afterScheme[..<pathStart]
        let scheme = trimmed[..<schemeEnd.lowerBound]
        if !host.isEmpty, !invalid, !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) {
            return (String(afterScheme[pathStart...]), trimmed)
        }
    } else if !invalid, trimmed.isEmpty || trimmed.hasPrefix("/") {
        return (trimmed, "")
    }
    return nil
}

/// Unicode scalar order, which neither locale nor normalisation can change (UTF-8 byte order
/// is the same order, and much cheaper to compare). With memcmp on the bytes in place: sorting
/// a large site's output paths (twenty thousand, several times a build, with long common
/// prefixes) through the generic `lexicographicallyPrecedes` was 1% of a build.
func precedesInScalarOrder(_ a: String, _ b: String) -> Bool {
    guard #available(macOS 26, *) else { return a.utf8.lexicographicallyPrecedes(b.utf8) }
    return a.utf8.span.withUnsafeBufferPointer { x in
        b.utf8.span.withUnsafeBufferPointer { y in
            let common = min(x.count, y.count)
            guard common > 0, let left = x.baseAddress, let right = y.baseAddress else { return x.count < y.count }
            let order = memcmp(left, right, common)
            return order != 0 ? order < 0 : x.count < y.count
        }
    }
}

/// One segment of a URL path: not empty, not `.` or `..`, no `/`, `\`, NUL or other control character.
func isPathSegment(_ text: String) -> Bool {
    guard !text.isEmpty, text != ".", text != ".." else { return false }
    return !text.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0 == "\u{7F}" }
}
