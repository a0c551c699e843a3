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
/// short keys; larger ones keep a hash index beside the ordered storage. The entries live in one
/// copy-on-write object, so copying a map (which every property lookup in a render does) costs
/// one reference count, not one per array.
public struct LiquidObject: Sendable {
    private final class Storage: @unchecked Sendable {
        // Mutated only while uniquely referenced (see `mutableStorage`), so never while shared.
        var keys: [String] = []
        /// `fingerprint(of:)` of each key, compared before the key itself: telling two short
        /// keys apart as Strings cost a call into the standard library for each key passed over.
        var fingerprints: [UInt64] = []
        var values: [LiquidValue] = []
        var index: [String: Int]?

        init() {}

        init(copying other: Storage) {
            keys = other.keys
            fingerprints = other.fingerprints
            values = other.values
            index = other.index
        }
    }

    private var storage = Storage()
    private static let indexThreshold = 12

    public init() {}

    public init(_ pairs: [(String, LiquidValue)]) {
        storage.keys.reserveCapacity(pairs.count)
        storage.fingerprints.reserveCapacity(pairs.count)
        storage.values.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    public var keys: [String] { storage.keys }

    private var mutableStorage: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
            return storage
        }
    }

    /// Declared free of writes so that a render can read a property of an object where it is
    /// kept, without first copying the object out of the render's variables.
    @_effects(readonly)
    func value(forKey key: String) -> LiquidValue? {
        value(forKey: key, fingerprint: Self.fingerprint(of: key))
    }

    /// `value(forKey:)` with the key's fingerprint worked out beforehand (a template's property
    /// names have theirs from when it was parsed).
    @_effects(readonly)
    func value(forKey key: String, fingerprint: UInt64) -> LiquidValue? {
        position(of: key, fingerprint: fingerprint).map { storage.values[$0] }
    }

    private func position(of key: String, fingerprint: UInt64) -> Int? {
        if let index = storage.index { return index[key] }
        return storage.fingerprints.withUnsafeBufferPointer { fingerprints in
            for position in fingerprints.indices where fingerprints[position] == fingerprint {
                if storage.keys[position] == key { return position }
            }
            return nil
        }
    }

    /// FNV-1a of the key's UTF-8 bytes: equal keys have equal fingerprints, and different
    /// keys of one object nearly always differ.
    static func fingerprint(of key: String) -> UInt64 {
        withUTF8Bytes(key) { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return hash
        }
    }

    public subscript(key: String) -> LiquidValue? {
        get { value(forKey: key) }
        set {
            let fingerprint = Self.fingerprint(of: key)
            let found = position(of: key, fingerprint: fingerprint)
            let storage = mutableStorage
            if let found {
                if let newValue {
                    storage.values[found] = newValue
                } else {
                    storage.keys.remove(at: found)
                    storage.fingerprints.remove(at: found)
                    storage.values.remove(at: found)
                    Self.rebuildIndex(storage)
                }
            } else if let newValue {
                storage.keys.append(key)
                storage.fingerprints.append(fingerprint)
                storage.values.append(newValue)
                if storage.index != nil {
                    storage.index?[key] = storage.keys.count - 1
                } else if storage.keys.count > Self.indexThreshold {
                    Self.rebuildIndex(storage)
                }
            }
        }
    }

    private static func rebuildIndex(_ storage: Storage) {
        guard storage.keys.count > indexThreshold else {
            storage.index = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(storage.keys.count)
        for (position, key) in storage.keys.enumerated() { built[key] = position }
        storage.index = built
    }

    public var count: Int { storage.keys.count }
    public var isEmpty: Bool { storage.keys.isEmpty }
    public var pairs: [(String, LiquidValue)] { Array(zip(storage.keys, storage.values)) }
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
