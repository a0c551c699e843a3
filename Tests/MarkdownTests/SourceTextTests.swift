import Testing

@testable import Markdown

/// Line starts found eight bytes at a time are those found byte by byte, for LF, CR LF and lone
/// CR at every offset around the eight-byte steps.
@Test func lineStartsAreFoundAtEveryOffset() {
    func expectedStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 10 || byte == 13 {
                if byte == 13, index < bytes.count, bytes[index] == 10 { index += 1 }
                starts.append(index)
            }
        }
        return starts
    }
    var generator = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = Array("ab 대\u{0D}\u{0A}".utf8) + [0x0A, 0x0A, 0x0D]
    for length in 0..<40 {
        for _ in 0..<50 {
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            let starts = bytes.withUnsafeBufferPointer { SourceText($0).lineStarts }
            #expect(starts == expectedStarts(bytes), "\(bytes)")
        }
    }
}
