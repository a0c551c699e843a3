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

    /// A CJK run's last character; most are a Hangul syllable, three UTF-8 bytes, packed at once.
    init(_ scalar: Unicode.Scalar) {
        if (0x800...0xFFFF).contains(scalar.value) {
            first = Self.threeBytes(scalar.value) << 40
            byteCount = 3
        } else {
            append(scalar)
        }
    }

    /// A bigram; two parameters rather than a variadic one, which would allocate an array for
    /// every bigram of every page.
    init(_ first: Unicode.Scalar, _ second: Unicode.Scalar) {
        // Most bigrams are two Hangul syllables, three UTF-8 bytes each: packed at once.
        if (0x800...0xFFFF).contains(first.value), (0x800...0xFFFF).contains(second.value) {
            self.first = Self.threeBytes(first.value) << 40 | Self.threeBytes(second.value) << 16
            byteCount = 6
        } else {
            append(first)
            append(second)
        }
    }

    /// The UTF-8 bytes of a scalar from U+0800 to U+FFFF, in the low 24 bits.
    private static func threeBytes(_ value: UInt32) -> UInt64 {
        UInt64(0xE0 | value >> 12) << 16 | UInt64(0x80 | (value >> 6) & 0x3F) << 8 | UInt64(0x80 | value & 0x3F)
    }

    /// A word's token: `word`'s scalars, then `ending` if there is one. Words read a scalar at a
    /// time (with an apostrophe, or letters beyond ASCII) that turn out to be ASCII after all
    /// are packed as `init(lowercasing:then:)` packs the rest; their letters are lower case
    /// already.
    init<Word: Collection<Unicode.Scalar>>(_ word: Word, then ending: Unicode.Scalar?) {
        let count = word.count
        if count + (ending == nil ? 0 : 1) <= Self.inlineCapacity, word.allSatisfy(\.isASCII),
            ending?.isASCII ?? true
        {
            self = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { bytes in
                for (position, scalar) in word.enumerated() {
                    bytes[position] = UInt8(truncatingIfNeeded: scalar.value)
                }
                return Token(
                    lowercasing: UnsafeBufferPointer(bytes), then: ending.map { UInt8(truncatingIfNeeded: $0.value) })
            }
            return
        }
        for scalar in word { append(scalar) }
        if let ending { append(ending) }
    }

    /// A word of ASCII letters and digits, lower-cased, then `ending` if there is one: most
    /// English words, read from a page's bytes as they are, their bytes packed eight at a time
    /// (appending byte by byte was a tenth of indexing a site).
    init(lowercasing word: UnsafeBufferPointer<UInt8>, then ending: UInt8?) {
        let total = word.count + (ending == nil ? 0 : 1)
        guard total <= Self.inlineCapacity, let base = word.baseAddress else {
            for byte in word { append(byte: byte | 0x20) }
            if let ending { append(byte: ending) }
            return
        }
        var packed = (UInt64(0), UInt64(0), UInt64(0))
        var word8: UInt64 = 0
        for position in 0..<word.count {
            // Setting 0x20 lower-cases a letter and leaves a digit as it is.
            word8 = word8 << 8 | UInt64(base[position] | 0x20)
            if position & 7 == 7 { Self.store(word8, wordIndex: position >> 3, in: &packed) }
        }
        if let ending {
            word8 = word8 << 8 | UInt64(ending)
            if word.count & 7 == 7 { Self.store(word8, wordIndex: word.count >> 3, in: &packed) }
        }
        if total & 7 != 0 { Self.store(word8 << UInt64(64 - (total & 7) * 8), wordIndex: total >> 3, in: &packed) }
        (first, second, third) = packed
        byteCount = total
    }

    @inline(__always)
    private static func store(_ word: UInt64, wordIndex: Int, in packed: inout (UInt64, UInt64, UInt64)) {
        switch wordIndex {
        case 0: packed.0 = word
        case 1: packed.1 = word
        default: packed.2 = word
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
    /// A cheap hash for `TokenTable`, which takes its top bits (Fibonacci hashing). A token's
    /// bytes sit at the top of its words, and a product's top bits depend on all of a factor's
    /// bits only when they are low: byte-swapped first, so that every byte of the token reaches
    /// the bits taken. MurmurHash3's final mix over the low bits did the same in three times
    /// the instructions, on every token of every page. The length needs no part: no token has
    /// a zero byte, so a longer one differs where a shorter one has its padding.
    var quickHash: UInt64 {
        var hash = first.byteSwapped &* 0x9E37_79B9_7F4A_7C15
        hash ^= second.byteSwapped &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= third.byteSwapped &* 0x1656_67B1_9E37_79F9
        if let longBytes {
            for byte in longBytes.dropFirst(Self.inlineCapacity) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            hash ^= hash >> 29
        }
        return hash
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
    /// 64 minus the number of bits a slot number has.
    private var slotShift = 64 - 10

    init() {}

    /// A table that holds `count` tokens before it grows (as many as its first 1,024 slots allow
    /// at half full): a page's table grew about nine times, copying its tokens each time.
    init(reservingCapacity count: Int) {
        tokens.reserveCapacity(min(count, 512))
    }

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
        let start = Int(truncatingIfNeeded: token.quickHash >> UInt64(slotShift))
        // Through buffer pointers, without the arrays' bounds checks (about a ninth of the
        // probes' instructions): a slot's number is always below the count of tokens.
        return slots.withUnsafeBufferPointer { slots in
            tokens.withUnsafeBufferPointer { tokens in
                let mask = slots.count - 1
                var slot = start
                while true {
                    let number = Int(slots[slot])
                    if number < 0 { return (nil, slot) }
                    if tokens[number] == token { return (number, slot) }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        slotShift -= 1
        let mask = slots.count - 1
        for (number, token) in tokens.enumerated() {
            var slot = Int(truncatingIfNeeded: token.quickHash >> UInt64(slotShift))
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(number)
        }
    }
}

/// A page's tokens, each with the places it stands in and its count in the body, in the order
/// they first came.
struct TokenTally {
    private(set) var table = TokenTable(reservingCapacity: Self.expectedTokens)
    /// One entry a token, by its number in `table`: one array to grow and to write to, for
    /// every token of every page.
    private var entries: [(places: Places, bodyCount: Int32)] = []
    /// About the distinct tokens of a page of the benchmark corpus (800 words).
    private static let expectedTokens = 512

    init() {
        entries.reserveCapacity(Self.expectedTokens)
    }

    var tokens: [Token] { table.tokens }

    /// The score of the token numbered `entry`.
    func score(_ entry: Int) -> Int {
        SearchIndex.score(places: entries[entry].places, bodyCount: Int(entries[entry].bodyCount))
    }

    /// Methods rather than closures over a tally the caller keeps: a variable captured by a
    /// local function is checked for exclusive access at run time, on every token of every page.
    mutating func add(_ text: String, placed place: Places) {
        SearchTokenizer.forEachToken(in: text) { add($0, placed: place) }
    }

    mutating func addBody(_ text: UnsafeBufferPointer<UInt8>) {
        SearchTokenizer.forEachToken(inUTF8: text) { add($0, body: 1) }
    }

    mutating func add(_ token: Token, placed place: Places = [], body count: Int32 = 0) {
        let (entry, isNew) = table.number(of: token)
        if isNew {
            entries.append((place, count))
        } else {
            entries[entry].places.formUnion(place)
            entries[entry].bodyCount &+= count
        }
    }
}
