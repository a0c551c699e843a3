import Diagnostics

/// One render: parse, one walk over the tree (heading ids, links, summary boundary, plain
/// text), the few tree edits the walk asked for, then the HTML.
struct DocumentRendering {
    let source: SourceText
    let path: String
    let lineOffset: Int

    private var locator: LinkLocator { LinkLocator(source: source) }

    private struct HeadingNode {
        let node: CmarkNode
        let heading: Heading
        let beforeSummaryMarker: Bool
    }

    /// What the walk learns and what it asks to change afterwards.
    private struct WalkResult {
        var headings: [HeadingNode] = []
        var links: [MarkdownLink] = []
        var failures: [(location: SourceLocation, diagnostic: Diagnostic)] = []
        var plainText: [UInt8] = []
        /// Every `<!--more-->` node; the first one outside footnotes splits the summary.
        var markers: [CmarkNode] = []
        var summaryMarker: CmarkNode?
        var firstParagraph: CmarkNode?
        /// Footnote references before the summary marker, and those of each paragraph until
        /// the first paragraph is known; the summary leaves them out, having no footnotes.
        var footnoteReferences: [(node: CmarkNode, beforeMarker: Bool, inFirstParagraph: Bool)] = []
    }

    /// What a document gives, or a piece of a long one (see `LongDocuments`); the pieces of
    /// a document, appended in order, give what the whole document would.
    struct Piece {
        var html = ""
        var headings: [Heading] = []
        /// In the order of their positions in the source.
        var links: [MarkdownLink] = []
        /// The links the resolver failed, in the order of their positions.
        var failures: [Diagnostic] = []
        /// Nil when the piece has neither a summary marker nor a paragraph outside footnotes.
        var summaryHTML: String?
        var plainText: [UInt8] = []

        mutating func append(_ next: Piece) {
            html += next.html
            headings += next.headings
            links += next.links
            failures += next.failures
            summaryHTML = summaryHTML ?? next.summaryHTML
            // The walk ends each block with a line break and drops the document's last one,
            // which is not the last of the whole document when more text follows: it goes back.
            if !plainText.isEmpty, !next.plainText.isEmpty { plainText.append(UInt8(ascii: "\n")) }
            plainText += next.plainText
        }
    }

    func render(
        document: CmarkDocument,
        resolveLink: (MarkdownLink) -> LinkDecision,
        identifiers: inout HeadingIdentifiers
    ) -> Piece {
        let walk = self.walk(document, resolveLink: resolveLink, identifiers: &identifiers)
        if !walk.failures.isEmpty {
            let ordered = walk.failures.enumerated().sorted {
                ($0.element.location, $0.offset) < ($1.element.location, $1.offset)
            }
            return Piece(failures: ordered.map(\.element.diagnostic))
        }
        var headingsBeforeMarker: [(inline: CmarkNode, heading: Heading)] = []
        for entry in walk.headings {
            let heading = entry.heading
            guard
                let inline = entry.node.replaceHeading(openTag: Self.openTag(heading), closeTag: "</h\(heading.level)>")
            else { continue }
            if entry.beforeSummaryMarker { headingsBeforeMarker.append((inline, heading)) }
        }
        let summaryHTML = renderSummary(document: document, walk: walk, headingsBeforeMarker: headingsBeforeMarker)
        for marker in walk.markers {
            marker.delete()
        }
        return Piece(
            html: document.renderHTML(document.root),
            headings: walk.headings.map(\.heading),
            links: walk.links.enumerated().sorted {
                ($0.element.location, $0.offset) < ($1.element.location, $1.offset)
            }
            .map(\.element),
            summaryHTML: summaryHTML,
            plainText: walk.plainText
        )
    }

    private static func openTag(_ heading: Heading, withID: Bool = true) -> String {
        withID ? "<h\(heading.level) id=\"\(heading.id)\">" : "<h\(heading.level)>"
    }

    // MARK: - The walk

    private func walk(
        _ document: CmarkDocument, resolveLink: (MarkdownLink) -> LinkDecision, identifiers: inout HeadingIdentifiers
    ) -> WalkResult {
        var result = WalkResult()
        var headingText: [UInt8]?
        var imageDepth = 0
        var footnoteDepth = 0
        var leaf = document.root
        var previousLinkInLeaf: BytePosition?

        func endLine() {
            if let last = result.plainText.last, last != UInt8(ascii: "\n") {
                result.plainText.append(UInt8(ascii: "\n"))
            }
        }
        func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
            result.plainText.append(contentsOf: bytes)
            if imageDepth == 0 { headingText?.append(contentsOf: bytes) }
        }
        func appendSpace() {
            result.plainText.append(UInt8(ascii: " "))
            if imageDepth == 0 { headingText?.append(UInt8(ascii: " ")) }
        }

        document.walk { event, node in
            let kind = node.kind
            if kind.isBlock {
                endLine()
                if event == .enter {
                    leaf = node
                    previousLinkInLeaf = nil
                }
            }
            switch (kind, event) {
            case (.heading, .enter):
                headingText = []
            case (.heading, .exit):
                let title = (headingText ?? []).withUnsafeBufferPointer(stringOfCmarkUTF8)
                headingText = nil
                let heading = Heading(
                    level: node.headingLevel,
                    id: identifiers.identifier(for: title),
                    title: title,
                    line: node.startLine + lineOffset
                )
                result.headings.append(
                    HeadingNode(node: node, heading: heading, beforeSummaryMarker: result.summaryMarker == nil)
                )
            case (.paragraph, .enter):
                if result.firstParagraph == nil, footnoteDepth == 0 { result.firstParagraph = node }
            case (.footnoteDefinition, .enter):
                footnoteDepth += 1
            case (.footnoteDefinition, .exit):
                footnoteDepth -= 1
            case (.text, _), (.code, _):
                appendText(node.literal)
            case (.codeBlock, _):
                result.plainText.append(contentsOf: node.literal)
                endLine()
            case (.softBreak, _):
                appendSpace()
            case (.lineBreak, _):
                result.plainText.append(UInt8(ascii: "\n"))
                if imageDepth == 0 { headingText?.append(UInt8(ascii: " ")) }
            case (.htmlBlock, _), (.htmlInline, _):
                if Self.isSummaryMarker(node.literal) {
                    result.markers.append(node)
                    if result.summaryMarker == nil, footnoteDepth == 0 { result.summaryMarker = node }
                }
            case (.footnoteReference, .enter):
                let inFirstParagraph = result.firstParagraph == leaf
                result.footnoteReferences.append((node, result.summaryMarker == nil, inFirstParagraph))
            case (.image, .enter), (.link, .enter):
                if kind == .image { imageDepth += 1 }
                let url = node.url
                let position = locate(node, url: url, kind: kind, in: leaf, after: previousLinkInLeaf)
                previousLinkInLeaf = position
                let link = resolve(node, url: url, isImage: kind == .image, at: position, resolveLink: resolveLink)
                switch link {
                case .success(let link): result.links.append(link)
                case .failure(let failure): result.failures.append((failure.location, failure.diagnostic))
                }
            case (.image, .exit):
                imageDepth -= 1
            default:
                break
            }
        }
        if result.plainText.last == UInt8(ascii: "\n") { result.plainText.removeLast() }
        return result
    }

    private static let marker = Array("<!--more-->".utf8)

    /// A raw HTML node that is exactly `<!--more-->`, give or take surrounding whitespace.
    private static func isSummaryMarker(_ literal: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        var end = literal.count
        while start < end, isWhitespace(literal[start]) { start += 1 }
        while end > start, isWhitespace(literal[end - 1]) { end -= 1 }
        return end - start == marker.count && marker.indices.allSatisfy { literal[start + $0] == marker[$0] }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    // MARK: - Links

    private struct LinkFailure: Error {
        let location: SourceLocation
        let diagnostic: Diagnostic
    }

    /// Asks the site builder about the link and applies its answer: the link as the HTML will
    /// carry it, or the error to report.
    private func resolve(
        _ node: CmarkNode,
        url: String,
        isImage: Bool,
        at position: BytePosition,
        resolveLink: (MarkdownLink) -> LinkDecision
    ) -> Result<MarkdownLink, LinkFailure> {
        let location = SourceLocation(
            file: path,
            line: position.line + lineOffset,
            column: source.scalarColumn(line: position.line, byteColumn: position.column)
        )
        var link = MarkdownLink(destination: url, isImage: isImage, location: location)
        switch resolveLink(link) {
        case .keep:
            return .success(link)
        case .rewrite(let destination):
            node.setURL(destination)
            link.destination = destination
            return .success(link)
        case .fail(let message, let hint):
            let line = source.text(ofLine: position.line)
            let diagnostic = Diagnostic(.error, at: location, message, hint: hint, sourceLine: line)
            return .failure(LinkFailure(location: location, diagnostic: diagnostic))
        }
    }

    /// Where the link or image `node` starts in the body: its `[`, `![`, the `<` of an
    /// angle-bracket autolink or the first character of a bare autolinked URL.
    private func locate(_ node: CmarkNode, url: String, kind: CmarkNodeKind, in leaf: CmarkNode, after: BytePosition?)
        -> BytePosition
    {
        let child = node.firstChild
        var text: [UInt8] = []
        if let child, child.kind == .text {
            // A prefix is enough to tell this link's bracket from other brackets on the line.
            text = Array(child.literal.prefix(32))
        } else if child == nil {
            text = [UInt8(ascii: "]")]
        }
        var patterns = [
            LinkStartPattern(opening: kind == .image ? Self.imageOpening : Self.linkOpening, expectedText: text)
        ]
        if kind == .link, let child, child.kind == .text, child.next == nil,
            Self.isAutolink(url: url, text: child.literal)
        {
            let whole = Array(child.literal)
            patterns.append(LinkStartPattern(opening: [UInt8(ascii: "<")] + whole))
            patterns.append(LinkStartPattern(opening: whole, isBareURL: true))
        }
        var lines = max(1, leaf.startLine)...max(1, leaf.startLine, leaf.endLine)
        var reported = BytePosition(line: node.startLine, column: node.startColumn)
        // cmark-gfm 0.29 gives a paragraph that a table interrupts (no blank line between
        // them) the position 0:0, and starts the table on the paragraph's first line instead,
        // its header row too: the paragraph's lines and the header's are among the table's.
        // Its links' positions count from that 0:0, so they name a line of whatever text cmark
        // was given (the whole page or a piece of it): the link is looked for from the table's
        // first line instead.
        if leaf.startLine == 0, let table = leaf.next, table.startLine > 0 {
            lines = table.startLine...max(table.startLine, table.endLine)
            reported = BytePosition(line: 0, column: 0)
        } else if leaf.kind == .extensionBlock, let table = leaf.parent?.parent,
            table.previous?.startLine == 0
        {
            lines = table.startLine...max(table.startLine, table.endLine)
        }
        return locator.locate(
            reported: reported,
            patterns: patterns,
            blockLines: lines,
            after: after
        )
    }

    private static let linkOpening = [UInt8(ascii: "[")]
    private static let imageOpening = [UInt8(ascii: "!"), UInt8(ascii: "[")]

    /// Whether a link whose only child is the text `text` is an autolink: its URL is the text,
    /// or the text with the scheme cmark adds (`mailto:` for e-mail, `http://` for `www.`).
    private static func isAutolink(url: String, text: UnsafeBufferPointer<UInt8>) -> Bool {
        let url = url.utf8
        guard url.count >= text.count, text.count > 0 else { return false }
        let prefixLength = url.count - text.count
        guard url.dropFirst(prefixLength).elementsEqual(text) else { return false }
        let prefix = url.prefix(prefixLength)
        return prefix.isEmpty || prefix.elementsEqual("mailto:".utf8) || prefix.elementsEqual("http://".utf8)
    }

    // MARK: - Summary

    /// The HTML before the summary marker, or else of the first paragraph. Footnote references
    /// (whose footnotes are not part of a summary) and heading ids (which would repeat on a
    /// page listing several summaries) are left out. The tree is restored afterwards.
    private func renderSummary(
        document: CmarkDocument,
        walk: WalkResult,
        headingsBeforeMarker: [(inline: CmarkNode, heading: Heading)]
    ) -> String? {
        var detached: [Detached] = []
        defer {
            for place in detached.reversed() { place.restore() }
        }
        if let marker = walk.summaryMarker {
            for reference in walk.footnoteReferences where reference.beforeMarker {
                detached.append(reference.node.detach())
            }
            var node = marker
            while let parent = node.parent {
                while let next = node.next {
                    detached.append(next.detach())
                }
                node = parent
            }
            detached.append(marker.detach())
            for entry in headingsBeforeMarker {
                entry.inline.setOpenTag(Self.openTag(entry.heading, withID: false))
            }
            defer {
                for entry in headingsBeforeMarker {
                    entry.inline.setOpenTag(Self.openTag(entry.heading))
                }
            }
            return document.renderHTML(document.root)
        }
        guard let paragraph = walk.firstParagraph else { return nil }
        for reference in walk.footnoteReferences where reference.inFirstParagraph {
            detached.append(reference.node.detach())
        }
        let html = document.renderHTML(paragraph)
        // In a tight list the renderer leaves out the paragraph's <p>; a summary stands alone.
        if let list = paragraph.parent?.parent, list.kind == .list, list.isTightList {
            return "<p>\(html)</p>\n"
        }
        return html
    }
}
