import Diagnostics

/// Decodes a source file: strips a UTF-8 byte order mark and reports invalid UTF-8 at the line
/// and column of its first bad byte.
func decodeSourceText(_ bytes: [UInt8], path: String) throws -> String {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    // Through a buffer pointer: validating a generic collection goes byte by byte.
    if let text = body.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) { return text }
    let (line, column, lineText) = firstInvalidByte(in: body)
    throw Diagnostic(
        at: SourceLocation(file: path, line: line, column: column), "the file is not valid UTF-8",
        hint: "save it as UTF-8", sourceLine: lineText)
}

/// The line and column of the first byte that does not belong to well-formed UTF-8, and the text
/// of that line up to it.
private func firstInvalidByte(in bytes: ArraySlice<UInt8>) -> (Int, Int, String) {
    var line = 1
    var column = 1
    var lineStart = bytes.startIndex
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let length = validSequenceLength(bytes, at: index)
        if length == 0 { break }
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
            lineStart = index + 1
        } else {
            column += 1
        }
        index += length
    }
    return (line, column, String(decoding: bytes[lineStart..<index], as: UTF8.self))
}

/// The length of the well-formed UTF-8 sequence at `index`, or 0 if it is not one.
private func validSequenceLength(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int {
    let first = bytes[index]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch first {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0:
        length = 3
        low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
        length = 3
        high = 0x9F
    case 0xF0:
        length = 4
        low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4:
        length = 4
        high = 0x8F
    default: return 0
    }
    guard index + length <= bytes.endIndex else { return 0 }
    for offset in 1..<length {
        let byte = bytes[index + offset]
        let (lower, upper) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
        if byte < lower || byte > upper { return 0 }
    }
    return length
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
