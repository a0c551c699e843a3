import Foundation

extension LiquidValue {
    /// Only `nil` and `false` are falsy.
    public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .bool(let value): return value
        default: return true
        }
    }

    var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// `x == empty`: an empty string, array or hash.
    var isEmptyCollection: Bool {
        switch self {
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty
        case .object(let object): return object.isEmpty
        default: return false
        }
    }

    /// `x == blank`: nil, false, an empty or all-white-space string, an empty array or hash.
    var isBlank: Bool {
        switch self {
        case .nil: return true
        case .bool(let value): return !value
        case .string(let text): return text.utf8.allSatisfy(isSpace)
        case .array(let items): return items.isEmpty
        case .object(let object): return object.isEmpty
        default: return false
        }
    }

    /// What `{{ value }}` prints. A string's own text is returned inline, where the caller can
    /// borrow it: most filters read their input this way, and a call retained and released it.
    public var outputText: String {
        @inline(__always) get {
            if case .string(let text) = self { return text }
            return convertedText
        }
    }

    /// Calls `body` with `outputText`, a string value's own text borrowed rather than copied
    /// out (a retain and a release, atomic, for every filter a string goes through).
    @inline(__always)
    func withOutputText<Result>(_ body: (String) throws -> Result) rethrows -> Result {
        if case .string(let text) = self { return try body(text) }
        return try body(convertedText)
    }

    private var convertedText: String {
        switch self {
        case .nil: return ""
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return rubyFloatText(value)
        case .string(let text): return text
        case .array(let items):
            var result = ""
            for item in items { result += item.outputText }
            return result
        case .object: return inspect
        case .date(let date): return formatDate(date, "%Y-%m-%d %H:%M:%S %z")
        case .drop(let drop): return drop.outputText
        case .range(let lower, let upper): return "\(lower)..\(upper)"
        }
    }

    /// Ruby's `inspect`, used where Liquid prints a hash.
    var inspect: String {
        switch self {
        case .nil: return "nil"
        case .string(let text):
            return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        case .array(let items): return "[" + items.map(\.inspect).joined(separator: ", ") + "]"
        case .object(let object):
            return "{"
                + object.pairs.map { "\(LiquidValue.string($0.0).inspect)=>\($0.1.inspect)" }.joined(separator: ", ")
                + "}"
        case .range(let lower, let upper): return "\(lower)..\(upper)"
        default: return outputText
        }
    }

    /// The elements a filter or loop sees: arrays (flattened for filters), a hash as one item,
    /// a range's integers, nothing for nil, anything else as one item.
    /// Ranges are made a list only after `Renderer` has counted them against the render's
    /// limits (a range of a billion numbers would take all memory).
    func iterated(flatten: Bool) -> [LiquidValue] {
        switch self {
        case .nil: return []
        case .array(let items):
            guard flatten, items.contains(where: { if case .array = $0 { return true } else { return false } }) else {
                return items
            }
            return items.flatMap { $0.iterated(flatten: true) }
        case .range(let lower, let upper): return lower <= upper ? (lower...upper).map(LiquidValue.int) : []
        default: return [self]
        }
    }

    // MARK: Numbers

    /// Liquid's `to_number`: numbers as they are, decimal strings as floats, other strings by
    /// their leading integer (`"12abc"` is 12), anything else 0.
    var number: LiquidValue {
        switch self {
        case .int, .double: return self
        case .string(let text):
            let trimmed = text.trimmingSpaces()
            if isDecimalText(trimmed), let value = Double(trimmed) { return .double(value) }
            return .int(leadingInteger(text))
        default: return .int(0)
        }
    }

    /// Liquid's `to_integer`: integers, and strings that are exactly an integer; else nil.
    var strictInteger: Int? {
        switch self {
        case .int(let value): return value
        case .string(let text): return Int(text.trimmingSpaces())
        default: return nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    // MARK: Equality and order

    /// Ruby's `==` as Liquid uses it: numbers compare by value across int and float.
    func isEqual(to other: LiquidValue) -> Bool {
        switch (self, other) {
        case (.nil, .nil): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double): return doubleValue == other.doubleValue
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && a.pairs.allSatisfy { key, value in b[key].map { value.isEqual(to: $0) } ?? false }
        case (.date(let a), .date(let b)): return a.date == b.date
        case (.range(let a1, let a2), .range(let b1, let b2)): return a1 == b1 && a2 == b2
        case (.drop(let a), .drop(let b)): return a === b
        default: return false
        }
    }

    /// Ruby's `<=>` for the types that have it: numbers with numbers, strings with strings.
    func compare(to other: LiquidValue) -> ComparisonResult? {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (.int, .double), (.double, .int), (.double, .double):
            guard let a = doubleValue, let b = other.doubleValue else { return nil }
            return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (.string(let a), .string(let b)):
            // Ruby compares strings byte by byte.
            return compareBytes(a, b)
        case (.date(let a), .date(let b)):
            return a.date < b.date ? .orderedAscending : a.date > b.date ? .orderedDescending : .orderedSame
        default: return nil
        }
    }

    var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array, .range: return "array"
        case .object, .drop: return "object"
        case .date: return "date"
        }
    }
}

/// Ruby's string order: byte by byte over UTF-8.
func compareBytes(_ a: String, _ b: String) -> ComparisonResult {
    withUTF8Bytes(a) { x in
        withUTF8Bytes(b) { y -> ComparisonResult in
            let common = min(x.count, y.count)
            if common > 0, let xBase = x.baseAddress, let yBase = y.baseAddress {
                let order = memcmp(xBase, yBase, common)
                if order != 0 { return order < 0 ? .orderedAscending : .orderedDescending }
            }
            return x.count < y.count ? .orderedAscending : x.count > y.count ? .orderedDescending : .orderedSame
        }
    }
}

private func isDecimalText(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return false }
    let whole = bytes[..<dot]
    let fraction = bytes[(dot + 1)...]
    let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
    return !whole.isEmpty && !fraction.isEmpty && whole.allSatisfy(isDigit) && fraction.allSatisfy(isDigit)
}

/// Ruby's `String#to_i`: optional white space and sign, then digits (underscores between them).
func leadingInteger(_ text: String) -> Int {
    var value = 0
    var negative = false
    var started = false
    var iterator = text.utf8.drop(while: isSpace).makeIterator()
    var byte = iterator.next()
    if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
        negative = byte == UInt8(ascii: "-")
        byte = iterator.next()
    }
    while let digit = byte {
        if digit >= 0x30, digit <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(digit - 0x30))
            if overflow1 || overflow2 { return negative ? Int.min : Int.max }
            value = sum
            started = true
        } else if digit != UInt8(ascii: "_") || !started {
            break
        }
        byte = iterator.next()
    }
    return negative ? -value : value
}

/// Ruby's `Float#to_s`: shortest digits, `1.0` not `1`, `1.0e+16` not `1e+16`.
func rubyFloatText(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    let text = value.description
    guard let exponent = text.firstIndex(of: "e") else { return text }
    let mantissa = text[..<exponent]
    return (mantissa.contains(".") ? String(mantissa) : mantissa + ".0") + text[exponent...]
}

/// How many numbers `lower...upper` holds, `Int.max` when more: bounds far apart (a range may
/// run from near `Int.min` to near `Int.max`) overflowed `upper - lower + 1`.
func rangeCount(_ lower: Int, _ upper: Int) -> Int {
    guard lower <= upper else { return 0 }
    let (difference, overflow) = upper.subtractingReportingOverflow(lower)
    return overflow || difference == .max ? .max : difference + 1
}

extension LiquidValue {
    /// The steps (`LiquidOptions.maximumSteps`) it takes to go through this value: one an item
    /// of an array, one per 16 bytes of a string.
    var workSize: Int { storageSize >> 4 }

    /// The bytes a string holds, or 16 for each item of an array, for
    /// `LiquidOptions.maximumOutputBytes`; 0 for everything else.
    var storageSize: Int {
        switch self {
        case .string(let text): return text.utf8.count
        case .array(let items): return items.count.multipliedReportingOverflow(by: 16).partialValue
        default: return 0
        }
    }
}
