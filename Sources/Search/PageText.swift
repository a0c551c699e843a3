import Foundation

/// What the search index takes from a rendered page.
public struct SearchableText: Sendable {
    public var text: [UInt8]
    /// The text of the first `<h1>` inside `<main>`; nil when there is none or it is blank.
    public var heading: String?

    public init(text: [UInt8], heading: String?) {
        self.text = text
        self.heading = heading
    }
}

/// The visible text of a page's `<main>` (else its `<body>`, else the whole document): tags become
/// spaces, character references are decoded, and `nav`, `script`, `style`, `template` and
/// `noscript` elements are dropped with their content.
public func searchableText(ofPage html: String) -> SearchableText {
    // Read in place: a copy of a long page's bytes would add its whole size to the build's peak.
    var html = html
    return html.withUTF8(searchableText(ofPageBytes:))
}

public func searchableText(ofPageBytes bytes: UnsafeBufferPointer<UInt8>) -> SearchableText {
    var start = 0
    var end = bytes.count
    var inMain = false
    for element in ["main", "body"] {
        if let open = firstIndex(of: Array("<\(element)".utf8), in: bytes, from: 0),
            let close = firstIndex(of: Array("</\(element)>".utf8), in: bytes, from: open)
        {
            start = open
            end = close
            inMain = element == "main"
            break
        }
    }
    var heading: String?
    // Written into one buffer the size of what is read: no byte read gives more than one byte
    // of text (a tag gives at most a space, a character reference its character, which is
    // never longer than the reference). Appending each run to an array went through the
    // standard library's generic append, a twentieth of indexing a site (callgrind).
    let text = [UInt8](unsafeUninitializedCapacity: end - start) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        var text = TextWriter(base: base, capacity: buffer.count)
        var skipping: TagName?
        // Where the first h1's text starts and ends in `text`, found on the same pass.
        var headingStart: Int?
        var headingEnd: Int?
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                let tagEnd = firstIndex(of: UInt8(ascii: ">"), in: bytes, from: index, to: end)
                let closing = index + 1 < tagEnd && bytes[index + 1] == UInt8(ascii: "/")
                let name = TagName(
                    UnsafeBufferPointer(rebasing: bytes[(closing ? index + 2 : index + 1)..<max(tagEnd, index + 1)]))
                if let current = skipping {
                    if closing, name == current { skipping = nil }
                } else if !closing, name.isSkippedWithContent {
                    skipping = name
                }
                if !name.isInline { text.appendSpace() }
                if inMain, skipping == nil, headingEnd == nil, name == TagName.h1 {
                    if closing {
                        if headingStart != nil { headingEnd = text.count }
                    } else if headingStart == nil {
                        headingStart = text.count
                    }
                }
                index = tagEnd + 1
            } else if skipping != nil {
                index = firstIndex(of: UInt8(ascii: "<"), in: bytes, from: index, to: end)
            } else if byte == UInt8(ascii: "&") {
                let referenceEnd = bytes[index..<min(end, index + 12)].firstIndex(of: UInt8(ascii: ";"))
                if let referenceEnd,
                    var decoded = decodedReference(String(decoding: bytes[(index + 1)..<referenceEnd], as: UTF8.self))
                {
                    decoded.withUTF8 { text.append($0) }
                    index = referenceEnd + 1
                } else {
                    text.append(byte)
                    index += 1
                }
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: " ")
                || byte == UInt8(ascii: "\r")
            {
                text.appendSpace()
                index += 1
            } else {
                // Copied a run at a time up to the next tag, reference or space: most of a page.
                // A single space between two words is copied with them, as one space between
                // words is what the text keeps anyway: Korean text has one every few syllables.
                var runEnd = index + 1
                while runEnd < end {
                    if !endsTextRun(bytes[runEnd]) {
                        runEnd += 1
                    } else if bytes[runEnd] == UInt8(ascii: " "), runEnd + 1 < end, !endsTextRun(bytes[runEnd + 1]) {
                        runEnd += 2
                    } else {
                        break
                    }
                }
                text.append(UnsafeBufferPointer(rebasing: bytes[index..<runEnd]))
                index = runEnd
            }
        }
        if let headingStart, let headingEnd {
            var bytes = UnsafeBufferPointer(start: base + headingStart, count: headingEnd - headingStart)[...]
            while bytes.first == UInt8(ascii: " ") { bytes.removeFirst() }
            while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
            if !bytes.isEmpty { heading = String(decoding: bytes, as: UTF8.self) }
        }
        initialized = text.trimmedOfSpaces()
    }
    return SearchableText(text: text, heading: heading)
}

/// Text written into memory that `searchableText` has sized to hold it.
private struct TextWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    mutating func append(_ byte: UInt8) {
        assert(count < capacity, "searchable text longer than the page's bytes")
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        assert(count + bytes.count <= capacity, "searchable text longer than the page's bytes")
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    /// One space between words, never two and never first.
    mutating func appendSpace() {
        if count > 0, base[count - 1] != UInt8(ascii: " ") { append(UInt8(ascii: " ")) }
    }

    /// Drops spaces at both ends (a decoded `&nbsp;` may put one first); returns the count left.
    mutating func trimmedOfSpaces() -> Int {
        while count > 0, base[count - 1] == UInt8(ascii: " ") { count -= 1 }
        var leading = 0
        while leading < count, base[leading] == UInt8(ascii: " ") { leading += 1 }
        if leading > 0 {
            base.update(from: base + leading, count: count - leading)
            count -= leading
        }
        return count
    }
}

/// `<`, `&`, space, tab, LF or CR: all below 64, so one bit each of a 64-bit mask answers for
/// every byte of every page's text with a shift instead of six comparisons.
@inline(__always)
private func endsTextRun(_ byte: UInt8) -> Bool {
    let ends: UInt64 = 1 << 0x3C | 1 << 0x26 | 1 << 0x20 | 1 << 0x0A | 1 << 0x09 | 1 << 0x0D
    return byte < 64 && ends >> UInt64(byte) & 1 == 1
}

/// An element name, lower-cased and packed into an integer, a byte a letter: every tag of every
/// page is classified, and a String of each name, hashed into a set, was a tenth of indexing a
/// site. Names longer than eight letters are none of those asked about and all compare equal.
private struct TagName: Equatable {
    private let packed: UInt64

    init(_ name: String) {
        var name = name
        self = name.withUTF8(TagName.init)
    }

    init(_ name: UnsafeBufferPointer<UInt8>) {
        var packed: UInt64 = 0
        var length = 0
        for byte in name {
            let lower = byte | 0x20
            guard
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            else { break }
            length += 1
            guard length <= 8 else {
                packed = .max
                break
            }
            packed = packed << 8 | UInt64(byte >= UInt8(ascii: "A") ? lower : byte)
        }
        self.packed = packed
    }

    /// Elements dropped with everything inside them.
    var isSkippedWithContent: Bool { Self.skippedWithContent.contains(self) }

    /// Elements inside a word (`<mark>바이오</mark>클러스터`): no space is put where they start or end.
    var isInline: Bool { Self.inline.contains(self) }

    static let h1 = TagName("h1")

    private static let skippedWithContent = ["nav", "script", "style", "template", "noscript"].map(TagName.init(_:))
    private static let inline = [
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp",
        "small", "span", "strong", "sub", "sup", "time", "u", "var", "del", "ins",
    ].map(TagName.init(_:))
}

/// The first `byte` in `start..<end`, else `end`; memchr, as every tag of every page is looked
/// through for its end.
private func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
    guard let base = bytes.baseAddress, start < end, let hit = memchr(base + start, Int32(byte), end - start)
    else { return end }
    return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
}

/// memchr for the first byte, then memcmp: this runs over the whole of every page.
private func firstIndex(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let base = bytes.baseAddress, let first = needle.first else { return nil }
    let lastStart = bytes.count - needle.count
    var position = start
    while position <= lastStart {
        guard let hit = memchr(base + position, Int32(first), lastStart - position + 1) else { return nil }
        let index = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
        if needle.withUnsafeBytes({ $0.baseAddress.map { memcmp(base + index, $0, needle.count) } }) == 0 {
            return index
        }
        position = index + 1
    }
    return nil
}

private func decodedReference(_ name: String) -> String? {
    switch name {
    case "amp": return "&"
    case "lt": return "<"
    case "gt": return ">"
    case "quot": return "\""
    case "apos": return "'"
    case "nbsp": return " "
    default:
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let value =
            digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
