/// One piece of a template: literal text, an output `{{ … }}` or a tag `{% … %}`.
struct Token {
    enum Kind {
        case text
        case output
        case tag
    }

    var kind: Kind
    /// Where the token starts (the `{` of its delimiter) and ends, as byte offsets.
    var start: Int
    var end: Int
    /// The markup between the delimiters and their whitespace-control dashes.
    var markupStart: Int
    var markupEnd: Int
    var trimBefore = false
    var trimAfter = false
    /// For tags: the tag name (`if`, `#`) and where the markup after it starts.
    var name = ""
    var argumentsStart = 0
}

/// Splits a template into tokens. `{% raw %}` and `{% doc %}` bodies are taken verbatim here,
/// since nothing in them may be read as Liquid.
struct Tokenizer {
    let file: SourceFile
    private var bytes: [UInt8] { file.bytes }

    init(file: SourceFile) {
        self.file = file
    }

    func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        var position = 0
        let count = bytes.count
        while position < count {
            guard let open = nextDelimiter(from: position) else {
                tokens.append(text(position, count))
                break
            }
            if open > position { tokens.append(text(position, open)) }
            if bytes[open + 1] == UInt8(ascii: "{") {
                let token = try output(at: open)
                tokens.append(token)
                position = token.end
            } else {
                let token = try tag(at: open)
                tokens.append(token)
                position = token.end
                if token.name == "raw" || token.name == "doc" {
                    let (body, endTag) = try verbatimBody(after: token)
                    tokens.append(body)
                    tokens.append(endTag)
                    position = endTag.end
                }
            }
        }
        return tokens
    }

    private func text(_ start: Int, _ end: Int) -> Token {
        Token(kind: .text, start: start, end: end, markupStart: start, markupEnd: end)
    }

    private func nextDelimiter(from start: Int) -> Int? {
        var index = start
        let last = bytes.count - 1
        while index < last {
            if bytes[index] == UInt8(ascii: "{") {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "{") || next == UInt8(ascii: "%") { return index }
            }
            index += 1
        }
        return nil
    }

    private func find(_ first: UInt8, _ second: UInt8, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == first && bytes[index + 1] == second { return index }
            index += 1
        }
        return nil
    }

    private func output(at open: Int) throws -> Token {
        guard let close = find(UInt8(ascii: "}"), UInt8(ascii: "}"), from: open + 2) else {
            throw file.error(
                at: open, "output '{{' is never closed", hint: "end it with '}}' on the same or a later line")
        }
        var token = Token(kind: .output, start: open, end: close + 2, markupStart: open + 2, markupEnd: close)
        trimDashes(&token)
        return token
    }

    private func tag(at open: Int) throws -> Token {
        guard let close = find(UInt8(ascii: "%"), UInt8(ascii: "}"), from: open + 2) else {
            throw file.error(at: open, "tag '{%' is never closed", hint: "end it with '%}'")
        }
        var token = Token(kind: .tag, start: open, end: close + 2, markupStart: open + 2, markupEnd: close)
        trimDashes(&token)
        var index = token.markupStart
        while index < token.markupEnd, isSpace(bytes[index]) { index += 1 }
        let nameStart = index
        if index < token.markupEnd, bytes[index] == UInt8(ascii: "#") {
            index += 1
        } else {
            while index < token.markupEnd, isWordByte(bytes[index]) { index += 1 }
        }
        guard index > nameStart else {
            throw file.error(
                at: open, "tag has no name",
                hint: "a tag looks like '{% if x %}'; to write '{%' literally use {% raw %}")
        }
        token.name = file.text(nameStart..<index)
        token.argumentsStart = index
        return token
    }

    private func trimDashes(_ token: inout Token) {
        if token.markupStart < token.markupEnd, bytes[token.markupStart] == UInt8(ascii: "-") {
            token.trimBefore = true
            token.markupStart += 1
        }
        if token.markupEnd > token.markupStart, bytes[token.markupEnd - 1] == UInt8(ascii: "-") {
            token.trimAfter = true
            token.markupEnd -= 1
        }
    }

    /// The verbatim text after `{% raw %}` or `{% doc %}` and the tag that closes it.
    private func verbatimBody(after opener: Token) throws -> (Token, Token) {
        let endName = "end" + opener.name
        var search = opener.end
        while let open = find(UInt8(ascii: "{"), UInt8(ascii: "%"), from: search) {
            if let inner = try? tag(at: open) {
                if inner.name == endName { return (text(opener.end, open), inner) }
                if opener.name == "doc", inner.name == "doc" {
                    throw file.error(at: open, "'doc' tags cannot be nested")
                }
            }
            search = open + 2
        }
        throw file.error(
            at: opener.start, "'\(opener.name)' tag is never closed", hint: "close it with {% \(endName) %}")
    }
}

/// Space, tab, LF, VT, FF, CR. Most bytes are above 0x20, so they take one comparison.
@inline(__always) func isSpace(_ byte: UInt8) -> Bool {
    byte <= 0x20 && (byte == 0x20 || (byte >= 0x09 && byte <= 0x0D))
}

@inline(__always) func isWordByte(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
}
