/// A request's path, decoded and normalised before anything is looked up with it.
///
/// The rules are strict on purpose: an encoded slash or backslash, a NUL or other control
/// character, a malformed escape, invalid UTF-8 or a `..` segment (written plainly or as
/// `%2e%2e`) makes the whole request a 400. A browser never sends any of those for a real page,
/// and refusing them means no spelling of a path can step outside the site.
struct RequestTarget: Equatable {
    /// The decoded segments, without empty and `.` segments.
    var segments: [String]
    /// Whether the path ended with `/` (the root always does).
    var hasTrailingSlash: Bool
    /// The raw query without its `?`, kept as sent for redirects.
    var query: String?

    enum Rejection: Error, Equatable {
        case notAbsolutePath
        case malformedEscape
        case invalidUTF8
        case forbiddenCharacter
        case parentSegment

        var reason: String {
            switch self {
            case .notAbsolutePath: "the request target must be a path starting with /"
            case .malformedEscape: "a % in the path must be followed by two hexadecimal digits"
            case .invalidUTF8: "the decoded path is not valid UTF-8"
            case .forbiddenCharacter: "the path contains an encoded slash, a backslash or a control character"
            case .parentSegment: "the path contains a '..' segment"
            }
        }
    }

    init(segments: [String], hasTrailingSlash: Bool, query: String? = nil) {
        self.segments = segments
        self.hasTrailingSlash = hasTrailingSlash
        self.query = query
    }

    /// Parses an origin-form request target such as `/boston/lab%20central/?x=1`.
    init(parsing target: String) throws(Rejection) {
        let pathPart: Substring
        if let questionMark = target.firstIndex(of: "?") {
            pathPart = target[..<questionMark]
            query = String(target[target.index(after: questionMark)...])
        } else {
            pathPart = target[...]
            query = nil
        }
        guard pathPart.first == "/" else { throw .notAbsolutePath }
        hasTrailingSlash = pathPart.last == "/"
        segments = []
        // Split before decoding so that an encoded slash can never create a segment boundary.
        for rawSegment in pathPart.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = try Self.decode(rawSegment)
            switch segment {
            case ".": continue
            case "..": throw .parentSegment
            default: segments.append(segment)
            }
        }
    }

    private static func decode(_ raw: Substring) throws(Rejection) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .malformedEscape
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        for byte in bytes where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
            throw .forbiddenCharacter
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A percent-encoded absolute path for `segments` (for `Location` headers): never starts with
    /// `//`, so it cannot be read as another host.
    static func encodedPath(_ segments: [String], trailingSlash: Bool) -> String {
        let body = segments.map(percentEncode).joined(separator: "/")
        if body.isEmpty { return "/" }
        return "/" + body + (trailingSlash ? "/" : "")
    }

    private static func percentEncode(_ segment: String) -> String {
        var encoded = ""
        for byte in segment.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, isPathCharacter(scalar) {
                encoded.unicodeScalars.append(scalar)
            } else {
                encoded +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delims, `:` and `@`.
    private static func isPathCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";",
            "=", ":", "@":
            true
        default:
            false
        }
    }
}
