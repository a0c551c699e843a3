import Foundation

/// Every filter the engine knows before an embedding program adds its own.
let standardFilters: [String: FilterDefinition] = {
    var filters: [String: FilterDefinition] = [:]
    func text(_ name: String, _ transform: @escaping @Sendable (String) -> String) {
        filters[name] = FilterDefinition(arity: 0...0) { input, _, _ in .string(input.withOutputText(transform)) }
    }
    func nilPreserving(_ name: String, _ transform: @escaping @Sendable (String) throws -> String) {
        filters[name] = FilterDefinition(arity: 0...0) { input, _, _ in
            input.isNil ? .nil : .string(try input.withOutputText(transform))
        }
    }

    // MARK: Strings
    text("downcase") { $0.fastLowercased() }
    text("upcase") { $0.fastUppercased() }
    text("capitalize") { text in
        guard let first = text.first else { return text }
        // The fast mappings: `Substring.lowercased()` took the general path even for an ASCII
        // title, about 12,000 instructions a call (callgrind).
        return concatenated(String(first).fastUppercased(), String(text.dropFirst()).fastLowercased())
    }
    text("strip") { $0.trimmingRubyWhitespace(leading: true, trailing: true) }
    text("lstrip") { $0.trimmingRubyWhitespace(leading: true, trailing: false) }
    text("rstrip") { $0.trimmingRubyWhitespace(leading: false, trailing: true) }
    text("strip_newlines") { replaceAll(replaceAll($0, "\r\n", ""), "\n", "") }
    text("newline_to_br") { replaceAll(replaceAll($0, "\r\n", "\n"), "\n", "<br />\n") }
    text("strip_html", stripHTML)
    text("escape_once", escapeOnce)
    nilPreserving("escape", escapeHTML)
    nilPreserving("h", escapeHTML)
    nilPreserving("url_encode", formEncode)
    nilPreserving("url_decode") { text in
        guard let decoded = formDecode(text) else { throw FilterError("the decoded text is not valid UTF-8") }
        return decoded
    }
    text("base64_encode") { Data($0.utf8).base64EncodedString() }
    text("base64_url_safe_encode") {
        Data($0.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_")
    }
    filters["base64_decode"] = FilterDefinition(arity: 0...0) { input, _, _ in
        .string(try base64Decode(input.outputText, urlSafe: false))
    }
    filters["base64_url_safe_decode"] = FilterDefinition(arity: 0...0) { input, _, _ in
        .string(try base64Decode(input.outputText, urlSafe: true))
    }
    filters["append"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .string(input.withOutputText { concatenated($0, arguments.positional[0].outputText) })
    }
    filters["prepend"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .string(input.withOutputText { concatenated(arguments.positional[0].outputText, $0) })
    }
    filters["remove"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .string(input.withOutputText { replaceAll($0, arguments.positional[0].outputText, "") })
    }
    filters["remove_first"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .string(input.withOutputText { replaceFirst($0, arguments.positional[0].outputText, "") })
    }
    filters["remove_last"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .string(input.withOutputText { replaceLast($0, arguments.positional[0].outputText, "") })
    }
    filters["replace"] = FilterDefinition(arity: 1...2) { input, arguments, renderer in
        let (target, replacement) = (arguments.positional[0].outputText, arguments[1]?.outputText ?? "")
        return .string(
            try input.withOutputText { text in
                try checkReplacementSize(text, target, replacement, limit: renderer.maximumOutputBytes)
                return replaceAll(text, target, replacement)
            })
    }
    filters["replace_first"] = FilterDefinition(arity: 1...2) { input, arguments, _ in
        .string(
            input.withOutputText {
                replaceFirst($0, arguments.positional[0].outputText, arguments[1]?.outputText ?? "")
            })
    }
    filters["replace_last"] = FilterDefinition(arity: 2...2) { input, arguments, _ in
        .string(
            input.withOutputText {
                replaceLast($0, arguments.positional[0].outputText, arguments.positional[1].outputText)
            })
    }
    filters["split"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        .array(input.withOutputText { rubySplit($0, arguments.positional[0].outputText) { .string($0) } })
    }
    filters["truncate"] = FilterDefinition(arity: 0...2) { input, arguments, _ in
        if input.isNil { return .nil }
        let length = try integerArgument(arguments[0], default: 50, name: "length")
        let ellipsis = arguments[1]?.outputText ?? "..."
        let scalars = Array(input.outputText.unicodeScalars)
        guard scalars.count > length else { return .string(input.outputText) }
        // A length below the ellipsis's keeps nothing; subtracting from one near Int.min overflowed.
        let ellipsisLength = ellipsis.unicodeScalars.count
        let keep = length > ellipsisLength ? length - ellipsisLength : 0
        return .string(String(String.UnicodeScalarView(scalars.prefix(keep))) + ellipsis)
    }
    filters["truncatewords"] = FilterDefinition(arity: 0...2) { input, arguments, _ in
        if input.isNil { return .nil }
        let count = max(1, try integerArgument(arguments[0], default: 15, name: "words"))
        let ellipsis = arguments[1]?.outputText ?? "..."
        return .string(input.withOutputText { truncateWords($0, count, ellipsis: ellipsis) })
    }
    filters["slice"] = FilterDefinition(arity: 1...2) { input, arguments, _ in
        guard let start = arguments.positional[0].strictInteger else {
            throw FilterError("the offset must be a whole number, not \(arguments.positional[0].typeName)")
        }
        var length = 1
        if let second = arguments.present(1) {
            guard let value = second.strictInteger else {
                throw FilterError("the length must be a whole number, not \(second.typeName)")
            }
            length = value
        }
        if case .array(let items) = input {
            return .array(rubySlice(items, start, length) ?? [])
        }
        let scalars = Array(input.outputText.unicodeScalars)
        return .string(rubySlice(scalars, start, length).map { String(String.UnicodeScalarView($0)) } ?? "")
    }
    filters["size"] = FilterDefinition(arity: 0...0, readsEveryItem: false) { input, _, _ in
        switch input {
        case .string(let text): return .int(scalarCount(text))
        case .array(let items): return .int(items.count)
        case .object(let object): return .int(object.count)
        case .range(let lower, let upper): return .int(rangeCount(lower, upper))
        case .int: return .int(8)
        case .drop(let drop): return drop.value(forKey: "size") ?? .int(0)
        default: return .int(0)
        }
    }

    // MARK: Numbers
    filters["plus"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try arithmetic(input, arguments.positional[0], .plus, renderer)
    }
    filters["minus"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try arithmetic(input, arguments.positional[0], .minus, renderer)
    }
    filters["times"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try arithmetic(input, arguments.positional[0], .times, renderer)
    }
    filters["divided_by"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try arithmetic(input, arguments.positional[0], .dividedBy, renderer)
    }
    filters["modulo"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try arithmetic(input, arguments.positional[0], .modulo, renderer)
    }
    filters["abs"] = FilterDefinition(arity: 0...0) { input, _, _ in
        switch input.number {
        case .int(let value): return value == Int.min ? .double(-Double(value)) : .int(abs(value))
        case .double(let value): return .double(abs(value))
        default: return .int(0)
        }
    }
    filters["ceil"] = FilterDefinition(arity: 0...0) { input, _, _ in wholeNumber(input.number, .up) }
    filters["floor"] = FilterDefinition(arity: 0...0) { input, _, _ in wholeNumber(input.number, .down) }
    filters["round"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        let digits: Int
        switch arguments[0]?.number ?? .int(0) {
        case .int(let value): digits = value
        case .double(let value) where value.isFinite && abs(value) < 1000: digits = Int(value)
        default: digits = 0
        }
        switch input.number {
        case .int(let value):
            guard digits < 0 else { return .int(value) }
            try renderer.spendFilterWork(decimalArithmeticSteps)
            return wholeNumber(.double(roundDecimal(Decimal(value), digits)), .toNearestOrAwayFromZero)
        case .double(let value):
            guard value.isFinite else { throw FilterError("cannot round \(rubyFloatText(value))") }
            try renderer.spendFilterWork(decimalArithmeticSteps)
            let exact = decimal(value)
            // Outside Decimal's range (about 1e-128 to 1e165) a large Double has no fraction
            // left to round and a small one rounds to zero at any scale Decimal would take.
            let rounded = exact.isNaN ? (abs(value) < 1 ? 0 : value) : roundDecimal(exact, digits)
            if digits <= 0 { return wholeNumber(.double(rounded), .toNearestOrAwayFromZero) }
            // Decimal has no negative zero; Ruby's BigDecimal, and so Liquid, keeps the sign.
            return .double(rounded == 0 && value < 0 ? -0.0 : rounded)
        default: return .int(0)
        }
    }
    // Two whole numbers, the usual case, are compared as they are: converting both and comparing
    // them as values cost about 150 instructions a call.
    filters["at_least"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        if case .int(let value) = input, case .int(let bound) = arguments.positional[0] {
            return .int(max(value, bound))
        }
        let (value, bound) = (input.number, arguments.positional[0].number)
        return bound.compare(to: value) == .orderedDescending ? bound : value
    }
    filters["at_most"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        if case .int(let value) = input, case .int(let bound) = arguments.positional[0] {
            return .int(min(value, bound))
        }
        let (value, bound) = (input.number, arguments.positional[0].number)
        return bound.compare(to: value) == .orderedAscending ? bound : value
    }

    // MARK: Arrays
    filters["join"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        let texts = input.iterated(flatten: true).map(\.outputText)
        let separator = arguments[0]?.outputText ?? " "
        // Checked before joining: a few long strings joined by a long separator multiply.
        var length = texts.reduce(0) { $0 + $1.utf8.count }
        let separators = max(0, texts.count - 1).multipliedReportingOverflow(by: separator.utf8.count)
        length = separators.overflow ? .max : length.addingReportingOverflow(separators.partialValue).partialValue
        if length > renderer.maximumOutputBytes { throw resultTooLong(limit: renderer.maximumOutputBytes) }
        return .string(texts.joined(separator: separator))
    }
    filters["first"] = FilterDefinition(arity: 0...0, readsEveryItem: false) { input, _, _ in
        switch input {
        case .array(let items): return items.first ?? .nil
        case .range(let lower, let upper): return lower <= upper ? .int(lower) : .nil
        case .object(let object): return object.pairs.first.map { .array([.string($0.0), $0.1]) } ?? .nil
        default: return .nil
        }
    }
    filters["last"] = FilterDefinition(arity: 0...0, readsEveryItem: false) { input, _, _ in
        switch input {
        case .array(let items): return items.last ?? .nil
        case .range(let lower, let upper): return lower <= upper ? .int(upper) : .nil
        default: return .nil
        }
    }
    filters["reverse"] = FilterDefinition(arity: 0...0) { input, _, _ in
        .array(input.iterated(flatten: true).reversed())
    }
    filters["compact"] = FilterDefinition(arity: 0...1) { input, arguments, _ in
        let items = input.iterated(flatten: true)
        guard let key = arguments.present(0) else { return .array(items.filter { !$0.isNil }) }
        return .array(try items.filter { !(try itemProperty($0, key, filter: "compact")).isNil })
    }
    filters["concat"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        switch arguments.positional[0] {
        case .array(let more): return .array(input.iterated(flatten: true) + more)
        case .range: return .array(input.iterated(flatten: true) + arguments.positional[0].iterated(flatten: false))
        case let other: throw FilterError("the argument must be an array, not \(other.typeName)")
        }
    }
    filters["map"] = FilterDefinition(arity: 1...1) { input, arguments, _ in
        let key = arguments.positional[0].outputText
        let fingerprint = LiquidObject.fingerprint(of: key)
        let items = input.iterated(flatten: true)
        var mapped: [LiquidValue] = []
        mapped.reserveCapacity(items.count)
        try items.withUnsafeBufferPointer { items in
            for index in items.indices {
                if let found = items[index].ownProperty(key, fingerprint: fingerprint) {
                    mapped.append(found)
                } else {
                    mapped.append(try itemProperty(items[index], named: key, filter: "map"))
                }
            }
        }
        return .array(mapped)
    }
    filters["uniq"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        var seen: [LiquidValue] = []
        var result: [LiquidValue] = []
        for item in input.iterated(flatten: true) {
            // Each item is compared with every distinct one before it.
            try renderer.spendFilterWork(seen.count)
            let key = try arguments.present(0).map { try itemProperty(item, $0, filter: "uniq") } ?? item
            if !seen.contains(where: { $0.isIdentical(to: key) }) {
                seen.append(key)
                result.append(item)
            }
        }
        return .array(result)
    }
    filters["sort"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        let items = (consume input).iterated(flatten: true)
        try renderer.spendFilterWork(comparisonsToSort(items.count))
        return .array(try sortValues(items, by: arguments.present(0), natural: false))
    }
    filters["sort_natural"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        let items = (consume input).iterated(flatten: true)
        try renderer.spendFilterWork(comparisonsToSort(items.count))
        return .array(try sortValues(items, by: arguments.present(0), natural: true))
    }
    filters["sum"] = FilterDefinition(arity: 0...1) { input, arguments, renderer in
        var total: LiquidValue = .int(0)
        let key = arguments.present(0)
        for item in input.iterated(flatten: true) {
            // Whole numbers add up here while they fit: through `arithmetic`, which converts
            // both sides first, each item cost about 200 instructions.
            if key == nil, case .int(let running) = total, case .int(let addend) = item {
                let (sum, overflow) = running.addingReportingOverflow(addend)
                if !overflow {
                    total = .int(sum)
                    continue
                }
            }
            var value = item
            if let key {
                switch item {
                case .int, .double, .bool: throw FilterError("cannot read '\(key.outputText)' of a \(item.typeName)")
                case .string, .nil: value = .int(0)
                default: value = try itemProperty(item, key, filter: "sum")
                }
            }
            total = try arithmetic(total, value.number, .plus, renderer)
        }
        return total
    }
    for (name, mode) in [
        ("where", SelectMode.select), ("reject", .reject), ("has", .any), ("find", .find), ("find_index", .findIndex),
    ] {
        filters[name] = FilterDefinition(arity: 1...2) { input, arguments, _ in
            try select(input, arguments.positional[0], arguments[1], mode: mode, filter: name)
        }
    }
    filters["default"] = FilterDefinition(arity: 0...1, keywords: .only(["allow_false"])) { input, arguments, _ in
        let allowFalse = arguments[keyword: "allow_false"]?.isTruthy ?? false
        let missing = allowFalse ? input.isNil : !input.isTruthy
        return missing || input.isEmptyCollection ? (arguments[0] ?? .string("")) : input
    }
    filters["date"] = FilterDefinition(arity: 1...1) { input, arguments, renderer in
        try renderer.spendFilterWork(dateSteps)
        let format = arguments.positional[0].outputText
        // A directive may pad to 1,024 characters (`%1024Y`), so a long format multiplies.
        guard format.utf8.count <= maximumDateFormatBytes else {
            throw FilterError(
                "the format is \(format.utf8.count) bytes long, more than the \(maximumDateFormatBytes) allowed")
        }
        guard !format.isEmpty, let date = parseDate(input) else { return input }
        return .string(formatDate(date, format))
    }

    for (name, definition) in jekyllFilters { filters[name] = definition }
    return filters
}()

// MARK: Helpers

/// Reads of a value's payload in place. Bound by a `switch` or `if case` on an element of an
/// array, a payload is copied (a retain and a release, atomic, for a string, a list or an
/// object); read by a method of the value on an element reached through a buffer pointer, it
/// is borrowed. In `bench/liquid` retains and releases were 27% of a render's perf samples.
extension LiquidValue {
    /// The property `key` of an object that holds it.
    func ownProperty(_ key: String, fingerprint: UInt64) -> LiquidValue? {
        guard case .object(let object) = self else { return nil }
        return object.value(forKey: key, fingerprint: fingerprint)
    }
}

extension LiquidValue {
    /// Ruby's `eql?`: like `==` but 1 and 1.0 differ (what `uniq` uses).
    func isIdentical(to other: LiquidValue) -> Bool {
        switch (self, other) {
        case (.int, .double), (.double, .int): return false
        default: return isEqual(to: other)
        }
    }
}

func integerArgument(_ value: LiquidValue?, default fallback: Int, name: String) throws -> Int {
    guard let value else { return fallback }
    guard let number = value.strictInteger else {
        throw FilterError("\(name) must be a whole number, not \(value.typeName) '\(value.outputText)'")
    }
    return number
}

/// The property `key` of one element of the input, for `map`, `where`, `sort` and friends.
func itemProperty(_ item: LiquidValue, _ key: LiquidValue, filter: String) throws -> LiquidValue {
    try itemProperty(item, named: key.outputText, filter: filter)
}

func itemProperty(_ item: LiquidValue, named key: String, filter: String) throws -> LiquidValue {
    switch item {
    case .object, .drop:
        return property(key, of: item) ?? .nil
    case .nil:
        return .nil
    default:
        throw FilterError(
            "cannot read property '\(key)' of \(item.typeName) '\(item.outputText)'",
            hint: "'\(filter)' needs an array of objects")
    }
}

enum SelectMode {
    case select
    case reject
    case any
    case find
    case findIndex
}

private func select(_ input: LiquidValue, _ key: LiquidValue, _ target: LiquidValue?, mode: SelectMode, filter: String)
    throws -> LiquidValue
{
    let items = input.iterated(flatten: true)
    var kept: [LiquidValue] = []
    for (index, item) in items.enumerated() {
        // An element that cannot be indexed at all makes the whole result nil, as in Liquid.
        guard let value = try indexedProperty(item, key) else { return .nil }
        let matches: Bool
        if let target, !target.isNil {
            // Jekyll's `where` also matches when the property is a list that holds the value.
            if case .array(let values) = value, !(target.isEqual(to: value)) {
                matches = values.contains { $0.isEqual(to: target) }
            } else {
                matches = value.isEqual(to: target)
            }
        } else {
            matches = value.isTruthy
        }
        switch mode {
        case .select where matches, .reject where !matches: kept.append(item)
        case .any where matches: return .bool(true)
        case .find where matches: return item
        case .findIndex where matches: return .int(index)
        default: break
        }
    }
    switch mode {
    case .select, .reject: return .array(kept)
    case .any: return .bool(false)
    case .find, .findIndex: return .nil
    }
}

/// `item[key]` with Ruby's rules, as Liquid's `where` family applies it: a hash gives the
/// property, a string the key if it contains it, an integer its bit at an integer key. Nil
/// means the element cannot be indexed; a key of the wrong type for the element is an error.
private func indexedProperty(_ item: LiquidValue, _ key: LiquidValue) throws -> LiquidValue? {
    switch (item, key) {
    case (.object, _), (.drop, _):
        return key.isNil ? .nil : property(key.outputText, of: item) ?? .nil
    case (.string(let text), .string(let part)):
        return text.contains(part) || part.isEmpty ? key : .nil
    case (.string(let text), .int(let index)):
        let scalars = Array(text.unicodeScalars)
        let position = index < 0 ? scalars.count + index : index
        return scalars.indices.contains(position) ? .string(String(scalars[position])) : .nil
    case (.string, .nil):
        return nil
    case (.int(let number), .int(let bit)):
        return .int(bit >= 0 && bit < Int.bitWidth ? (number >> bit) & 1 : (number < 0 ? 1 : 0))
    case (.array, .int(let index)):
        return element(index, of: item) ?? .nil
    case (.int, _), (.array, _), (.string, _):
        throw FilterError("cannot select the property '\(key.outputText)' of \(item.typeName) '\(item.outputText)'")
    default:
        return nil
    }
}

/// About n log2 n, taken before sorting: a sort of millions of items inside a loop would run
/// for minutes between the loop's own steps.
func comparisonsToSort(_ count: Int) -> Int {
    count * (Int.bitWidth - count.leadingZeroBitCount)
}

private func sortValues(_ items: consuming [LiquidValue], by key: LiquidValue?, natural: Bool) throws
    -> [LiquidValue]
{
    let order = try sortedOrder(items, by: key, natural: natural)
    return permuting(items, into: order)
}

/// `items` rearranged so that position i holds what was at `order[i]`, moved in place along
/// the permutation's cycles. A list a filter just made (`map: 'title' | sort`) is held by
/// nothing else, so no item is copied: a new list retained each item, and destroying the old
/// one released it again, both atomic (about a third of a 12-item sort's time, perf).
private func permuting(_ items: consuming [LiquidValue], into order: consuming [Int]) -> [LiquidValue] {
    var items = items
    var order = order
    items.withUnsafeMutableBufferPointer { items in
        order.withUnsafeMutableBufferPointer { order in
            guard let base = items.baseAddress else { return }
            // Each cycle's items are moved along it (`swapAt` copied them): the first out, each
            // next one into the place it leaves, the first into the last place. A place done
            // is marked as its own.
            for start in order.indices where order[start] != start {
                let first = (base + start).move()
                var current = start
                while order[current] != start {
                    let next = order[current]
                    (base + current).moveInitialize(from: base + next, count: 1)
                    order[current] = current
                    current = next
                }
                order[current] = current
                (base + current).initialize(to: first)
            }
        }
    }
    return items
}

/// The positions of `items` in sorted order.
private func sortedOrder(_ items: [LiquidValue], by key: LiquidValue?, natural: Bool) throws -> [Int] {
    // The common case, a list of strings, sorts on the strings themselves.
    if !natural, key == nil {
        // The first 16 bytes as two big-endian integers order the strings as their bytes do,
        // and settle most comparisons without reading the strings again. Sorted by position
        // in `items`, where the strings are read in place: copying them into arrays of their
        // own retained and released each string twice more.
        var keyed: [(prefix: (UInt64, UInt64), index: Int)] = []
        keyed.reserveCapacity(items.count)
        for index in items.indices {
            guard case .string(let text) = items[index] else { break }
            keyed.append((bytePrefix(text), index))
        }
        if keyed.count == items.count {
            keyed.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                guard case .string(let x) = items[a.index], case .string(let y) = items[b.index] else { return false }
                return compareBytes(x, y) == .orderedAscending
            }
            return keyed.map(\.index)
        }
    }
    let keys = try key.map { key in try items.map { try itemProperty($0, key, filter: "sort") } } ?? items
    var failure: FilterError?
    let order = Array(items.indices).sorted { a, b in
        let (left, right) = (keys[a], keys[b])
        if left.isNil || right.isNil {
            if left.isNil == right.isNil { return a < b }
            return right.isNil
        }
        let result: ComparisonResult?
        if natural {
            result = compareBytes(left.outputText.lowercased(), right.outputText.lowercased())
        } else if case .array(let x) = left, case .array(let y) = right {
            result = compareArrays(x, y)
        } else {
            result = left.compare(to: right)
        }
        guard let result else {
            failure = FilterError("cannot sort \(left.typeName) and \(right.typeName) together")
            return a < b
        }
        return result == .orderedSame ? a < b : result == .orderedAscending
    }
    if let failure { throw failure }
    return order
}

/// Where `sort | first` finds its answer in `items`: the smallest string as `sort` orders
/// strings (by their bytes; equal strings are alike, so which one does not matter). Nil unless
/// `items` holds strings only, which `sort` would order some other way or refuse.
func positionOfSmallestString(in items: [LiquidValue]) -> Int? {
    var smallest: (prefix: (UInt64, UInt64), index: Int)?
    for index in items.indices {
        guard case .string(let text) = items[index] else { return nil }
        let prefix = bytePrefix(text)
        if let best = smallest {
            if prefix > best.prefix { continue }
            if prefix == best.prefix {
                guard case .string(let bestText) = items[best.index],
                    compareBytes(text, bestText) == .orderedAscending
                else { continue }
            }
        }
        smallest = (prefix, index)
    }
    return smallest?.index
}

/// The first 16 UTF-8 bytes of `text`, zero-padded: when two prefixes differ, they order the
/// strings as `compareBytes` does (a shorter string that ends early has zeros where the longer
/// has bytes, and is the smaller in both).
private func bytePrefix(_ text: String) -> (UInt64, UInt64) {
    // On the contiguous bytes: iterating `utf8` cost several times the whole sort.
    return withUTF8Bytes(text) { bytes in
        // Two loads where there are 16 bytes (a title of five Hangul syllables has): the loop
        // below took about 110 instructions a string (callgrind).
        if bytes.count >= 16, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            return (
                UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<min(8, bytes.count) { high |= UInt64(bytes[index]) << (56 - 8 * index) }
        for index in 8..<max(8, min(16, bytes.count)) { low |= UInt64(bytes[index]) << (56 - 8 * (index - 8)) }
        return (high, low)
    }
}

private func compareArrays(_ x: [LiquidValue], _ y: [LiquidValue]) -> ComparisonResult? {
    for (a, b) in zip(x, y) {
        guard let result = a.compare(to: b) else { return nil }
        if result != .orderedSame { return result }
    }
    return x.count < y.count ? .orderedAscending : x.count > y.count ? .orderedDescending : .orderedSame
}

/// Ruby's `slice(start, length)`: nil when `start` is past the end or `length` is negative.
private func rubySlice<T>(_ items: [T], _ start: Int, _ length: Int) -> [T]? {
    let begin = start < 0 ? items.count + start : start
    guard begin >= 0, begin <= items.count, length >= 0 else { return nil }
    return Array(items[begin..<min(items.count, begin + min(length, items.count))])
}

/// Ruby's `String#split`: a single space splits on runs of white space, "" splits into
/// characters, trailing empty fields are dropped. Works on UTF-8 bytes: separators are matched
/// byte for byte, which is exact for UTF-8. Each field is made into an element by `make`, so
/// `split` builds its array of values without an array of strings in between.
func rubySplit<Element>(_ text: String, _ separator: String, _ make: (String) -> Element) -> [Element] {
    if text.isEmpty { return [] }
    if separator.isEmpty { return text.unicodeScalars.map { make(String($0)) } }
    return withUTF8Bytes(text) { bytes in
        withUTF8Bytes(separator) { pattern in
            splitBytes(bytes, pattern) { range in
                // Cut at ASCII white space or where a whole separator (itself valid UTF-8)
                // matched, the fields of valid UTF-8 start and end on scalar boundaries.
                make(stringOfValidUTF8(UnsafeBufferPointer(rebasing: bytes[range])))
            }
        }
    }
}

/// What `split: separator | last` gives for `text`, and how many fields the split makes,
/// without making them. `separator` is neither empty nor a single space, which split otherwise.
func lastField(of text: String, separator: String) -> (field: String?, fieldCount: Int) {
    withUTF8Bytes(text) { bytes in
        withUTF8Bytes(separator) { pattern in
            // Ruby drops the empty fields at the end, so the last field is the last non-empty one.
            var lastNonEmpty: (range: Range<Int>, position: Int)?
            var position = 0
            var start = 0
            if !bytes.isEmpty {
                forEachOccurrence(of: pattern, in: bytes) { index in
                    if index > start { lastNonEmpty = (start..<index, position) }
                    position += 1
                    start = index + pattern.count
                }
            }
            if bytes.count > start { lastNonEmpty = (start..<bytes.count, position) }
            guard let last = lastNonEmpty else { return (nil, 0) }
            return (stringOfValidUTF8(UnsafeBufferPointer(rebasing: bytes[last.range])), last.position + 1)
        }
    }
}

private func splitBytes<Element>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ pattern: UnsafeBufferPointer<UInt8>, _ make: (Range<Int>) -> Element
) -> [Element] {
    var fields: [Element] = []
    // Empty fields at the end, which Ruby drops.
    var emptyTail = 0
    func field(_ range: Range<Int>) -> Element {
        emptyTail = range.isEmpty ? emptyTail + 1 : 0
        return make(range)
    }
    if pattern.count == 1, pattern[0] == UInt8(ascii: " ") {
        var index = 0
        while index < bytes.count, isSpace(bytes[index]) || bytes[index] == 0 { index += 1 }
        while index < bytes.count {
            let start = index
            while index < bytes.count, !isSpace(bytes[index]) { index += 1 }
            fields.append(field(start..<index))
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        }
        return fields
    }
    // One allocation for the fields: count the separators first, which costs less than
    // growing the array on short inputs such as slugs.
    var separators = 0
    forEachOccurrence(of: pattern, in: bytes) { _ in separators += 1 }
    fields.reserveCapacity(separators + 1)
    var start = 0
    forEachOccurrence(of: pattern, in: bytes) { index in
        fields.append(field(start..<index))
        start = index + pattern.count
    }
    fields.append(field(start..<bytes.count))
    fields.removeLast(emptyTail)
    return fields
}

@inline(__always)
private func matches(_ pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, at index: Int)
    -> Bool
{
    guard bytes[index] == pattern[0] else { return false }
    for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] { return false }
    return true
}

/// The first `count` words joined by single spaces plus `ellipsis`, or the text unchanged when
/// it has no more than `count` words (Ruby's `split(" ", count + 1)` rule, without building
/// every word).
private func truncateWords(_ text: String, _ count: Int, ellipsis: String) -> String {
    let truncated = withUTF8Bytes(text) { bytes -> String? in
        if whitespaceSeparatedWords(bytes, stoppingAfter: count) <= count { return nil }
        // Words are cut at ASCII white space, so the result is valid UTF-8 as the text is.
        return withUTF8Bytes(ellipsis) { ellipsis in
            validUTF8String(capacity: bytes.count + ellipsis.count) { result in
                var written = 0
                func write(_ part: UnsafeBufferPointer<UInt8>) {
                    guard let source = part.baseAddress else { return }
                    (result.baseAddress! + written).initialize(from: source, count: part.count)
                    written += part.count
                }
                var words = 0
                var index = 0
                while index < bytes.count {
                    while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                    guard index < bytes.count, words < count else { break }
                    if words > 0 {
                        result[written] = UInt8(ascii: " ")
                        written += 1
                    }
                    let start = index
                    while index < bytes.count, !isSpace(bytes[index]) { index += 1 }
                    write(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    words += 1
                }
                write(ellipsis)
                return written
            }
        }
    }
    return truncated ?? text
}

/// Words in `bytes` (runs of anything but ASCII white space), counted until there are more
/// than `limit`: the count is exact up to `limit + 1` and may be larger past it, so that a long
/// text is read only as far as a caller keeping `limit` words needs.
///
/// A word starts at a byte that is not white space where the byte before is (or at the start).
/// Eight bytes are classified at a time, without a branch: branching on each byte of text that
/// mixes words and spaces mispredicted, and `truncatewords` of the benchmark's titles spent
/// most of its time there (perf).
func whitespaceSeparatedWords(_ bytes: UnsafeBufferPointer<UInt8>, stoppingAfter limit: Int) -> Int {
    guard let base = UnsafeRawPointer(bytes.baseAddress) else { return 0 }
    let high: UInt64 = 0x8080_8080_8080_8080
    let ones: UInt64 = 0x0101_0101_0101_0101
    var words = 0
    // The top bit of the byte before the next one: set when it is white space.
    var spaceBefore: UInt64 = 0x80
    var index = 0
    while index + 8 <= bytes.count, words <= limit {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        // Each byte's low seven bits, so that sums stay within their byte; a byte with its top
        // bit set (part of a multi-byte scalar) is never white space, whatever these say.
        let low = word & ~high
        // Top bit set where the byte is 0x20: its seven bits XOR 0x20 are zero, and adding
        // 0x7F to a non-zero seven-bit value sets the top bit.
        let differs = low ^ (0x20 * ones)
        let isBlank = ~((differs &+ 0x7F * ones) | differs) & high
        // Top bit set where the byte is 0x09 to 0x0D: at least 9, and not at least 14.
        let isControlSpace = (low &+ (0x80 - 0x09) * ones) & ~(low &+ (0x80 - 0x0E) * ones) & high
        let space = (isBlank | isControlSpace) & ~word
        words &+= topBitsSet(~space & high & (space << 8 | spaceBefore))
        spaceBefore = space >> 56
        index += 8
    }
    var afterSpace = spaceBefore != 0
    while index < bytes.count, words <= limit {
        let space = isSpace(bytes[index])
        words &+= !space && afterSpace ? 1 : 0
        afterSpace = space
        index += 1
    }
    return words
}

/// How many bytes of `flags` have their top bit set; no other bit may be. Each top bit moved
/// down to a 1 in its byte, summed by a multiplication into the top byte: the baseline x86-64
/// target has no popcount instruction.
@inline(__always)
private func topBitsSet(_ flags: UInt64) -> Int {
    Int(truncatingIfNeeded: ((flags >> 7) &* 0x0101_0101_0101_0101) >> 56)
}

/// Unicode scalars in `text` (Ruby's `String#length`): every byte that is not a UTF-8
/// continuation byte starts one.
func scalarCount(_ text: String) -> Int {
    withUTF8Bytes(text) { bytes in
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return 0 }
        // Every byte but the continuation bytes (10xxxxxx) of multi-byte scalars starts a
        // scalar. Counted eight bytes at a time: byte by byte, the loop was not vectorized and
        // took about eight instructions a byte (callgrind), more than the rest of `size`.
        var continuations = 0
        var index = 0
        while index + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A byte's top bit set and the bit below it clear (shifting moves each byte's
            // second bit to its top; what crosses from the byte below is masked off).
            continuations &+= topBitsSet(word & ~(word << 1) & 0x8080_8080_8080_8080)
            index += 8
        }
        while index < bytes.count {
            continuations &+= bytes[index] & 0xC0 == 0x80 ? 1 : 0
            index += 1
        }
        return bytes.count - continuations
    }
}

/// Calls `body` with the byte offset of each non-overlapping occurrence of `pattern`, from the start.
private func forEachOccurrence(
    of pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, first: Bool = false,
    _ body: (Int) -> Void
) {
    let lastStart = bytes.count - pattern.count
    var index = 0
    // memchr finds each candidate's first byte: in a long text most bytes are not one, and it
    // reads them several at a time where a loop compared each in turn.
    while let candidate = firstByte(pattern[0], in: bytes, from: index), candidate <= lastStart {
        if matches(pattern, in: bytes, at: candidate) {
            body(candidate)
            if first { return }
            index = candidate + pattern.count
        } else {
            index = candidate + 1
        }
    }
}

/// Whether `pattern`'s bytes stand in `text`, as Ruby's `include?` finds them: an accent
/// combined with a letter does not hide the letter, as it does from `String.contains`, which
/// also took about 15 ns a byte.
func containsText(_ text: String, _ pattern: String) -> Bool {
    if pattern.isEmpty { return true }
    return withUTF8Bytes(text) { bytes in
        withUTF8Bytes(pattern) { pattern in
            var found = false
            forEachOccurrence(of: pattern, in: bytes, first: true) { _ in found = true }
            return found
        }
    }
}

/// `first` then `second` as one new String: `+` went through the standard library's general
/// append, about 600 instructions for a title and a few bytes (callgrind).
private func concatenated(_ first: String, _ second: String) -> String {
    withUTF8Bytes(first) { first in
        withUTF8Bytes(second) { second in
            validUTF8String(capacity: first.count + second.count) { buffer in
                if let source = first.baseAddress { buffer.baseAddress!.initialize(from: source, count: first.count) }
                if let source = second.baseAddress {
                    (buffer.baseAddress! + first.count).initialize(from: source, count: second.count)
                }
                return first.count + second.count
            }
        }
    }
}

/// `bytes` with the `count` matches of `length` bytes that `forEachMatch` gives, in order,
/// replaced by `replacement`. Written in one buffer: going through an `[UInt8]` cost an
/// allocation and a generic append per piece. The matches are found again rather than kept,
/// since keeping them cost an array grown for each one (more than finding them twice in a
/// title). Whole matches of valid text are cut out, so what is left is valid.
private func replacing(
    _ bytes: UnsafeBufferPointer<UInt8>, matches count: Int, length: Int, with replacement: String,
    _ forEachMatch: ((Int) -> Void) -> Void
) -> String {
    return withUTF8Bytes(replacement) { inserted in
        let total = bytes.count + count * (inserted.count - length)
        return validUTF8String(capacity: total) { buffer in
            var written = 0
            func write(_ part: UnsafeBufferPointer<UInt8>) {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[written..<(written + part.count)]).initialize(
                    from: part)
                written += part.count
            }
            var copied = 0
            forEachMatch { offset in
                write(UnsafeBufferPointer(rebasing: bytes[copied..<offset]))
                write(inserted)
                copied = offset + length
            }
            write(UnsafeBufferPointer(rebasing: bytes[copied...]))
            return written
        }
    }
}

/// `text` with every non-overlapping occurrence of `target` (or only the first) replaced.
private func replaceOccurrences(
    _ text: String, _ target: String, _ replacement: String, first: Bool = false
) -> String {
    let replaced = withUTF8Bytes(text) { bytes in
        withUTF8Bytes(target) { pattern -> String? in
            var count = 0
            forEachOccurrence(of: pattern, in: bytes, first: first) { _ in count += 1 }
            guard count > 0 else { return nil }
            return replacing(bytes, matches: count, length: pattern.count, with: replacement) { body in
                forEachOccurrence(of: pattern, in: bytes, first: first, body)
            }
        }
    }
    return replaced ?? text
}

/// Whether the UTF-8 scalar starting at `index` of valid UTF-8 `bytes` is a Hangul syllable
/// (U+AC00...U+D7A3, three bytes led by 0xEA...0xED).
@inline(__always)
private func isHangulSyllable(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
    let lead = bytes[index]
    guard lead >= 0xEA, lead <= 0xED, index + 2 < bytes.count else { return false }
    let value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
    return value >= 0xAC00 && value <= 0xD7A3
}

extension Unicode.Scalar {
    /// Hangul syllables have no case, so case mapping can skip looking up their properties.
    var isHangulSyllable: Bool { value >= 0xAC00 && value <= 0xD7A3 }
}

extension String {
    /// Ruby's `strip`: white space and NUL at the ends. Those are all ASCII, so the ends can be
    /// found on UTF-8 bytes without splitting a character.
    func trimmingRubyWhitespace(leading: Bool, trailing: Bool) -> String {
        let isTrimmed: (UInt8) -> Bool = { $0 == 0 || isSpace($0) }
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last,
            (leading && isTrimmed(first)) || (trailing && isTrimmed(last))
        else { return self }
        var start = bytes.startIndex
        var end = bytes.endIndex
        if leading {
            while start < end, isTrimmed(bytes[start]) { start = bytes.index(after: start) }
        }
        if trailing {
            while end > start, isTrimmed(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        }
        return String(self[start..<end])
    }

    /// `lowercased()` without its slow general path for the many characters that have no case
    /// (ASCII is mapped directly, Hangul is left alone).
    func fastLowercased() -> String {
        mappingCase(lower: true)
    }

    func fastUppercased() -> String {
        mappingCase(lower: false)
    }

    private func mappingCase(lower: Bool) -> String {
        // Letters to change in ASCII: A-Z when lowering, a-z when raising; flipping bit 5
        // changes either case to the other.
        let first: UInt8 = lower ? 0x41 : 0x61
        // Text of ASCII and Hangul syllables (most titles here) is mapped on its bytes: only
        // ASCII letters change, and every byte of a multi-byte scalar is 0x80 or above, so
        // the flip below leaves them alone. Plain loops over the bytes: a closure called for
        // each byte, and the check of the new string's bytes, cost more than the mapping.
        let byteMapped = withUTF8Bytes(self) { bytes -> String?? in
            var changes = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    if byte &- first < 26 { changes = true }
                    index += 1
                } else if isHangulSyllable(bytes, at: index) {
                    index += 3
                } else {
                    return nil
                }
            }
            guard changes else { return .some(nil) }
            return validUTF8String(capacity: bytes.count) { buffer in
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    buffer[index] = byte &- first < 26 ? byte ^ 0x20 : byte
                }
                return bytes.count
            }
        }
        if let byteMapped { return byteMapped ?? self }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                result.append(byte &- first < 26 ? byte ^ 0x20 : byte)
            } else if !scalar.isHangulSyllable,
                let mapped = lower
                    ? (scalar.properties.changesWhenLowercased ? scalar.properties.lowercaseMapping : nil)
                    : (scalar.properties.changesWhenUppercased ? scalar.properties.uppercaseMapping : nil)
            {
                result.append(contentsOf: mapped.utf8)
            } else {
                UTF8.encode(scalar) { result.append($0) }
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

private let maximumDateFormatBytes = 4_096

private func resultTooLong(limit: Int) -> FilterError {
    FilterError(
        "the result would be longer than the \(limit) bytes a render allows",
        hint: "a loop that keeps doubling a value grows without end")
}

/// Stops `replace` before it makes a string longer than a render allows: each of a million
/// matches replaced by a megabyte would take all memory. Counting the matches costs a pass
/// over the text, so it is done only when the quick bound (every possible match) is too long.
private func checkReplacementSize(_ text: String, _ target: String, _ replacement: String, limit: Int) throws {
    let textLength = text.utf8.count
    let growth = replacement.utf8.count - target.utf8.count
    guard growth > 0 else { return }
    func fits(_ matches: Int) -> Bool {
        let (added, overflow) = matches.multipliedReportingOverflow(by: growth)
        return !overflow && added <= limit - textLength
    }
    if fits(textLength / max(1, target.utf8.count) + 1) { return }
    var matches = 0
    if target.isEmpty {
        matches = text.unicodeScalars.count + 1
    } else {
        withUTF8Bytes(text) { bytes in
            withUTF8Bytes(target) { pattern in forEachOccurrence(of: pattern, in: bytes) { _ in matches += 1 } }
        }
    }
    if !fits(matches) { throw resultTooLong(limit: limit) }
}

private func replaceAll(_ text: String, _ target: String, _ replacement: String) -> String {
    if target.isEmpty {
        return replacement + text.unicodeScalars.map { String($0) + replacement }.joined()
    }
    return replaceOccurrences(text, target, replacement)
}

private func replaceFirst(_ text: String, _ target: String, _ replacement: String) -> String {
    if target.isEmpty { return replacement + text }
    return replaceOccurrences(text, target, replacement, first: true)
}

private func replaceLast(_ text: String, _ target: String, _ replacement: String) -> String {
    if target.isEmpty { return text + replacement }
    let replaced = withUTF8Bytes(text) { bytes in
        withUTF8Bytes(target) { pattern -> String? in
            var index = bytes.count - pattern.count
            while index >= 0 {
                if matches(pattern, in: bytes, at: index) {
                    return replacing(bytes, matches: 1, length: pattern.count, with: replacement) { $0(index) }
                }
                index -= 1
            }
            return nil
        }
    }
    return replaced ?? text
}

func escapeHTML(_ text: String) -> String {
    let special: (UInt8) -> Bool = { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
    guard withUTF8Bytes(text, { $0.contains(where: special) }) else { return text }
    var result: [UInt8] = []
    result.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "&"): result.append(contentsOf: "&amp;".utf8)
        case UInt8(ascii: "<"): result.append(contentsOf: "&lt;".utf8)
        case UInt8(ascii: ">"): result.append(contentsOf: "&gt;".utf8)
        case UInt8(ascii: "\""): result.append(contentsOf: "&quot;".utf8)
        case UInt8(ascii: "'"): result.append(contentsOf: "&#39;".utf8)
        default: result.append(byte)
        }
    }
    return String(decoding: result, as: UTF8.self)
}

/// Escapes like `escape` but leaves existing entities (`&amp;`, `&#39;`) alone.
private func escapeOnce(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    var result = ""
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        if scalar == "&" {
            var end = index + 1
            if end < scalars.count, scalars[end] == "#" {
                end += 1
                let digits = end
                while end < scalars.count, scalars[end].properties.numericType == .decimal, scalars[end].isASCII {
                    end += 1
                }
                if end > digits, end < scalars.count, scalars[end] == ";" {
                    result += String(String.UnicodeScalarView(scalars[index...end]))
                    index = end + 1
                    continue
                }
            } else {
                while end < scalars.count, scalars[end].isASCII, scalars[end].properties.isAlphabetic { end += 1 }
                if end > index + 1, end < scalars.count, scalars[end] == ";" {
                    result += String(String.UnicodeScalarView(scalars[index...end]))
                    index = end + 1
                    continue
                }
            }
        }
        result += escapeHTML(String(scalar))
        index += 1
    }
    return result
}

/// Liquid's `strip_html`: drops `<script>`/`<style>` elements and comments with their content,
/// then every tag.
private func stripHTML(_ text: String) -> String {
    // On the text's bytes, a run at a time: collecting them one by one into an array cost
    // about 9,000 instructions for a one-line summary. Cuts fall next to '<' and '>', which
    // are ASCII, so what is kept stays valid UTF-8.
    withUTF8Bytes(text) { bytes -> String in
        guard let base = bytes.baseAddress, let firstTag = firstByte(UInt8(ascii: "<"), in: bytes, from: 0) else {
            return text
        }
        return validUTF8String(capacity: bytes.count) { output in
            var written = 0
            func keep(_ range: Range<Int>) {
                (output.baseAddress! + written).initialize(from: base + range.lowerBound, count: range.count)
                written += range.count
            }
            var index = 0
            var tag: Int? = firstTag
            while let open = tag {
                keep(index..<open)
                var end: Int?
                for (opening, closing) in strippedBlocks where open + opening.count <= bytes.count {
                    guard opening.withUnsafeBufferPointer({ matches($0, in: bytes, at: open) }) else { continue }
                    let after = open + opening.count
                    closing.withUnsafeBufferPointer { closing in
                        let rest = UnsafeBufferPointer(rebasing: bytes[after...])
                        forEachOccurrence(of: closing, in: rest, first: true) { end = after + $0 + closing.count }
                    }
                    break
                }
                if end == nil, let close = firstByte(UInt8(ascii: ">"), in: bytes, from: open) { end = close + 1 }
                guard let end else {
                    index = open
                    break
                }
                index = end
                tag = firstByte(UInt8(ascii: "<"), in: bytes, from: end)
            }
            keep(index..<bytes.count)
            return written
        }
    }
}

/// Elements `strip_html` removes with what is inside them, as Liquid's block pattern does.
private let strippedBlocks: [([UInt8], [UInt8])] = [
    (Array("<script".utf8), Array("</script>".utf8)), (Array("<!--".utf8), Array("-->".utf8)),
    (Array("<style".utf8), Array("</style>".utf8)),
]

private func firstByte(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    // A slug or a title is read faster byte by byte than through the call and setup of memchr.
    if bytes.count - start <= 32 {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }
    guard let base = bytes.baseAddress, start < bytes.count,
        let hit = memchr(base + start, Int32(byte), bytes.count - start)
    else { return nil }
    return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
}

/// CGI.escape: form encoding, space as `+`.
func formEncode(_ text: String) -> String {
    let unreserved: (UInt8) -> Bool = {
        ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
            || $0 == 0x2E || $0 == 0x2D || $0 == 0x7E
    }
    if withUTF8Bytes(text, { $0.allSatisfy(unreserved) }) { return text }
    var result: [UInt8] = []
    result.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
            UInt8(ascii: "~"):
            result.append(byte)
        case UInt8(ascii: " "):
            result.append(UInt8(ascii: "+"))
        default:
            result.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
    }
    return String(decoding: result, as: UTF8.self)
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    return String(String.UnicodeScalarView([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]))
}

private func formDecode(_ text: String) -> String? {
    var bytes: [UInt8] = []
    let source = Array(text.utf8)
    var index = 0
    while index < source.count {
        let byte = source[index]
        if byte == UInt8(ascii: "+") {
            bytes.append(UInt8(ascii: " "))
        } else if byte == UInt8(ascii: "%"), index + 2 < source.count,
            let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            index += 2
        } else {
            bytes.append(byte)
        }
        index += 1
    }
    return String(validating: bytes, as: UTF8.self)
}

private func base64Decode(_ text: String, urlSafe: Bool) throws -> String {
    var normalized = text
    if urlSafe {
        normalized = normalized.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while normalized.utf8.count % 4 != 0 { normalized += "=" }
    }
    guard let data = Data(base64Encoded: normalized) else { throw FilterError("invalid base64 input") }
    guard let decoded = String(validating: data, as: UTF8.self) else {
        throw FilterError("the decoded bytes are not UTF-8 text")
    }
    return decoded
}

// MARK: Arithmetic

enum ArithmeticOperation {
    case plus
    case minus
    case times
    case dividedBy
    case modulo
}

/// Steps (`LiquidOptions.maximumSteps`) a call takes beyond the data it goes through, for calls
/// whose fixed work a loop iteration's one step does not weigh: arithmetic on decimals, through
/// Foundation's `Decimal` (1.7 µs for `plus: 2.5`, 6.5 for `modulo`), and reading and writing a
/// date (0.8 to 1.6 µs), where an empty loop iteration takes about 6 ns. Weighed well below
/// their time, so that a list of 100,000 pages with a date each stays far from the bound, and
/// a loop of such calls still stops in seconds rather than minutes.
let decimalArithmeticSteps = 100
let dateSteps = 50

/// Integer arithmetic when both sides are integers (floored division and modulo, as Ruby);
/// decimal arithmetic otherwise, so 0.1 plus 0.2 is 0.3 as in Liquid.
func arithmetic(
    _ left: LiquidValue, _ right: LiquidValue, _ operation: ArithmeticOperation, _ renderer: Renderer
) throws -> LiquidValue {
    let (a, b) = (left.number, right.number)
    if case .int(let x) = a, case .int(let y) = b {
        switch operation {
        case .plus:
            let (sum, overflow) = x.addingReportingOverflow(y)
            if !overflow { return .int(sum) }
        case .minus:
            let (difference, overflow) = x.subtractingReportingOverflow(y)
            if !overflow { return .int(difference) }
        case .times:
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            if !overflow { return .int(product) }
        case .dividedBy, .modulo:
            guard y != 0 else { throw FilterError("divided by 0") }
            if x == Int.min, y == -1 { break }
            var quotient = x / y
            var remainder = x % y
            if remainder != 0, (remainder < 0) != (y < 0) {
                quotient -= 1
                remainder += y
            }
            return .int(operation == .dividedBy ? quotient : remainder)
        }
    }
    try renderer.spendFilterWork(decimalArithmeticSteps)
    let x = decimal(a)
    let y = decimal(b)
    let result: Decimal
    switch operation {
    case .plus: result = x + y
    case .minus: result = x - y
    case .times: result = x * y
    case .dividedBy:
        guard !y.isZero else { throw FilterError("divided by 0") }
        result = x / y
    case .modulo:
        guard !y.isZero else { throw FilterError("divided by 0") }
        var quotient = x / y
        var floored = Decimal()
        NSDecimalRound(&floored, &quotient, 0, .down)
        if quotient < 0, floored != quotient { floored -= 1 }
        result = x - y * floored
    }
    // Foundation's Decimal ends near 1e165 and has no infinity, where Ruby's BigDecimal goes
    // on: there the Doubles come within a last digit of Ruby's `to_f` of its result, not NaN.
    if result.isNaN, let left = a.doubleValue, let right = b.doubleValue {
        return .double(floatArithmetic(left, right, operation))
    }
    return .double(NSDecimalNumber(decimal: result).doubleValue)
}

private func floatArithmetic(_ x: Double, _ y: Double, _ operation: ArithmeticOperation) -> Double {
    switch operation {
    case .plus: x + y
    case .minus: x - y
    case .times: x * y
    case .dividedBy: x / y
    case .modulo: x - y * (x / y).rounded(.down)
    }
}

func decimal(_ value: LiquidValue) -> Decimal {
    switch value {
    case .int(let number): return Decimal(number)
    case .double(let number): return decimal(number)
    default: return 0
    }
}

private func decimal(_ number: Double) -> Decimal {
    guard number.isFinite else { return .nan }
    return Decimal(string: rubyFloatText(number)) ?? .nan
}

private func roundDecimal(_ value: Decimal, _ digits: Int) -> Double {
    var input = value
    var output = Decimal()
    // A Decimal's exponent lies within ±128, so rounding further either way changes nothing
    // more; Foundation stopped the process for scales near Int.min.
    NSDecimalRound(&output, &input, min(max(digits, -decimalScaleLimit), decimalScaleLimit), .plain)
    return NSDecimalNumber(decimal: output).doubleValue
}

private let decimalScaleLimit = 128

/// A float rounded to a whole number, as an integer when it fits.
private func wholeNumber(_ value: LiquidValue, _ rule: FloatingPointRoundingRule) -> LiquidValue {
    switch value {
    case .int: return value
    case .double(let number):
        let rounded = number.rounded(rule)
        if let exact = Int(exactly: rounded) { return .int(exact) }
        return .double(rounded)
    default: return .int(0)
    }
}
