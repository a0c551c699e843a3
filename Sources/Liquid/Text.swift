/// How much reading a text holds: words of alphabetic scripts, and Hangul, Han and Kana
/// characters, which are counted one by one because a space-free Korean run like
/// "바이오클러스터" carries several words' worth of reading.
public struct WordStatistics: Sendable, Equatable {
    public var words: Int
    public var cjkCharacters: Int

    public init(_ text: String) {
        var words = 0
        var cjk = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.isCJKLetter {
                if inWord { words += 1 }
                inWord = false
                cjk += 1
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                inWord = true
            } else if scalar.properties.isWhitespace {
                if inWord { words += 1 }
                inWord = false
            }
        }
        if inWord { words += 1 }
        self.words = words
        self.cjkCharacters = cjk
    }

    /// Words as `number_of_words` reports them: each CJK character counts as one.
    public var total: Int { words + cjkCharacters }

    /// Minutes to read at 200 words or 500 Hangul/CJK characters a minute, rounded up: at least
    /// 1 for any text, 0 for none.
    public var readingMinutes: Int {
        Int((Double(words) / 200 + Double(cjkCharacters) / 500).rounded(.up))
    }
}

/// Words in `text` as `number_of_words` and `page.word_count` count them (see `WordStatistics`).
public func countWords(_ text: String) -> Int {
    WordStatistics(text).total
}

extension Unicode.Scalar {
    var isCJKLetter: Bool {
        switch value {
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
            0x3040...0x30FF, 0x31F0...0x31FF,  // Kana
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F:  // Han
            return true
        default:
            return false
        }
    }
}

/// Jekyll's `slugify` in its default mode: runs of anything but letters and digits (of any
/// script, so Hangul stays) become `-`, no `-` at either end, lower case.
public func slugify(_ text: String, mode: String = "default") -> String {
    let keep: (Unicode.Scalar) -> Bool
    switch mode {
    case "none": return text
    case "raw": keep = { !$0.properties.isWhitespace }
    case "pretty": keep = { $0.isLetterOrDigit || "._~!$&'()+,;=@".unicodeScalars.contains($0) }
    case "ascii", "latin": keep = { $0.isASCII && $0.isLetterOrDigit }
    default: keep = { $0.isLetterOrDigit }
    }
    var slug = String.UnicodeScalarView()
    var pendingDash = false
    for scalar in text.unicodeScalars {
        if keep(scalar) {
            if pendingDash, !slug.isEmpty { slug.append("-") }
            pendingDash = false
            slug.append(scalar)
        } else {
            pendingDash = true
        }
    }
    return String(slug).lowercased()
}

extension Unicode.Scalar {
    var isLetterOrDigit: Bool {
        properties.isAlphabetic || properties.numericType == .decimal
    }
}
