import Diagnostics
import Foundation

/// The site root that `relative_url` and `absolute_url` prepend.
struct SiteURLs: Sendable {
    /// `/portal` for `https://user.github.io/portal/`; empty for a site at the root.
    let basePath: String
    /// `https://user.github.io/portal`; empty when the base URL has no scheme and host.
    let root: String

    init(baseURL: String?) {
        var text = baseURL ?? ""
        while text.hasSuffix("/") { text.removeLast() }
        if let schemeEnd = text.range(of: "://") {
            let afterScheme = text[schemeEnd.upperBound...]
            let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            basePath = String(afterScheme[pathStart...])
            root = text
        } else {
            basePath = text.isEmpty || text.hasPrefix("/") ? text : "/" + text
            root = ""
        }
    }

    func relative(_ path: String) -> String {
        if isAbsoluteURL(path) { return path }
        return basePath + (path.hasPrefix("/") ? path : "/" + path)
    }

    func absolute(_ path: String) -> String {
        if isAbsoluteURL(path) { return path }
        return root.isEmpty ? relative(path) : root + (path.hasPrefix("/") ? path : "/" + path)
    }
}

func isAbsoluteURL(_ text: String) -> Bool {
    if text.hasPrefix("//") { return true }
    guard let colon = text.firstIndex(of: ":") else { return false }
    let scheme = text[..<colon]
    guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
    return scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.isLetterOrDigit || "+.-".unicodeScalars.contains($0)) }
}

/// Filters with the meaning Jekyll gives them.
let jekyllFilters: [String: FilterDefinition] = {
    var filters: [String: FilterDefinition] = [:]
    filters["relative_url"] = FilterDefinition(arity: 0...0) { input, _, renderer in
        input.isNil ? .nil : .string(renderer.environment.urls.relative(input.outputText))
    }
    filters["absolute_url"] = FilterDefinition(arity: 0...0) { input, _, renderer in
        input.isNil ? .nil : .string(renderer.environment.urls.absolute(input.outputText))
    }
    for (name, format) in [
        ("date_to_xmlschema", "%Y-%m-%dT%H:%M:%S%:z"), ("date_to_rfc822", "%a, %d %b %Y %H:%M:%S %z"),
        ("date_to_string", "%d %b %Y"), ("date_to_long_string", "%d %B %Y"),
    ] {
        filters[name] = FilterDefinition(arity: 0...0) { input, _, renderer in
            try renderer.spendFilterWork(dateSteps)
            guard let date = parseDate(input) else {
                if input.isNil { return .nil }
                throw FilterError("'\(input.outputText)' is not a date")
            }
            return .string(formatDate(date, format))
        }
    }
    filters["where_exp"] = FilterDefinition(arity: 2...2) { input, arguments, renderer in
        let variable = arguments.positional[0].outputText
        let (condition, file) = try renderer.environment.condition(for: arguments.positional[1].outputText)
        return .array(
            try input.iterated(flatten: true).filter { item in
                try renderer.test(condition, in: file, binding: variable, to: item)
            })
    }
    filters["group_by"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        var names: [String] = []
        var groups: [String: [LiquidValue]] = [:]
        for item in input.iterated(flatten: true) {
            let name = try itemProperty(item, arguments.positional[0], filter: "group_by").outputText
            if groups[name] == nil { names.append(name) }
            groups[name, default: []].append(item)
        }
        return .array(
            names.map { name in
                let items = groups[name] ?? []
                return .object(
                    LiquidObject([("name", .string(name)), ("items", .array(items)), ("size", .int(items.count))]))
            })
    }
    filters["jsonify"] = FilterDefinition(arity: 0...0) { input, _, _ in .string(input.json) }
    filters["inspect"] = FilterDefinition(arity: 0...0) { input, _, _ in .string(input.inspect) }
    filters["slugify"] = FilterDefinition(arity: 0...1) { input, arguments, _ in
        input.isNil ? .nil : .string(slugify(input.outputText, mode: arguments[0]?.outputText ?? "default"))
    }
    filters["xml_escape"] = FilterDefinition(arity: 0...0) { input, _, _ in
        input.isNil
            ? .nil
            : .string(
                input.outputText.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
                    of: "<", with: "&lt;"
                )
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;"))
    }
    filters["cgi_escape"] = FilterDefinition(arity: 0...0) { input, _, _ in .string(formEncode(input.outputText)) }
    filters["uri_escape"] = FilterDefinition(arity: 0...0) { input, _, _ in .string(uriEscape(input.outputText)) }
    filters["number_of_words"] = FilterDefinition(arity: 0...1) { input, _, _ in .int(countWords(input.outputText)) }
    filters["normalize_whitespace"] = FilterDefinition(arity: 0...0) { input, _, _ in
        .string(input.outputText.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    }
    filters["array_to_sentence_string"] = FilterDefinition(arity: 0...1) { input, arguments, _ in
        let items = input.iterated(flatten: true).map(\.outputText)
        let connector = arguments[0]?.outputText ?? "and"
        switch items.count {
        case 0: return .string("")
        case 1: return .string(items[0])
        case 2: return .string("\(items[0]) \(connector) \(items[1])")
        default: return .string(items.dropLast().joined(separator: ", ") + ", \(connector) " + items[items.count - 1])
        }
    }
    filters["to_integer"] = FilterDefinition(arity: 0...0) { input, _, _ in
        switch input.number {
        case .double(let value) where value.isFinite && abs(value) < 9e18: return .int(Int(value))
        case let number: return number
        }
    }
    filters["push"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .array(input.iterated(flatten: false) + [arguments.positional[0]])
    }
    filters["unshift"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .array([arguments.positional[0]] + input.iterated(flatten: false))
    }
    filters["pop"] = FilterDefinition(arity: 0...1) { input, arguments, _ in
        let count = try integerArgument(arguments[0], default: 1, name: "count")
        return .array(Array(input.iterated(flatten: false).dropLast(max(0, count))))
    }
    filters["shift"] = FilterDefinition(arity: 0...1) { input, arguments, _ in
        let count = try integerArgument(arguments[0], default: 1, name: "count")
        return .array(Array(input.iterated(flatten: false).dropFirst(max(0, count))))
    }
    return filters
}()

/// Percent-encodes what may not stand in a URL, leaving its reserved characters alone.
private func uriEscape(_ text: String) -> String {
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%".utf8)
    var result = ""
    for byte in text.utf8 {
        if allowed.contains(byte) {
            result.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            result += "%" + hexByte(byte)
        }
    }
    return result
}

extension LiquidEnvironment {
    /// A `where_exp` condition and the text it was parsed from, parsed once per distinct text.
    func condition(for expression: String) throws -> (Condition, SourceFile) {
        let file = SourceFile(path: "where_exp", text: expression)
        do {
            return try cachedCondition(expression) {
                var lexer = ExpressionLexer(bytes: file.bytes, base: 0, file: file, environment: self)
                let condition = try lexer.parseCondition()
                try lexer.expectEnd()
                return (condition, file)
            }
        } catch let diagnostic as Diagnostic {
            throw FilterError("invalid expression '\(expression)': \(diagnostic.message)")
        }
    }
}

extension Renderer {
    /// Evaluates a `where_exp` condition with `name` bound to `value`; its errors become filter errors.
    func test(_ condition: Condition, in file: SourceFile, binding name: String, to value: LiquidValue) throws -> Bool {
        do {
            return try withVariable(name, value, file: file) { try evaluate(condition) }
        } catch let diagnostic as Diagnostic {
            throw FilterError(diagnostic.message)
        }
    }
}
