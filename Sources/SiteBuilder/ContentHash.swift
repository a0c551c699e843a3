/// A 128-bit hash of a stream of byte strings: two XXH64 lanes with different seeds. Not for
/// security; it tells apart build inputs that differ, with a chance of a false match far below
/// that of a disk error.
struct ContentHash {
    private var low: XXH64
    private var high: XXH64

    init() {
        low = XXH64(seed: 0x9E37_79B9_7F4A_7C15)
        high = XXH64(seed: 0xC2B2_AE3D_27D4_EB4F)
    }

    /// Adds `bytes` with its length in front, so that ("ab", "c") and ("a", "bc") differ.
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var length = UInt64(bytes.count).littleEndian
        withUnsafeBytes(of: &length) { count in
            low.add(count)
            high.add(count)
        }
        low.add(bytes)
        high.add(bytes)
    }

    mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { add($0) }
    }

    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    /// The two lanes in hexadecimal.
    var hex: String {
        String(low.digest, radix: 16) + "-" + String(high.digest, radix: 16)
    }
}

/// XXH64 over a stream, by Yann Collet's specification, fed in pieces of any size.
private struct XXH64 {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    private var total: UInt64 = 0
    /// Bytes not yet making a whole 32-byte stripe.
    private var pending: [UInt8] = []

    init(seed: UInt64) {
        self.seed = seed
        lanes = (seed &+ Self.prime1 &+ Self.prime2, seed &+ Self.prime2, seed, seed &- Self.prime1)
        pending.reserveCapacity(32)
    }

    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        var value = accumulator &+ input &* prime2
        value = (value << 31) | (value >> 33)
        return value &* prime1
    }

    private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        let value = accumulator ^ round(0, lane)
        return value &* prime1 &+ prime4
    }

    private mutating func stripe(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        lanes.0 = Self.round(
            lanes.0, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        lanes.1 = Self.round(
            lanes.1, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
        lanes.2 = Self.round(
            lanes.2, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
        lanes.3 = Self.round(
            lanes.3, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        total &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let taken = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<taken])
            offset = taken
            guard pending.count == 32 else { return }
            let full = pending
            full.withUnsafeBytes { stripe($0, at: 0) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 32 {
            stripe(bytes, at: offset)
            offset += 32
        }
        pending.append(contentsOf: bytes[offset...])
    }

    var digest: UInt64 {
        var hash: UInt64
        if total >= 32 {
            hash =
                ((lanes.0 << 1) | (lanes.0 >> 63)) &+ ((lanes.1 << 7) | (lanes.1 >> 57))
                &+ ((lanes.2 << 12) | (lanes.2 >> 52)) &+ ((lanes.3 << 18) | (lanes.3 >> 46))
            hash = Self.merge(hash, lanes.0)
            hash = Self.merge(hash, lanes.1)
            hash = Self.merge(hash, lanes.2)
            hash = Self.merge(hash, lanes.3)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= total
        var offset = 0
        let rest = pending
        while rest.count - offset >= 8 {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(rest[offset + index]) << (8 * UInt64(index)) }
            hash ^= Self.round(0, word)
            hash = ((hash << 27) | (hash >> 37)) &* Self.prime1 &+ Self.prime4
            offset += 8
        }
        if rest.count - offset >= 4 {
            var word: UInt64 = 0
            for index in 0..<4 { word |= UInt64(rest[offset + index]) << (8 * UInt64(index)) }
            hash ^= word &* Self.prime1
            hash = ((hash << 23) | (hash >> 41)) &* Self.prime2 &+ Self.prime3
            offset += 4
        }
        while offset < rest.count {
            hash ^= UInt64(rest[offset]) &* Self.prime5
            hash = ((hash << 11) | (hash >> 53)) &* Self.prime1
            offset += 1
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }
}
