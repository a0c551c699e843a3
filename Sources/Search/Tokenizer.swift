/// How text becomes index tokens. The search script in the browser applies exactly these
/// rules (see `SearchScript`); `Tests/Fixtures/search/tokenizer-cases.json` holds cases both
/// are tested against.
///
/// - Text is lower-cased.
/// - Runs of Hangul, Han or Kana become overlapping two-character tokens ("바이오클러스터" →
///   바이, 이오, 오클, 클러, 러스, 스터), so a query matches inside compound words, and their last
///   character is a token too (터), so a one-character query finds the end of a word (업 in
///   스타트업). Two runs with a single space between them also give the pair across the space
///   ("마틴 월쉬" → 틴월), so a name typed without its space (마틴월쉬) is found.
/// - Runs of other letters and digits are words; words of two or more characters are kept,
///   with a possessive `'s` and simple plural endings removed ("clusters" → "cluster",
///   "companies" → "company", "boxes" → "box").
/// - Everything else separates tokens.
public enum SearchTokenizer {
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        forEachToken(in: text) { result.append($0.string) }
        return result
    }

    /// Calls `body` with each token of `text` in order, without collecting them: the tokens of a
    /// long page, held at once, take several times the memory of its text. CJK bigrams are
    /// made as the characters come, so a page's Korean text is never gathered into runs.
    ///
    /// The scalars are those of `text.lowercased()`, without making that string: ASCII and CJK
    /// (which has no case) are mapped here, anything else through its Unicode lower-case
    /// mapping, as `lowercased()` maps it.
    static func forEachToken(in text: String, _ body: (Token) -> Void) {
        var text = text
        text.withUTF8 { forEachToken(inUTF8: $0, body) }
    }

    /// Reads the UTF-8 bytes themselves: ASCII, most of an English page, is classified byte by
    /// byte, and other scalars are decoded here, several times faster than iterating the
    /// string's scalars.
    static func forEachToken(inUTF8 bytes: UnsafeBufferPointer<UInt8>, _ body: (Token) -> Void) {
        // A local struct rather than captured variables: captured ones are checked for
        // exclusive access at run time on every scalar of every page.
        var stream = TokenStream()
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                // A word of ASCII letters and digits alone, as most English words are, is
                // tokenized from its bytes at once; one that goes on with an apostrophe or a
                // letter beyond ASCII is read a scalar at a time.
                if stream.wordLength == 0, isASCIILetterOrDigit(lead) {
                    var end = index + 1
                    while end < bytes.count, isASCIILetterOrDigit(bytes[end]) { end += 1 }
                    if end == bytes.count || bytes[end] < 0x80 && bytes[end] != UInt8(ascii: "'") {
                        stream.take(asciiWord: UnsafeBufferPointer(rebasing: bytes[index..<end]), body)
                        index = end
                        continue
                    }
                }
                stream.take(ascii: lead, body)
                index += 1
                continue
            }
            let (decoded, length) = scalar(at: index, in: bytes)
            index += length
            guard let decoded else { continue }
            if isCJK(decoded) {
                stream.take(cjk: decoded, body)
            } else {
                for mapped in decoded.properties.lowercaseMapping.unicodeScalars { stream.take(mapped, body) }
            }
        }
        stream.endCJKRun(body)
        stream.endWord(body)
    }

    /// The scalar whose UTF-8 sequence starts at `index`, and the sequence's length. The bytes
    /// are valid UTF-8 (a String's, or a page's rendered from Strings), so the length the lead
    /// byte gives is there; it is not read past the end even so.
    @inline(__always)
    static func scalar(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar?, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        // Three bytes, as every Hangul syllable is, without the loop.
        if length == 3, index + 2 < bytes.count {
            let value =
                (UInt32(lead) & 0x0F) << 12 | (UInt32(bytes[index + 1]) & 0x3F) << 6
                | UInt32(bytes[index + 2]) & 0x3F
            return (Unicode.Scalar(value), 3)
        }
        var value = UInt32(lead) & (0x7F >> length)
        for offset in 1..<length where index + offset < bytes.count {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value), length)
    }

    private struct TokenStream {
        /// The word being read is `word[..<wordLength]`: slots are overwritten rather than
        /// the array emptied, which costs a call into the standard library for every word.
        var word: [Unicode.Scalar] = []
        var wordLength = 0
        var previousCJK: Unicode.Scalar?
        /// The last character of a CJK run that one space has followed so far: if a CJK
        /// character comes next, the pair across the space is a token.
        var beforeSpace: Unicode.Scalar?

        mutating func take(ascii byte: UInt8, _ body: (Token) -> Void) {
            if byte == UInt8(ascii: " ") {
                let last = previousCJK
                endCJKRun(body)
                endWord(body)
                beforeSpace = last
                return
            }
            beforeSpace = nil
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                endCJKRun(body)
                append(Unicode.Scalar(byte))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                endCJKRun(body)
                append(Unicode.Scalar(byte | 0x20))
            case UInt8(ascii: "'") where wordLength > 0:
                append("'")
            default:
                endCJKRun(body)
                endWord(body)
            }
        }

        /// What `take(ascii:)` of each byte and then the next separator would do for the
        /// word; `word` is ASCII letters and digits, and no word is being read.
        mutating func take(asciiWord word: UnsafeBufferPointer<UInt8>, _ body: (Token) -> Void) {
            beforeSpace = nil
            endCJKRun(body)
            if let (kept, ending) = pluralStem(LowercasedASCII(bytes: word)) {
                body(
                    Token(
                        lowercasing: UnsafeBufferPointer(rebasing: word[..<kept]), then: ending.map { UInt8($0.value) })
                )
            }
        }

        mutating func take(cjk scalar: Unicode.Scalar, _ body: (Token) -> Void) {
            endWord(body)
            if let previous = previousCJK ?? beforeSpace { body(Token(previous, scalar)) }
            beforeSpace = nil
            previousCJK = scalar
        }

        mutating func take(_ scalar: Unicode.Scalar, _ body: (Token) -> Void) {
            if isCJK(scalar) {
                take(cjk: scalar, body)
                return
            }
            beforeSpace = nil
            if isWordCharacter(scalar) || (scalar == "'" || scalar == "\u{2019}") && wordLength > 0 {
                endCJKRun(body)
                append(scalar)
            } else {
                endCJKRun(body)
                endWord(body)
            }
        }

        mutating func endCJKRun(_ body: (Token) -> Void) {
            if let last = previousCJK { body(Token(last)) }
            previousCJK = nil
        }

        mutating func append(_ scalar: Unicode.Scalar) {
            if wordLength < word.count { word[wordLength] = scalar } else { word.append(scalar) }
            wordLength += 1
        }

        mutating func endWord(_ body: (Token) -> Void) {
            // Through a buffer pointer: a slice of `word` would retain and release its storage
            // for every word of every page.
            if wordLength > 0,
                let normalized = word.withUnsafeBufferPointer({
                    normalizedWord(UnsafeBufferPointer(rebasing: $0[..<wordLength]))
                })
            {
                body(normalized)
            }
            wordLength = 0
        }
    }

    /// A query's terms: each must match for a page to be found. Hangul terms match by their
    /// bigrams; word terms match any indexed word they are a prefix of, so "bio" finds
    /// "biogen" and "biologics".
    public static func queryTerms(_ query: String) -> [QueryTerm] {
        var terms: [QueryTerm] = []
        forEachRun(in: query) { run, isCJK in
            if isCJK {
                var term = QueryTerm(tokens: bigrams(run), isPrefix: run.count == 1)
                if run.count >= 3, let last = run.last, particles.contains(last) {
                    term.withoutParticle = bigrams(Array(run.dropLast()))
                }
                terms.append(term)
            } else if let word = normalizedWord(run[...]) {
                let text = word.string
                var term = QueryTerm(tokens: [text], isPrefix: true)
                // The index keeps "companies" as "company": a word typed as far as "compani" is
                // on its way there. Only from three letters on, as the index makes a "y" only of
                // words longer than four letters ending in "ies".
                if text.unicodeScalars.count >= 3, text.unicodeScalars.last == "i" {
                    term.alsoPrefix = text.dropLast() + "y"
                }
                terms.append(term)
            }
        }
        return terms
    }

    /// Particles that follow a Korean noun as its final syllable (랩센트럴의, 보스턴은): a term
    /// that finds nothing is tried once more without one.
    static let particles: Set<Unicode.Scalar> = ["의", "은", "는", "이", "가", "을", "를", "에", "와", "과", "도", "로", "만"]

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
        if scalar.isASCII { return isASCIILetterOrDigit(UInt8(truncatingIfNeeded: scalar.value)) }
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
    static func normalizedWord<Word: RandomAccessCollection<Unicode.Scalar>>(_ run: Word) -> Token?
    where Word.Index == Int {
        func isApostrophe(_ scalar: Unicode.Scalar) -> Bool { scalar == "'" || scalar == "\u{2019}" }
        // Measured and cut in place rather than edited as a copy: this runs for every word of
        // every page, and nearly every word has no apostrophe and no ending to remove.
        var end = run.endIndex
        if run.count >= 2, run[end - 1] == "s", isApostrophe(run[end - 2]) { end -= 2 }
        let stem = run[run.startIndex..<end]
        guard stem.contains(where: isApostrophe) else { return withoutPluralEnding(stem) }
        return withoutPluralEnding(stem.filter { !isApostrophe($0) })
    }

    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// ASCII letters and digits as the lower-cased scalars a word is made of.
    private struct LowercasedASCII: RandomAccessCollection {
        let bytes: UnsafeBufferPointer<UInt8>
        var startIndex: Int { 0 }
        var endIndex: Int { bytes.count }
        // Setting 0x20 lower-cases a letter and leaves a digit as it is.
        subscript(position: Int) -> Unicode.Scalar { Unicode.Scalar(bytes[position] | 0x20) }
    }

    private static func withoutPluralEnding<Word: RandomAccessCollection<Unicode.Scalar>>(_ word: Word) -> Token?
    where Word.Index == Int {
        guard let (kept, ending) = pluralStem(word) else { return nil }
        return Token(word.prefix(kept), then: ending)
    }

    /// How many of a word's scalars its token keeps, and the ending put after them ("companies"
    /// keeps 6 and ends in "y"); nil when what is left is too short to index.
    private static func pluralStem<Word: RandomAccessCollection<Unicode.Scalar>>(_ word: Word) -> (
        kept: Int, ending: Unicode.Scalar?
    )? where Word.Index == Int {
        func ends(_ suffix: StaticString) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard word.count >= count else { return false }
            return suffix.withUTF8Buffer { tail in
                tail.indices.allSatisfy { word[word.endIndex - count + $0].value == UInt32(tail[$0]) }
            }
        }
        var kept = word.count
        var ending: Unicode.Scalar?
        if word.count > 4, ends("ies") {
            kept -= 3
            ending = "y"
        } else if word.count > 3, ends("es"), ends("ses") || ends("xes") || ends("zes") || ends("ches") || ends("shes")
        {
            kept -= 2
        } else if word.count > 3, ends("s"), !ends("ss"), !ends("us"), !ends("is") {
            kept -= 1
        }
        guard kept + (ending == nil ? 0 : 1) >= 2 else { return nil }
        return (kept, ending)
    }
}

/// One term of a query: its index tokens, and whether they match as prefixes of indexed words.
public struct QueryTerm: Sendable, Equatable {
    public var tokens: [String]
    public var isPrefix: Bool
    /// A second prefix a word term matches as well ("compani" also matches from "company").
    public var alsoPrefix: String?
    /// The bigrams of a Korean term without its final particle, matched when the term itself
    /// matches no page.
    public var withoutParticle: [String]?
}
