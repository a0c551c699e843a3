import Foundation
import Parallel

/// A page as search sees it.
public struct SearchDocument: Sendable {
    public var url: String
    public var title: String
    public var headings: [String]
    /// The page's text without markup, in UTF-8; what a snippet is cut from. Bytes rather than
    /// a String: the builder takes it from the rendered page's bytes and the index reads it as
    /// bytes, and a String between them checked every byte of every page's text once more.
    /// Valid UTF-8, as taken from a String or a page rendered from Strings.
    public var textUTF8: [UInt8]
    /// Taxonomy terms (organisations, people, tags): they weigh nearly as much as headings.
    public var terms: [String]

    public init(url: String, title: String, headings: [String] = [], textUTF8: [UInt8], terms: [String] = []) {
        self.url = url
        self.title = title
        self.headings = headings
        self.textUTF8 = textUTF8
        self.terms = terms
    }

    public init(url: String, title: String, headings: [String] = [], text: String, terms: [String] = []) {
        self.init(url: url, title: title, headings: headings, textUTF8: Array(text.utf8), terms: terms)
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
/// - `t/<key>.json`: `{"<token>":[gap,score,gap,score,…],…}`: the pages a token is on, in
///   order, each as its number's gap after the one before (the first, its number) and its score.
///   Two small numbers a page rather than a pair of a page number and a score: a common token
///   is on nearly every page, and its postings are most of what a query downloads.
/// - `d/<doc>.json`: `{"u":url,"t":title,"x":text}`
public struct SearchIndex: Sendable {
    /// A token's score on a page: a fixed amount for each place it stands in, however often,
    /// plus its body occurrences up to a cap, so long pages do not win by length alone. The
    /// query side doubles an exact match over a prefix match; even so a title hit (200, at
    /// least) outscores any page without one (at most 2 × (30 + 25 + 10)), and a heading hit
    /// (30) any page with the word only in its body (2 × 10). Small numbers: every posting
    /// carries one.
    static let titleWeight = 200
    static let headingWeight = 30
    static let termWeight = 25
    static let bodyCap = 10
    /// Text kept per page for snippets, in Unicode scalars. A result's file is most of what a
    /// query downloads on a small site; with 2,000 scalars (rather than 4,000) the snippets of
    /// the portal's first ten results for its organisation and people queries still hold the
    /// match 91% of the time (98% with 4,000, 82% with 1,200), for 8% fewer bytes per query.
    static let storedTextLimit = 2_000

    /// Half the size of two `Int`s: a site's postings are millions (3.3 million for the
    /// 10,000-page benchmark corpus).
    private struct Posting: Sendable {
        var document: Int32
        var score: Int32
    }

    /// A token's number and its score on one page.
    private struct PageScore: Sendable {
        var token: Int32
        var score: Int32
    }

    private var documentCount: Int
    /// The site's tokens, numbered; a token's postings are `postings[number]`, in document
    /// order. A token no page has any more keeps its number with no postings: the table never
    /// lets go of a number.
    private var tokens = TokenTable()
    private var postings: [[Posting]] = []
    /// Each shard's tokens, by number.
    private var shards: [String: Set<Int>] = [:]
    public private(set) var files: [String: [UInt8]] = [:]

    public init(_ documents: [SearchDocument]) {
        self.init(count: documents.count) { documents[$0] }
    }

    /// The index of `count` documents, each asked for once, a batch at a time: a page's text
    /// is needed only while it is scored and its file is written, so that only one batch's
    /// texts are held at once rather than a whole site's.
    public init(count: Int, document: @Sendable (Int) -> SearchDocument) {
        documentCount = count
        // Scoring reads every word of every page: on all cores, and taken in page order. The
        // workers also number the tokens the site has seen before, reading the table as the
        // last batch left it; only tokens new to the site are numbered one after another. Each
        // page's (token, score) pairs stay in an array of the page's own, made by its worker,
        // and are put in token order at the end: appended to a list per token here, they cost
        // a cache miss or two each, one after another, for every token of every page; appended
        // to one array of the site's, they made it grow on one core, where the kernel clearing
        // the fresh memory of each doubling took about 0.4 s of 10,000 pages (perf).
        var pages: [[PageScore]] = []
        pages.reserveCapacity(count)
        let batchSize = 256
        for batchStart in stride(from: 0, to: count, by: batchSize) {
            let batch = batchStart..<min(batchStart + batchSize, count)
            let seen = tokens
            // A page's tally is dropped on its worker: only the tokens new to the site go back.
            // Handed back whole, the tallies' tokens were freed here, on one core, a token at a
            // time (a fifth of the index's perf samples on one core).
            var scored = parallelMap(batch.count) { offset in
                let page = document(batch.lowerBound + offset)
                let tally = Self.tally(page)
                var newTokens: [Token] = []
                let scores = tally.tokens.indices.map { index in
                    let number = seen.existingNumber(of: tally.tokens[index])
                    if number == nil { newTokens.append(tally.tokens[index]) }
                    return PageScore(token: Int32(number ?? -1), score: Int32(tally.score(index)))
                }
                return (scores: scores, newTokens: newTokens, file: Self.documentFile(page))
            }
            for offset in scored.indices {
                // Taken out of `scored`, so that numbering a new token changes the array in place.
                var scores: [PageScore] = []
                swap(&scores, &scored[offset].scores)
                // The page's new tokens, in the order of its scores marked -1.
                var newTokenIndex = 0
                for index in scores.indices where scores[index].token < 0 {
                    scores[index].token = Int32(tokens.number(of: scored[offset].newTokens[newTokenIndex]).number)
                    newTokenIndex += 1
                }
                pages.append(scores)
                files["d/\(batch.lowerBound + offset).json"] = scored[offset].file
            }
        }
        postings = Self.listsByToken(&pages, tokenCount: tokens.tokens.count)
        // Each token's shard worked out on all cores: a String made from each of the site's
        // tokens was 6% of the index's perf samples on one core.
        let siteTokens = tokens.tokens
        let keysByNumber = parallelMap(siteTokens.count) { shardKey(siteTokens[$0]) }
        for (number, key) in keysByNumber.enumerated() { shards[key, default: []].insert(number) }
        // Every posting of the site is written out here: on all cores, a shard each.
        let keys = Array(shards.keys)
        let (shards, tokens, postings) = (shards, tokens.tokens, postings)
        let shardFiles = parallelMap(keys.count) {
            Self.shardFile(shards[keys[$0]] ?? [], tokens: tokens, postings: postings)
        }
        for (key, file) in zip(keys, shardFiles) { files["t/\(key).json"] = file }
        files["meta.json"] = metaFile()
    }

    /// Each token's postings, from each page's scores in page order. The pages are cut into a
    /// run per core; each run's postings are counted per token and placed in token order there
    /// (a counting sort, which keeps the page order within each token), and each token's list
    /// is then its part of every run, in run order. Done on one core, counting and placing the
    /// site's postings was the longest time the index kept a core idle (perf).
    private static func listsByToken(_ pages: inout [[PageScore]], tokenCount: Int) -> [[Posting]] {
        let runs = placedInRuns(pages, tokenCount: tokenCount)
        // Freed before the lists are made, which would otherwise hold the postings a third time.
        pages = []
        // Copied out on all cores: the copies fill a site's worth of fresh memory.
        return parallelMap(tokenCount) { number in
            var list: [Posting] = []
            list.reserveCapacity(runs.reduce(0) { $0 + Int($1.starts[number + 1] - $1.starts[number]) })
            for run in runs {
                list.append(contentsOf: run.placed[Int(run.starts[number])..<Int(run.starts[number + 1])])
            }
            return list
        }
    }

    /// For each run of pages, where each token's postings start in it, and its postings in token order.
    private static func placedInRuns(_ pages: [[PageScore]], tokenCount: Int) -> [(starts: [Int32], placed: [Posting])]
    {
        let runCount = max(1, min(processorCount, pages.count))
        let runLength = (pages.count + runCount - 1) / runCount
        return parallelMap(runCount) { run in
            let documents = min(pages.count, run * runLength)..<min(pages.count, (run + 1) * runLength)
            var starts = [Int32](repeating: 0, count: tokenCount + 1)
            for document in documents {
                for entry in pages[document] { starts[Int(entry.token) + 1] += 1 }
            }
            for number in 0..<tokenCount { starts[number + 1] += starts[number] }
            var next = starts
            let total = Int(starts[tokenCount])
            let placed = [Posting](unsafeUninitializedCapacity: total) { buffer, initialized in
                for document in documents {
                    for entry in pages[document] {
                        let number = Int(entry.token)
                        buffer.initializeElement(
                            at: Int(next[number]), to: Posting(document: Int32(document), score: entry.score))
                        next[number] += 1
                    }
                }
                initialized = total
            }
            return (starts, placed)
        }
    }

    /// Puts `document` in place of the one at `position`; returns the paths of the files that
    /// changed, were added or were removed.
    public mutating func replace(_ position: Int, with document: SearchDocument) -> [String] {
        // The old scores are read back from the postings rather than kept per page: every
        // page's scores or text held at once cost more memory than the whole index.
        let document32 = Int32(position)
        var old: [Int: Int32] = [:]
        for (number, list) in postings.enumerated() {
            let slot = list.partitioningIndex { $0.document >= document32 }
            if slot < list.count, list[slot].document == document32 { old[number] = list[slot].score }
        }
        var new: [Int: Int32] = [:]
        let tally = Self.tally(document)
        for index in tally.tokens.indices {
            let (number, isNew) = tokens.number(of: tally.tokens[index])
            if isNew { postings.append([]) }
            new[number] = Int32(tally.score(index))
        }
        var touchedShards: Set<String> = []
        for number in Set(old.keys).union(new.keys) where old[number] != new[number] {
            var list = postings[number]
            let slot = list.partitioningIndex { $0.document >= document32 }
            if slot < list.count, list[slot].document == document32 { list.remove(at: slot) }
            if let score = new[number] { list.insert(Posting(document: document32, score: score), at: slot) }
            postings[number] = list
            let key = shardKey(tokens.tokens[number])
            touchedShards.insert(key)
            if list.isEmpty {
                shards[key]?.remove(number)
                if shards[key]?.isEmpty == true { shards[key] = nil }
            } else {
                shards[key, default: []].insert(number)
            }
        }
        var changed: [String] = []
        func update(_ path: String, _ bytes: [UInt8]?) {
            guard files[path] != bytes else { return }
            files[path] = bytes
            changed.append(path)
        }
        for key in touchedShards {
            update("t/\(key).json", shards[key].map { Self.shardFile($0, tokens: tokens.tokens, postings: postings) })
        }
        update("d/\(position).json", Self.documentFile(document))
        update("meta.json", metaFile())
        return changed.sorted()
    }

    /// A page's tokens, each with the places it stands in and its count in the body.
    private static func tally(_ document: SearchDocument) -> TokenTally {
        var tally = TokenTally()
        tally.add(document.title, placed: .title)
        for heading in document.headings { tally.add(heading, placed: .heading) }
        for term in document.terms { tally.add(term, placed: .term) }
        document.textUTF8.withUnsafeBufferPointer { tally.addBody($0) }
        return tally
    }

    /// A token's score on a page: where it stands weighs more than how often.
    static func score(places: Places, bodyCount: Int) -> Int {
        var score = min(bodyCount, Self.bodyCap)
        if places.contains(.title) { score += Self.titleWeight }
        if places.contains(.heading) { score += Self.headingWeight }
        if places.contains(.term) { score += Self.termWeight }
        return score
    }

    private static func shardFile(_ numbers: Set<Int>, tokens: [Token], postings: [[Posting]]) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (index, number) in numbers.sorted(by: { tokens[$0] < tokens[$1] }).enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            appendJSONString(tokens[number].string, to: &json)
            json.append(UInt8(ascii: ":"))
            json.append(UInt8(ascii: "["))
            // Written into a buffer sized for the longest numbers, then appended at once: a
            // common token's list is most of its shard, and appended a byte at a time each
            // byte had the array's uniqueness and capacity checked.
            let list = postings[number]
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, list.count * 22)) { buffer in
                var count = 0
                var previous = 0
                for posting in list {
                    count = writeDecimal(Int(posting.document) - previous, to: buffer, at: count)
                    buffer[count] = UInt8(ascii: ",")
                    count = writeDecimal(Int(posting.score), to: buffer, at: count + 1)
                    buffer[count] = UInt8(ascii: ",")
                    count += 1
                    previous = Int(posting.document)
                }
                // Without the last comma.
                json.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<max(0, count - 1)]))
            }
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// Writes a non-negative number's digits (at most 10: document numbers and scores are
    /// `Int32`) at `position`; returns the position after them.
    private static func writeDecimal(_ number: Int, to buffer: UnsafeMutableBufferPointer<UInt8>, at position: Int)
        -> Int
    {
        // Most are one digit: the gap to the next page with the token, and the score.
        if number < 10 {
            buffer[position] = UInt8(ascii: "0") + UInt8(number)
            return position + 1
        }
        var divisor = 1
        while divisor <= number / 10 { divisor *= 10 }
        var position = position
        repeat {
            buffer[position] = UInt8(ascii: "0") + UInt8(number / divisor % 10)
            position += 1
            divisor /= 10
        } while divisor > 0
        return position
    }

    private static func documentFile(_ document: SearchDocument) -> [UInt8] {
        var json = Array("{\"u\":".utf8)
        appendJSONString(document.url, to: &json)
        json += Array(",\"t\":".utf8)
        appendJSONString(document.title, to: &json)
        json += Array(",\"x\":".utf8)
        document.textUTF8.withUnsafeBufferPointer { text in
            appendJSONString(utf8: UnsafeBufferPointer(rebasing: text[..<snippetEnd(text)]), to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// Where the stored start of a page's text ends: after `storedTextLimit` scalars, but not
    /// inside a character (a combining mark stays with its base). Counted in scalars rather
    /// than characters, and on the UTF-8 bytes (a scalar starts at every byte that is not a
    /// continuation byte): finding character boundaries in every page's Korean text cost more
    /// than the rest of writing the index.
    private static func snippetEnd(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var scalarsSeen = 0
        var end = text.count
        for index in text.indices where text[index] & 0xC0 != 0x80 {
            scalarsSeen += 1
            if scalarsSeen > Self.storedTextLimit {
                end = index
                break
            }
        }
        while end < text.count {
            let (scalar, length) = SearchTokenizer.scalar(at: end, in: text)
            guard scalar?.properties.isGraphemeExtend == true else { break }
            end += length
        }
        return end
    }

    private func metaFile() -> [UInt8] {
        let keys = shards.keys.sorted().map(jsonString).joined(separator: ",")
        return Array("{\"v\":1,\"docs\":\(documentCount),\"shards\":[\(keys)]}".utf8)
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
func shardKey(_ token: Token) -> String {
    let bytes = token.utf8
    // A UTF-8 lead byte says how many bytes its scalar has; CJK scalars are all three bytes long.
    func scalarLength(at index: Int) -> Int {
        switch bytes[index] {
        case ..<0xC0: return 1
        case ..<0xE0: return 2
        case ..<0xF0: return 3
        default: return 4
        }
    }
    guard !bytes.isEmpty else { return "" }
    let firstLength = scalarLength(at: 0)
    let firstIsCJK =
        String(decoding: bytes[..<firstLength], as: UTF8.self).unicodeScalars.first.map(SearchTokenizer.isCJK) == true
    let prefixLength =
        firstIsCJK || firstLength == bytes.count ? firstLength : firstLength + scalarLength(at: firstLength)
    let digits = Array("0123456789abcdef")
    return String(bytes[..<prefixLength].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
}

func jsonString(_ text: String) -> String {
    var json: [UInt8] = []
    appendJSONString(text, to: &json)
    return String(decoding: json, as: UTF8.self)
}

func appendJSONString(_ text: String, to json: inout [UInt8]) {
    var text = text
    text.withUTF8 { appendJSONString(utf8: $0, to: &json) }
}

/// Byte by byte: every character that needs escaping is ASCII, and the bytes of any other
/// character are all 0x80 or more, so they are copied as they are, a run at a time. Eight
/// bytes at a time past those that need nothing: every page's snippet goes through here.
func appendJSONString(utf8 bytes: UnsafeBufferPointer<UInt8>, to json: inout [UInt8]) {
    json.append(UInt8(ascii: "\""))
    var runStart = 0
    var index = 0
    while index < bytes.count {
        if let base = bytes.baseAddress, index + 8 <= bytes.count,
            !mayNeedEscaping(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
        {
            index += 8
            continue
        }
        let byte = bytes[index]
        index += 1
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
        else { continue }
        let escaped: String
        switch byte {
        case UInt8(ascii: "\""): escaped = "\\\""
        case UInt8(ascii: "\\"): escaped = "\\\\"
        case UInt8(ascii: "\n"): escaped = "\\n"
        case UInt8(ascii: "\r"): escaped = "\\r"
        case UInt8(ascii: "\t"): escaped = "\\t"
        case UInt8(ascii: "<"): escaped = "\\u003c"
        default:
            let hex = Array("0123456789abcdef")
            escaped = "\\u00" + String([hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
        json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<(index - 1)]))
        json.append(contentsOf: escaped.utf8)
        runStart = index
    }
    json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    json.append(UInt8(ascii: "\""))
}

/// Whether any of eight bytes is below 0x20 or is `"`, `\\` or `<` (may: the test is exact for
/// "none", which is what skips them).
@inline(__always)
private func mayNeedEscaping(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highBits != 0 }
    let below0x20 = (word &- ones &* 0x20) & ~word & highBits != 0
    return below0x20 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
        || hasZeroByte(word ^ (ones &* 0x3C))
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
        let scores = tokenScores(term.tokens, isPrefix: term.isPrefix, alsoPrefix: term.alsoPrefix)
        guard scores.isEmpty, let shorter = term.withoutParticle else { return scores }
        return tokenScores(shorter, isPrefix: false, alsoPrefix: nil)
    }

    private func tokenScores(_ tokens: [String], isPrefix: Bool, alsoPrefix: String?) -> [Int: Int] {
        if tokens.count == 1 {
            let token = tokens[0]
            var best: [Int: Int] = [:]
            let prefixes = [token] + (alsoPrefix.map { [$0] } ?? [])
            let candidates =
                isPrefix ? postings.keys.filter { candidate in prefixes.contains(where: candidate.hasPrefix) } : [token]
            for candidate in candidates {
                let factor = prefixes.contains(candidate) ? 2 : 1
                for entry in postings[candidate] ?? [] {
                    best[entry.doc] = max(best[entry.doc] ?? 0, entry.score * factor)
                }
            }
            return best
        }
        // Every bigram of a Hangul term must be on the page; the weakest one scores it.
        var result: [Int: Int]?
        for token in tokens {
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

/// `{"token":[0,2,3,4],…}` as written by the builder: pages 0 and 3, scores 2 and 4.
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
        var numbers: [Int] = []
        var digits = ""
        while index < scalars.count, scalars[index] != "]" {
            if scalars[index] == "," {
                numbers.append(Int(digits) ?? 0)
                digits = ""
            } else {
                digits.unicodeScalars.append(scalars[index])
            }
            index += 1
        }
        if !digits.isEmpty { numbers.append(Int(digits) ?? 0) }
        var list: [(doc: Int, score: Int)] = []
        var document = 0
        for pair in stride(from: 0, to: numbers.count - 1, by: 2) {
            document += numbers[pair]
            list.append((document, numbers[pair + 1]))
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
