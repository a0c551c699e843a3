// Public surface of the Markdown target (cmark-gfm underneath). Every C call lives in
// CmarkBridge.swift; this file is the agreement with the site builder.
import Diagnostics

public struct MarkdownOptions: Sendable, Hashable {
    /// Raw HTML blocks and inline HTML pass through; otherwise they are dropped (cmark's safe mode).
    public var unsafeHTML: Bool

    public init(unsafeHTML: Bool = false) {
        self.unsafeHTML = unsafeHTML
    }
}

/// A link or image destination as written in the Markdown, with where it was written.
public struct MarkdownLink: Sendable, Hashable {
    public var destination: String
    public var isImage: Bool
    /// Position of the link's opening `[` (or `![`) in the file, counting the front matter lines.
    public var location: SourceLocation

    public init(destination: String, isImage: Bool, location: SourceLocation) {
        self.destination = destination
        self.isImage = isImage
        self.location = location
    }
}

/// What the site builder decides for each link: leave it, write another URL, or report it.
public enum LinkDecision: Sendable {
    case keep
    case rewrite(String)
    case fail(message: String, hint: String?)
}

public struct Heading: Sendable, Hashable {
    public var level: Int
    /// The `id` attribute the heading carries in the HTML (GitHub's rule, unique in the document).
    public var id: String
    /// Plain text of the heading (no markup).
    public var title: String
    /// Line of the heading in the file, counting the front matter lines.
    public var line: Int

    public init(level: Int, id: String, title: String, line: Int) {
        self.level = level
        self.id = id
        self.title = title
        self.line = line
    }
}

public struct TableOfContentsEntry: Sendable, Hashable {
    public var level: Int
    public var id: String
    public var title: String
    public var children: [TableOfContentsEntry]

    public init(level: Int, id: String, title: String, children: [TableOfContentsEntry] = []) {
        self.level = level
        self.id = id
        self.title = title
        self.children = children
    }
}

public struct RenderedMarkdown: Sendable {
    public var html: String
    public var headings: [Heading]
    /// Headings nested by level; a level-3 heading after a level-2 heading is its child.
    public var tableOfContents: [TableOfContentsEntry]
    /// Every link and image after rewriting (`destination` is what the HTML carries), in the
    /// order of their positions in the source. Bare URLs that the autolink extension turns into
    /// links are included (as `http://www.…` for `www.…`, `mailto:…` for e-mail addresses), and
    /// so are `<…>` autolinks: they are links in the HTML too.
    public var links: [MarkdownLink]
    /// HTML of the text before `<!--more-->` if the document has that marker, else of its first
    /// paragraph; without heading ids and footnote references, so that several summaries can
    /// share a page.
    public var summaryHTML: String
    /// The document's text without markup, for word counts and search: text, inline code, code
    /// blocks and image descriptions; a line break between blocks (table cells included); no HTML.
    public var plainText: String
}

public struct MarkdownRenderer: Sendable {
    public let options: MarkdownOptions

    public init(options: MarkdownOptions = MarkdownOptions()) {
        self.options = options
    }

    /// Renders `source` (the body after the front matter). `path` and `firstLine` (the file
    /// line the body starts on) make the positions in links and errors point into the file.
    /// Throws `DiagnosticList` with every link the resolver failed.
    ///
    /// `resolveLink` is called once per link and image, autolinks included, in the order of
    /// the document tree (footnotes last). Safe to call from many threads at once.
    public func render(
        _ source: some StringProtocol,
        path: String,
        firstLine: Int = 1,
        resolveLink: (MarkdownLink) -> LinkDecision = { _ in .keep }
    ) throws -> RenderedMarkdown {
        // A page's body is a slice of its file's text: read in place, it is not copied while
        // its tree, the biggest thing a long page puts in memory, is alive.
        if let rendered = try source.utf8.withContiguousStorageIfAvailable({
            try render(bytes: $0, path: path, firstLine: firstLine, resolveLink: resolveLink)
        }) {
            return rendered
        }
        var copy = String(source)
        return try copy.withUTF8 { try render(bytes: $0, path: path, firstLine: firstLine, resolveLink: resolveLink) }
    }

    private func render(
        bytes: UnsafeBufferPointer<UInt8>, path: String, firstLine: Int, resolveLink: (MarkdownLink) -> LinkDecision
    ) throws(DiagnosticList) -> RenderedMarkdown {
        let pieces = bytes.count >= LongDocuments.threshold ? LongDocuments.pieces(of: bytes) : nil
        return try render(
            bytes: bytes, pieces: pieces ?? [0..<bytes.count], path: path, firstLine: firstLine,
            resolveLink: resolveLink)
    }

    /// Parses, walks and renders each piece in turn, so that only one piece's tree is alive at
    /// a time. Internal so that tests can cut short documents too.
    func render(
        bytes: UnsafeBufferPointer<UInt8>, pieces: [Range<Int>], path: String, firstLine: Int,
        resolveLink: (MarkdownLink) -> LinkDecision
    ) throws(DiagnosticList) -> RenderedMarkdown {
        var identifiers = HeadingIdentifiers()
        var whole = DocumentRendering.Piece()
        var lineOffset = firstLine - 1
        var start = pieces.first?.lowerBound ?? 0
        var nextPiece = 0
        var isFirstPiece = true
        while nextPiece < pieces.count {
            var end = pieces[nextPiece].upperBound
            nextPiece += 1
            let piece: DocumentRendering.Piece
            let source: SourceText
            do throws(CmarkError) {
                while true {
                    let pieceBytes = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    let pieceSource = SourceText(pieceBytes)
                    let document = try CmarkDocument.parse(pieceBytes, unsafeHTML: options.unsafeHTML)
                    // Each cut follows a blank line; cmark's own tree tells whether a block was
                    // still open there, which `LongDocuments` may have missed (a fence line
                    // inside an HTML block that a blank line ends, taken for a fence). Its later
                    // cuts are then not to be trusted either, so the piece takes in the rest of
                    // the document and is parsed again: the whole tree's memory, as for a page
                    // that cannot be cut, but never more than twice the parsing.
                    if nextPiece < pieces.count, Self.endsInsideBlock(document, lastLine: pieceSource.lineBreakCount) {
                        end = pieces[pieces.count - 1].upperBound
                        nextPiece = pieces.count
                        continue
                    }
                    source = pieceSource
                    piece = DocumentRendering(source: pieceSource, path: path, lineOffset: lineOffset)
                        .render(document: document, resolveLink: resolveLink, identifiers: &identifiers)
                    break
                }
            } catch {
                throw DiagnosticList([Self.diagnostic(for: error, path: path)])
            }
            // The first piece is taken as it is: for all but long documents it is the only
            // one, and appending it to nothing would copy its text and lists.
            if isFirstPiece { whole = piece } else { whole.append(piece) }
            isFirstPiece = false
            lineOffset += source.lineBreakCount
            start = end
        }
        return try Self.rendered(whole)
    }

    fileprivate static func rendered(_ whole: DocumentRendering.Piece) throws(DiagnosticList) -> RenderedMarkdown {
        if !whole.failures.isEmpty { throw DiagnosticList(whole.failures) }
        return RenderedMarkdown(
            html: whole.html,
            headings: whole.headings,
            tableOfContents: TableOfContentsEntry.nest(whole.headings),
            links: whole.links,
            summaryHTML: whole.summaryHTML ?? "",
            plainText: whole.plainText.withUnsafeBufferPointer(stringOfCmarkUTF8)
        )
    }

    /// Whether the document's last block is fenced code or an HTML block reaching its last
    /// line, which is blank: one that closed ends on the line that closed it, and those a
    /// blank line ends (indented code, HTML blocks 6 and 7) stop before it.
    private static func endsInsideBlock(_ document: CmarkDocument, lastLine: Int) -> Bool {
        guard let last = document.root.lastChild, last.endLine >= lastLine else { return false }
        switch last.kind {
        case .codeBlock: return last.isFencedCode
        case .htmlBlock: return true
        default: return false
        }
    }

    fileprivate static func diagnostic(for error: CmarkError, path: String) -> Diagnostic {
        switch error {
        case .missingExtensions(let names):
            return Diagnostic(
                at: SourceLocation(file: path, line: 1, column: 1),
                "cmark-gfm lacks the GitHub extensions \(names.joined(separator: ", "))",
                hint: "install libcmark-gfm-extensions-dev (make deps)"
            )
        case .outOfMemory:
            return Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "cmark-gfm ran out of memory")
        }
    }
}

extension MarkdownRenderer {
    /// Feeds `source` to cmark and stops before its inline parsing, which runs in one thread
    /// at a time (cmark-gfm keeps a table for it that every parse changes; see `CmarkBridge`).
    /// A thread rendering many documents starts one, then finishes it with `finishIfFree`, and
    /// when another thread's inline parsing holds the table it starts its next document meanwhile
    /// instead of waiting. Nil for a document long enough to be cut into pieces: `render` takes
    /// it. What `finish` returns is what `render` returns for the same arguments.
    public func start(_ source: some StringProtocol, path: String, firstLine: Int = 1) throws(DiagnosticList)
        -> StartedMarkdown?
    {
        let length = source.utf8.count
        guard length < LongDocuments.threshold else { return nil }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: length)
        // One memcpy where the text is contiguous (always, for native strings): the generic copy
        // of a UTF-8 view goes byte by byte, 2.6% of a 10,000-page build's samples (perf).
        let copied: Void? = source.utf8.withContiguousStorageIfAvailable { contiguous in
            UnsafeMutableRawBufferPointer(bytes).copyMemory(from: UnsafeRawBufferPointer(contiguous))
        }
        if copied == nil { _ = bytes.initialize(from: source.utf8) }
        do throws(CmarkError) {
            let fed = try CmarkFedDocument(feeding: UnsafeBufferPointer(bytes), unsafeHTML: options.unsafeHTML)
            return StartedMarkdown(bytes: bytes, fed: fed, path: path, firstLine: firstLine)
        } catch {
            bytes.deallocate()
            throw DiagnosticList([Self.diagnostic(for: error, path: path)])
        }
    }

    /// The rendered document, or nil while another thread's inline parsing runs.
    public func finishIfFree(_ started: StartedMarkdown, resolveLink: (MarkdownLink) -> LinkDecision)
        throws(DiagnosticList)
        -> RenderedMarkdown?
    {
        let document: CmarkDocument?
        do throws(CmarkError) {
            document = try started.fed.finishIfFree()
        } catch {
            throw DiagnosticList([Self.diagnostic(for: error, path: started.path)])
        }
        guard let document else { return nil }
        return try started.render(document, resolveLink: resolveLink)
    }

    /// The rendered document, waiting for another thread's inline parsing to end if need be.
    public func finish(_ started: StartedMarkdown, resolveLink: (MarkdownLink) -> LinkDecision) throws(DiagnosticList)
        -> RenderedMarkdown
    {
        let document: CmarkDocument
        do throws(CmarkError) {
            document = try started.fed.finish()
        } catch {
            throw DiagnosticList([Self.diagnostic(for: error, path: started.path)])
        }
        return try started.render(document, resolveLink: resolveLink)
    }
}

/// A document `MarkdownRenderer.start` fed to cmark; finish it once, with `finishIfFree` or
/// `finish`.
public final class StartedMarkdown {
    /// A copy of the source, against which the tree's positions become lines and columns when
    /// the document is rendered.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    fileprivate let fed: CmarkFedDocument
    fileprivate let path: String
    private let firstLine: Int

    fileprivate init(bytes: UnsafeMutableBufferPointer<UInt8>, fed: CmarkFedDocument, path: String, firstLine: Int) {
        self.bytes = bytes
        self.fed = fed
        self.path = path
        self.firstLine = firstLine
    }

    deinit { bytes.deallocate() }

    /// The size of the document's source, in UTF-8 bytes.
    public var byteCount: Int { bytes.count }

    fileprivate func render(_ document: CmarkDocument, resolveLink: (MarkdownLink) -> LinkDecision)
        throws(DiagnosticList)
        -> RenderedMarkdown
    {
        var identifiers = HeadingIdentifiers()
        let piece = DocumentRendering(
            source: SourceText(UnsafeBufferPointer(bytes)), path: path, lineOffset: firstLine - 1
        )
        .render(document: document, resolveLink: resolveLink, identifiers: &identifiers)
        return try MarkdownRenderer.rendered(piece)
    }
}
