import Foundation

/// A page as search sees it.
public struct SearchDocument: Sendable {
    public var url: String
    public var title: String
    public var headings: [String]
    /// The page's text without markup; what a snippet is cut from.
    public var text: String
    /// Taxonomy terms (organisations, people, tags): they weigh like headings.
    public var terms: [String]

    public init(url: String, title: String, headings: [String] = [], text: String, terms: [String] = []) {
        self.url = url
        self.title = title
        self.headings = headings
        self.text = text
        self.terms = terms
    }
}

/// Builds one language's index: small shards by token prefix, so a query downloads only the
/// shards its terms fall in, and one small file per page for the result list and snippet.
///
/// Files, relative to the index folder:
/// - `meta.json`: `{"v":1,"docs":N,"shards":["<key>",…]}` (keys as hex file names)
/// - `t/<key>.json`: `{"<token>":[[doc,score],…],…}`
/// - `d/<doc>.json`: `{"u":url,"t":title,"x":text}`
public struct SearchIndexBuilder: Sendable {
    /// Weights of a token's occurrences by where it stands; body occurrences count up to a cap
    /// so long pages do not win by length alone.
    static let titleWeight = 20
    static let headingWeight = 8
    static let termWeight = 6
    static let bodyCap = 10
    /// Text kept per page for snippets.
    static let storedTextLimit = 4_000

    private var documents: [SearchDocument] = []

    public init() {}

    public mutating func add(_ document: SearchDocument) {
        documents.append(document)
    }

    public var isEmpty: Bool { documents.isEmpty }

    /// The index files, by path relative to the index folder.
    public func files() -> [String: [UInt8]] {
        var postings: [String: [(doc: Int, score: Int)]] = [:]
        for (id, document) in documents.enumerated() {
            var scores: [String: Int] = [:]
            var bodyCounts: [String: Int] = [:]
            for token in SearchTokenizer.tokens(document.title) { scores[token, default: 0] += Self.titleWeight }
            for heading in document.headings {
                for token in SearchTokenizer.tokens(heading) { scores[token, default: 0] += Self.headingWeight }
            }
            for term in document.terms {
                for token in SearchTokenizer.tokens(term) { scores[token, default: 0] += Self.termWeight }
            }
            SearchTokenizer.forEachToken(in: document.text) { bodyCounts[$0, default: 0] += 1 }
            for (token, count) in bodyCounts { scores[token, default: 0] += min(count, Self.bodyCap) }
            for (token, score) in scores { postings[token, default: []].append((id, score)) }
        }
        var shards: [String: [String]] = [:]
        for token in postings.keys { shards[shardKey(token), default: []].append(token) }

        var files: [String: [UInt8]] = [:]
        for (key, tokens) in shards {
            var json = "{"
            for (index, token) in tokens.sorted().enumerated() {
                if index > 0 { json += "," }
                json += jsonString(token) + ":["
                json += (postings[token] ?? []).map { "[\($0.doc),\($0.score)]" }.joined(separator: ",")
                json += "]"
            }
            json += "}"
            files["t/\(key).json"] = Array(json.utf8)
        }
        for (id, document) in documents.enumerated() {
            let text = String(document.text.prefix(Self.storedTextLimit))
            let json =
                "{\"u\":\(jsonString(document.url)),\"t\":\(jsonString(document.title)),\"x\":\(jsonString(text))}"
            files["d/\(id).json"] = Array(json.utf8)
        }
        let keys = shards.keys.sorted().map(jsonString).joined(separator: ",")
        files["meta.json"] = Array("{\"v\":1,\"docs\":\(documents.count),\"shards\":[\(keys)]}".utf8)
        return files
    }
}

/// The shard a token lives in: its first character for Hangul and other CJK tokens, its first
/// two characters for words, written as hex of the UTF-8 bytes so any file system takes it.
func shardKey(_ token: String) -> String {
    let scalars = Array(token.unicodeScalars)
    let count = scalars.first.map(SearchTokenizer.isCJK) == true ? 1 : 2
    let prefix = String(String.UnicodeScalarView(scalars.prefix(count)))
    return prefix.utf8.map { byte in
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }.joined()
}

func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case "<": result += "\\u003c"
        default:
            if scalar.value < 0x20 {
                let digits = Array("0123456789abcdef")
                result += "\\u00" + String([digits[Int(scalar.value >> 4)], digits[Int(scalar.value & 0xF)]])
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

/// Answers queries over built index files exactly as the browser script does, so the ranking
/// rules are tested in Swift.
public struct SearchQueryEngine {
    private let postings: [String: [(doc: Int, score: Int)]]
    private let documents: [Int: (url: String, title: String)]

    /// Reads the files `SearchIndexBuilder.files()` produced.
    public init(files: [String: [UInt8]]) {
        var postings: [String: [(doc: Int, score: Int)]] = [:]
        var documents: [Int: (url: String, title: String)] = [:]
        for (path, bytes) in files {
            let text = String(decoding: bytes, as: UTF8.self)
            if path.hasPrefix("t/") {
                for (token, list) in parseShard(text) { postings[token] = list }
            } else if path.hasPrefix("d/"), let id = Int(path.dropFirst(2).dropLast(5)) {
                documents[id] = (jsonField(text, "u"), jsonField(text, "t"))
            }
        }
        self.postings = postings
        self.documents = documents
    }

    /// URLs of the pages that match every term of `query`, best first.
    public func search(_ query: String) -> [String] {
        let terms = SearchTokenizer.queryTerms(query)
        guard !terms.isEmpty else { return [] }
        var totals: [Int: Int]?
        for term in terms {
            let scores = termScores(term)
            if let current = totals {
                var kept: [Int: Int] = [:]
                for (doc, score) in current { if let more = scores[doc] { kept[doc] = score + more } }
                totals = kept
            } else {
                totals = scores
            }
        }
        return (totals ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .compactMap { documents[$0.key]?.url }
    }

    private func termScores(_ term: QueryTerm) -> [Int: Int] {
        if term.tokens.count == 1 {
            let token = term.tokens[0]
            var best: [Int: Int] = [:]
            let candidates = term.isPrefix ? postings.keys.filter { $0.hasPrefix(token) } : [token]
            for candidate in candidates {
                let factor = candidate == token ? 2 : 1
                for entry in postings[candidate] ?? [] {
                    best[entry.doc] = max(best[entry.doc] ?? 0, entry.score * factor)
                }
            }
            return best
        }
        // Every bigram of a Hangul term must be on the page; the weakest one scores it.
        var result: [Int: Int]?
        for token in term.tokens {
            var scores: [Int: Int] = [:]
            for entry in postings[token] ?? [] { scores[entry.doc] = entry.score }
            if let current = result {
                var kept: [Int: Int] = [:]
                for (doc, score) in current { if let other = scores[doc] { kept[doc] = min(score, other) } }
                result = kept
            } else {
                result = scores
            }
        }
        return result ?? [:]
    }
}

/// `{"token":[[1,2],[3,4]],…}` as written by the builder.
private func parseShard(_ text: String) -> [(String, [(doc: Int, score: Int)])] {
    var result: [(String, [(doc: Int, score: Int)])] = []
    let scalars = Array(text.unicodeScalars)
    var index = 1
    while index < scalars.count, scalars[index] == "\"" {
        var token = String.UnicodeScalarView()
        index += 1
        while index < scalars.count, scalars[index] != "\"" {
            if scalars[index] == "\\", index + 1 < scalars.count {
                index += 1
                if scalars[index] == "u", index + 4 < scalars.count,
                    let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 1)...(index + 4)])), radix: 16),
                    let decoded = Unicode.Scalar(value)
                {
                    token.append(decoded)
                    index += 4
                } else {
                    token.append(scalars[index] == "n" ? "\n" : scalars[index])
                }
            } else {
                token.append(scalars[index])
            }
            index += 1
        }
        index += 3  // closing quote, colon, opening bracket
        var list: [(doc: Int, score: Int)] = []
        while index < scalars.count, scalars[index] == "[" {
            var numbers: [Int] = []
            var digits = ""
            index += 1
            while index < scalars.count, scalars[index] != "]" {
                if scalars[index] == "," {
                    numbers.append(Int(digits) ?? 0)
                    digits = ""
                } else {
                    digits.unicodeScalars.append(scalars[index])
                }
                index += 1
            }
            numbers.append(Int(digits) ?? 0)
            if numbers.count == 2 { list.append((numbers[0], numbers[1])) }
            index += 1
            if index < scalars.count, scalars[index] == "," { index += 1 }
        }
        result.append((String(token), list))
        index += 1  // closing bracket of the list
        if index < scalars.count, scalars[index] == "," { index += 1 }
    }
    return result
}

/// The string value of `"key":"…"` in a flat JSON object written by the builder.
private func jsonField(_ text: String, _ key: String) -> String {
    guard let start = text.range(of: "\"\(key)\":\"") else { return "" }
    var value = String.UnicodeScalarView()
    var iterator = text[start.upperBound...].unicodeScalars.makeIterator()
    while let scalar = iterator.next(), scalar != "\"" {
        if scalar == "\\", let escaped = iterator.next() {
            if escaped == "u" {
                var hex = ""
                for _ in 0..<4 { if let digit = iterator.next() { hex.unicodeScalars.append(digit) } }
                if let value32 = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value32) { value.append(decoded) }
            } else {
                value.append(escaped == "n" ? "\n" : escaped)
            }
        } else {
            value.append(scalar)
        }
    }
    return String(value)
}
