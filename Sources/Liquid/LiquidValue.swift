import Foundation

/// A value a template sees.
public enum LiquidValue: Sendable {
    case `nil`
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([LiquidValue])
    case object(LiquidObject)
    /// A point in time with the UTC offset it was written in, so `date` formats it in that
    /// offset and never in the machine's time zone.
    case date(LiquidDate)
    /// A lazily evaluated object (pages with `prev`/`next` cycles, large site collections).
    case drop(any LiquidDrop)
    /// `(1..5)`: kept as bounds so a large range costs nothing until it is iterated.
    case range(Int, Int)
}

/// An insertion-ordered string-keyed map: `for` over a hash follows the order it was written in.
/// Small maps (most front matter and data entries) are searched linearly, which beats hashing
/// short keys; larger ones keep a hash index beside the ordered storage.
public struct LiquidObject: Sendable {
    public private(set) var keys: [String] = []
    private var values: [LiquidValue] = []
    private var index: [String: Int]?
    private static let indexThreshold = 12

    public init() {}

    public init(_ pairs: [(String, LiquidValue)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> LiquidValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let found = position(of: key) {
                if let newValue {
                    values[found] = newValue
                } else {
                    keys.remove(at: found)
                    values.remove(at: found)
                    rebuildIndex()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index?[key] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard keys.count > Self.indexThreshold else {
            index = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() { built[key] = position }
        index = built
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var pairs: [(String, LiquidValue)] { Array(zip(keys, values)) }
}

public struct LiquidDate: Sendable, Hashable {
    public var date: Date
    /// Seconds east of UTC.
    public var utcOffset: Int

    public init(date: Date, utcOffset: Int) {
        self.date = date
        self.utcOffset = utcOffset
    }
}

/// An object whose properties are computed on demand. Drops are classes: they are compared by
/// identity and passed around by reference, which keeps `LiquidValue` small.
public protocol LiquidDrop: AnyObject, Sendable {
    /// The property `key`, or nil when the object has none (undefined; an error in strict mode).
    func value(forKey key: String) -> LiquidValue?
    /// What `{{ drop }}` prints.
    var outputText: String { get }
    /// The properties `jsonify` and `inspect` show, in order.
    var propertyNames: [String] { get }
}

extension LiquidDrop {
    public var outputText: String { "" }
    public var propertyNames: [String] { [] }
}

extension LiquidValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: LiquidValue...) { self = .array(elements) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension LiquidValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, LiquidValue)...) {
        self = .object(LiquidObject(elements))
    }
}
