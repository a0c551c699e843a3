/// An id, an `<a name>` or a fragment, decoded, as bytes. Set lookups on bytes are cheap,
/// where Swift strings outside ASCII are normalized on every hash and comparison; the
/// canonical equivalence strings give is kept for misses (see `PageAnchors.contains`).
struct AnchorName: Hashable, Sendable {
    var bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }

    var isASCII: Bool { !bytes.contains { $0 >= 0x80 } }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// `a%20b` → `a b`; a `%` not followed by two hex digits stays.
    var percentDecoded: AnchorName {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == .percent, index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return AnchorName(bytes: decoded)
    }
}

/// The targets of `#fragment`s on one page.
struct PageAnchors: Sendable {
    var names: Set<AnchorName> = []
    var hasNonASCII = false

    mutating func insert(_ name: AnchorName) -> Bool {
        if !hasNonASCII, !name.isASCII { hasNonASCII = true }
        return names.insert(name).inserted
    }

    /// Exact bytes first; then, where Unicode is involved, by canonical equivalence, so that a
    /// fragment in decomposed Hangul jamo finds an id in precomposed syllables.
    func contains(_ name: AnchorName) -> Bool {
        if names.contains(name) { return true }
        guard hasNonASCII || !name.isASCII else { return false }
        let text = name.text
        return names.contains { $0.text == text }
    }
}

@inline(__always) func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}
