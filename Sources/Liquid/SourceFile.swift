import Diagnostics

/// A template's text with what is needed to turn a byte offset into `path:line:col`.
final class SourceFile: Sendable {
    let path: String
    let bytes: [UInt8]
    /// Byte offset at which each line starts; line 1 starts at 0.
    private let lineStarts: [Int]

    init(path: String, text: String) {
        self.path = path
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
        }
        let lineStart = lineStarts[low]
        // Columns count Unicode scalars: every byte that is not a UTF-8 continuation byte starts one.
        var column = 1
        for byte in bytes[lineStart..<clamped] where byte & 0xC0 != 0x80 { column += 1 }
        return SourceLocation(file: path, line: low + 1, column: column)
    }

    func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    func error(at offset: Int, _ message: String, hint: String? = nil) -> Diagnostic {
        let location = location(of: offset)
        return Diagnostic(at: location, message, hint: hint, sourceLine: lineText(location.line))
    }

    func note(at offset: Int, _ message: String) -> Diagnostic {
        let location = location(of: offset)
        return Diagnostic(.note, at: location, message, sourceLine: lineText(location.line))
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
