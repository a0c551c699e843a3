// Every call into cmark-gfm lives in this file; the rest of the target sees Swift values.
import CCmarkGFM
import Glibc

/// What the Markdown target needs to know about a node.
enum CmarkKind: Equatable {
    case document
    case heading(level: Int)
    case paragraph
    case link
    case image
    case text
    case code
    case codeBlock
    case htmlBlock
    case htmlInline
    case softBreak
    case lineBreak
    case other(isBlock: Bool)
}

/// A node of a parsed document, valid while its `CmarkDocument` lives.
struct CmarkNode: Equatable {
    fileprivate let raw: OpaquePointer

    var kind: CmarkKind {
        let type = cmark_node_get_type(raw)
        switch type {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_HEADING: return .heading(level: Int(cmark_node_get_heading_level(raw)))
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_LINK: return .link
        case CMARK_NODE_IMAGE: return .image
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        default: return .other(isBlock: Int32(type.rawValue) & CMARK_NODE_TYPE_MASK == CMARK_NODE_TYPE_BLOCK)
        }
    }

    var literal: String {
        cmark_node_get_literal(raw).map { String(cString: $0) } ?? ""
    }

    var url: String {
        cmark_node_get_url(raw).map { String(cString: $0) } ?? ""
    }

    func setURL(_ url: String) {
        _ = cmark_node_set_url(raw, url)
    }

    /// 1-based line and byte column where the node starts in the parsed text; 0 when cmark does
    /// not know (autolinks found by the extension).
    var start: (line: Int, column: Int) {
        (Int(cmark_node_get_start_line(raw)), Int(cmark_node_get_start_column(raw)))
    }

    var end: (line: Int, column: Int) {
        (Int(cmark_node_get_end_line(raw)), Int(cmark_node_get_end_column(raw)))
    }

    var parent: CmarkNode? { cmark_node_parent(raw).map(CmarkNode.init) }
    var firstChild: CmarkNode? { cmark_node_first_child(raw).map(CmarkNode.init) }
    var next: CmarkNode? { cmark_node_next(raw).map(CmarkNode.init) }
    var previous: CmarkNode? { cmark_node_previous(raw).map(CmarkNode.init) }

    var children: [CmarkNode] {
        var result: [CmarkNode] = []
        var child = firstChild
        while let node = child {
            result.append(node)
            child = node.next
        }
        return result
    }

    fileprivate init(raw: OpaquePointer) {
        self.raw = raw
    }
}

/// A parsed document. Owns the cmark tree and the parser, whose extension list rendering needs.
final class CmarkDocument {
    private let parser: OpaquePointer
    let root: CmarkNode
    private let renderOptions: Int32

    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    /// Registers the GFM extensions once per process; cmark keeps them in a global list that is
    /// only read afterwards, so parsing is then safe from many threads at once.
    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    struct OutOfMemory: Error {}

    init(parsing markdown: String, unsafeHTML: Bool) throws {
        _ = Self.registered
        var options = CMARK_OPT_FOOTNOTES | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        if unsafeHTML { options |= CMARK_OPT_UNSAFE }
        renderOptions = options
        guard let parser = cmark_parser_new(options) else { throw OutOfMemory() }
        for name in Self.extensionNames {
            if let syntax = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, syntax)
            }
        }
        var text = markdown
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        guard let document = cmark_parser_finish(parser) else {
            cmark_parser_free(parser)
            throw OutOfMemory()
        }
        self.parser = parser
        root = CmarkNode(raw: document)
    }

    deinit {
        cmark_node_free(root.raw)
        cmark_parser_free(parser)
    }

    /// Every node in document order, each once (on entering it).
    func allNodes() -> [CmarkNode] {
        var nodes: [CmarkNode] = []
        let iterator = cmark_iter_new(root.raw)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            if cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) {
                nodes.append(CmarkNode(raw: node))
            }
        }
        return nodes
    }

    func render(_ node: CmarkNode? = nil) -> String {
        guard
            let html = cmark_render_html((node ?? root).raw, renderOptions, cmark_parser_get_syntax_extensions(parser))
        else { return "" }
        defer { free(html) }
        return String(cString: html)
    }

    /// Replaces `node` with a block that prints `enter`, the node's children, then `exit`: how a
    /// heading gets its `id`, since cmark's renderer writes custom nodes' text verbatim even in
    /// safe mode. The text goes on an inline inside an empty block so that the heading stays on
    /// one line.
    func wrapChildren(of node: CmarkNode, enter: String, exit: String) {
        guard let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else { return }
        guard let inline = cmark_node_new(CMARK_NODE_CUSTOM_INLINE) else {
            cmark_node_free(block)
            return
        }
        _ = cmark_node_set_on_enter(inline, enter)
        _ = cmark_node_set_on_exit(inline, exit)
        while let child = cmark_node_first_child(node.raw) {
            cmark_node_unlink(child)
            _ = cmark_node_append_child(inline, child)
        }
        _ = cmark_node_append_child(block, inline)
        _ = cmark_node_replace(node.raw, block)
        cmark_node_free(node.raw)
    }

    /// Puts a block that prints `text` verbatim after `node`.
    func insertVerbatim(_ text: String, after node: CmarkNode) {
        guard let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else { return }
        _ = cmark_node_set_on_enter(block, text)
        _ = cmark_node_insert_after(node.raw, block)
    }

    func remove(_ node: CmarkNode) {
        cmark_node_unlink(node.raw)
        cmark_node_free(node.raw)
    }
}
