import Diagnostics

extension LiquidValue {
    /// Parses JSON text, keeping the order of object keys. Throws `Diagnostic` at `path:line:col`.
    public init(json text: String, path: String) throws {
        var reader = JSONReader(file: SourceFile(path: path, text: text))
        self = try reader.document()
    }

    /// JSON for `jsonify`, as Jekyll writes it (Ruby's `JSON.generate`): keys in their order,
    /// dates as ISO 8601, drops by their properties; in strings only `"`, `\` and control
    /// characters are escaped, so `<`, `&`, `/` and non-ASCII text stay as they are.
    public var json: String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    private func writeJSON(into output: inout String) {
        switch self {
        case .nil: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += value.isFinite ? rubyFloatText(value) : "null"
        case .string(let text): writeJSONString(text, into: &output)
        case .array, .range:
            output += "["
            for (index, item) in iterated(flatten: false).enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(into: &output)
            }
            output += "]"
        case .object(let object):
            writeJSONObject(object.pairs, into: &output)
        case .date(let date):
            writeJSONString(formatDate(date, "%Y-%m-%dT%H:%M:%S%:z"), into: &output)
        case .drop(let drop):
            writeJSONObject(drop.propertyNames.map { ($0, drop.value(forKey: $0) ?? .nil) }, into: &output)
        }
    }

    private func writeJSONObject(_ pairs: [(String, LiquidValue)], into output: inout String) {
        output += "{"
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0 { output += "," }
            writeJSONString(key, into: &output)
            output += ":"
            value.writeJSON(into: &output)
        }
        output += "}"
    }
}

private func writeJSONString(_ text: String, into output: inout String) {
    output += "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        case "\u{08}": output += "\\b"
        case "\u{0C}": output += "\\f"
        default:
            if scalar.value < 0x20 {
                output += "\\u00" + hexByte(UInt8(scalar.value)).lowercased()
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
    }
    output += "\""
}

/// A small JSON reader that keeps key order and reports errors at `path:line:col`.
private struct JSONReader {
    static let syntaxHint =
        "JSON needs double quotes around keys and strings, commas between items and none after the last"
    let file: SourceFile
    var index = 0
    var depth = 0
    var bytes: [UInt8] { file.bytes }

    init(file: SourceFile) {
        self.file = file
    }

    mutating func document() throws -> LiquidValue {
        let value = try readValue()
        skipSpace()
        guard index == bytes.count else { throw file.error(at: index, "unexpected text after the JSON value") }
        return value
    }

    private mutating func skipSpace() {
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
    }

    private mutating func readValue() throws -> LiquidValue {
        skipSpace()
        guard index < bytes.count else {
            throw file.error(at: index, "expected a JSON value, found the end of the file")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readWord("true", .bool(true))
        case UInt8(ascii: "f"): return try readWord("false", .bool(false))
        case UInt8(ascii: "n"): return try readWord("null", .nil)
        default: return try readNumber()
        }
    }

    private mutating func nested(_ read: (inout JSONReader) throws -> LiquidValue) throws -> LiquidValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { throw file.error(at: index, "JSON nested more than 512 levels deep") }
        return try read(&self)
    }

    private mutating func readObject() throws -> LiquidValue {
        try nested { reader in
            var object = LiquidObject()
            reader.index += 1
            reader.skipSpace()
            if reader.peek(UInt8(ascii: "}")) { return .object(object) }
            while true {
                reader.skipSpace()
                guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else {
                    throw reader.file.error(at: reader.index, "expected a quoted key in the JSON object")
                }
                let key = try reader.readString()
                reader.skipSpace()
                guard reader.peek(UInt8(ascii: ":")) else {
                    throw reader.file.error(at: reader.index, "expected ':' after the key")
                }
                object[key] = try reader.readValue()
                reader.skipSpace()
                if reader.peek(UInt8(ascii: ",")) { continue }
                if reader.peek(UInt8(ascii: "}")) { return .object(object) }
                throw reader.file.error(at: reader.index, "expected ',' or '}' in the JSON object")
            }
        }
    }

    private mutating func readArray() throws -> LiquidValue {
        try nested { reader in
            var items: [LiquidValue] = []
            reader.index += 1
            reader.skipSpace()
            if reader.peek(UInt8(ascii: "]")) { return .array(items) }
            while true {
                items.append(try reader.readValue())
                reader.skipSpace()
                if reader.peek(UInt8(ascii: ",")) { continue }
                if reader.peek(UInt8(ascii: "]")) { return .array(items) }
                throw reader.file.error(at: reader.index, "expected ',' or ']' in the JSON array")
            }
        }
    }

    /// Consumes `byte` if it is next.
    private mutating func peek(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func readWord(_ word: String, _ value: LiquidValue) throws -> LiquidValue {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw file.error(at: index, "unexpected text in JSON", hint: Self.syntaxHint)
        }
        index += expected.count
        return value
    }

    private mutating func readNumber() throws -> LiquidValue {
        let start = index
        if peek(UInt8(ascii: "-")) {}
        var isInteger = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && index > start)
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        let text = file.text(start..<index)
        if isInteger, let value = Int(text) { return .int(value) }
        guard !text.isEmpty, let value = Double(text) else {
            throw file.error(at: start, "unexpected text in JSON", hint: Self.syntaxHint)
        }
        return .double(value)
    }

    private mutating func readString() throws -> String {
        let start = index
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flush(_ reader: JSONReader, _ end: Int) {
            scalars.append(contentsOf: String(decoding: reader.bytes[runStart..<end], as: UTF8.self).unicodeScalars)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(self, index)
                index += 1
                return String(scalars)
            }
            if byte == UInt8(ascii: "\\") {
                flush(self, index)
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "u"):
                    var code = try readHex4()
                    if (0xD800...0xDBFF).contains(code), peek(UInt8(ascii: "\\")), peek(UInt8(ascii: "u")) {
                        let low = try readHex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: scalars.append(Unicode.Scalar(escape))
                }
                runStart = index
                continue
            }
            index += 1
        }
        throw file.error(at: start, "string is never closed")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(file.text(index..<(index + 4)), radix: 16) else {
            throw file.error(at: index, "expected four hex digits after \\u")
        }
        index += 4
        return value
    }
}
