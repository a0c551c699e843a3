import Foundation

/// The Markdown source as UTF-8 bytes with its line starts, for turning cmark's byte
/// positions into `line:column` in Unicode scalars and for finding where a link really starts.
struct SourceText {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Byte offset where each line starts; line `n` (1-based) starts at `lineStarts[n - 1]`.
    /// Line breaks are LF, CR LF or a lone CR, as cmark counts them.
    let lineStarts: [Int]

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var starts = [0]
        // Without a CR anywhere (nearly every page), each LF is found by memchr, which reads
        // a line in a few vector steps.
        if let base = bytes.baseAddress, memchr(base, 0x0D, bytes.count) == nil {
            var index = 0
            while index < bytes.count, let found = memchr(base + index, 0x0A, bytes.count - index) {
                index = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base + 1
                starts.append(index)
            }
            lineStarts = starts
            return
        }
        var index = 0
        let base = bytes.baseAddress.map(UnsafeRawPointer.init)
        while index < bytes.count {
            // Eight bytes at a time past those that hold no line break: a page's lines are
            // tens of bytes long, and this ran over every byte of every page.
            if let base, index + 8 <= bytes.count,
                !Self.mayHoldLineBreak(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            {
                index += 8
                continue
            }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\n") {
                starts.append(index)
            } else if byte == UInt8(ascii: "\r") {
                if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                starts.append(index)
            }
        }
        lineStarts = starts
    }

    /// Whether any of the eight bytes of `word` is LF or CR: a byte equal to `b` is zero in
    /// `word ^ b…b`, and a zero byte sets its top bit in `(x - 0x01…01) & ~x & 0x80…80`.
    @inline(__always)
    private static func mayHoldLineBreak(_ word: UInt64) -> Bool {
        func hasZeroByte(_ x: UInt64) -> Bool {
            (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
        }
        return hasZeroByte(word ^ 0x0A0A_0A0A_0A0A_0A0A) || hasZeroByte(word ^ 0x0D0D_0D0D_0D0D_0D0D)
    }

    var lineCount: Int { lineStarts.count }
    var lineBreakCount: Int { lineStarts.count - 1 }

    /// Byte range of `line` without its line break.
    func range(ofLine line: Int) -> Range<Int> {
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        return start..<end
    }

    func text(ofLine line: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range(ofLine: line)]), as: UTF8.self)
    }

    /// The 1-based column in Unicode scalars of the 1-based byte column `byteColumn` of `line`.
    func scalarColumn(line: Int, byteColumn: Int) -> Int {
        let start = lineStarts[line - 1]
        // Not past the line: cmark reports some positions of inlines that span lines beyond
        // the end of theirs, and counting on into the next lines gave columns that depended on
        // what follows.
        let end = min(start + byteColumn - 1, range(ofLine: line).upperBound)
        var column = 1
        var index = start
        while index < end {
            // UTF-8 continuation bytes are 0b10xxxxxx; every other byte starts a scalar.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }

    func matches(_ pattern: [UInt8], at offset: Int, within limit: Int) -> Bool {
        guard offset >= 0, offset + pattern.count <= limit else { return false }
        for (index, byte) in pattern.enumerated() where bytes[offset + index] != byte {
            return false
        }
        return true
    }
}

/// A place in the source: 1-based line and 1-based byte column.
struct BytePosition: Comparable {
    var line: Int
    var column: Int

    static func < (lhs: BytePosition, rhs: BytePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// How a link can start in the source: `opening` (`[`, `![`, `<url`, or a bare URL), preferably
/// followed by `expectedText` (the start of the link text, to tell a link's `[` from a literal one).
struct LinkStartPattern {
    var opening: [UInt8]
    var expectedText: [UInt8] = []
    /// A bare autolinked URL: never the URL inside `<…>`, which starts at the `<`.
    var isBareURL = false
}

/// Finds where a link or image starts in the source.
///
/// cmark-gfm 0.29.0.gfm.6 does not always report inline positions right: on a paragraph's
/// continuation lines it assumes the indentation and container prefix of the first line
/// (wrong for lazy and differently indented lines), it drops the backslash of `\|` in table
/// cells, it places angle-bracket autolinks as if they were at the start of the block, the
/// autolink extension's links are one column off or have no position at all, and a paragraph
/// that starts with a link reference definition keeps that definition's first line. So the
/// reported position is checked against the source. When the source does not have the link's
/// opening followed by its text there, the nearest such opening on the reported line is taken,
/// else the one in the same block nearest to the reported line; only when the text is nowhere
/// to be found (escapes, entities) does a bare opening do. Every candidate lies after the
/// previous link of the same block.
struct LinkLocator {
    let source: SourceText

    /// - Parameters:
    ///   - reported: cmark's position (line and column may be 0 when unknown).
    ///   - patterns: the ways this link can start.
    ///   - blockLines: the lines of the paragraph, heading or table cell holding the link.
    ///   - after: the previous link found in the same block; this one starts after it.
    func locate(
        reported: BytePosition,
        patterns: [LinkStartPattern],
        blockLines: ClosedRange<Int>,
        after: BytePosition?
    ) -> BytePosition {
        let lineCount = source.lineCount
        let reportedLineExists = (1...lineCount).contains(reported.line)
        if reportedLineExists, reported.column >= 1, after.map({ $0 < reported }) ?? true {
            let range = source.range(ofLine: reported.line)
            let offset = range.lowerBound + reported.column - 1
            if patterns.contains(where: { fullMatch($0, at: offset, limit: range.upperBound) }) {
                return reported
            }
        }
        let first = max(1, min(blockLines.lowerBound, lineCount), after?.line ?? 1)
        let last = max(first, min(max(blockLines.upperBound, reportedLineExists ? reported.line : 0), lineCount))
        var lines = Array(first...last)
        if reportedLineExists {
            // Nearest lines first, the reported one before all others.
            lines.sort { (abs($0 - reported.line), $0) < (abs($1 - reported.line), $1) }
        }
        if let found = nearest(on: lines, to: reported, patterns: patterns, after: after, requireText: true)
            ?? nearest(on: lines, to: reported, patterns: patterns, after: after, requireText: false)
        {
            return found
        }
        if reportedLineExists {
            return BytePosition(line: reported.line, column: max(1, reported.column))
        }
        return BytePosition(line: first, column: 1)
    }

    private func fullMatch(_ pattern: LinkStartPattern, at offset: Int, limit: Int) -> Bool {
        openingMatches(pattern, at: offset, limit: limit)
            && source.matches(pattern.expectedText, at: offset + pattern.opening.count, within: limit)
    }

    private func openingMatches(_ pattern: LinkStartPattern, at offset: Int, limit: Int) -> Bool {
        guard source.matches(pattern.opening, at: offset, within: limit) else { return false }
        return !(pattern.isBareURL && offset > 0 && source.bytes[offset - 1] == UInt8(ascii: "<"))
    }

    /// The first of `lines` holding an opening after `after`; on it, the opening closest to
    /// the reported column (the first one when the reported line is another).
    private func nearest(
        on lines: [Int],
        to reported: BytePosition,
        patterns: [LinkStartPattern],
        after: BytePosition?,
        requireText: Bool
    ) -> BytePosition? {
        for line in lines {
            let range = source.range(ofLine: line)
            var best: (distance: Int, position: BytePosition)?
            for offset in range {
                let position = BytePosition(line: line, column: offset - range.lowerBound + 1)
                if let after, position <= after { continue }
                let found = patterns.contains {
                    requireText
                        ? fullMatch($0, at: offset, limit: range.upperBound)
                        : openingMatches($0, at: offset, limit: range.upperBound)
                }
                guard found else { continue }
                let distance = line == reported.line ? abs(position.column - reported.column) : position.column
                if best.map({ distance < $0.distance }) ?? true {
                    best = (distance, position)
                }
            }
            if let best { return best.position }
        }
        return nil
    }
}
