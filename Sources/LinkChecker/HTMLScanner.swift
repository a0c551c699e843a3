import Foundation

/// A run of bytes of a page, `start..<end`.
struct ByteSpan: Sendable, Hashable {
    var start: Int
    var end: Int

    var isEmpty: Bool { start >= end }
}

/// What a page holds for the checker, as spans into its bytes, in document order.
struct ScannedPage: Sendable {
    /// Each URL to check, still with its HTML character references; a `srcset` gives one per
    /// candidate and a refresh `<meta>` the URL inside its `content`.
    var links: [ByteSpan] = []
    /// `id` values, and `name` values of `<a>`: the targets of `#fragment`s.
    var ids: [ByteSpan] = []
    var anchorNames: [ByteSpan] = []
    /// The `href` of the first `<base>` that has one.
    var base: ByteSpan?
}

/// A tokenizer that follows the HTML standard's rules for where tags are: it skips text,
/// comments, `<script>`/`<style>` bodies and the other raw-text elements, and keeps nothing
/// from inside `<template>`. It works on the bytes, never building a string, since it reads
/// every byte of the site.
struct HTMLScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var page = ScannedPage()
    private var templateDepth = 0

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> ScannedPage {
        var scanner = HTMLScanner(bytes: bytes)
        scanner.run()
        return scanner.page
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private mutating func run() {
        let count = bytes.count
        var index = 0
        while let open = find(.lessThan, from: index) {
            index = open + 1
            guard index < count else { break }
            let next = bytes[index]
            if isASCIILetter(next) {
                index = startTag(nameAt: index)
            } else if next == .slash {
                index = endTag(at: index + 1)
            } else if next == .exclamation {
                index = markupDeclaration(at: index + 1)
            } else if next == .question {
                index = after(.greaterThan, from: index)
            }
        }
    }

    // MARK: Tags

    private mutating func startTag(nameAt nameStart: Int) -> Int {
        var index = nameStart
        while index < bytes.count, !isTagNameEnd(bytes[index]) { index += 1 }
        let tag = HTMLTag(bytes, nameStart, index)
        var attributes = TagAttributes()
        let (end, closed) = parseAttributes(from: index, tag: tag, into: &attributes)
        // A tag cut off by the end of the file is dropped, as a browser drops it.
        guard closed else { return end }
        if templateDepth == 0 {
            record(tag, attributes)
        }
        switch tag {
        case .template:
            templateDepth += 1
            return end
        case .plaintext:
            return bytes.count
        default:
            guard let name = tag.rawTextName else { return end }
            let textEnd = rawTextEnd(from: end, name: name)
            if tag == .style, templateDepth == 0 { page.links += styleSheetLinks(bytes, from: end, to: textEnd) }
            return textEnd
        }
    }

    private mutating func endTag(at index: Int) -> Int {
        guard index < bytes.count, isASCIILetter(bytes[index]) else {
            // `</>` and `</ …>` are dropped up to the next `>`.
            return after(.greaterThan, from: index)
        }
        var nameEnd = index
        while nameEnd < bytes.count, !isTagNameEnd(bytes[nameEnd]) { nameEnd += 1 }
        if HTMLTag(bytes, index, nameEnd) == .template {
            templateDepth = max(0, templateDepth - 1)
        }
        var ignored = TagAttributes()
        return parseAttributes(from: nameEnd, tag: .other, into: &ignored).end
    }

    /// `<!--` comments end at the first `-->` or `--!>`, even one that overlaps the opening
    /// (`<!-->`); `<!DOCTYPE …>`, `<![CDATA[…]>` and other declarations at the next `>`.
    private func markupDeclaration(at index: Int) -> Int {
        let count = bytes.count
        guard index + 1 < count, bytes[index] == .hyphen, bytes[index + 1] == .hyphen else {
            return after(.greaterThan, from: index)
        }
        var search = index + 2
        while let close = find(.greaterThan, from: search) {
            if bytes[close - 1] == .hyphen, bytes[close - 2] == .hyphen { return close + 1 }
            if close - 3 >= index + 2, bytes[close - 1] == .exclamation, bytes[close - 2] == .hyphen,
                bytes[close - 3] == .hyphen
            {
                return close + 1
            }
            search = close + 1
        }
        return count
    }

    /// The start of the `</name` that ends a raw-text element begun before `index`.
    private func rawTextEnd(from index: Int, name: StaticString) -> Int {
        let nameLength = name.utf8CodeUnitCount
        var search = index
        while let open = find(.lessThan, from: search) {
            let nameStart = open + 2
            if nameStart + nameLength <= bytes.count, bytes[open + 1] == .slash,
                equalsLowercased(nameStart, nameStart + nameLength, name),
                nameStart + nameLength == bytes.count || isTagNameEnd(bytes[nameStart + nameLength])
            {
                return open
            }
            search = open + 1
        }
        return bytes.count
    }

    /// Reads attributes up to the `>` that ends the tag, as the standard's tokenizer does.
    /// Returns the index after the tag, and whether the tag was closed before the end of the file.
    private func parseAttributes(
        from start: Int, tag: HTMLTag, into attributes: inout TagAttributes
    ) -> (end: Int, closed: Bool) {
        let count = bytes.count
        var index = start
        while index < count {
            let byte = bytes[index]
            if isHTMLWhitespace(byte) || byte == .slash {
                index += 1
                continue
            }
            if byte == .greaterThan { return (index + 1, true) }
            let nameStart = index
            index += 1  // The first character of a name may be `=`.
            while index < count {
                let next = bytes[index]
                if isHTMLWhitespace(next) || next == .slash || next == .greaterThan || next == .equals { break }
                index += 1
            }
            let nameEnd = index
            while index < count, isHTMLWhitespace(bytes[index]) { index += 1 }
            var value = ByteSpan(start: nameEnd, end: nameEnd)
            if index < count, bytes[index] == .equals {
                index += 1
                while index < count, isHTMLWhitespace(bytes[index]) { index += 1 }
                if index < count {
                    let quote = bytes[index]
                    if quote == .doubleQuote || quote == .singleQuote {
                        let valueEnd = find(quote, from: index + 1) ?? count
                        value = ByteSpan(start: index + 1, end: valueEnd)
                        index = min(valueEnd + 1, count)
                    } else if quote != .greaterThan {
                        let valueStart = index
                        while index < count, !isHTMLWhitespace(bytes[index]), bytes[index] != .greaterThan {
                            index += 1
                        }
                        value = ByteSpan(start: valueStart, end: index)
                    } else {
                        value = ByteSpan(start: index, end: index)
                    }
                }
            }
            attributes.record(HTMLAttribute(bytes, nameStart, nameEnd, on: tag), value)
        }
        return (count, false)
    }

    private mutating func record(_ tag: HTMLTag, _ attributes: TagAttributes) {
        if let id = attributes.id, !id.isEmpty {
            page.ids.append(id)
        }
        // Before the tag's own links: a style attribute loads what it names as the page opens.
        if let style = attributes.style {
            page.links += styleSheetLinks(bytes, from: style.start, to: style.end)
        }
        switch tag {
        case .a:
            if let name = attributes.name, !name.isEmpty { page.anchorNames.append(name) }
            addLinks(attributes.href)
        case .area, .link:
            addLinks(attributes.href)
        case .img, .source:
            addLinks(attributes.src, srcset: attributes.srcset)
        case .script, .iframe, .embed, .track, .audio:
            addLinks(attributes.src)
        case .video:
            addLinks(attributes.src, attributes.poster)
        case .form:
            addLinks(attributes.action)
        case .meta:
            if let equiv = attributes.httpEquiv, let content = attributes.content,
                isRefresh(trimmed(equiv))
            {
                addRefreshURL(content)
            }
        case .base:
            if page.base == nil, let href = attributes.href { page.base = href }
        default:
            break
        }
    }

    /// Adds the spans in the order they appear in the file, whatever the attributes' order.
    private mutating func addLinks(_ first: ByteSpan?, _ second: ByteSpan? = nil, srcset: ByteSpan? = nil) {
        var spans: [(span: ByteSpan, isSrcset: Bool)] = []
        if let first { spans.append((first, false)) }
        if let second { spans.append((second, false)) }
        if let srcset { spans.append((srcset, true)) }
        if spans.count > 1 { spans.sort { $0.span.start < $1.span.start } }
        for (span, isSrcset) in spans {
            if isSrcset { addSrcsetCandidates(span) } else { page.links.append(span) }
        }
    }

    /// The standard's srcset parsing: candidates separated by commas, each a URL and optional
    /// descriptors (`2x`, `480w`), where a URL may itself end in commas.
    private mutating func addSrcsetCandidates(_ value: ByteSpan) {
        var index = value.start
        while index < value.end {
            while index < value.end, isHTMLWhitespace(bytes[index]) || bytes[index] == .comma { index += 1 }
            guard index < value.end else { break }
            let urlStart = index
            while index < value.end, !isHTMLWhitespace(bytes[index]) { index += 1 }
            var urlEnd = index
            if bytes[urlEnd - 1] == .comma {
                while urlEnd > urlStart, bytes[urlEnd - 1] == .comma { urlEnd -= 1 }
                if urlEnd > urlStart { page.links.append(ByteSpan(start: urlStart, end: urlEnd)) }
                continue
            }
            page.links.append(ByteSpan(start: urlStart, end: urlEnd))
            var parentheses = 0
            while index < value.end {
                let byte = bytes[index]
                index += 1
                if byte == .openParenthesis {
                    parentheses += 1
                } else if byte == .closeParenthesis {
                    parentheses = max(0, parentheses - 1)
                } else if byte == .comma, parentheses == 0 {
                    break
                }
            }
        }
    }

    /// `content="5; url=/next/"`: a delay, a `;` or `,`, an optional `url=`, an optional quote.
    private mutating func addRefreshURL(_ value: ByteSpan) {
        var index = value.start
        let end = value.end
        func skipWhitespace() { while index < end, isHTMLWhitespace(bytes[index]) { index += 1 } }
        skipWhitespace()
        while index < end, isASCIIDigit(bytes[index]) || bytes[index] == .period { index += 1 }
        skipWhitespace()
        if index < end, bytes[index] == .semicolon || bytes[index] == .comma { index += 1 }
        skipWhitespace()
        guard index < end else { return }
        if index + 3 <= end, equalsLowercased(index, index + 3, "url") {
            var afterKeyword = index + 3
            while afterKeyword < end, isHTMLWhitespace(bytes[afterKeyword]) { afterKeyword += 1 }
            if afterKeyword < end, bytes[afterKeyword] == .equals {
                index = afterKeyword + 1
                skipWhitespace()
            }
        }
        var urlEnd = end
        if index < end, bytes[index] == .doubleQuote || bytes[index] == .singleQuote {
            let quote = bytes[index]
            index += 1
            urlEnd = find(quote, from: index).map { min($0, end) } ?? end
        }
        while urlEnd > index, isHTMLWhitespace(bytes[urlEnd - 1]) { urlEnd -= 1 }
        if urlEnd > index { page.links.append(ByteSpan(start: index, end: urlEnd)) }
    }

    private func isRefresh(_ span: ByteSpan) -> Bool {
        span.end - span.start == 7 && equalsLowercased(span.start, span.end, "refresh")
    }

    private func trimmed(_ span: ByteSpan) -> ByteSpan {
        var result = span
        while result.start < result.end, isHTMLWhitespace(bytes[result.start]) { result.start += 1 }
        while result.end > result.start, isHTMLWhitespace(bytes[result.end - 1]) { result.end -= 1 }
        return result
    }

    // MARK: Bytes

    private func find(_ byte: UInt8, from index: Int) -> Int? {
        guard index < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + index, Int32(byte), bytes.count - index) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private func after(_ byte: UInt8, from index: Int) -> Int {
        find(byte, from: index).map { $0 + 1 } ?? bytes.count
    }

    private func equalsLowercased(_ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        bytes.equalsLowercased(start, end, literal)
    }
}

/// The attributes the checker reads from one tag; the first of a repeated name wins, as in HTML.
private struct TagAttributes {
    var id: ByteSpan?
    var href: ByteSpan?
    var src: ByteSpan?
    var srcset: ByteSpan?
    var poster: ByteSpan?
    var action: ByteSpan?
    var name: ByteSpan?
    var content: ByteSpan?
    var httpEquiv: ByteSpan?
    var style: ByteSpan?

    mutating func record(_ attribute: HTMLAttribute, _ value: ByteSpan) {
        switch attribute {
        case .id: if id == nil { id = value }
        case .href: if href == nil { href = value }
        case .src: if src == nil { src = value }
        case .srcset: if srcset == nil { srcset = value }
        case .poster: if poster == nil { poster = value }
        case .action: if action == nil { action = value }
        case .name: if name == nil { name = value }
        case .content: if content == nil { content = value }
        case .httpEquiv: if httpEquiv == nil { httpEquiv = value }
        case .style: if style == nil { style = value }
        case .other: break
        }
    }
}

private enum HTMLTag {
    case a, area, audio, base, embed, form, iframe, img, link, meta, script, source, template, track, video
    case style, title, textarea, xmp, noembed, noframes, plaintext
    case other

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        // Chains of comparisons rather than a table: this runs for every tag of the site.
        func isNamed(_ name: StaticString) -> Bool { bytes.equalsLowercased(start, end, name) }
        switch end - start {
        case 1:
            self = isNamed("a") ? .a : .other
        case 3:
            self = isNamed("img") ? .img : isNamed("xmp") ? .xmp : .other
        case 4:
            if isNamed("link") {
                self = .link
            } else if isNamed("meta") {
                self = .meta
            } else if isNamed("form") {
                self = .form
            } else if isNamed("base") {
                self = .base
            } else {
                self = isNamed("area") ? .area : .other
            }
        case 5:
            if isNamed("video") {
                self = .video
            } else if isNamed("audio") {
                self = .audio
            } else if isNamed("style") {
                self = .style
            } else if isNamed("title") {
                self = .title
            } else if isNamed("track") {
                self = .track
            } else {
                self = isNamed("embed") ? .embed : .other
            }
        case 6:
            self = isNamed("script") ? .script : isNamed("source") ? .source : isNamed("iframe") ? .iframe : .other
        case 7:
            self = isNamed("noembed") ? .noembed : .other
        case 8:
            self =
                isNamed("template")
                ? .template : isNamed("textarea") ? .textarea : isNamed("noframes") ? .noframes : .other
        case 9:
            self = isNamed("plaintext") ? .plaintext : .other
        default:
            self = .other
        }
    }

    /// Elements whose content is text up to their end tag, never markup.
    var rawTextName: StaticString? {
        switch self {
        case .script: "script"
        case .style: "style"
        case .title: "title"
        case .textarea: "textarea"
        case .iframe: "iframe"
        case .xmp: "xmp"
        case .noembed: "noembed"
        case .noframes: "noframes"
        default: nil
        }
    }

    var hasLinkAttributes: Bool {
        switch self {
        case .other, .style, .title, .textarea, .xmp, .noembed, .noframes, .plaintext, .template: false
        default: true
        }
    }
}

private enum HTMLAttribute {
    case id, href, src, srcset, poster, action, name, content, httpEquiv, style
    case other

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, on tag: HTMLTag) {
        let length = end - start
        if length == 2 {
            self = bytes.equalsLowercased(start, end, "id") ? .id : .other
            return
        }
        if length == 5, bytes.equalsLowercased(start, end, "style") {
            self = .style
            return
        }
        guard tag.hasLinkAttributes else {
            self = .other
            return
        }
        func isNamed(_ name: StaticString) -> Bool { bytes.equalsLowercased(start, end, name) }
        switch length {
        case 3:
            self = isNamed("src") ? .src : .other
        case 4:
            self = isNamed("href") ? .href : isNamed("name") ? .name : .other
        case 6:
            self = isNamed("srcset") ? .srcset : isNamed("poster") ? .poster : isNamed("action") ? .action : .other
        case 7:
            self = isNamed("content") ? .content : .other
        case 10:
            self = isNamed("http-equiv") ? .httpEquiv : .other
        default:
            self = .other
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether `self[start..<end]`, ASCII letters lowered, is `literal` (lower-case ASCII).
    func equalsLowercased(_ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        guard end - start == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for offset in 0..<(end - start) where self[start + offset] | 0x20 != expected[offset] | 0x20 {
            return false
        }
        return true
    }
}

@inline(__always) func isHTMLWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0C || byte == 0x0D
}

@inline(__always) func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
}

@inline(__always) func isASCIIDigit(_ byte: UInt8) -> Bool {
    byte >= 0x30 && byte <= 0x39
}

@inline(__always) private func isTagNameEnd(_ byte: UInt8) -> Bool {
    isHTMLWhitespace(byte) || byte == .slash || byte == .greaterThan
}

extension UInt8 {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let backslash = UInt8(ascii: "\\")
    static let exclamation = UInt8(ascii: "!")
    static let question = UInt8(ascii: "?")
    static let hyphen = UInt8(ascii: "-")
    static let equals = UInt8(ascii: "=")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let colon = UInt8(ascii: ":")
    static let period = UInt8(ascii: ".")
    static let ampersand = UInt8(ascii: "&")
    static let hash = UInt8(ascii: "#")
    static let percent = UInt8(ascii: "%")
    static let openParenthesis = UInt8(ascii: "(")
    static let closeParenthesis = UInt8(ascii: ")")
}
