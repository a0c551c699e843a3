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
/// autolinks. Block parsing, our tree walk and HTML rendering stay parallel, and a thread that
/// finds the lock taken can feed another document meanwhile (`CmarkFedDocument.finishIfFree`).
/// Setting the characters once for good and emptying the extensions' lists, so that no parse
/// clears them, does not work: cmark finds the extension that closes a run of delimiters by
/// its list, and without it a strikethrough loops forever.
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
    var lastChild: CmarkNode? { cmark_node_last_child(pointer).map(CmarkNode.init) }
    var next: CmarkNode? { cmark_node_next(pointer).map(CmarkNode.init) }
    var previous: CmarkNode? { cmark_node_previous(pointer).map(CmarkNode.init) }

    var headingLevel: Int { Int(cmark_node_get_heading_level(pointer)) }
    var isTightList: Bool { cmark_node_get_list_tight(pointer) != 0 }

    /// Whether a code block is fenced (rather than indented).
    var isFencedCode: Bool {
        var length: Int32 = 0
        var offset: Int32 = 0
        var character: CChar = 0
        return cmark_node_get_fenced(pointer, &length, &offset, &character) != 0
    }

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
        // With the tree's own allocator: cmark refuses to join nodes of different allocators.
        guard let block = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, CmarkArena.allocator) else { return nil }
        guard let inline = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE, CmarkArena.allocator) else {
            cmark_node_free(block)
            return nil
        }
        cmark_node_set_on_enter(inline, openTag)
        cmark_node_set_on_exit(inline, closeTag)
        while let child = cmark_node_first_child(pointer) {
            guard cmark_node_append_child(inline, child) != 0 else { break }
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

/// A document fed to cmark whose inline parsing has not run yet. `cmark_parser_finish` runs
/// under `inlineParsingLock`; a thread rendering many documents that finds it taken can feed
/// its next document meanwhile rather than wait (see `finishIfFree`).
final class CmarkFedDocument {
    private let parser: OpaquePointer
    private let options: Int32
    private let arena: CmarkArena
    /// Whether the parser went to a `CmarkDocument`, which frees it.
    private var finished = false

    /// Feeds `bytes` as GitHub Flavored Markdown with footnotes. Source positions are
    /// recorded while parsing (they also make cmark count lines inside multi-line code spans
    /// and raw HTML) but not written into the HTML.
    init(feeding bytes: UnsafeBufferPointer<UInt8>, unsafeHTML: Bool) throws(CmarkError) {
        let extensions = RegisteredExtensions.shared
        guard extensions.missing.isEmpty else { throw .missingExtensions(extensions.missing) }
        var options = CMARK_OPT_FOOTNOTES | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        if unsafeHTML { options |= CMARK_OPT_UNSAFE }
        let arena = CmarkArena(sourceSize: bytes.count)
        arena.enter()
        defer { arena.leave() }
        guard let parser = cmark_parser_new_with_mem(options | CMARK_OPT_SOURCEPOS, CmarkArena.allocator) else {
            throw .outOfMemory
        }
        for syntaxExtension in extensions.extensions {
            cmark_parser_attach_syntax_extension(parser, syntaxExtension)
        }
        if let base = bytes.baseAddress, !bytes.isEmpty {
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                cmark_parser_feed(parser, $0, bytes.count)
            }
        }
        self.parser = parser
        self.options = options
        self.arena = arena
    }

    deinit {
        guard !finished else { return }
        arena.enter()
        cmark_parser_free(parser)
        arena.leave()
    }

    /// The parsed document, waiting for another thread's inline parsing to end if need be.
    func finish() throws(CmarkError) -> CmarkDocument {
        inlineParsingLock.lock()
        return try finishHoldingLock()
    }

    /// The parsed document, or nil while another thread's inline parsing runs.
    func finishIfFree() throws(CmarkError) -> CmarkDocument? {
        guard inlineParsingLock.try() else { return nil }
        return try finishHoldingLock()
    }

    private func finishHoldingLock() throws(CmarkError) -> CmarkDocument {
        // A second finish would hand the same parser to a second document, which frees it too.
        precondition(!finished, "a fed document is finished once")
        arena.enter()
        let root = cmark_parser_finish(parser)
        inlineParsingLock.unlock()
        guard let root else {
            arena.leave()
            throw .outOfMemory
        }
        finished = true
        return CmarkDocument(parser: parser, root: CmarkNode(pointer: root), renderOptions: options, arena: arena)
    }
}

/// A parsed document. Owns the tree and the parser (whose extension list the renderer
/// needs) and frees both when it goes away. Use it on the thread that made it: its arena is
/// that thread's current one until it goes (see `CmarkArena`).
final class CmarkDocument {
    private let parser: OpaquePointer
    let root: CmarkNode
    private let renderOptions: Int32
    private let arena: CmarkArena

    /// Parses `bytes` (see `CmarkFedDocument`), waiting for the inline-parsing lock if need be.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, unsafeHTML: Bool) throws(CmarkError) -> CmarkDocument {
        try CmarkFedDocument(feeding: bytes, unsafeHTML: unsafeHTML).finish()
    }

    /// Takes the parts of a finished document, its arena entered on this thread.
    fileprivate init(parser: OpaquePointer, root: CmarkNode, renderOptions: Int32, arena: CmarkArena) {
        self.parser = parser
        self.root = root
        self.renderOptions = renderOptions
        self.arena = arena
    }

    deinit {
        // The nodes' and the parser's frees do nothing for arena memory, but hand back anything
        // cmark asked of the system; the arena's blocks go back with it, large ones unmapped.
        cmark_node_free(root.pointer)
        cmark_parser_free(parser)
        arena.leave()
        // A long page's tree is millions of small blocks from the system (see `CmarkArena`).
        // glibc keeps their pages once freed, and the page's text, HTML and search text that
        // come next are big enough to be mapped on their own, so without this the dead tree
        // would count in the build's peak memory until the process ends.
        if arena.usesSystemMemory { returnFreedMemoryToTheSystem() }
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

    /// HTML of `node` and its descendants (of the whole document when given the root). The
    /// text is written into the document's arena and copied out; the arena takes it back.
    func renderHTML(_ node: CmarkNode) -> String {
        let extensions = cmark_parser_get_syntax_extensions(parser)
        guard let html = cmark_render_html_with_mem(node.pointer, renderOptions, extensions, CmarkArena.allocator)
        else { return "" }
        return stringOfCmarkUTF8(UnsafeRawBufferPointer(start: html, count: strlen(html)).bindMemory(to: UInt8.self))
    }
}

/// Memory for one document's cmark allocations, taken from a few large blocks and given back
/// all at once. A document is tens of thousands of small allocations (a node, its text, its
/// buffers) freed one by one at the end; through glibc's malloc that was about a tenth of a
/// build's processor time, more than cmark's own parsing of inline text.
///
/// `cmark_mem` has no context pointer, so the allocator finds the arena through a thread-local
/// slot: a document's arena is the current one of its thread from `enter` to `leave`, and
/// every cmark call for it happens on that thread in between. Nothing is freed one by one:
/// `free` does nothing for arena memory, `realloc` grows the latest allocation in place or
/// copies. Blocks come from `malloc`, and only what cmark asks for through `calloc` is zeroed:
/// blocks from `calloc` were zeroed whole, first block and doubled second alike, which was an
/// eighth of the instructions of rendering the benchmark corpus's pages (callgrind). Memory
/// cmark asks for when no arena is current comes from the system as before.
///
/// A source of `LongDocuments.threshold` or more (one that could not be cut into pieces) is
/// given the system's memory all the same, through an arena that only passes requests on: as
/// nothing in an arena is reused, the buffers cmark grows and frees while parsing and rendering
/// stay, and a 50 MB page peaked at 1.97 GB against 1.37 GB with malloc; at that size memory
/// matters more than the time.
private final class CmarkArena {

    /// Each allocation starts with its size, so `realloc` knows how much to copy; 16 bytes
    /// keep the allocations aligned as malloc's are.
    private static let headerSize = 16

    /// The arena that was current when this one was entered, current again when it is left.
    private var previous: UnsafeMutableRawPointer?
    private var blocks: [(start: UnsafeMutableRawPointer, end: UnsafeMutableRawPointer)] = []
    private var cursor: UnsafeMutableRawPointer?
    private var blockEnd: UnsafeMutableRawPointer?
    private var latest: UnsafeMutableRawPointer?
    private var nextBlockSize: Int
    let usesSystemMemory: Bool

    /// A tree takes about 20 bytes per byte of Markdown: the first block is sized for that.
    init(sourceSize: Int) {
        nextBlockSize = min(max(sourceSize * 24, 64 << 10), 64 << 20)
        usesSystemMemory = sourceSize >= LongDocuments.threshold
    }

    deinit {
        for block in blocks { Glibc.free(block.start) }
    }

    /// Entered and left more than once when a document is fed, put aside while others are fed,
    /// and finished later; always left before another arena of the thread is entered.
    func enter() {
        previous = bridgehead_cmark_arena_slot().pointee
        bridgehead_cmark_arena_slot().pointee = Unmanaged.passRetained(self).toOpaque()
    }

    func leave() {
        let slot = bridgehead_cmark_arena_slot()
        guard let current = slot.pointee, current == Unmanaged.passUnretained(self).toOpaque() else { return }
        slot.pointee = previous
        Unmanaged<CmarkArena>.fromOpaque(current).release()
    }

    /// The arena entered on this thread, if any, unretained: cmark allocates and frees for every
    /// node and buffer, and retaining and releasing the arena around each call (atomic counts)
    /// was 40% of all retain and release samples of a 10,000-page build.
    private static var current: Unmanaged<CmarkArena>? {
        bridgehead_cmark_arena_slot().pointee.map { Unmanaged<CmarkArena>.fromOpaque($0) }
    }

    private func allocate(_ size: Int, zeroed: Bool) -> UnsafeMutableRawPointer? {
        // Owned by no arena, so freed and reallocated by the system.
        if usesSystemMemory { return zeroed ? calloc(1, size) : malloc(size) }
        let rounded = (size + 15) & ~15
        let needed = Self.headerSize + rounded
        let header: UnsafeMutableRawPointer
        if let cursor, let blockEnd, blockEnd - cursor >= needed {
            header = cursor
        } else {
            let blockSize = max(nextBlockSize, needed)
            guard let block = malloc(blockSize) else { return nil }
            blocks.append((block, block + blockSize))
            header = block
            blockEnd = block + blockSize
            nextBlockSize = min(blockSize * 2, 256 << 20)
        }
        header.storeBytes(of: size, as: Int.self)
        cursor = header + needed
        let allocation = header + Self.headerSize
        if zeroed { allocation.initializeMemory(as: UInt8.self, repeating: 0, count: size) }
        latest = allocation
        return allocation
    }

    private func owns(_ pointer: UnsafeMutableRawPointer) -> Bool {
        blocks.contains { $0.start <= pointer && pointer < $0.end }
    }

    private func reallocate(_ pointer: UnsafeMutableRawPointer, to size: Int) -> UnsafeMutableRawPointer? {
        let header = pointer - Self.headerSize
        let oldSize = header.load(as: Int.self)
        if pointer == latest, let blockEnd, pointer + ((size + 15) & ~15) <= blockEnd {
            header.storeBytes(of: size, as: Int.self)
            cursor = pointer + ((size + 15) & ~15)
            return pointer
        }
        guard let moved = allocate(size, zeroed: false) else { return nil }
        moved.copyMemory(from: pointer, byteCount: min(oldSize, size))
        return moved
    }

    /// The arena that owns `pointer`: the current one or one it was entered inside. Unretained,
    /// as `current`: an entered arena stays alive until it is left.
    private static func owner(of pointer: UnsafeMutableRawPointer) -> Unmanaged<CmarkArena>? {
        var arena = current
        while let candidate = arena {
            let (owns, previous) = candidate._withUnsafeGuaranteedRef { ($0.owns(pointer), $0.previous) }
            if owns { return candidate }
            arena = previous.map { Unmanaged<CmarkArena>.fromOpaque($0) }
        }
        return nil
    }

    private struct Allocator: @unchecked Sendable {
        // Sendable by construction: the functions are never changed after this.
        let pointer: UnsafeMutablePointer<cmark_mem>
    }

    private static let shared: Allocator = {
        let pointer = UnsafeMutablePointer<cmark_mem>.allocate(capacity: 1)
        pointer.initialize(
            to: cmark_mem(
                calloc: { count, size in
                    let (total, overflow) = count.multipliedReportingOverflow(by: size)
                    guard !overflow else { return nil }
                    guard let arena = CmarkArena.current else { return calloc(count, size) }
                    return arena._withUnsafeGuaranteedRef { $0.allocate(total, zeroed: true) } ?? calloc(count, size)
                },
                realloc: { pointer, size in
                    guard let pointer else {
                        guard let arena = CmarkArena.current else { return realloc(nil, size) }
                        return arena._withUnsafeGuaranteedRef { $0.allocate(size, zeroed: false) } ?? realloc(nil, size)
                    }
                    if let arena = CmarkArena.owner(of: pointer) {
                        return arena._withUnsafeGuaranteedRef { $0.reallocate(pointer, to: size) }
                    }
                    return realloc(pointer, size)
                },
                free: { pointer in
                    guard let pointer, CmarkArena.owner(of: pointer) == nil else { return }
                    Glibc.free(pointer)
                }))
        return Allocator(pointer: pointer)
    }()

    static var allocator: UnsafeMutablePointer<cmark_mem> { shared.pointer }
}

/// A String of bytes cmark wrote or holds, without checking their UTF-8 again: cmark replaces
/// invalid UTF-8 in its input with U+FFFD as it reads each line, and writes only whole
/// sequences of it and ASCII (the build also rejects invalid source before cmark sees it).
/// Checking a site's HTML again was a fifth of the parse stage outside cmark.
func stringOfCmarkUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard #available(macOS 26, *) else { return String(decoding: bytes, as: UTF8.self) }
    return unsafe String(copying: UTF8Span(unchecked: bytes.span))
}

/// Hands memory the process has freed back to the system: glibc keeps freed pages for reuse,
/// so a process that freed a lot (a long page's tree, a whole site replaced by a rebuild) would
/// otherwise stay at its highest resident size until it ends. Here because it is a C call.
public func returnFreedMemoryToTheSystem() {
    #if os(Linux)
        malloc_trim(0)
    #endif
}
