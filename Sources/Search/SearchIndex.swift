import Dispatch
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

/// One language's index: small shards by token prefix, so a query downloads only the shards its
/// terms fall in, and one small file per page for the result list and snippet. It takes a
/// changed page and says which of its files changed, so that a live rebuild after an edit
/// rewrites a few shards instead of indexing every page again; its files are always those a
/// new index of the same documents has.
///
/// Files, relative to the index folder:
/// - `meta.json`: `{"v":1,"docs":N,"shards":["<key>",…]}` (keys as hex file names)
/// - `t/<key>.json`: `{"<token>":[[doc,score],…],…}`
/// - `d/<doc>.json`: `{"u":url,"t":title,"x":text}`
public struct SearchIndex: Sendable {
    /// Weights of a token's occurrences by where it stands; body occurrences count up to a cap
    /// so long pages do not win by length alone.
    static let titleWeight = 20
    static let headingWeight = 8
    static let termWeight = 6
    static let bodyCap = 10
    /// Text kept per page for snippets.
    static let storedTextLimit = 4_000

    private struct Posting: Sendable {
        var document: Int
        var score: Int
    }

    private var documents: [SearchDocument]
    /// Each token's postings in document order.
    private var postings: [String: [Posting]] = [:]
    private var shards: [String: Set<String>] = [:]
    public private(set) var files: [String: [UInt8]] = [:]

    public init(_ documents: [SearchDocument]) {
        self.documents = documents
        // Scoring reads every word of every page: on all cores, a batch at a time so that only
        // one batch's scores are held at once, and taken in page order.
        let batchSize = 256
        for batchStart in stride(from: 0, to: documents.count, by: batchSize) {
            let batch = batchStart..<min(batchStart + batchSize, documents.count)
            var scores = [[String: Int]](repeating: [:], count: batch.count)
            scores.withUnsafeMutableBufferPointer { slots in
                let base = SendablePointer(slots.baseAddress)
                DispatchQueue.concurrentPerform(iterations: batch.count) { offset in
                    base.pointer?[offset] = Self.scores(documents[batch.lowerBound + offset])
                }
            }
            for (offset, tokens) in scores.enumerated() {
                for (token, score) in tokens {
                    postings[token, default: []].append(Posting(document: batch.lowerBound + offset, score: score))
                }
            }
        }
        for token in postings.keys { shards[shardKey(token), default: []].insert(token) }
        for key in shards.keys { files["t/\(key).json"] = shardFile(key) }
        for document in documents.indices { files["d/\(document).json"] = documentFile(document) }
        files["meta.json"] = metaFile()
    }

    /// Puts `document` in place of the one at `position`; returns the paths of the files that
    /// changed, were added or were removed.
    public mutating func replace(_ position: Int, with document: SearchDocument) -> [String] {
        // Scored again rather than kept: every page's scores held at once cost more memory
        // than the whole index.
        let old = Self.scores(documents[position])
        let new = Self.scores(document)
        documents[position] = document
        var touchedShards: Set<String> = []
        for token in Set(old.keys).union(new.keys) where old[token] != new[token] {
            var list = postings[token] ?? []
            let slot = list.partitioningIndex { $0.document >= position }
            if slot < list.count, list[slot].document == position { list.remove(at: slot) }
            if let score = new[token] { list.insert(Posting(document: position, score: score), at: slot) }
            let key = shardKey(token)
            touchedShards.insert(key)
            if list.isEmpty {
                postings[token] = nil
                shards[key]?.remove(token)
                if shards[key]?.isEmpty == true { shards[key] = nil }
            } else {
                if postings[token] == nil { shards[key, default: []].insert(token) }
                postings[token] = list
            }
        }
        var changed: [String] = []
        func update(_ path: String, _ bytes: [UInt8]?) {
            guard files[path] != bytes else { return }
            files[path] = bytes
            changed.append(path)
        }
        for key in touchedShards { update("t/\(key).json", shards[key] == nil ? nil : shardFile(key)) }
        update("d/\(position).json", documentFile(position))
        update("meta.json", metaFile())
        return changed.sorted()
    }

    /// A page's score for each token: where it stands weighs more than how often.
    private static func scores(_ document: SearchDocument) -> [String: Int] {
        var scores: [String: Int] = [:]
        var bodyCounts: [String: Int] = [:]
        for token in SearchTokenizer.tokens(document.title) {
            scores[token, default: 0] += Self.titleWeight
        }
        for heading in document.headings {
            for token in SearchTokenizer.tokens(heading) {
                scores[token, default: 0] += Self.headingWeight
            }
        }
        for term in document.terms {
            for token in SearchTokenizer.tokens(term) { scores[token, default: 0] += Self.termWeight }
        }
        SearchTokenizer.forEachToken(in: document.text) { bodyCounts[$0, default: 0] += 1 }
        for (token, count) in bodyCounts { scores[token, default: 0] += min(count, Self.bodyCap) }
        return scores
    }

    private func shardFile(_ key: String) -> [UInt8] {
        var json = "{"
        for (index, token) in (shards[key] ?? []).sorted().enumerated() {
            if index > 0 { json += "," }
            json += jsonString(token) + ":["
            json += (postings[token] ?? []).map { "[\($0.document),\($0.score)]" }.joined(separator: ",")
            json += "]"
        }
        json += "}"
        return Array(json.utf8)
    }

    private func documentFile(_ position: Int) -> [UInt8] {
        let document = documents[position]
        let text = String(document.text.prefix(Self.storedTextLimit))
        return Array(
            "{\"u\":\(jsonString(document.url)),\"t\":\(jsonString(document.title)),\"x\":\(jsonString(text))}".utf8)
    }

    private func metaFile() -> [UInt8] {
        let keys = shards.keys.sorted().map(jsonString).joined(separator: ",")
        return Array("{\"v\":1,\"docs\":\(documents.count),\"shards\":[\(keys)]}".utf8)
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, in an array where every element
    /// that does comes after every one that does not.
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
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

/// Byte by byte: every character that needs escaping is ASCII, and the bytes of any other
/// character are all 0x80 or more, so they are copied as they are.
func jsonString(_ text: String) -> String {
    var result: [UInt8] = [UInt8(ascii: "\"")]
    result.reserveCapacity(text.utf8.count + 2)
    let hex = Array("0123456789abcdef".utf8)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): result += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): result += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case UInt8(ascii: "\n"): result += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): result += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case UInt8(ascii: "\t"): result += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case UInt8(ascii: "<"): result += Array("\\u003c".utf8)
        case ..<0x20: result += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        default: result.append(byte)
        }
    }
    result.append(UInt8(ascii: "\""))
    return String(decoding: result, as: UTF8.self)
}

/// Answers queries over built index files exactly as the browser script does, so the ranking
/// rules are tested in Swift.
public struct SearchQueryEngine {
    private let postings: [String: [(doc: Int, score: Int)]]
    private let documents: [Int: (url: String, title: String)]

    /// Reads the files `Self.files()` produced.
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

/// A pointer the scoring workers share; each writes only its own slot.
private struct SendablePointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>?
    init(_ pointer: UnsafeMutablePointer<Element>?) { self.pointer = pointer }
}
