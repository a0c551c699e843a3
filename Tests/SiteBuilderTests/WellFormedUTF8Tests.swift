import Testing

@testable import SiteBuilder

/// The build's own UTF-8 check agrees with the standard library's on every input, and points
/// at the first byte of the first ill-formed sequence: 100,000 inputs from a fixed seed, each
/// mixing ASCII, Hangul, random bytes and bytes forced into the continuation range, so that
/// overlong forms, surrogates, values past U+10FFFF and cut-off sequences all come up.
@Test func theUTF8CheckAgreesWithTheStandardLibrary() {
    var random = SplitMix64(seed: 0x5EED)
    var disagreements: [[UInt8]] = []
    for _ in 0..<100_000 {
        var bytes: [UInt8] = []
        for _ in 0..<Int(random.next() % 6) {
            switch random.next() % 4 {
            case 0: bytes += Array("ab 12".utf8)
            case 1: bytes += Array("대전".utf8)
            case 2: bytes.append(UInt8(truncatingIfNeeded: random.next()))
            default: bytes.append(0x80 | UInt8(truncatingIfNeeded: random.next()) & 0x3F)
            }
        }
        // Where the first ill-formed sequence starts is where the longest well-formed prefix ends.
        let expected = bytes.withUnsafeBufferPointer { buffer in
            String(validating: buffer, as: UTF8.self) != nil
                ? nil
                : (0...buffer.count).last {
                    String(validating: UnsafeBufferPointer(rebasing: buffer[..<$0]), as: UTF8.self) != nil
                }
        }
        let agrees = bytes.withUnsafeBufferPointer {
            WellFormedUTF8.firstIllFormedSequence(in: $0) == expected
                && WellFormedUTF8.isWellFormed($0) == (expected == nil)
        }
        if !agrees { disagreements.append(bytes) }
    }
    #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
}

/// The first ill-formed sequence's place, for the cases the Unicode Standard names.
@Test(
    arguments: [
        ([0x61, 0xC0, 0xAF], 1), ([0xE0, 0x80, 0xAF], 0), ([0xED, 0xA0, 0x80], 0), ([0xF4, 0x90, 0x80, 0x80], 0),
        ([0x61, 0xEB, 0x8C], 1), ([0xEB, 0x8C, 0x80, 0xFF], 3), ([0xF0, 0x9F, 0x98, 0x80, 0x80], 4),
    ] as [([UInt8], Int)])
func illFormedSequencesAreFoundWhereTheyStart(bytes: [UInt8], start: Int) {
    #expect(bytes.withUnsafeBufferPointer(WellFormedUTF8.firstIllFormedSequence(in:)) == start)
}

private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
