/// Reads the markup inside `{{ … }}` and tags: literals, variable paths, filters, conditions.
struct ExpressionLexer {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case dot
        case dotDot
        case openBracket
        case closeBracket
        case openParen
        case closeParen
        case pipe
        case colon
        case comma
        case equals
        case comparison(ComparisonOperator)
        case end
    }

    struct Lexeme {
        var kind: Kind
        var offset: Int
    }

    let file: SourceFile
    let environment: LiquidEnvironment
    private(set) var lexemes: [Lexeme] = []
    private(set) var index = 0
    private var lexError: Error?
    /// How many ranges and brackets enclose the value being parsed.
    private var depth = 0

    /// Bounds the parentheses and brackets inside one another, and the comparisons one `and`/`or`
    /// chain joins, so that parsing, rendering and freeing an expression stay within the stack.
    static let maximumNesting = 200

    static let syntaxHint =
        "a value is a quoted string, a number, true, false, nil, a variable like page.title or a range like (1..5)"

    /// `bytes` is the markup; `base` is its offset in the file, for error positions.
    init(bytes: ArraySlice<UInt8>, base: Int, file: SourceFile, environment: LiquidEnvironment) {
        self.file = file
        self.environment = environment
        do {
            lexemes = try Self.lex(bytes, base: base, file: file)
        } catch {
            lexError = error
            lexemes = [Lexeme(kind: .end, offset: base)]
        }
    }

    init(bytes: [UInt8], base: Int, file: SourceFile, environment: LiquidEnvironment) {
        self.init(bytes: bytes[...], base: base, file: file, environment: environment)
    }

    // MARK: Lexing

    private static func lex(_ bytes: ArraySlice<UInt8>, base: Int, file: SourceFile) throws -> [Lexeme] {
        var result: [Lexeme] = []
        var index = bytes.startIndex
        let end = bytes.endIndex
        func offset(_ position: Int) -> Int { base + (position - bytes.startIndex) }
        while index < end {
            let byte = bytes[index]
            if isSpace(byte) {
                index += 1
                continue
            }
            let start = index
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                var close = index + 1
                while close < end, bytes[close] != byte { close += 1 }
                guard close < end else {
                    throw file.error(at: offset(start), "string is never closed", hint: "add the closing quote")
                }
                result.append(
                    Lexeme(
                        kind: .string(String(decoding: bytes[(index + 1)..<close], as: UTF8.self)),
                        offset: offset(start)))
                index = close + 1
            case UInt8(ascii: "."):
                if index + 1 < end, bytes[index + 1] == UInt8(ascii: ".") {
                    result.append(Lexeme(kind: .dotDot, offset: offset(start)))
                    index += 2
                } else {
                    result.append(Lexeme(kind: .dot, offset: offset(start)))
                    index += 1
                }
            case UInt8(ascii: "["): result.append(Lexeme(kind: .openBracket, offset: offset(start))); index += 1
            case UInt8(ascii: "]"): result.append(Lexeme(kind: .closeBracket, offset: offset(start))); index += 1
            case UInt8(ascii: "("): result.append(Lexeme(kind: .openParen, offset: offset(start))); index += 1
            case UInt8(ascii: ")"): result.append(Lexeme(kind: .closeParen, offset: offset(start))); index += 1
            case UInt8(ascii: "|"): result.append(Lexeme(kind: .pipe, offset: offset(start))); index += 1
            case UInt8(ascii: ":"): result.append(Lexeme(kind: .colon, offset: offset(start))); index += 1
            case UInt8(ascii: ","): result.append(Lexeme(kind: .comma, offset: offset(start))); index += 1
            case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                let next: UInt8 = index + 1 < end ? bytes[index + 1] : 0
                let kind: Kind
                switch (byte, next) {
                case (UInt8(ascii: "="), UInt8(ascii: "=")): kind = .comparison(.equal); index += 2
                case (UInt8(ascii: "!"), UInt8(ascii: "=")): kind = .comparison(.notEqual); index += 2
                case (UInt8(ascii: "<"), UInt8(ascii: ">")): kind = .comparison(.notEqual); index += 2
                case (UInt8(ascii: "<"), UInt8(ascii: "=")): kind = .comparison(.lessOrEqual); index += 2
                case (UInt8(ascii: ">"), UInt8(ascii: "=")): kind = .comparison(.greaterOrEqual); index += 2
                case (UInt8(ascii: "<"), _): kind = .comparison(.less); index += 1
                case (UInt8(ascii: ">"), _): kind = .comparison(.greater); index += 1
                case (UInt8(ascii: "="), _): kind = .equals; index += 1
                default:
                    throw file.error(at: offset(start), "unexpected character '!'", hint: "did you mean '!='?")
                }
                result.append(Lexeme(kind: kind, offset: offset(start)))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var cursor = index
                if byte == UInt8(ascii: "-") { cursor += 1 }
                let digitsStart = cursor
                while cursor < end, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 { cursor += 1 }
                guard cursor > digitsStart else {
                    throw file.error(
                        at: offset(start), "unexpected '-'",
                        hint: "Liquid has no arithmetic operators; use filters such as 'minus'")
                }
                var isFloat = false
                if cursor + 1 < end, bytes[cursor] == UInt8(ascii: "."), bytes[cursor + 1] >= 0x30,
                    bytes[cursor + 1] <= 0x39
                {
                    isFloat = true
                    cursor += 1
                    while cursor < end, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 { cursor += 1 }
                }
                let text = String(decoding: bytes[index..<cursor], as: UTF8.self)
                if cursor < end, isWordByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "-") {
                    // `123abc` and `1-2`: read as a name, which the grammar then judges.
                    while cursor < end, isWordByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
                    let name = String(decoding: bytes[index..<cursor], as: UTF8.self)
                    guard byte != UInt8(ascii: "-") else {
                        throw file.error(at: offset(start), "unexpected '\(name)'", hint: "names cannot start with '-'")
                    }
                    result.append(Lexeme(kind: .identifier(name), offset: offset(start)))
                } else if isFloat {
                    result.append(Lexeme(kind: .float(Double(text) ?? 0), offset: offset(start)))
                } else if let value = Int(text) {
                    result.append(Lexeme(kind: .integer(value), offset: offset(start)))
                } else {
                    result.append(Lexeme(kind: .float(Double(text) ?? 0), offset: offset(start)))
                }
                index = cursor
            default:
                guard isWordByte(byte) else {
                    let scalarEnd = utf8ScalarEnd(bytes, from: index)
                    let character = String(decoding: bytes[index..<scalarEnd], as: UTF8.self)
                    let arithmetic = ["+", "*", "/", "%"].contains(character)
                    throw file.error(
                        at: offset(start), "unexpected character '\(character)'",
                        hint: arithmetic
                            ? "Liquid has no arithmetic operators; use filters such as 'plus' and 'times'" : nil)
                }
                var cursor = index + 1
                while cursor < end, isWordByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
                if cursor < end, bytes[cursor] == UInt8(ascii: "?") { cursor += 1 }
                result.append(
                    Lexeme(
                        kind: .identifier(String(decoding: bytes[index..<cursor], as: UTF8.self)), offset: offset(start)
                    ))
                index = cursor
            }
        }
        result.append(Lexeme(kind: .end, offset: offset(end)))
        return result
    }

    // MARK: Reading lexemes

    var current: Lexeme { lexemes[index] }

    var isAtEnd: Bool { lexemes[index].kind == .end }

    mutating func advance() {
        if index < lexemes.count - 1 { index += 1 }
    }

    func checkLexed() throws {
        if let lexError { throw lexError }
    }

    mutating func consume(_ kind: Kind) -> Bool {
        guard current.kind == kind else { return false }
        advance()
        return true
    }

    mutating func consumeIdentifier(_ word: String) -> Bool {
        guard case .identifier(let name) = current.kind, name == word else { return false }
        advance()
        return true
    }

    func peekIsIdentifier(_ word: String) -> Bool {
        if case .identifier(let name) = current.kind { return name == word }
        return false
    }

    mutating func expectIdentifier(_ what: String) throws -> String {
        try checkLexed()
        guard case .identifier(let name) = current.kind else {
            throw file.error(
                at: current.offset, "expected \(what), found \(describe(current.kind))",
                hint: "a name is letters, digits, '_' and '-'")
        }
        advance()
        return name
    }

    mutating func expect(_ kind: Kind, _ what: String) throws {
        try checkLexed()
        guard current.kind == kind else {
            throw file.error(
                at: current.offset, "expected \(what), found \(describe(current.kind))", hint: Self.syntaxHint)
        }
        advance()
    }

    func expectEnd() throws {
        try checkLexed()
        guard isAtEnd else {
            throw file.error(
                at: current.offset, "unexpected \(describe(current.kind)); expected the end of the tag",
                hint: Self.syntaxHint)
        }
    }

    func describe(_ kind: Kind) -> String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .string(let text): return "string '\(text)'"
        case .integer(let value): return "number \(value)"
        case .float(let value): return "number \(value)"
        case .dot: return "'.'"
        case .dotDot: return "'..'"
        case .openBracket: return "'['"
        case .closeBracket: return "']'"
        case .openParen: return "'('"
        case .closeParen: return "')'"
        case .pipe: return "'|'"
        case .colon: return "':'"
        case .comma: return "','"
        case .equals: return "'='"
        case .comparison(let op): return "'\(op.rawValue)'"
        case .end: return "the end of the tag"
        }
    }

    // MARK: Grammar

    /// A literal, a range or a variable path.
    mutating func parsePrimary() throws -> Expression {
        try checkLexed()
        let lexeme = current
        switch lexeme.kind {
        case .string(let text):
            advance()
            return .literal(.string(text))
        case .integer(let value):
            advance()
            return .literal(.int(value))
        case .float(let value):
            advance()
            return .literal(.double(value))
        case .openParen:
            return try nested(at: lexeme.offset) { lexer in
                lexer.advance()
                let lower = try lexer.parsePrimary()
                try lexer.expect(.dotDot, "'..' in a range like (1..5)")
                let upper = try lexer.parsePrimary()
                try lexer.expect(.closeParen, "')' to close the range")
                return .range(lower, upper, offset: lexeme.offset)
            }
        case .identifier(let name):
            switch name {
            case "true": advance(); return .literal(.bool(true))
            case "false": advance(); return .literal(.bool(false))
            case "nil", "null": advance(); return .literal(.nil)
            case "blank": advance(); return .blank
            case "empty": advance(); return .empty
            default: return .variable(try parseVariablePath())
            }
        case .openBracket:
            return .variable(try parseVariablePath())
        default:
            throw file.error(
                at: lexeme.offset, "expected a value, found \(describe(lexeme.kind))", hint: Self.syntaxHint)
        }
    }

    /// Parses what a range or a bracket encloses, refusing to go deeper than `maximumNesting`.
    private mutating func nested<Value>(at offset: Int, _ parse: (inout ExpressionLexer) throws -> Value) throws
        -> Value
    {
        guard depth < Self.maximumNesting else {
            throw file.error(
                at: offset, "brackets are nested more than \(Self.maximumNesting) deep",
                hint: "simplify the expression, or assign a part of it to a variable first")
        }
        depth += 1
        defer { depth -= 1 }
        return try parse(&self)
    }

    mutating func parseVariablePath() throws -> VariablePath {
        let start = current.offset
        let root: VariablePath.Root
        var segments: [VariablePath.Segment] = []
        var text = ""
        switch current.kind {
        case .identifier(let name):
            root = .symbol(environment.symbol(name))
            text = name
            advance()
        case .openBracket:
            let index = try nested(at: current.offset) { lexer in
                lexer.advance()
                return try lexer.parsePrimary()
            }
            try expect(.closeBracket, "']'")
            if case .literal(.string(let name)) = index {
                root = .symbol(environment.symbol(name))
            } else {
                root = .computed(index)
            }
            text = "[…]"
        default:
            throw file.error(
                at: current.offset, "expected a variable name, found \(describe(current.kind))", hint: Self.syntaxHint)
        }
        while true {
            if consume(.dot) {
                let name = try expectIdentifier("a property name after '.'")
                segments.append(.key(name))
                text += "." + name
            } else if current.kind == .openBracket {
                let index = try nested(at: current.offset) { lexer in
                    lexer.advance()
                    return try lexer.parsePrimary()
                }
                try expect(.closeBracket, "']'")
                if case .literal(.string(let key)) = index {
                    segments.append(.key(key))
                    text += "[\"\(key)\"]"
                } else {
                    segments.append(.index(index))
                    text += "[…]"
                }
            } else {
                break
            }
        }
        return VariablePath(root: root, segments: segments, offset: start, text: text)
    }

    /// `expression | filter: arg, key: value | …`
    mutating func parseFilteredExpression() throws -> FilteredExpression {
        let start = current.offset
        let expression = try parsePrimary()
        var filters: [FilterCall] = []
        while consume(.pipe) {
            filters.append(try parseFilterCall())
        }
        return FilteredExpression(
            expression: expression, filters: filters, offset: start,
            takesShortcuts: environment.takesFilterShortcuts)
    }

    private mutating func parseFilterCall() throws -> FilterCall {
        let offset = current.offset
        let name = try expectIdentifier("a filter name after '|'")
        guard let definition = environment.filters[name] else {
            let suggestion = closestName(to: name, among: environment.filters.keys)
            throw file.error(
                at: offset, "unknown filter '\(name)'",
                hint: suggestion.map { "did you mean '\($0)'?" }
                    ?? "the filters are listed in the README's Liquid section")
        }
        var positional: [Expression] = []
        var keyword: [(String, Expression)] = []
        if consume(.colon) {
            repeat {
                if case .identifier(let key) = current.kind, lexemes[index + 1].kind == .colon {
                    advance()
                    advance()
                    keyword.append((key, try parsePrimary()))
                } else {
                    positional.append(try parsePrimary())
                }
            } while consume(.comma)
        }
        try definition.checkArity(name: name, positional: positional.count, keywords: keyword.map(\.0)) {
            file.error(at: offset, $0, hint: $1)
        }
        return FilterCall(
            name: name, definition: definition, positional: positional, keyword: keyword, offset: offset,
            isStandard: !environment.replacedFilterNames.contains(name))
    }

    /// Comparisons joined by `and`/`or`, grouped from the right as Liquid does.
    mutating func parseCondition() throws -> Condition {
        var comparisons = [try parseComparison()]
        var operators: [String] = []
        while case .identifier(let word) = current.kind, word == "and" || word == "or" {
            guard operators.count < Self.maximumNesting else {
                throw file.error(
                    at: current.offset, "a condition joins more than \(Self.maximumNesting) comparisons",
                    hint: "split it with nested if tags, or assign parts of it to variables first")
            }
            advance()
            operators.append(word)
            comparisons.append(try parseComparison())
        }
        var result = comparisons.removeLast()
        while let left = comparisons.popLast(), let op = operators.popLast() {
            result = op == "and" ? .and(left, result) : .or(left, result)
        }
        return result
    }

    private mutating func parseComparison() throws -> Condition {
        let left = try parsePrimary()
        let offset = current.offset
        if case .comparison(let op) = current.kind {
            advance()
            return .comparison(left, op, try parsePrimary(), offset: offset)
        }
        if consumeIdentifier("contains") {
            return .comparison(left, .contains, try parsePrimary(), offset: offset)
        }
        return .value(left)
    }
}

private func utf8ScalarEnd(_ bytes: ArraySlice<UInt8>, from index: Int) -> Int {
    var end = index + 1
    while end < bytes.endIndex, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return end
}

/// The known name nearest to a misspelling, for "did you mean" hints.
func closestName(to name: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(Array(name.utf8), Array(candidate.utf8))
        if distance <= max(1, name.count / 3),
            best.map({ distance < $0.1 || (distance == $0.1 && candidate < $0.0) }) ?? true
        {
            best = (candidate, distance)
        }
    }
    return best?.0
}

private func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
