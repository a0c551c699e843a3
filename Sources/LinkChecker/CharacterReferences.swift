/// Decoding of HTML character references (`&amp;`, `&#47;`, `&#x2F;`) in attribute values, by
/// the standard's rules for attributes. The named table holds what can matter in a URL or an
/// id: the markup characters, ASCII punctuation and a few common symbols; any other name is
/// left as written.
enum CharacterReferences {
    /// Appends `bytes[span]` to `output`, decoding every character reference.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, into output: inout [UInt8]) {
        var index = span.start
        let end = span.end
        while index < end {
            let byte = bytes[index]
            guard byte == .ampersand else {
                output.append(byte)
                index += 1
                continue
            }
            if let (scalar, next) = reference(in: bytes, at: index + 1, end: end) {
                appendUTF8(scalar, to: &output)
                index = next
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// The scalar of the reference whose text starts at `start` (after `&`), and where it ends.
    private static func reference(
        in bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int
    ) -> (Unicode.Scalar, Int)? {
        guard start < end else { return nil }
        if bytes[start] == .hash { return numericReference(in: bytes, at: start + 1, end: end) }
        var nameEnd = start
        while nameEnd < end, nameEnd - start < 32, isASCIILetter(bytes[nameEnd]) || isASCIIDigit(bytes[nameEnd]) {
            nameEnd += 1
        }
        guard nameEnd > start else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<nameEnd]), as: UTF8.self)
        if nameEnd < end, bytes[nameEnd] == .semicolon, let scalar = named[name] {
            return (scalar, nameEnd + 1)
        }
        // Legacy names work without `;`, but not when `=` or a letter follows, in attributes:
        // `?a=1&copy=2` keeps its `&copy`.
        if let scalar = legacy[name], nameEnd == end || bytes[nameEnd] != .equals {
            return (scalar, nameEnd)
        }
        return nil
    }

    private static func numericReference(
        in bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int
    ) -> (Unicode.Scalar, Int)? {
        var index = start
        var isHex = false
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "x") {
            isHex = true
            index += 1
        }
        let digitsStart = index
        var value: UInt32 = 0
        while index < end {
            let byte = bytes[index]
            let digit: UInt32
            if isASCIIDigit(byte) {
                digit = UInt32(byte - 0x30)
            } else if isHex, (byte | 0x20) >= 0x61, (byte | 0x20) <= 0x66 {
                digit = UInt32((byte | 0x20) - 0x61 + 10)
            } else {
                break
            }
            value = min(value * (isHex ? 16 : 10) + digit, 0x11_0000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < end, bytes[index] == .semicolon { index += 1 }
        return (scalar(forCodePoint: value), index)
    }

    private static func scalar(forCodePoint value: UInt32) -> Unicode.Scalar {
        if let mapped = windows1252[value] { return mapped }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        output.append(contentsOf: scalar.utf8)
    }

    private static let legacy: [String: Unicode.Scalar] = [
        "amp": "&", "AMP": "&", "lt": "<", "LT": "<", "gt": ">", "GT": ">", "quot": "\"", "QUOT": "\"",
        "nbsp": "\u{A0}", "copy": "\u{A9}", "COPY": "\u{A9}", "reg": "\u{AE}", "REG": "\u{AE}",
    ]

    private static let named: [String: Unicode.Scalar] = legacy.merging(
        [
            "apos": "'", "sol": "/", "bsol": "\\", "num": "#", "percnt": "%", "quest": "?", "equals": "=",
            "colon": ":", "semi": ";", "comma": ",", "period": ".", "lowbar": "_", "UnderBar": "_", "commat": "@",
            "lpar": "(", "rpar": ")", "plus": "+", "excl": "!", "dollar": "$", "ast": "*", "midast": "*",
            "lsqb": "[", "lbrack": "[", "rsqb": "]", "rbrack": "]", "lcub": "{", "lbrace": "{", "rcub": "}",
            "rbrace": "}", "verbar": "|", "vert": "|", "VerticalLine": "|", "grave": "`", "DiacriticalGrave": "`",
            "Hat": "^", "Tab": "\t", "NewLine": "\n", "hyphen": "\u{2010}", "dash": "\u{2010}", "ndash": "\u{2013}",
            "mdash": "\u{2014}", "middot": "\u{B7}", "hellip": "\u{2026}", "trade": "\u{2122}",
        ],
        uniquingKeysWith: { first, _ in first }
    )

    /// Numeric references to C1 controls mean the Windows-1252 characters, as browsers read them.
    private static let windows1252: [UInt32: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}", 0x86: "\u{2020}",
        0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}", 0x8B: "\u{2039}", 0x8C: "\u{0152}",
        0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}", 0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}",
        0x96: "\u{2013}", 0x97: "\u{2014}", 0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}",
        0x9C: "\u{0153}", 0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]
}
