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
    public var id: String
    /// Plain text of the heading (no markup).
    public var title: String
    public var line: Int
}

public struct TableOfContentsEntry: Sendable, Hashable {
    public var level: Int
    public var id: String
    public var title: String
    public var children: [TableOfContentsEntry]
}

public struct RenderedMarkdown: Sendable {
    public var html: String
    public var headings: [Heading]
    /// Headings nested by level; a level-3 heading after a level-2 heading is its child.
    public var tableOfContents: [TableOfContentsEntry]
    /// Every link and image after rewriting (`destination` is what the HTML carries), in document order.
    public var links: [MarkdownLink]
    /// HTML of the text before `<!--more-->` if the document has that marker, else of its first paragraph.
    public var summaryHTML: String
    /// The document's text without markup, for word counts and search.
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
    public func render(
        _ source: String,
        path: String,
        firstLine: Int = 1,
        resolveLink: (MarkdownLink) -> LinkDecision = { _ in .keep }
    ) throws -> RenderedMarkdown {
        let document: CmarkDocument
        do {
            document = try CmarkDocument(parsing: source, unsafeHTML: options.unsafeHTML)
        } catch {
            throw DiagnosticList([
                Diagnostic(at: SourceLocation(file: path, line: firstLine, column: 1), "cmark-gfm ran out of memory")
            ])
        }
        var conversion = Conversion(
            document: document, source: SourceText(source, path: path, firstLine: firstLine),
            unsafeHTML: options.unsafeHTML)
        return try conversion.run(resolveLink: resolveLink)
    }
}
