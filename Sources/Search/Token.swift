/// An index token's UTF-8 bytes. Every word and bigram of every page is hashed into a table
/// while a site is indexed; as a `String` each would cost an allocation or, being Hangul and so
/// not ASCII, a hash that normalizes it first. Tokens of up to 24 bytes (nearly all: a Hangul
/// bigram is 6) are held inline; longer ones keep all their bytes in `longBytes` as well.
struct Token: Comparable, Sendable {
    private static let inlineCapacity = 24

    private var first: UInt64 = 0
    private var second: UInt64 = 0
    private var third: UInt64 = 0
    private(set) var byteCount = 0
    private var longBytes: [UInt8]?

    init() {}

    init(_ scalar: Unicode.Scalar) {
        append(scalar)
    }

    /// A bigram; two parameters rather than a variadic one, which would allocate an array for
    /// every bigram of every page.
    init(_ first: Unicode.Scalar, _ second: Unicode.Scalar) {
        // Most bigrams are two Hangul syllables, three UTF-8 bytes each: packed at once.
        if (0x800...0xFFFF).contains(first.value), (0x800...0xFFFF).contains(second.value) {
            func threeBytes(_ value: UInt32) -> UInt64 {
                UInt64(0xE0 | value >> 12) << 16 | UInt64(0x80 | (value >> 6) & 0x3F) << 8 | UInt64(0x80 | value & 0x3F)
            }
            self.first = threeBytes(first.value) << 40 | threeBytes(second.value) << 16
            byteCount = 6
        } else {
            append(first)
            append(second)
        }
    }

    /// The scalar's UTF-8 bytes, worked out here: `scalar.utf8` goes through a closure call
    /// for each scalar of each word.
    mutating func append(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case ..<0x80:
            append(byte: UInt8(truncatingIfNeeded: value))
        case ..<0x800:
            append(byte: UInt8(truncatingIfNeeded: 0xC0 | value >> 6))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        case ..<0x10000:
            append(byte: UInt8(truncatingIfNeeded: 0xE0 | value >> 12))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | (value >> 6) & 0x3F))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        default:
            append(byte: UInt8(truncatingIfNeeded: 0xF0 | value >> 18))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | (value >> 12) & 0x3F))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | (value >> 6) & 0x3F))
            append(byte: UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        }
    }

    private mutating func append(byte: UInt8) {
        if byteCount < Self.inlineCapacity {
            // Big-endian within each word, so that comparing words compares bytes in order.
            let shift = UInt64(56 - (byteCount % 8) * 8)
            switch byteCount / 8 {
            case 0: first |= UInt64(byte) << shift
            case 1: second |= UInt64(byte) << shift
            default: third |= UInt64(byte) << shift
            }
        } else {
            if longBytes == nil { longBytes = inlineBytes }
            longBytes?.append(byte)
        }
        byteCount += 1
    }

    private var inlineBytes: [UInt8] {
        (0..<min(byteCount, Self.inlineCapacity)).map { index in
            let word = index < 8 ? first : index < 16 ? second : third
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - (index % 8) * 8))
        }
    }

    var utf8: [UInt8] { longBytes ?? inlineBytes }

    var string: String { String(decoding: utf8, as: UTF8.self) }

    /// The inline words first, and the bytes past them only for long tokens: every token of
    /// every page is compared in the tables it is counted in.
    static func == (lhs: Token, rhs: Token) -> Bool {
        guard lhs.first == rhs.first, lhs.second == rhs.second, lhs.third == rhs.third, lhs.byteCount == rhs.byteCount
        else { return false }
        return lhs.byteCount <= Self.inlineCapacity || lhs.longBytes == rhs.longBytes
    }

    /// Byte order, which for UTF-8 is the order of the Unicode scalars.
    static func < (lhs: Token, rhs: Token) -> Bool {
        if lhs.longBytes == nil, rhs.longBytes == nil {
            return (lhs.first, lhs.second, lhs.third, lhs.byteCount) < (rhs.first, rhs.second, rhs.third, rhs.byteCount)
        }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

extension Token {
    /// A cheap hash for `TokenTable`: a multiply-xor of the inline words (and of the remaining
    /// bytes of a long token), then MurmurHash3's final mix. The table takes the low bits, and
    /// a multiplication carries a word's bits only upwards: a short token's bytes sit at the top
    /// of `first` (a Hangul bigram leaves its low 16 bits zero, a three-letter word its low 40),
    /// so without the mix most tokens of a page fell into a few runs of slots.
    var quickHash: UInt64 {
        var hash = (first &* 0x9E37_79B9_7F4A_7C15) ^ (second &* 0xC2B2_AE3D_27D4_EB4F)
        hash ^= (third &* 0x1656_67B1_9E37_79F9) ^ UInt64(byteCount)
        if let longBytes {
            for byte in longBytes.dropFirst(Self.inlineCapacity) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        hash = (hash ^ hash >> 33) &* 0xFF51_AFD7_ED55_8CCD
        hash = (hash ^ hash >> 33) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ hash >> 33
    }
}

/// Where on a page a token stands, besides its body.
struct Places: OptionSet {
    let rawValue: UInt8
    static let title = Places(rawValue: 1)
    static let heading = Places(rawValue: 2)
    static let term = Places(rawValue: 4)
}

/// Numbers for tokens, from 0 in the order they first came. Every token of every page is looked
/// up in one of these twice (in its page's tally, then in the site's postings), which with
/// `Dictionary` (SipHash, seeded per process, over a 40-byte key) was most of the cost of indexing
/// a site: open addressing over `Token.quickHash`, whose slots hold numbers, so that growing
/// moves only the slots.
struct TokenTable: Sendable {
    private(set) var tokens: [Token] = []
    private var slots = [Int32](repeating: -1, count: 1024)

    /// The token's number, and whether it was new.
    mutating func number(of token: Token) -> (number: Int, isNew: Bool) {
        let (found, emptySlot) = probe(token)
        if let found { return (found, false) }
        slots[emptySlot] = Int32(tokens.count)
        tokens.append(token)
        // At most half full, so that probe runs stay short.
        if tokens.count * 2 > slots.count { grow() }
        return (tokens.count - 1, true)
    }

    /// The token's number if it has one; reads only, so workers may share a table.
    func existingNumber(of token: Token) -> Int? { probe(token).found }

    /// The token's number, or else the empty slot where its probe ended.
    private func probe(_ token: Token) -> (found: Int?, emptySlot: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: token.quickHash) & mask
        while slots[slot] >= 0 {
            let number = Int(slots[slot])
            if tokens[number] == token { return (number, slot) }
            slot = (slot + 1) & mask
        }
        return (nil, slot)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (number, token) in tokens.enumerated() {
            var slot = Int(truncatingIfNeeded: token.quickHash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(number)
        }
    }
}

/// A page's tokens, each with the places it stands in and its count in the body, in the order
/// they first came.
struct TokenTally {
    private(set) var table = TokenTable()
    private(set) var places: [Places] = []
    private(set) var bodyCounts: [Int] = []

    var tokens: [Token] { table.tokens }

    mutating func add(_ token: Token, placed place: Places = [], body count: Int = 0) {
        let (entry, isNew) = table.number(of: token)
        if isNew {
            places.append(place)
            bodyCounts.append(count)
        } else {
            places[entry].formUnion(place)
            bodyCounts[entry] += count
        }
    }
}
