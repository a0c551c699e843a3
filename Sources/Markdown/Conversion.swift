import Diagnostics

/// One document's way from cmark's tree to `RenderedMarkdown`: read the tree once, decide
/// links and heading ids, edit the tree, render it once.
struct Conversion {
    let document: CmarkDocument
    let source: SourceText
    let unsafeHTML: Bool

    /// Marks where `<!--more-->` stood in the rendered HTML; control characters never occur in
    /// cmark's output of a document.
    private static let moreSentinel = "\u{1}bridgehead-more\u{1}"

    init(document: CmarkDocument, source: SourceText, unsafeHTML: Bool) {
        self.document = document
        self.source = source
        self.unsafeHTML = unsafeHTML
    }

    mutating func run(resolveLink: (MarkdownLink) -> LinkDecision) throws -> RenderedMarkdown {
        var headings: [(node: CmarkNode, heading: Heading)] = []
        var ids = HeadingIDs()
        var links: [MarkdownLink] = []
        var failures: [Diagnostic] = []
        var rawHTML: [CmarkNode] = []
        var more: CmarkNode?
        var firstParagraph: CmarkNode?
        var plain = PlainText()
        var autolinkCursor: (line: Int, column: Int)?

        for node in document.allNodes() {
            switch node.kind {
            case .heading(let level):
                let title = Self.text(of: node)
                let id = ids.unique(headingID(for: title))
                let line = source.fileLine(node.start.line)
                headings.append((node, Heading(level: level, id: id, title: title, line: line)))
                plain.breakBlock()
            case .link, .image:
                let location = locate(node, autolinkCursor: &autolinkCursor)
                var link = MarkdownLink(destination: node.url, isImage: node.kind == .image, location: location)
                switch resolveLink(link) {
                case .keep:
                    break
                case .rewrite(let url):
                    node.setURL(url)
                    link.destination = url
                case .fail(let message, let hint):
                    failures.append(
                        Diagnostic(at: location, message, hint: hint, sourceLine: source.lineText(location.line)))
                }
                links.append(link)
            case .htmlBlock, .htmlInline:
                if more == nil, node.literal.trimmingWhitespace() == "<!--more-->" {
                    more = node
                } else if !unsafeHTML {
                    rawHTML.append(node)
                }
            case .paragraph:
                if firstParagraph == nil, node.parent?.kind == .document { firstParagraph = node }
                plain.breakBlock()
            case .text, .code:
                plain.append(node.literal)
            case .codeBlock:
                plain.breakBlock()
                plain.append(node.literal)
            case .softBreak:
                plain.append(" ")
            case .lineBreak:
                plain.breakBlock()
            case .other(let isBlock):
                if isBlock { plain.breakBlock() }
            case .document:
                break
            }
        }
        if !failures.isEmpty { throw DiagnosticList(failures) }

        // Edit the tree only now: the edits free nodes the walk above still referred to.
        for raw in rawHTML { document.remove(raw) }
        if let more {
            let isBlock = more.kind == .htmlBlock
            let anchor = isBlock ? more : Self.topLevelBlock(containing: more)
            if let anchor { document.insertVerbatim(Self.moreSentinel, after: anchor) }
            document.remove(more)
        }
        for (node, heading) in headings {
            document.wrapChildren(
                of: node, enter: "<h\(heading.level) id=\"\(escapeAttribute(heading.id))\">",
                exit: "</h\(heading.level)>")
        }

        var html = document.render()
        var summary = ""
        if more != nil, let (before, after) = html.split(around: Self.moreSentinel) {
            summary = before
            // The marker's block leaves an empty line behind; one line break is enough.
            html = before + (before.hasSuffix("\n") && after.hasPrefix("\n") ? String(after.dropFirst()) : after)
        } else if let firstParagraph {
            summary = document.render(firstParagraph)
        }
        let found = headings.map(\.heading)
        return RenderedMarkdown(
            html: html, headings: found, tableOfContents: tableOfContents(found), links: links, summaryHTML: summary,
            plainText: plain.text)
    }

    /// Where a link starts in the file. cmark knows for links written with brackets; autolinks
    /// found by the extension carry no position, and the text node before one keeps a stale end,
    /// so an autolink is searched for in the source after that text node's start and literal.
    private func locate(_ node: CmarkNode, autolinkCursor: inout (line: Int, column: Int)?) -> SourceLocation {
        var (line, column) = node.start
        if line == 0 {
            var start = (line: 1, column: 1)
            if let previous = node.previous, previous.start.line > 0 {
                let length = previous.kind == .text ? previous.literal.utf8.count : 0
                start =
                    previous.kind == .text
                    ? (previous.start.line, previous.start.column + length)
                    : (previous.end.line, previous.end.column + 1)
            } else if let parent = node.parent, parent.start.line > 0 {
                start = parent.start
            }
            if let cursor = autolinkCursor, cursor > start { start = cursor }
            let text = Self.text(of: node)
            (line, column) = source.find(text, from: start) ?? start
            autolinkCursor = (line, column + max(1, text.utf8.count))
        }
        return source.location(line: line, byteColumn: column)
    }

    /// The plain text of a node's descendants, as a heading's title or a link's words.
    static func text(of node: CmarkNode) -> String {
        var result = ""
        var stack = node.children.reversed() as [CmarkNode]
        while let current = stack.popLast() {
            switch current.kind {
            case .text, .code: result += current.literal
            case .softBreak, .lineBreak: result += " "
            default: break
            }
            stack.append(contentsOf: current.children.reversed())
        }
        return result
    }

    private static func topLevelBlock(containing node: CmarkNode) -> CmarkNode? {
        var current = node
        while let parent = current.parent {
            if parent.kind == .document { return current }
            current = parent
        }
        return nil
    }
}

/// Text without markup, with blocks on lines of their own.
struct PlainText {
    private(set) var text = ""

    mutating func append(_ piece: String) {
        text += piece
    }

    mutating func breakBlock() {
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
    }
}

/// The Markdown body with what is needed to turn cmark's positions into file locations.
struct SourceText {
    let path: String
    let firstLine: Int
    private let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ text: String, path: String, firstLine: Int) {
        self.path = path
        self.firstLine = firstLine
        bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    func fileLine(_ line: Int) -> Int { line + firstLine - 1 }

    /// A file location from cmark's 1-based line and byte column in the body.
    func location(line: Int, byteColumn: Int) -> SourceLocation {
        guard line >= 1, line <= lineStarts.count else {
            return SourceLocation(file: path, line: fileLine(max(1, line)), column: 1)
        }
        let start = lineStarts[line - 1]
        let end = min(bytes.count, start + max(0, byteColumn - 1))
        var column = 1
        for byte in bytes[start..<end] where byte & 0xC0 != 0x80 { column += 1 }
        return SourceLocation(file: path, line: fileLine(line), column: column)
    }

    /// The text of a file line (as numbered in the file).
    func lineText(_ fileLine: Int) -> String {
        let line = fileLine - firstLine + 1
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The body line and byte column of the first occurrence of `text` at or after `start`.
    func find(_ text: String, from start: (line: Int, column: Int)) -> (line: Int, column: Int)? {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, start.line >= 1, start.line <= lineStarts.count else { return nil }
        var offset = lineStarts[start.line - 1] + max(0, start.column - 1)
        while offset + needle.count <= bytes.count {
            if bytes[offset] == needle[0], bytes[offset..<(offset + needle.count)].elementsEqual(needle) {
                var line = start.line
                while line < lineStarts.count, lineStarts[line] <= offset { line += 1 }
                return (line, offset - lineStarts[line - 1] + 1)
            }
            offset += 1
        }
        return nil
    }
}

extension String {
    /// The text before and after the first occurrence of `separator`.
    func split(around separator: String) -> (String, String)? {
        let bytes = Array(utf8)
        let needle = Array(separator.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for offset in 0...(bytes.count - needle.count)
        where bytes[offset] == needle[0] && bytes[offset..<(offset + needle.count)].elementsEqual(needle) {
            return (
                String(decoding: bytes[..<offset], as: UTF8.self),
                String(decoding: bytes[(offset + needle.count)...], as: UTF8.self)
            )
        }
        return nil
    }

    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

func escapeAttribute(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "\"": result += "&quot;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result
}
