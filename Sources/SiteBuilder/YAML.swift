// YAML through Yams' composer, whose nodes carry their line and column, turned into typed
// values with errors at the exact place in the file.
import Diagnostics
import Liquid
import Yams

/// A YAML text and where it sits in its file, so that every error points at a line of the file.
struct YAMLSource {
    /// The path shown in diagnostics.
    let path: String
    /// The whole file, for quoting the line of an error.
    let fileText: String
    /// How many file lines come before the YAML (1 for front matter after its `---`).
    let lineOffset: Int

    /// The document's root node; nil for an empty document. Tags are resolved by `value(_:)`
    /// rather than by Yams' regular expressions, which cost more than the parse itself. The
    /// encoding is named: Yams' default reads the whole process environment on every parse,
    /// which cost more than the parse of a page's front matter.
    /// Keys that are not plain text and aliases that multiply are refused first (`YAMLLimits`).
    func compose(_ yaml: String) throws -> Node? {
        try checkKeysArePlain(yaml)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic, .default, .utf8)
        } catch let error as YamlError {
            throw diagnostic(for: error)
        }
        if let root { try checkAliasExpansion(of: root, textLength: yaml.utf8.count) }
        return root
    }

    func location(of node: Node) -> SourceLocation {
        location(node.mark)
    }

    func location(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return SourceLocation(file: path, line: lineOffset + 1, column: 1) }
        return SourceLocation(file: path, line: mark.line + lineOffset, column: mark.column)
    }

    func error(_ message: String, at node: Node, hint: String? = nil) -> Diagnostic {
        error(message, at: location(of: node), hint: hint)
    }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil, _ severity: Severity = .error)
        -> Diagnostic
    {
        Diagnostic(severity, at: location, message, hint: hint, sourceLine: fileText.line(location.line))
    }

    private func diagnostic(for error: YamlError) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var diagnostic = self.error("invalid YAML: \(problem)", at: location(mark), hint: yamlHint(problem))
            if let context {
                diagnostic.causes.append(self.error(context.text, at: location(context.mark), .note))
            }
            return diagnostic
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return self.error(
                "duplicate key \(keys)", at: location(context.mark), hint: "each key may appear once in a mapping")
        default:
            return self.error("invalid YAML: \(error)", at: SourceLocation(file: path, line: lineOffset + 1, column: 1))
        }
    }

    private func yamlHint(_ problem: String) -> String? {
        if problem.contains("mapping values are not allowed") {
            return "put quotes around a value that contains ': '"
        }
        if problem.contains("found character that cannot start any token") {
            return "put quotes around a value that starts with '@', '`' or a tab"
        }
        if problem.contains("expected ',' or '}'") || problem.contains("expected ',' or ']'") {
            return "separate the items of { } and [ ] with commas, and put quotes around values that contain them"
        }
        return "check the indentation and the quotes on this line and the one before it"
    }

    // MARK: Typed access

    /// The pairs of a mapping in their written order, with string keys.
    func pairs(_ node: Node, what: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping of keys to values", at: node)
        }
        var result: [(String, Node, Node)] = []
        result.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw error("keys must be plain text", at: key) }
            result.append((scalar.string, key, value))
        }
        return result
    }

    /// Any scalar that is not null, as written: `title: 2019` is the title "2019".
    func string(_ node: Node, key: String) throws -> String {
        guard case .scalar(let scalar) = node, !(scalar.style == .plain && isNullText(scalar.string)) else {
            throw error("'\(key)' must be a string", at: node, hint: "write it as \(key): \"…\"")
        }
        return scalar.string
    }

    func bool(_ node: Node, key: String) throws -> Bool {
        guard case .bool(let value) = value(node) else {
            throw error("'\(key)' must be true or false", at: node, hint: "write true or false, without quotes")
        }
        return value
    }

    func int(_ node: Node, key: String) throws -> Int {
        guard case .int(let value) = value(node) else {
            if let scalar = node.scalar, scalar.style == .plain, isIntegerBeyondInt(scalar.string) {
                throw error(
                    "'\(key)' is a whole number too large to hold", at: node,
                    hint: "whole numbers here lie between -9223372036854775808 and 9223372036854775807")
            }
            throw error("'\(key)' must be a whole number", at: node, hint: "write digits without quotes, like 3 or -1")
        }
        return value
    }

    func stringList(_ node: Node, key: String) throws -> [String] {
        guard case .sequence(let sequence) = node else {
            throw error("'\(key)' must be a list of strings", at: node, hint: "write it as \(key): [\"…\", \"…\"]")
        }
        return try sequence.map { item in
            guard case .scalar(let scalar) = item, !(scalar.style == .plain && isNullText(scalar.string)) else {
                throw error("'\(key)' must be a list of strings", at: item)
            }
            return scalar.string
        }
    }

    /// A date: a YAML timestamp or a string in one of the forms `parseSiteDate` reads.
    func date(_ node: Node, key: String) throws -> LiquidDate {
        guard case .scalar(let scalar) = node, let date = parseSiteDate(scalar.string) else {
            throw error(
                "'\(key)' must be a date like 2019-04-17, 2019-04-17 09:00 or 2019-04-17T09:00:00+09:00", at: node,
                hint: "write the year, month and day in digits; a time and a UTC offset may follow")
        }
        return date
    }

    /// The node as a template value. Plain scalars are typed as YAML 1.2's core schema types them
    /// (null, true/false, integers, floats), plus timestamps as dates; quoted ones stay strings.
    func value(_ node: Node) -> LiquidValue {
        switch node {
        case .scalar(let scalar):
            return scalar.style == .plain ? typedScalar(scalar.string) : .string(scalar.string)
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .mapping(let mapping):
            var object = LiquidObject()
            for (key, item) in mapping {
                object[key.scalar?.string ?? ""] = value(item)
            }
            return .object(object)
        case .alias:
            return .nil
        }
    }
}

private func isNullText(_ text: String) -> Bool {
    text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
}

/// A plain scalar typed by YAML 1.2's core schema; timestamps become dates.
func typedScalar(_ text: String) -> LiquidValue {
    guard let first = text.utf8.first else { return .nil }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
        if let number = numberValue(text) { return number }
        if let date = parseSiteDate(text) { return .date(date) }
        return .string(text)
    default:
        switch text {
        case "~", "null", "Null", "NULL": return .nil
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: return .string(text)
        }
    }
}

/// Digits, with a sign or none, that an `Int` cannot hold (`9223372036854775808`).
private func isIntegerBeyondInt(_ text: String) -> Bool {
    let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.utf8.dropFirst() : text.utf8[...]
    return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int(text) == nil
}

private func numberValue(_ text: String) -> LiquidValue? {
    var digits = Substring(text)
    var negative = false
    if let sign = digits.first, sign == "-" || sign == "+" {
        negative = sign == "-"
        digits = digits.dropFirst()
    }
    if digits.hasPrefix("0x"), let value = Int(digits.dropFirst(2), radix: 16) {
        return .int(negative ? -value : value)
    }
    if digits.hasPrefix("0o"), let value = Int(digits.dropFirst(2), radix: 8) { return .int(negative ? -value : value) }
    // Read with its sign: the magnitude of -9223372036854775808 alone is past Int.max, so the
    // smallest Int was taken for a float and refused as "not a whole number".
    if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text) {
        return .int(value)
    }
    switch digits {
    case ".inf", ".Inf", ".INF": return .double(negative ? -.infinity : .infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    let isFloatText =
        digits.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
        && digits.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 || $0 == 0x2D || $0 == 0x2B
        }
    if isFloatText, let value = Double(text) { return .double(value) }
    return nil
}

/// Front matter and `site.yml` dates: `2019-04-17`, `2019-04-17 09:00`, `2019-04-17T09:00:00+09:00`
/// (seconds, fractions, `Z` and a space before the offset allowed). Without an offset the time is
/// UTC, so `%Y-%m-%d` prints the date as written.
func parseSiteDate(_ text: String) -> LiquidDate? {
    var scanner = DateScanner(Array(text.utf8))
    guard let year = scanner.number(digits: 4), scanner.skip("-"), let month = scanner.number(digits: 2),
        scanner.skip("-"), let day = scanner.number(digits: 2), (1...12).contains(month),
        (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0.0
    var offset = 0
    if !scanner.atEnd {
        guard scanner.skip("T") || scanner.skip("t") || scanner.skipSpaces() else { return nil }
        guard let h = scanner.number(digits: 2), scanner.skip(":"), let m = scanner.number(digits: 2), h < 24, m < 60
        else { return nil }
        hour = h
        minute = m
        if scanner.skip(":") {
            guard let s = scanner.number(digits: 2), s < 61 else { return nil }
            second = Double(s)
            if scanner.skip(".") {
                var scale = 0.1
                var any = false
                while let digit = scanner.digit() {
                    second += Double(digit) * scale
                    scale /= 10
                    any = true
                }
                guard any else { return nil }
            }
        }
        _ = scanner.skipSpaces()
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.number(digits: 2) else { return nil }
            var minutes = 0
            if scanner.skip(":") {
                guard let m = scanner.number(digits: 2) else { return nil }
                minutes = m
            } else if let m = scanner.number(digits: 2) {
                minutes = m
            }
            guard hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
    }
    guard scanner.atEnd else { return nil }
    return LiquidDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: offset)
}

private func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

private struct DateScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func skipSpaces() -> Bool {
        let start = position
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
        return position > start
    }

    mutating func digit() -> Int? {
        guard position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 else { return nil }
        position += 1
        return Int(bytes[position - 1] - 0x30)
    }

    mutating func number(digits count: Int) -> Int? {
        let start = position
        var value = 0
        for _ in 0..<count {
            guard let digit = digit() else {
                position = start
                return nil
            }
            value = value * 10 + digit
        }
        return value
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
