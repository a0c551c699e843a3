/// The text a render produces, as UTF-8 in one growing allocation.
///
/// A render appends about nine hundred pieces of text. Appending them to an `[UInt8]` went
/// through the generic `append(contentsOf:)`, about 90 instructions a call and the largest
/// single cost of printing text (measured with callgrind on bench/liquid); here an append is a
/// capacity check and a copy. Noncopyable, so the allocation has exactly one owner.
struct OutputBuffer: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    mutating func append(_ text: String) {
        withUTF8Bytes(text) { append($0) }
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Writes the decimal digits in place; `String(number)` allocated a string for each one.
    mutating func append(_ number: Int) {
        // 20 digits and a sign hold any Int.
        if count + 21 > capacity { grow(toHold: count + 21) }
        var magnitude = number.magnitude
        var digits = 0
        repeat {
            (start + count + digits).initialize(to: UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
            digits += 1
        } while magnitude > 0
        if number < 0 {
            (start + count + digits).initialize(to: UInt8(ascii: "-"))
            digits += 1
        }
        var written = UnsafeMutableBufferPointer(start: start + count, count: digits)
        written.reverse()
        count += digits
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        (start + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    private mutating func grow(toHold needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    /// The bytes in an array of their own size: the buffer grew by doubling, and a site keeps
    /// every page's output until it is written.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// The bytes as a String. They are whole Strings appended one after another, so they are
    /// valid UTF-8; checking them again cost as much as a tenth of a render.
    var text: String {
        stringOfValidUTF8(UnsafeBufferPointer(start: start, count: count))
    }
}

/// A String of `bytes`, which the caller knows to be valid UTF-8, without checking them again.
func stringOfValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard #available(macOS 26, *) else { return String(decoding: bytes, as: UTF8.self) }
    return unsafe String(copying: UTF8Span(unchecked: bytes.span))
}

/// A String of the bytes `initializer` writes (at most `capacity`; it returns how many), which
/// the caller knows to be valid UTF-8: pieces of valid text cut next to ASCII bytes or at whole
/// matches. Written on the stack when short and copied once: `String(unsafeUninitializedCapacity:)`
/// checks every byte again, about 12 instructions a byte (callgrind), more than most filters'
/// own work.
func validUTF8String(capacity: Int, _ initializer: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, capacity)) { buffer in
        let count = initializer(buffer)
        return stringOfValidUTF8(UnsafeBufferPointer(rebasing: buffer[..<count]))
    }
}

/// Calls `body` with the UTF-8 bytes of `text`. Through the text's span, which borrows it:
/// `withUTF8` on a copy and `withContiguousStorageIfAvailable` retained and released the text
/// on every call, which cost more than most of the work done on its bytes.
@inline(__always)
func withUTF8Bytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    guard #available(macOS 26, *) else {
        var text = text
        return try text.withUTF8(body)
    }
    return try text.utf8.span.withUnsafeBufferPointer(body)
}
