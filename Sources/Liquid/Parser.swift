/// Builds the syntax tree from tokens, tag by tag.
struct Parser {
    let file: SourceFile
    let environment: LiquidEnvironment
    private static let maximumNesting = 200

    init(source: String, path: String, environment: LiquidEnvironment) {
        self.file = SourceFile(path: path, text: source)
        self.environment = environment
    }

    func parseDocument() throws -> Block {
        let tokens = try Tokenizer(file: file).tokenize()
        var stream = TokenStream(tokens: tokens, texts: trimmedTexts(tokens))
        let (block, _, terminator) = try parseBlock(&stream, until: [], opener: nil, depth: 0)
        if let terminator {
            throw unexpected(terminator)
        }
        return block
    }

    /// The text of each text token after `{%-`/`-%}` trimming of its neighbours.
    private func trimmedTexts(_ tokens: [Token]) -> [String?] {
        var texts = [String?](repeating: nil, count: tokens.count)
        for (index, token) in tokens.enumerated() where token.kind == .text {
            var start = token.start
            var end = token.end
            if index > 0, tokens[index - 1].trimAfter {
                while start < end, isSpace(file.bytes[start]) { start += 1 }
            }
            if index + 1 < tokens.count, tokens[index + 1].trimBefore {
                while end > start, isSpace(file.bytes[end - 1]) { end -= 1 }
            }
            texts[index] = start < end ? file.text(start..<end) : ""
        }
        return texts
    }

    // MARK: Blocks

    /// Parses nodes until one of `terminators` (returned, not consumed into the block).
    /// Returns the block, whether it is blank (only white space and silent tags), and the
    /// terminating tag.
    private func parseBlock(
        _ stream: inout TokenStream, until terminators: Set<String>, opener: Token?, depth: Int
    ) throws -> (Block, Bool, Token?) {
        if depth > Self.maximumNesting, let opener {
            throw file.error(
                at: opener.start, "tags are nested more than \(Self.maximumNesting) deep",
                hint: "simplify the template")
        }
        var nodes: [Node] = []
        var blank = true
        while let token = stream.next() {
            switch token.kind {
            case .text:
                let text = stream.text(at: stream.position - 1)
                if !text.isEmpty {
                    if blank, !text.utf8.allSatisfy(isSpace) { blank = false }
                    nodes.append(.text(Array(text.utf8)))
                }
            case .output:
                var lexer = lexer(for: token.markupStart, token.markupEnd)
                if lexer.isAtEnd {
                    try lexer.checkLexed()
                    blank = false
                    continue
                }
                let expression = try lexer.parseFilteredExpression()
                try lexer.expectEnd()
                nodes.append(.output(expression))
                blank = false
            case .tag:
                if terminators.contains(token.name) {
                    return (Block(nodes: nodes), blank, token)
                }
                if let (node, nodeIsBlank) = try parseTag(token, &stream, depth: depth) {
                    nodes.append(node)
                    blank = blank && nodeIsBlank
                }
            }
        }
        if let opener {
            let expected = terminators.filter { $0.hasPrefix("end") }.sorted().first ?? "end\(opener.name)"
            throw file.error(
                at: opener.start, "'\(opener.name)' tag is never closed",
                hint: "add {% \(expected) %} after its body")
        }
        return (Block(nodes: nodes), blank, nil)
    }

    /// A block body that ends at one of `terminators`, with its blank text dropped when the
    /// whole tag turns out blank (Liquid prints nothing for a blank block).
    private func parseBody(
        _ stream: inout TokenStream, opener: Token, until terminators: Set<String>, depth: Int
    ) throws -> (Block, Bool, Token) {
        let (block, blank, terminator) = try parseBlock(&stream, until: terminators, opener: opener, depth: depth + 1)
        guard let terminator else {
            let expected = terminators.filter { $0.hasPrefix("end") }.sorted().first ?? "end\(opener.name)"
            throw file.error(
                at: opener.start, "'\(opener.name)' tag is never closed", hint: "add {% \(expected) %} after its body")
        }
        return (block, blank, terminator)
    }

    private func withoutBlankText(_ block: Block) -> Block {
        Block(
            nodes: block.nodes.filter {
                if case .text = $0 { return false }
                return true
            })
    }

    private func lexer(for start: Int, _ end: Int) -> ExpressionLexer {
        ExpressionLexer(bytes: file.bytes[start..<end], base: start, file: file, environment: environment)
    }

    private func arguments(_ token: Token) -> ExpressionLexer {
        lexer(for: token.argumentsStart, token.markupEnd)
    }

    private func unexpected(_ token: Token) -> Error {
        let name = token.name
        switch name {
        case "else", "elsif", "when":
            let owners =
                name == "when"
                ? "{% case %}" : name == "elsif" ? "{% if %}" : "{% if %}, {% unless %}, {% case %} or {% for %}"
            return file.error(
                at: token.start, "'\(name)' outside of the tag it belongs to",
                hint: "it can only stand inside \(owners)")
        default:
            if name.hasPrefix("end") {
                return file.error(
                    at: token.start, "unexpected '\(name)': no '\(name.dropFirst(3))' tag is open here",
                    hint: "remove it, or check that the tags it should close are opened and closed in order")
            }
            return file.error(at: token.start, "unexpected '\(name)'", hint: "it can only stand inside its block tag")
        }
    }

    // MARK: Tags

    /// The node for one tag and whether it is blank; nil for tags that produce nothing.
    private func parseTag(_ token: Token, _ stream: inout TokenStream, depth: Int) throws -> (Node, Bool)? {
        switch token.name {
        case "if", "unless": return try parseConditional(token, &stream, depth: depth)
        case "case": return try parseCase(token, &stream, depth: depth)
        case "for", "tablerow": return try parseFor(token, &stream, depth: depth)
        case "assign": return (try parseAssign(token), true)
        case "capture":
            let name = try variableName(token, what: "a variable name after 'capture'")
            let (body, _, _) = try parseBody(&stream, opener: token, until: ["endcapture"], depth: depth)
            return (.capture(environment.symbol(name), body, offset: token.start), true)
        case "increment", "decrement":
            let name = try variableName(token, what: "a variable name after '\(token.name)'")
            return (.increment(environment.symbol(name), by: token.name == "increment" ? 1 : -1), false)
        case "cycle": return (try parseCycle(token), false)
        case "echo":
            var lexer = arguments(token)
            if lexer.isAtEnd {
                try lexer.checkLexed()
                return nil
            }
            let expression = try lexer.parseFilteredExpression()
            try lexer.expectEnd()
            return (.output(expression), false)
        case "break", "continue":
            try arguments(token).expectEnd()
            return (.loopControl(token.name == "break" ? .breakLoop : .continueLoop), false)
        case "comment":
            try skipComment(token, &stream)
            return nil
        case "doc":
            try arguments(token).expectEnd()
            _ = stream.next()
            _ = stream.next()
            return nil
        case "#":
            try checkInlineComment(token)
            return nil
        case "raw":
            try arguments(token).expectEnd()
            guard let body = stream.next(), body.kind == .text, stream.next() != nil else {
                throw file.error(at: token.start, "'raw' tag is never closed")
            }
            let text = stream.text(at: stream.position - 2)
            return (.text(Array(text.utf8)), text.isEmpty)
        case "liquid": return try parseLiquidTag(token, depth: depth)
        case "include", "render": return (try parseInclude(token), false)
        case "ifchanged":
            let (body, _, _) = try parseBody(&stream, opener: token, until: ["endifchanged"], depth: depth)
            return (.ifchanged(body), false)
        default:
            throw unknownTag(token)
        }
    }

    private func unknownTag(_ token: Token) -> Error {
        let known = [
            "if", "unless", "case", "for", "tablerow", "assign", "capture", "increment", "decrement", "cycle", "echo",
            "break", "continue", "comment", "doc", "raw", "liquid", "include", "render", "ifchanged",
        ]
        if ["else", "elsif", "when"].contains(token.name) || token.name.hasPrefix("end") {
            return unexpected(token)
        }
        let hint =
            closestName(to: token.name, among: known).map { "did you mean '\($0)'?" }
            ?? "the tags are \(known.joined(separator: ", "))"
        return file.error(at: token.start, "unknown tag '\(token.name)'", hint: hint)
    }

    private func parseConditional(_ token: Token, _ stream: inout TokenStream, depth: Int) throws -> (Node, Bool) {
        let endName = token.name == "if" ? "endif" : "endunless"
        var branches: [Branch] = []
        var allBlank = true
        var current = token
        var condition: Condition? = try parseTagCondition(token)
        var negated = token.name == "unless"
        // Arms after the first `else` can never run; Liquid parses and ignores them.
        var acceptingArms = true
        while true {
            let (body, blank, terminator) = try parseBody(
                &stream, opener: token, until: ["elsif", "else", endName], depth: depth)
            allBlank = allBlank && blank
            if acceptingArms {
                branches.append(Branch(condition: condition, negated: negated, body: body))
                acceptingArms = condition != nil
            }
            current = terminator
            switch current.name {
            case "elsif":
                condition = try parseTagCondition(current)
                negated = false
            case "else":
                condition = nil
                negated = false
            default:
                if allBlank {
                    branches = branches.map {
                        Branch(condition: $0.condition, negated: $0.negated, body: withoutBlankText($0.body))
                    }
                }
                return (.conditional(branches), allBlank)
            }
        }
    }

    private func parseTagCondition(_ token: Token) throws -> Condition {
        var lexer = arguments(token)
        if lexer.isAtEnd {
            try lexer.checkLexed()
            throw file.error(
                at: token.start, "'\(token.name)' needs a condition", hint: "for example {% \(token.name) x == 1 %}")
        }
        let condition = try lexer.parseCondition()
        try lexer.expectEnd()
        return condition
    }

    private func parseCase(_ token: Token, _ stream: inout TokenStream, depth: Int) throws -> (Node, Bool) {
        var lexer = arguments(token)
        let subject = try lexer.parsePrimary()
        try lexer.expectEnd()
        // Whatever stands between `case` and the first `when` is never rendered.
        var (_, _, terminator) = try parseBody(
            &stream, opener: token, until: ["when", "else", "endcase"], depth: depth)
        var clauses: [CaseClause] = []
        var allBlank = true
        while terminator.name != "endcase" {
            let values = terminator.name == "when" ? try parseWhenValues(terminator) : nil
            let (body, blank, next) = try parseBody(
                &stream, opener: token, until: ["when", "else", "endcase"], depth: depth)
            allBlank = allBlank && blank
            clauses.append(CaseClause(values: values, body: body))
            terminator = next
        }
        if allBlank {
            clauses = clauses.map { CaseClause(values: $0.values, body: withoutBlankText($0.body)) }
        }
        return (.caseTag(subject: subject, clauses: clauses, offset: token.start), allBlank)
    }

    private func parseWhenValues(_ token: Token) throws -> [Expression] {
        var lexer = arguments(token)
        if lexer.isAtEnd {
            try lexer.checkLexed()
            throw file.error(at: token.start, "'when' needs a value", hint: "for example {% when 'a', 'b' %}")
        }
        var values = [try lexer.parsePrimary()]
        while lexer.consume(.comma) || lexer.consumeIdentifier("or") {
            values.append(try lexer.parsePrimary())
        }
        try lexer.expectEnd()
        return values
    }

    private func parseFor(_ token: Token, _ stream: inout TokenStream, depth: Int) throws -> (Node, Bool) {
        var lexer = arguments(token)
        let variable = try lexer.expectIdentifier("a loop variable after '\(token.name)'")
        guard lexer.consumeIdentifier("in") else {
            try lexer.checkLexed()
            throw file.error(
                at: lexer.current.offset, "expected 'in' after the loop variable",
                hint: "{% \(token.name) item in collection %}")
        }
        let collectionStart = lexer.current.offset
        let collection = try lexer.parsePrimary()
        let collectionText = file.text(collectionStart..<lexer.current.offset).trimmingSpaces()
        let continuationKey = "\(variable)-\(collectionText)"
        var loop = ForLoopParts(
            variable: environment.symbol(variable), collection: collection, continuationKey: continuationKey,
            continuationID: environment.stateKey(continuationKey), offsetInSource: token.start)
        while !lexer.isAtEnd {
            if lexer.consume(.comma) { continue }
            let attributeOffset = lexer.current.offset
            let attribute = try lexer.expectIdentifier("'limit:', 'offset:' or 'reversed'")
            switch attribute {
            case "reversed":
                loop.reversed = true
            case "limit":
                try lexer.expect(.colon, "':' after 'limit'")
                loop.limit = try lexer.parsePrimary()
            case "offset":
                try lexer.expect(.colon, "':' after 'offset'")
                if lexer.consumeIdentifier("continue") {
                    loop.offsetContinues = true
                } else {
                    loop.offset = try lexer.parsePrimary()
                }
            case "cols" where token.name == "tablerow":
                try lexer.expect(.colon, "':' after 'cols'")
                loop.columns = try lexer.parsePrimary()
            default:
                throw file.error(at: attributeOffset, "unknown '\(token.name)' attribute '\(attribute)'")
            }
        }
        let endName = "end\(token.name)"
        var (body, blank, terminator) = try parseBody(&stream, opener: token, until: ["else", endName], depth: depth)
        var elseBody: Block?
        if token.name == "for", terminator.name == "else" {
            let (parsedElse, elseBlank, _) = try parseBody(&stream, opener: token, until: [endName], depth: depth)
            blank = blank && elseBlank
            elseBody = elseBlank ? withoutBlankText(parsedElse) : parsedElse
        } else if terminator.name == "else" {
            throw file.error(at: terminator.start, "'tablerow' has no 'else'")
        }
        let node = ForLoop(loop, body: blank ? withoutBlankText(body) : body, elseBody: elseBody)
        if token.name == "tablerow" { return (.tablerow(node), false) }
        return (.forLoop(node), blank)
    }

    private func parseAssign(_ token: Token) throws -> Node {
        let name = try variableName(token, what: "a variable name after 'assign'", stopAtEquals: true)
        var lexer = arguments(token)
        while !lexer.isAtEnd, lexer.current.kind != .equals { lexer.advance() }
        try lexer.expect(.equals, "'=' after the variable name")
        let value = try lexer.parseFilteredExpression()
        try lexer.expectEnd()
        return .assign(environment.symbol(name), value)
    }

    /// The variable name of `assign`, `capture`, `increment`: letters, digits, `_` and `-`,
    /// not starting with `-`.
    private func variableName(_ token: Token, what: String, stopAtEquals: Bool = false) throws -> String {
        var index = token.argumentsStart
        while index < token.markupEnd, isSpace(file.bytes[index]) { index += 1 }
        let start = index
        while index < token.markupEnd, isWordByte(file.bytes[index]) || file.bytes[index] == UInt8(ascii: "-") {
            index += 1
        }
        guard index > start, file.bytes[start] != UInt8(ascii: "-") else {
            throw file.error(
                at: start, "expected \(what)",
                hint: "a variable name is letters, digits, '_' and '-', not starting with '-'")
        }
        var rest = index
        while rest < token.markupEnd, isSpace(file.bytes[rest]) { rest += 1 }
        let ok =
            stopAtEquals ? (rest < token.markupEnd && file.bytes[rest] == UInt8(ascii: "=")) : rest == token.markupEnd
        guard ok else {
            throw file.error(
                at: rest,
                stopAtEquals ? "expected '=' after the variable name" : "unexpected text after the variable name")
        }
        return file.text(start..<index)
    }

    private func parseCycle(_ token: Token) throws -> Node {
        var lexer = arguments(token)
        var group: Expression?
        var values = [try lexer.parsePrimary()]
        if lexer.consume(.colon) {
            group = values.removeFirst()
            values.append(try lexer.parsePrimary())
        }
        while lexer.consume(.comma) {
            values.append(try lexer.parsePrimary())
        }
        try lexer.expectEnd()
        let key: Cycle.Key
        switch group {
        case .literal(let name)?: key = .fixed(environment.stateKey(name.outputText))
        case let group?: key = .group(group)
        case nil: key = .fixed(environment.stateKey(file.text(token.argumentsStart..<token.markupEnd).trimmingSpaces()))
        }
        return .cycle(Cycle(key: key, values: values))
    }

    private func parseInclude(_ token: Token) throws -> Node {
        if token.name == "include", let jekyllInclude = try parseJekyllInclude(token) { return jekyllInclude }
        var lexer = arguments(token)
        let kind: Include.Kind = token.name == "render" ? .render : .include
        let nameOffset = lexer.current.offset
        let name = try lexer.parsePrimary()
        var literalName: String?
        if case .literal(.string(let text)) = name { literalName = text }
        if kind == .render, literalName == nil {
            throw file.error(at: nameOffset, "'render' needs the partial's name as a quoted string")
        }
        var binding: Expression?
        var bindingIsFor = false
        var alias: String?
        var arguments: [(Symbol, Expression)] = []
        if lexer.peekIsIdentifier("with") || lexer.peekIsIdentifier("for") {
            bindingIsFor = lexer.peekIsIdentifier("for")
            lexer.advance()
            binding = try lexer.parsePrimary()
            if lexer.consumeIdentifier("as") {
                alias = try lexer.expectIdentifier("a name after 'as'")
            }
        }
        _ = lexer.consume(.comma)
        while !lexer.isAtEnd {
            let key = try lexer.expectIdentifier("an argument name")
            try lexer.expect(.colon, "':' after '\(key)'")
            arguments.append((environment.symbol(key), try lexer.parsePrimary()))
            _ = lexer.consume(.comma)
        }
        try lexer.expectEnd()
        let variableName = alias ?? literalName.map(partialVariableName)
        return .include(
            Include(
                kind: kind, name: name, binding: binding, bindingIsFor: bindingIsFor,
                variable: variableName.map(environment.symbol), arguments: arguments, offset: token.start,
                slot: environment.nextIncludeSlot()))
    }

    /// Jekyll's form, `{% include note.html title="x" page=page %}`: a bare file name (with a
    /// `.` or `/`, which a Shopify variable name used as a partial's name would not need) and
    /// `key=value` parameters, which the partial reads as `include.key`. Nil when the tag is not
    /// in this form.
    private func parseJekyllInclude(_ token: Token) throws -> Node? {
        let bytes = file.bytes
        var start = token.argumentsStart
        while start < token.markupEnd, isSpace(bytes[start]) { start += 1 }
        var end = start
        while end < token.markupEnd, isJekyllFileNameByte(bytes[end]) { end += 1 }
        let name = file.text(start..<end)
        guard end > start, end == token.markupEnd || isSpace(bytes[end]),
            name.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") })
        else { return nil }
        var lexer = lexer(for: end, token.markupEnd)
        // Anything but `key=` after the name is Shopify's form with a variable as the name.
        var probe = lexer
        guard lexer.isAtEnd || ((try? probe.expectIdentifier("")) != nil && probe.consume(.equals)) else { return nil }
        var parameters: [(String, Expression)] = []
        while !lexer.isAtEnd {
            let key = try lexer.expectIdentifier("a parameter name")
            try lexer.expect(.equals, "'=' after '\(key)' (Jekyll's include takes key=value)")
            parameters.append((key, try lexer.parsePrimary()))
        }
        return .include(
            Include(
                kind: .include, name: .literal(.string(name)), binding: nil, bindingIsFor: false, variable: nil,
                arguments: [], offset: token.start, slot: environment.nextIncludeSlot(),
                parameters: (environment.symbol("include"), parameters)))
    }

    /// Skips a comment body; comments nest, and everything in them is tokenized but not parsed.
    private func skipComment(_ token: Token, _ stream: inout TokenStream) throws {
        var depth = 1
        while let next = stream.next() {
            guard next.kind == .tag else { continue }
            if next.name == "comment" { depth += 1 }
            if next.name == "endcomment" {
                depth -= 1
                if depth == 0 { return }
            }
        }
        throw file.error(at: token.start, "'comment' tag is never closed", hint: "add {% endcomment %}")
    }

    /// An inline comment may span lines only if every line starts with `#`.
    private func checkInlineComment(_ token: Token) throws {
        var index = token.argumentsStart
        while index < token.markupEnd {
            if file.bytes[index] == UInt8(ascii: "\n") {
                var next = index + 1
                while next < token.markupEnd, isSpace(file.bytes[next]), file.bytes[next] != UInt8(ascii: "\n") {
                    next += 1
                }
                if next < token.markupEnd, file.bytes[next] != UInt8(ascii: "#"), file.bytes[next] != UInt8(ascii: "\n")
                {
                    throw file.error(
                        at: next, "every line of an inline comment must start with '#'")
                }
                index = next
            } else {
                index += 1
            }
        }
    }

    /// `{% liquid %}`: one tag per line, without delimiters.
    private func parseLiquidTag(_ token: Token, depth: Int) throws -> (Node, Bool)? {
        var lines: [Token] = []
        var lineStart = token.argumentsStart
        let bytes = file.bytes
        while lineStart < token.markupEnd {
            var lineEnd = lineStart
            while lineEnd < token.markupEnd, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var start = lineStart
            while start < lineEnd, isSpace(bytes[start]) { start += 1 }
            if start < lineEnd {
                var nameEnd = start
                if bytes[start] == UInt8(ascii: "#") {
                    nameEnd += 1
                } else {
                    while nameEnd < lineEnd, isWordByte(bytes[nameEnd]) { nameEnd += 1 }
                }
                guard nameEnd > start else {
                    throw file.error(at: start, "expected a tag name in 'liquid'")
                }
                var line = Token(kind: .tag, start: start, end: lineEnd, markupStart: start, markupEnd: lineEnd)
                line.name = file.text(start..<nameEnd)
                line.argumentsStart = nameEnd
                if line.name == "#" { line.markupEnd = nameEnd }
                lines.append(line)
            }
            lineStart = lineEnd + 1
        }
        var stream = TokenStream(tokens: lines, texts: Array(repeating: nil, count: lines.count))
        let (block, blank, terminator) = try parseBlock(&stream, until: [], opener: nil, depth: depth + 1)
        if let terminator { throw unexpected(terminator) }
        return (.block(block), blank)
    }
}

/// The characters of a file name in Jekyll's include (its `VALID_FILENAME_CHARS`).
private func isJekyllFileNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: "."),
        UInt8(ascii: "-"):
        return true
    default:
        return false
    }
}

/// The variable an included partial's bound value gets when no `as` names one: the partial's
/// last path component (`'cards/product'` binds `product`).
func partialVariableName(_ name: String) -> String {
    String(name.split(separator: "/").last ?? Substring(name))
}

/// Tokens with a read position, and the trimmed text of each text token.
struct TokenStream {
    let tokens: [Token]
    let texts: [String?]
    private(set) var position = 0

    init(tokens: [Token], texts: [String?]) {
        self.tokens = tokens
        self.texts = texts
    }

    mutating func next() -> Token? {
        guard position < tokens.count else { return nil }
        position += 1
        return tokens[position - 1]
    }

    func text(at index: Int) -> String {
        texts[index] ?? ""
    }
}

extension String {
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
