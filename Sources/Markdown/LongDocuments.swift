/// Where a long document may be parsed in pieces.
///
/// cmark-gfm keeps a whole document's tree in memory until it is rendered, about 19 bytes of
/// tree for each byte of Markdown, so a 50 MB page needed a gigabyte of tree. A long document is
/// cut into pieces of about `pieceSize` bytes at places where no block is open, and each piece
/// is parsed, walked, rendered and freed before the next; the result is the same as the whole
/// document's (`Tests/MarkdownTests/LongDocumentTests.swift` compares them).
///
/// A cut goes before a line that follows a blank line and starts in the first column with a
/// character that cannot continue anything: no space or tab (an indented line may continue a
/// list item or indented code), no `>` (block quote), no list marker. After a blank line, such
/// a line closes every container and starts a new block. Fenced code and the HTML blocks that
/// run across blank lines (`<script`, `<pre`, `<style`, `<textarea`, comments, `<?`, `<!X`,
/// CDATA) are followed to their end and never cut. Documents with what joins blocks across the
/// whole document, link reference definitions and footnotes (both are written `[…]:`) and the
/// summary marker `<!--more-->`, are parsed whole.
///
/// The scanner is a model of CommonMark, not cmark: a fence line inside an HTML block that a
/// blank line ends, for one, is HTML to cmark and a fence to it. So the renderer checks each
/// cut against cmark's tree of the piece before it, and parses a piece that ends inside fenced
/// code or HTML together with the rest of the document (`MarkdownRenderer.render(bytes:pieces:…)`).
enum LongDocuments {
    /// From this size on a document is parsed in pieces if it can be; one that cannot is
    /// given the system's memory rather than an arena (see `CmarkArena`).
    static let threshold = 4 << 20
    static let pieceSize = 1 << 20

    /// The pieces' byte ranges, in order, covering `bytes`; nil when the document is to be
    /// parsed whole (short, or holding something that reaches across blocks).
    static func pieces(of bytes: UnsafeBufferPointer<UInt8>, pieceSize: Int = pieceSize) -> [Range<Int>]? {
        guard !containsWholeDocumentSyntax(bytes) else { return nil }
        var pieces: [Range<Int>] = []
        var pieceStart = 0
        var scanner = BlockScanner()
        var lineStart = 0
        while lineStart < bytes.count {
            // Lines end as cmark ends them: at LF, CR LF or a lone CR.
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n"), bytes[lineEnd] != UInt8(ascii: "\r") {
                lineEnd += 1
            }
            var nextLine = min(lineEnd + 1, bytes.count)
            if lineEnd + 1 < bytes.count, bytes[lineEnd] == UInt8(ascii: "\r"), bytes[lineEnd + 1] == UInt8(ascii: "\n")
            {
                nextLine += 1
            }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if lineStart - pieceStart >= pieceSize, scanner.mayCut(before: line) {
                pieces.append(pieceStart..<lineStart)
                pieceStart = lineStart
            }
            scanner.read(line)
            lineStart = nextLine
        }
        pieces.append(pieceStart..<bytes.count)
        return pieces.count > 1 ? pieces : nil
    }

    private static func containsWholeDocumentSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        contains(Array("]:".utf8), in: bytes) || contains(Array("<!--more-->".utf8), in: bytes)
    }

    private static func contains(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first,
                pattern.indices.allSatisfy({ bytes[index + $0] == pattern[$0] })
            {
                return true
            }
            index += 1
        }
        return false
    }

    /// Follows the document line by line, as far as cutting needs: whether the last line was
    /// blank, and whether a fenced code block or a long HTML block is open.
    private struct BlockScanner {
        private enum Open {
            case none
            /// The fence's character and length; it closes with at least as many.
            case fence(UInt8, Int)
            /// The text that ends the HTML block, matched without regard to case.
            case html([UInt8])
        }

        private var open = Open.none
        private var lastWasBlank = true

        func mayCut(before line: UnsafeBufferPointer<UInt8>) -> Bool {
            guard lastWasBlank, case .none = open, let first = line.first else { return false }
            switch first {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ">"), UInt8(ascii: "-"),
                UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "<"), UInt8(ascii: "`"), UInt8(ascii: "~"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return false
            default:
                return true
            }
        }

        mutating func read(_ line: UnsafeBufferPointer<UInt8>) {
            defer { lastWasBlank = line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } }
            switch open {
            case .fence(let character, let length):
                if let fence = Self.fence(in: line), fence.character == character, fence.length >= length,
                    fence.restIsBlank
                {
                    open = .none
                }
            case .html(let end):
                if LongDocuments.containsIgnoringCase(end, in: line) { open = .none }
            case .none:
                if let fence = Self.fence(in: line), fence.opens {
                    open = .fence(fence.character, fence.length)
                } else if let end = Self.htmlBlockEnd(openedBy: line),
                    !LongDocuments.containsIgnoringCase(end, in: line)
                {
                    open = .html(end)
                }
            }
        }

        /// A fence: up to three spaces, then three or more backticks or tildes. It opens code
        /// unless it is of backticks and its info string holds one; it closes code only with
        /// nothing but spaces after it. (A fence inside a list item counts too. That can put
        /// the scanner out of step with cmark, which then reads every later fence the other way
        /// round; the renderer's check of each cut against cmark's tree catches it.)
        private static func fence(in line: UnsafeBufferPointer<UInt8>)
            -> (character: UInt8, length: Int, opens: Bool, restIsBlank: Bool)?
        {
            var index = 0
            while index < min(3, line.count), line[index] == UInt8(ascii: " ") { index += 1 }
            guard index < line.count, line[index] == UInt8(ascii: "`") || line[index] == UInt8(ascii: "~") else {
                return nil
            }
            let character = line[index]
            var length = 0
            while index < line.count, line[index] == character {
                length += 1
                index += 1
            }
            guard length >= 3 else { return nil }
            let rest = line[index...]
            let opens = character == UInt8(ascii: "~") || !rest.contains(UInt8(ascii: "`"))
            let restIsBlank = rest.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            return (character, length, opens, restIsBlank)
        }

        /// For a line that opens an HTML block of the kinds that blank lines do not end, the
        /// text that ends it (CommonMark's HTML blocks 1 to 5).
        private static func htmlBlockEnd(openedBy line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
            var index = 0
            while index < min(3, line.count), line[index] == UInt8(ascii: " ") { index += 1 }
            guard index < line.count, line[index] == UInt8(ascii: "<") else { return nil }
            let rest = UnsafeBufferPointer(rebasing: line[(index + 1)...])
            for name in ["script", "pre", "style", "textarea"] where LongDocuments.hasPrefixIgnoringCase(name, rest) {
                let after = rest.count > name.utf8.count ? rest[name.utf8.count] : UInt8(ascii: ">")
                if after == UInt8(ascii: ">") || after == UInt8(ascii: " ") || after == UInt8(ascii: "\t") {
                    return Array("</\(name)>".utf8)
                }
            }
            if LongDocuments.hasPrefixIgnoringCase("!--", rest) { return Array("-->".utf8) }
            if LongDocuments.hasPrefixIgnoringCase("?", rest) { return Array("?>".utf8) }
            if LongDocuments.hasPrefixIgnoringCase("![CDATA[", rest) { return Array("]]>".utf8) }
            if let first = rest.first, first == UInt8(ascii: "!"), rest.count > 1,
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(rest[1] & 0xDF)
            {
                return Array(">".utf8)
            }
            return nil
        }
    }

    private static func hasPrefixIgnoringCase(_ prefix: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefix = Array(prefix.utf8)
        return bytes.count >= prefix.count && prefix.indices.allSatisfy { lowered(bytes[$0]) == prefix[$0] }
    }

    private static func containsIgnoringCase(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        return (0...(bytes.count - pattern.count)).contains { start in
            pattern.indices.allSatisfy { lowered(bytes[start + $0]) == pattern[$0] }
        }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
