/// The URLs a style sheet loads: `url(…)` (quoted or not) and the string of `@import "…"`, in
/// `bytes[start..<end]` — a `.css` file, a `<style>` element or a `style` attribute. Comments
/// are skipped, and so are strings that are not an import's, so that `content: "url(x)"` is
/// text rather than a link. Escapes inside URLs are left as written.
func styleSheetLinks(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> [ByteSpan] {
    var links: [ByteSpan] = []
    var index = start
    var afterImport = false
    func skipWhitespace() {
        while index < end, isCSSWhitespace(bytes[index]) { index += 1 }
    }
    /// The string starting at `index` (a quote), without its quotes; `index` moves past it.
    func string() -> ByteSpan {
        let quote = bytes[index]
        let contentStart = index + 1
        index = contentStart
        while index < end, bytes[index] != quote, bytes[index] != UInt8(ascii: "\n") {
            index += bytes[index] == .backslash ? 2 : 1
        }
        let span = ByteSpan(start: contentStart, end: min(index, end))
        if index < end, bytes[index] == quote { index += 1 }
        return span
    }
    while index < end {
        let byte = bytes[index]
        if byte == .slash, index + 1 < end, bytes[index + 1] == UInt8(ascii: "*") {
            index += 2
            while index + 1 < end, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == .slash) { index += 1 }
            index = min(index + 2, end)
        } else if byte == .doubleQuote || byte == .singleQuote {
            let span = string()
            if afterImport { links.append(span) }
            afterImport = false
        } else if byte == UInt8(ascii: "@"), matchesLowercased(bytes, index + 1, end, "import") {
            index += 7
            afterImport = true
        } else if byte == .backslash {
            index += 2
        } else if (byte | 0x20) == UInt8(ascii: "u"), matchesLowercased(bytes, index, end, "url("),
            index == start || !isNameCharacter(bytes[index - 1])
        {
            index += 4
            skipWhitespace()
            if index < end, bytes[index] == .doubleQuote || bytes[index] == .singleQuote {
                links.append(string())
            } else {
                let urlStart = index
                while index < end, bytes[index] != .closeParenthesis, !isCSSWhitespace(bytes[index]) {
                    index += bytes[index] == .backslash ? 2 : 1
                }
                links.append(ByteSpan(start: urlStart, end: min(index, end)))
            }
            afterImport = false
        } else {
            if !isCSSWhitespace(byte) { afterImport = false }
            index += 1
        }
    }
    return links
}

private func isCSSWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
}

/// A byte of a CSS name: `background-url(` is not a `url(`.
private func isNameCharacter(_ byte: UInt8) -> Bool {
    isASCIILetter(byte) || isASCIIDigit(byte) || byte == .hyphen || byte == UInt8(ascii: "_") || byte >= 0x80
}

private func matchesLowercased(
    _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString
) -> Bool {
    let length = literal.utf8CodeUnitCount
    return start + length <= end && bytes.equalsLowercased(start, start + length, literal)
}
