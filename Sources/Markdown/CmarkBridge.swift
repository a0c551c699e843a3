// The only file that calls cmark-gfm. Everything else in the target talks to the Swift types
// below: `CmarkDocument` (owns a parsed tree and frees it), `CmarkNode` (a borrowed node) and
// `CmarkNodeKind`.
import CCmarkGFM
import Foundation

/// The GFM extensions, registered once per process and looked up once.
///
/// `cmark_gfm_core_extensions_ensure_registered` in 0.29.0.gfm.6 guards itself with a plain
/// `static int`, so two threads calling it at once could register everything twice; a Swift
/// `static let` runs its initialiser exactly once, whichever thread gets there first.
private struct RegisteredExtensions: @unchecked Sendable {
    // Sendable by construction: registered extensions are never mutated or freed afterwards.
    static let names = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]
    static let shared = RegisteredExtensions()

    let extensions: [OpaquePointer]
    let missing: [String]

    private init() {
        cmark_gfm_core_extensions_ensure_registered()
        var found: [OpaquePointer] = []
        var missing: [String] = []
        for name in Self.names {
            if let pointer = cmark_find_syntax_extension(name) {
                found.append(pointer)
            } else {
                missing.append(name)
            }
        }
        self.extensions = found
        self.missing = missing
    }
}

/// Serialises `cmark_parser_finish`, the inline-parsing phase.
///
/// In 0.29.0.gfm.6 inline parsing starts by adding the extensions' special characters (`~`
/// for strikethrough, `:` and `w` for autolinks) to a process-wide table and ends by removing
/// them again. Two documents finishing at once would race: the first to finish clears the
/// table while the other is still parsing, which then silently loses its strikethroughs and
/// autolinks. Block parsing, our tree walk and HTML rendering stay parallel.
private let inlineParsingLock = NSLock()

enum CmarkError: Error {
    case missingExtensions([String])
    case outOfMemory
}

/// The node types the Markdown target distinguishes.
enum CmarkNodeKind {
    case document, blockQuote, list, item, codeBlock, htmlBlock, customBlock, paragraph, heading
    case thematicBreak, footnoteDefinition
    case text, softBreak, lineBreak, code, htmlInline, customInline, emphasis, strong, link, image
    case footnoteReference
    /// A block node from an extension (tables, their rows and cells).
    case extensionBlock
    /// An inline node from an extension (strikethrough).
    case extensionInline

    var isBlock: Bool {
        switch self {
        case .document, .blockQuote, .list, .item, .codeBlock, .htmlBlock, .customBlock, .paragraph, .heading,
            .thematicBreak, .footnoteDefinition, .extensionBlock:
            return true
        default:
            return false
        }
    }
}

/// A node of a tree owned by a `CmarkDocument`; valid while that document lives and the node
/// has not been freed.
struct CmarkNode: Equatable {
    fileprivate let pointer: OpaquePointer

    var kind: CmarkNodeKind {
        let type = cmark_node_get_type(pointer)
        switch type {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST: return .list
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_CUSTOM_BLOCK: return .customBlock
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_HEADING: return .heading
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_FOOTNOTE_DEFINITION: return .footnoteDefinition
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        case CMARK_NODE_CUSTOM_INLINE: return .customInline
        case CMARK_NODE_EMPH: return .emphasis
        case CMARK_NODE_STRONG: return .strong
        case CMARK_NODE_LINK: return .link
        case CMARK_NODE_IMAGE: return .image
        case CMARK_NODE_FOOTNOTE_REFERENCE: return .footnoteReference
        default:
            return type.rawValue & UInt32(CMARK_NODE_TYPE_MASK) == UInt32(CMARK_NODE_TYPE_INLINE)
                ? .extensionInline : .extensionBlock
        }
    }

    /// Source position as cmark reports it: 1-based line and 1-based UTF-8 byte column, 0 when unknown.
    var startLine: Int { Int(cmark_node_get_start_line(pointer)) }
    var startColumn: Int { Int(cmark_node_get_start_column(pointer)) }
    var endLine: Int { Int(cmark_node_get_end_line(pointer)) }

    var parent: CmarkNode? { cmark_node_parent(pointer).map(CmarkNode.init) }
    var firstChild: CmarkNode? { cmark_node_first_child(pointer).map(CmarkNode.init) }
    var next: CmarkNode? { cmark_node_next(pointer).map(CmarkNode.init) }
    var previous: CmarkNode? { cmark_node_previous(pointer).map(CmarkNode.init) }

    var headingLevel: Int { Int(cmark_node_get_heading_level(pointer)) }
    var isTightList: Bool { cmark_node_get_list_tight(pointer) != 0 }

    /// The literal of a text, code, code block or HTML node, without copying. The bytes stay
    /// valid until the node is changed or freed.
    var literal: UnsafeBufferPointer<UInt8> {
        guard let cString = cmark_node_get_literal(pointer) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(
            start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self),
            count: strlen(cString)
        )
    }

    /// Destination of a link or image.
    var url: String {
        guard let cString = cmark_node_get_url(pointer) else { return "" }
        return String(cString: cString)
    }

    func setURL(_ url: String) {
        cmark_node_set_url(pointer, url)
    }

    /// Replaces this heading by a custom block holding a custom inline that carries `openTag`
    /// and `closeTag` and the heading's inline children, so the HTML renderer writes
    /// `openTag…closeTag` exactly where it would have written `<hN>…</hN>`. (A custom block's
    /// own tags would be followed by a line break inside the heading.) Frees the heading node
    /// and returns the custom inline, whose opening tag `setOpenTag` can change later.
    func replaceHeading(openTag: String, closeTag: String) -> CmarkNode? {
        guard let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else { return nil }
        guard let inline = cmark_node_new(CMARK_NODE_CUSTOM_INLINE) else {
            cmark_node_free(block)
            return nil
        }
        cmark_node_set_on_enter(inline, openTag)
        cmark_node_set_on_exit(inline, closeTag)
        while let child = cmark_node_first_child(pointer) {
            cmark_node_append_child(inline, child)
        }
        cmark_node_append_child(block, inline)
        cmark_node_replace(pointer, block)
        cmark_node_free(pointer)
        return CmarkNode(pointer: inline)
    }

    /// Changes the opening tag of a node made by `replaceHeading`.
    func setOpenTag(_ openTag: String) {
        cmark_node_set_on_enter(pointer, openTag)
    }

    /// Takes the node out of the tree (keeping it alive) and returns how to put it back.
    func detach() -> Detached {
        let place = Detached(node: self, parent: parent, previous: previous)
        cmark_node_unlink(pointer)
        return place
    }

    /// Takes the node out of the tree and frees it with its children.
    func delete() {
        cmark_node_free(pointer)
    }
}

/// Where a detached node was, so that it can be put back. Put detached nodes back in the
/// reverse order of detaching them: each one's neighbours are then where they were.
struct Detached {
    let node: CmarkNode
    let parent: CmarkNode?
    let previous: CmarkNode?

    func restore() {
        if let previous {
            cmark_node_insert_after(previous.pointer, node.pointer)
        } else if let parent {
            cmark_node_prepend_child(parent.pointer, node.pointer)
        }
    }
}

/// One step of a depth-first walk: entering a node, or leaving a node that has children slots.
/// Leaf nodes (text, code, HTML, code blocks, thematic breaks, breaks) are only entered.
enum CmarkEvent {
    case enter
    case exit
}

/// A parsed document. Owns the tree and the parser (whose extension list the renderer
/// needs) and frees both when it goes away.
final class CmarkDocument {
    private let parser: OpaquePointer
    let root: CmarkNode
    private let renderOptions: Int32
    private let sourceSize: Int

    /// From this size of source on, freeing the tree also hands its memory back to the system.
    private static let trimmedSourceSize = 4 << 20

    /// Parses `bytes` as GitHub Flavored Markdown with footnotes. Source positions are
    /// recorded while parsing (they also make cmark count lines inside multi-line code spans
    /// and raw HTML) but not written into the HTML.
    init(parsing bytes: UnsafeBufferPointer<UInt8>, unsafeHTML: Bool) throws(CmarkError) {
        let extensions = RegisteredExtensions.shared
        guard extensions.missing.isEmpty else { throw .missingExtensions(extensions.missing) }
        var options = CMARK_OPT_FOOTNOTES | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        if unsafeHTML { options |= CMARK_OPT_UNSAFE }
        guard let parser = cmark_parser_new(options | CMARK_OPT_SOURCEPOS) else { throw .outOfMemory }
        for syntaxExtension in extensions.extensions {
            cmark_parser_attach_syntax_extension(parser, syntaxExtension)
        }
        if let base = bytes.baseAddress, !bytes.isEmpty {
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_parser_feed(parser, $0, bytes.count)
            }
        }
        inlineParsingLock.lock()
        let root = cmark_parser_finish(parser)
        inlineParsingLock.unlock()
        guard let root else {
            cmark_parser_free(parser)
            throw .outOfMemory
        }
        self.parser = parser
        self.root = CmarkNode(pointer: root)
        self.renderOptions = options
        self.sourceSize = bytes.count
    }

    deinit {
        cmark_node_free(root.pointer)
        cmark_parser_free(parser)
        // A long page's tree is millions of small blocks. glibc keeps their pages once freed,
        // and the page's text, HTML and search text that come next are big enough to be mapped
        // on their own, so without this the dead tree would count in the build's peak memory
        // until the process ends. Only for big sources: a trim walks the whole heap.
        #if os(Linux)
            if sourceSize >= Self.trimmedSourceSize { malloc_trim(0) }
        #endif
    }

    /// Walks the tree depth-first without recursion (documents may nest thousands deep).
    /// `body` may change the node it is given and its descendants it has already passed, and
    /// the URL of links; it must not move or free nodes (do that after the walk).
    func walk(_ body: (CmarkEvent, CmarkNode) throws -> Void) rethrows {
        guard let iterator = cmark_iter_new(root.pointer) else { return }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            guard event != CMARK_EVENT_DONE, let node = cmark_iter_get_node(iterator) else { return }
            try body(event == CMARK_EVENT_ENTER ? .enter : .exit, CmarkNode(pointer: node))
        }
    }

    /// HTML of `node` and its descendants (of the whole document when given the root).
    func renderHTML(_ node: CmarkNode) -> String {
        let extensions = cmark_parser_get_syntax_extensions(parser)
        guard let html = cmark_render_html(node.pointer, renderOptions, extensions) else { return "" }
        defer { cmark_get_default_mem_allocator().pointee.free(html) }
        return stringOfCmarkUTF8(UnsafeRawBufferPointer(start: html, count: strlen(html)).bindMemory(to: UInt8.self))
    }
}

/// A String of bytes cmark wrote or holds, without checking their UTF-8 again: cmark replaces
/// invalid UTF-8 in its input with U+FFFD as it reads each line, and writes only whole
/// sequences of it and ASCII (the build also rejects invalid source before cmark sees it).
/// Checking a site's HTML again was a fifth of the parse stage outside cmark.
func stringOfCmarkUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard #available(macOS 26, *) else { return String(decoding: bytes, as: UTF8.self) }
    return unsafe String(copying: UTF8Span(unchecked: bytes.span))
}
