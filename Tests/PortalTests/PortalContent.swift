import Foundation
import Markdown

// The portal's content read without the site builder (which it checks), so the
// front matter and data files are read with a strict reader for the small YAML subset the
// portal uses. Anything outside that subset is an error, never a silent misreading.

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let contentFolder = packageRoot.appendingPathComponent("content")
let seedArticle = packageRoot.appendingPathComponent("../shared/seed/daejeon-boston-2019-04-18.ko.txt")
    .standardizedFileURL

struct ContentError: Error, CustomStringConvertible {
    var file: String
    var line: Int
    var message: String
    var description: String { "\(file):\(line): \(message)" }
}

enum YAMLValue: Equatable, Sendable {
    case null
    case string(String)
    case list([String])

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var list: [String] {
        if case .list(let items) = self { return items }
        return []
    }
}

typealias YAMLMapping = [String: YAMLValue]

/// Reads the subset of YAML the portal writes: `key: scalar`, `key: [flow, list]`, `key:`
/// followed by `  - item` lines, double-quoted strings with `\"` and `\\` escapes, `null`.
enum SubsetYAML {
    static func mapping(_ lines: [Substring], file: String, firstLine: Int) throws -> YAMLMapping {
        var mapping = YAMLMapping()
        var openList: String?
        for (offset, line) in lines.enumerated() {
            let lineNumber = firstLine + offset
            if isBlankOrComment(line) { continue }
            if line.hasPrefix("  - "), let key = openList {
                let item = try scalar(line.dropFirst(4), file: file, line: lineNumber)
                guard let text = item.string else {
                    throw ContentError(file: file, line: lineNumber, message: "list items must be strings")
                }
                mapping[key] = .list(mapping[key, default: .list([])].list + [text])
                continue
            }
            let (key, rest) = try keyAndRest(line, file: file, line: lineNumber)
            if mapping[key] != nil {
                throw ContentError(file: file, line: lineNumber, message: "duplicate key '\(key)'")
            }
            if rest.isEmpty {
                mapping[key] = .list([])
                openList = key
            } else {
                mapping[key] = try scalar(rest, file: file, line: lineNumber)
                openList = nil
            }
        }
        return mapping
    }

    /// A top-level list of mappings: `- key: value` opens an entry, `  key: value` continues it.
    static func listOfMappings(_ text: String, file: String) throws -> [(line: Int, entry: YAMLMapping)] {
        var entries: [(line: Int, entry: YAMLMapping)] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            if isBlankOrComment(line) { continue }
            let body: Substring
            if line.hasPrefix("- ") {
                entries.append((lineNumber, [:]))
                body = line.dropFirst(2)
            } else if line.hasPrefix("  "), !entries.isEmpty {
                body = line.dropFirst(2)
            } else {
                throw ContentError(file: file, line: lineNumber, message: "expected '- key: value' or '  key: value'")
            }
            let (key, rest) = try keyAndRest(body, file: file, line: lineNumber)
            guard entries[entries.count - 1].entry[key] == nil else {
                throw ContentError(file: file, line: lineNumber, message: "duplicate key '\(key)'")
            }
            entries[entries.count - 1].entry[key] = try scalar(rest, file: file, line: lineNumber)
        }
        return entries
    }

    /// The keys of a top-level mapping whose values are nested mappings.
    static func topLevelKeys(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first != " ", first != "#", line.hasSuffix(":") else { return nil }
            return String(line.dropLast())
        }
    }

    private static func isBlankOrComment(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " }
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    private static func keyAndRest(_ line: Substring, file: String, line lineNumber: Int) throws -> (String, Substring)
    {
        guard let colon = line.firstIndex(of: ":"),
            !line[..<colon].isEmpty,
            line[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw ContentError(file: file, line: lineNumber, message: "expected 'key: value', found '\(line)'")
        }
        let rest = line[line.index(after: colon)...].drop { $0 == " " }
        return (String(line[..<colon]), rest)
    }

    static func scalar(_ raw: Substring, file: String, line: Int) throws -> YAMLValue {
        if raw == "null" || raw == "~" { return .null }
        if raw.hasPrefix("\"") {
            let (text, rest) = try quoted(raw, file: file, line: line)
            guard rest.isEmpty else {
                throw ContentError(file: file, line: line, message: "text after a quoted string: '\(rest)'")
            }
            return .string(text)
        }
        if raw.hasPrefix("[") {
            guard raw.hasSuffix("]") else {
                throw ContentError(file: file, line: line, message: "a flow list must end with ']'")
            }
            var rest = raw.dropFirst().dropLast().drop { $0 == " " }
            var items: [String] = []
            while !rest.isEmpty {
                let item: String
                if rest.hasPrefix("\"") {
                    (item, rest) = try quoted(rest, file: file, line: line)
                } else {
                    let end = rest.firstIndex(of: ",") ?? rest.endIndex
                    item = rest[..<end].trimmingCharacters(in: .whitespaces)
                    rest = rest[end...]
                }
                items.append(item)
                rest = rest.drop { $0 == " " }
                if rest.hasPrefix(",") {
                    rest = rest.dropFirst().drop { $0 == " " }
                } else if !rest.isEmpty {
                    throw ContentError(file: file, line: line, message: "expected ',' in a flow list")
                }
            }
            return .list(items)
        }
        if raw.contains(" #") || raw.hasPrefix("'") || raw.hasPrefix("{") {
            throw ContentError(file: file, line: line, message: "unsupported plain scalar '\(raw)'; quote it with \"")
        }
        return .string(String(raw))
    }

    private static func quoted(_ raw: Substring, file: String, line: Int) throws -> (String, Substring) {
        var text = ""
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let character = raw[index]
            if character == "\"" { return (text, raw[raw.index(after: index)...]) }
            if character == "\\" {
                index = raw.index(after: index)
                guard index < raw.endIndex, raw[index] == "\"" || raw[index] == "\\" else {
                    throw ContentError(file: file, line: line, message: "only \\\" and \\\\ escapes are supported")
                }
            }
            text.append(raw[index])
            index = raw.index(after: index)
        }
        throw ContentError(file: file, line: line, message: "a quoted string is never closed")
    }
}

struct ContentHeading: Equatable {
    var level: Int
    var id: String
    var line: Int
}

struct ContentLink {
    var destination: String
    var line: Int
}

struct ContentPage {
    /// Path under `content/`, e.g. `boston/labcentral.en.md`.
    var path: String
    var language: String
    /// The path with the language marker removed: a page and its translation share it.
    var pairKey: String
    var frontMatter: YAMLMapping
    var body: String
    var bodyFirstLine: Int

    init(path: String, text: String) throws {
        self.path = path
        let isEnglish = path.hasSuffix(".en.md")
        language = isEnglish ? "en" : "ko"
        pairKey = isEnglish ? String(path.dropLast(".en.md".count)) + ".md" : path
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "---", let closing = lines.dropFirst().firstIndex(of: "---") else {
            throw ContentError(file: path, line: 1, message: "front matter must open and close with '---'")
        }
        frontMatter = try SubsetYAML.mapping(Array(lines[1..<closing]), file: path, firstLine: 2)
        body = lines[(closing + 1)...].joined(separator: "\n")
        bodyFirstLine = closing + 2
    }

    var folder: String { (path as NSString).deletingLastPathComponent }

    func terms(_ taxonomy: String) -> [String] { frontMatter[taxonomy]?.list ?? [] }

    /// ATX headings with the ids cmark-gfm output gets (GitHub's rule, repeats numbered).
    var headings: [ContentHeading] {
        var result: [ContentHeading] = []
        var taken: Set<String> = []
        var repeats: [String: Int] = [:]
        for (offset, line) in bodyLines where !line.isCode {
            let hashes = line.text.prefix { $0 == "#" }
            guard (1...6).contains(hashes.count), line.text.dropFirst(hashes.count).first == " " else { continue }
            let title = line.text.dropFirst(hashes.count + 1).trimmingCharacters(in: .whitespaces)
            var id = headingID(for: title)
            if id.isEmpty { id = "section" }
            let base = id
            while taken.contains(id) {
                repeats[base, default: 0] += 1
                id = "\(base)-\(repeats[base, default: 0])"
            }
            taken.insert(id)
            result.append(ContentHeading(level: hashes.count, id: id, line: bodyFirstLine + offset))
        }
        return result
    }

    /// Inline links and images (`[text](destination)`), outside code.
    var links: [ContentLink] {
        var result: [ContentLink] = []
        for (offset, line) in bodyLines where !line.isCode {
            for match in line.text.matches(of: /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/) {
                result.append(ContentLink(destination: String(match.output.1), line: bodyFirstLine + offset))
            }
        }
        return result
    }

    /// Title, summary and body as a reader sees them: link destinations removed.
    var readableText: String {
        let parts = [frontMatter["title"]?.string, frontMatter["summary"]?.string, body].compactMap { $0 }
        return parts.joined(separator: "\n").replacing(/\]\([^)]*\)/, with: "]")
    }

    private var bodyLines: [(Int, (text: Substring, isCode: Bool))] {
        var inFence = false
        return body.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { offset, line in
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                return (offset, (line, true))
            }
            return (offset, (line, inFence))
        }
    }
}

struct DataEntry {
    var file: String
    var line: Int
    var fields: YAMLMapping

    var id: String { fields["id"]?.string ?? "" }
    func string(_ key: String) -> String? { fields[key]?.string }
    func list(_ key: String) -> [String] { fields[key]?.list ?? [] }

    /// The name a page in `language` lists in its front matter.
    func name(in language: String) -> String { string(language) ?? "" }

    /// Every form a page in `language` may use for this entry. Korean pages also use the
    /// Latin-letter names the article itself gives (`en_note: null`), as the article does.
    func mentionForms(in language: String) -> [String] {
        var forms = [name(in: language)] + list("\(language)_alt")
        if language == "ko", fields["en_note"] == .null { forms.append(name(in: "en")) }
        return forms.filter { !$0.isEmpty }
    }
}

struct Portal {
    var pages: [ContentPage]
    var organizations: [DataEntry]
    var people: [DataEntry]
    var timeline: [DataEntry]
    var sourceKeys: [String]

    static let loaded: Result<Portal, Error> = Result { try Portal(folder: contentFolder) }

    init(folder: URL) throws {
        let manager = FileManager.default
        guard let walker = manager.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey]) else {
            throw ContentError(file: folder.path, line: 0, message: "cannot read the content folder")
        }
        var pages: [ContentPage] = []
        let prefix = folder.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            let isFolder = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
            let name = url.lastPathComponent
            if isFolder, name.hasPrefix("_") || name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            guard !isFolder, url.pathExtension == "md" else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            pages.append(try ContentPage(path: path, text: try String(contentsOf: url, encoding: .utf8)))
        }
        self.pages = pages.sorted { $0.path < $1.path }
        func entries(_ name: String) throws -> [DataEntry] {
            let file = "_data/\(name).yml"
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return try SubsetYAML.listOfMappings(text, file: file).map {
                DataEntry(file: file, line: $0.line, fields: $0.entry)
            }
        }
        organizations = try entries("organizations")
        people = try entries("people")
        timeline = try entries("timeline")
        let sources = try String(contentsOf: folder.appendingPathComponent("_data/sources.yml"), encoding: .utf8)
        sourceKeys = SubsetYAML.topLevelKeys(sources)
    }

    func entries(for taxonomy: String) -> [DataEntry] {
        taxonomy == "organizations" ? organizations : people
    }

    func page(at path: String) -> ContentPage? { pages.first { $0.path == path } }

    /// The content file a site-relative URL such as `/en/boston/labcentral/` is built from.
    func page(forURL url: String) -> ContentPage? {
        var segments = url.split(separator: "/").map(String.init)
        let suffix = segments.first == "en" ? ".en.md" : ".md"
        if segments.first == "en" { segments.removeFirst() }
        let folder = segments.joined(separator: "/")
        let candidates =
            folder.isEmpty
            ? ["_index\(suffix)"] : ["\(folder)\(suffix)", "\(folder)/_index\(suffix)", "\(folder)/index\(suffix)"]
        return candidates.lazy.compactMap { page(at: $0) }.first
    }
}
