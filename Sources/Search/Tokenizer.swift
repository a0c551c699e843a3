/// How text becomes index tokens. The search script in the browser applies exactly these
/// rules (see `SearchScript`); `Tests/Fixtures/search/tokenizer-cases.json` holds cases both
/// are tested against.
///
/// - Text is lower-cased.
/// - Runs of Hangul, Han or Kana become overlapping two-character tokens ("바이오클러스터" →
///   바이, 이오, 오클, 클러, 러스, 스터), so a query matches inside compound words; a single
///   character stays as it is.
/// - Runs of other letters and digits are words; words of two or more characters are kept,
///   with a possessive `'s` and simple plural endings removed ("clusters" → "cluster",
///   "companies" → "company", "boxes" → "box").
/// - Everything else separates tokens.
public enum SearchTokenizer {
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        forEachToken(in: text) { result.append($0) }
        return result
    }

    /// Calls `body` with each token of `text` in order, without collecting them: the tokens of a
    /// long page, held at once, take several times the memory of its text. CJK bigrams are
    /// made as the characters come, so a page's Korean text is never gathered into runs.
    ///
    /// The scalars are those of `text.lowercased()`, without making that string: ASCII and CJK
    /// (which has no case) are mapped here, anything else through its Unicode lower-case
    /// mapping, as `lowercased()` maps it.
    public static func forEachToken(in text: String, _ body: (String) -> Void) {
        // A local struct rather than captured variables: captured ones are checked for
        // exclusive access at run time on every scalar of every page.
        var stream = TokenStream()
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                stream.take((0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value | 0x20)) : scalar, body)
            } else if isCJK(scalar) {
                stream.take(scalar, body)
            } else {
                for mapped in scalar.properties.lowercaseMapping.unicodeScalars { stream.take(mapped, body) }
            }
        }
        stream.endCJKRun(body)
        stream.endWord(body)
    }

    private struct TokenStream {
        var word: [Unicode.Scalar] = []
        var previousCJK: Unicode.Scalar?
        var cjkRunLength = 0

        mutating func take(_ scalar: Unicode.Scalar, _ body: (String) -> Void) {
            if isCJK(scalar) {
                endWord(body)
                if let previous = previousCJK {
                    var bigram = String(Character(previous))
                    bigram.unicodeScalars.append(scalar)
                    body(bigram)
                }
                previousCJK = scalar
                cjkRunLength += 1
            } else if isWordCharacter(scalar) || (scalar == "'" || scalar == "\u{2019}") && !word.isEmpty {
                endCJKRun(body)
                word.append(scalar)
            } else {
                endCJKRun(body)
                endWord(body)
            }
        }

        mutating func endCJKRun(_ body: (String) -> Void) {
            if cjkRunLength == 1, let single = previousCJK { body(String(Character(single))) }
            previousCJK = nil
            cjkRunLength = 0
        }

        mutating func endWord(_ body: (String) -> Void) {
            if !word.isEmpty, let normalized = normalizedWord(word) { body(normalized) }
            word.removeAll(keepingCapacity: true)
        }
    }

    /// A query's terms: each must match for a page to be found. Hangul terms match by their
    /// bigrams; word terms match any indexed word they are a prefix of, so "bio" finds
    /// "biogen" and "biologics".
    public static func queryTerms(_ query: String) -> [QueryTerm] {
        var terms: [QueryTerm] = []
        forEachRun(in: query) { run, isCJK in
            if isCJK {
                terms.append(QueryTerm(tokens: bigrams(run), isPrefix: run.count == 1))
            } else if let word = normalizedWord(run) {
                terms.append(QueryTerm(tokens: [word], isPrefix: true))
            }
        }
        return terms
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xAC00...0xD7A3, 0x1100...0x11FF, 0x3131...0x318E, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xF900...0xFAFF:
            return true
        default:
            return false
        }
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII is most of the text, and asking its category costs a table lookup a scalar.
        if scalar.isASCII {
            let value = scalar.value
            return (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value) || (0x30...0x39).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Calls `body` with each run of CJK characters or of word characters, lower-cased.
    private static func forEachRun(in text: String, _ body: ([Unicode.Scalar], Bool) -> Void) {
        var run: [Unicode.Scalar] = []
        var runIsCJK = false
        func flush() {
            if !run.isEmpty { body(run, runIsCJK) }
            run.removeAll(keepingCapacity: true)
        }
        for scalar in text.lowercased().unicodeScalars {
            if isCJK(scalar) {
                if !runIsCJK { flush() }
                runIsCJK = true
                run.append(scalar)
            } else if isWordCharacter(scalar) || (scalar == "'" || scalar == "\u{2019}") && !run.isEmpty && !runIsCJK {
                if runIsCJK { flush() }
                runIsCJK = false
                run.append(scalar)
            } else {
                flush()
            }
        }
        flush()
    }

    private static func bigrams(_ run: [Unicode.Scalar]) -> [String] {
        guard run.count > 1 else { return [String(String.UnicodeScalarView(run))] }
        return (0..<(run.count - 1)).map { String(String.UnicodeScalarView(run[$0...($0 + 1)])) }
    }

    /// A word without possessive and plural endings, or nil if it is too short to index.
    /// Lengths count Unicode scalars, as the script's `[...word].length` does.
    static func normalizedWord(_ run: [Unicode.Scalar]) -> String? {
        var word = run
        if word.count >= 2, word[word.count - 1] == "s",
            word[word.count - 2] == "'" || word[word.count - 2] == "\u{2019}"
        {
            word.removeLast(2)
        }
        word.removeAll { $0 == "'" || $0 == "\u{2019}" }
        // The endings are ASCII; compared in place, as this runs for every word of every page.
        func ends(_ suffix: StaticString) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard word.count >= count else { return false }
            return suffix.withUTF8Buffer { tail in
                tail.indices.allSatisfy { word[word.count - count + $0].value == UInt32(tail[$0]) }
            }
        }
        if word.count > 4, ends("ies") {
            word.removeLast(3)
            word.append("y")
        } else if word.count > 3, ends("es"), ends("ses") || ends("xes") || ends("zes") || ends("ches") || ends("shes")
        {
            word.removeLast(2)
        } else if word.count > 3, ends("s"), !ends("ss"), !ends("us"), !ends("is") {
            word.removeLast()
        }
        return word.count >= 2 ? String(String.UnicodeScalarView(word)) : nil
    }
}

/// One term of a query: its index tokens, and whether they match as prefixes of indexed words.
public struct QueryTerm: Sendable, Equatable {
    public var tokens: [String]
    public var isPrefix: Bool
}
