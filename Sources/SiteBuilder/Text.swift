import Diagnostics

/// Decodes a source file: strips a UTF-8 byte order mark and reports invalid UTF-8 at the line
/// and column of its first bad byte.
func decodeSourceText(_ bytes: [UInt8], path: String) throws -> String {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    let text = body.withUnsafeBufferPointer { buffer in
        WellFormedUTF8.isWellFormed(buffer) ? WellFormedUTF8.string(buffer) : nil
    }
    if let text { return text }
    let invalid = body.withUnsafeBufferPointer(WellFormedUTF8.firstIllFormedSequence(in:))
    let (line, column, lineText) = position(of: body.startIndex + (invalid ?? 0), in: body)
    throw Diagnostic(
        at: SourceLocation(file: path, line: line, column: column), "the file is not valid UTF-8",
        hint: "save it as UTF-8", sourceLine: lineText)
}

/// The line and column of `offset` in `bytes`, well-formed UTF-8 up to it (columns count
/// Unicode scalars), and the text of its line up to it.
private func position(of offset: Int, in bytes: ArraySlice<UInt8>) -> (Int, Int, String) {
    var line = 1
    var column = 1
    var lineStart = bytes.startIndex
    for index in bytes.startIndex..<offset {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
            lineStart = index + 1
        } else if bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
    }
    return (line, column, String(decoding: bytes[lineStart..<offset], as: UTF8.self))
}

/// UTF-8 checked by a table-driven automaton: the standard library's check, when a source file
/// became a `String`, was 2% of a 10,000-page build's samples, and this takes less than half
/// its time on the benchmark corpus's 74 MB (0.037 against 0.088 s with the copy into a
/// `String`).
enum WellFormedUTF8 {
    /// For each byte, the next state from every state, packed as shift amounts (after Per
    /// Vognsen's shift-based DFA): a state is a multiple of 6, the row shifted right by it
    /// gives the next state in its low 6 bits. Ranges as in the Unicode Standard's table 3-7.
    private static let rows: [UInt64] = {
        let (accept, error, tail1, tail2, tail3, afterE0, afterED, afterF0, afterF4) = (0, 1, 2, 3, 4, 5, 6, 7, 8)
        return (0..<256).map { byte -> UInt64 in
            var next = [Int](repeating: error, count: 9)
            switch byte {
            case 0x00...0x7F: next[accept] = accept
            case 0xC2...0xDF: next[accept] = tail1
            case 0xE0: next[accept] = afterE0
            case 0xE1...0xEC, 0xEE...0xEF: next[accept] = tail2
            case 0xED: next[accept] = afterED
            case 0xF0: next[accept] = afterF0
            case 0xF1...0xF3: next[accept] = tail3
            case 0xF4: next[accept] = afterF4
            default: break
            }
            if (0x80...0xBF).contains(byte) {
                (next[tail1], next[tail2], next[tail3]) = (accept, tail1, tail2)
            }
            if (0xA0...0xBF).contains(byte) { next[afterE0] = tail1 }
            if (0x80...0x9F).contains(byte) { next[afterED] = tail1 }
            if (0x90...0xBF).contains(byte) { next[afterF0] = tail2 }
            if (0x80...0x8F).contains(byte) { next[afterF4] = tail2 }
            return next.enumerated().reduce(0) { $0 | UInt64($1.element * 6) << UInt64($1.offset * 6) }
        }
    }()

    /// The error state as the rows give it (state 1, shifted by 6): it leads only to itself.
    private static let errorState: UInt64 = 6

    /// Whether the bytes are well-formed UTF-8: a step of the automaton a byte, nothing else.
    /// Skipping ASCII eight bytes at a time, or stopping at the first error, made it slower than
    /// the standard library's check on the corpus's mixed Korean and English text (0.098 s).
    static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        rows.withUnsafeBufferPointer { rows in
            var state: UInt64 = 0
            for byte in bytes { state = rows[Int(byte)] >> state & 63 }
            return state == 0
        }
    }

    /// The offset of the first byte of the first ill-formed sequence, or nil when there is none.
    static func firstIllFormedSequence(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        rows.withUnsafeBufferPointer { rows in
            var state: UInt64 = 0
            var sequenceStart = 0
            for (index, byte) in bytes.enumerated() {
                if state == 0 { sequenceStart = index }
                state = rows[Int(byte)] >> state & 63
                if state == errorState { return sequenceStart }
            }
            return state == 0 ? nil : sequenceStart
        }
    }

    /// A String of bytes `isWellFormed` found no fault in, without checking them again.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard #available(macOS 26, *) else { return String(decoding: bytes, as: UTF8.self) }
        return unsafe String(copying: UTF8Span(unchecked: bytes.span))
    }
}

extension String {
    /// Escapes text for an HTML or XML attribute value or element content.
    public var xmlEscaped: String {
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return self
        }
        var result = ""
        result.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The text with every byte outside printable ASCII percent-encoded (`/대전/` becomes
    /// `/%EB%8C%80%EC%A0%84/`): every URL the site writes for a page is made this way, by
    /// `SiteConfig.url` and `permalink`, so feeds and sitemaps take them as they are.
    var percentEncodedNonASCII: String {
        guard utf8.contains(where: { $0 >= 0x80 || $0 <= 0x20 }) else { return self }
        var result = ""
        for byte in utf8 {
            if byte >= 0x80 || byte <= 0x20 {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    /// `%XX` sequences decoded; the text unchanged if they do not form UTF-8.
    var percentDecoded: String {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
