// Renders the input as a page body through cmark-gfm and our tree walk (heading ids, table of
// contents, summary, link rewriting), with raw HTML allowed and not. cmark-gfm allocates each
// document from our arena (CmarkArena), so AddressSanitizer here watches the arena's pointer
// arithmetic and any mix of arena and system memory (a system `free` of arena memory, say).
// Errors are expected (a link the resolver fails); crashes and memory errors are not.
//
// It also checks that a document cut into pieces (as long documents are, see `LongDocuments`)
// renders exactly as it does whole, cutting the input wherever the rules allow, and stops
// (a crash libFuzzer reports) where the two differ.
import FuzzDriver

@testable import Markdown

/// Keeps, rewrites and fails links in turn, the same way in every render.
private func resolver() -> (MarkdownLink) -> LinkDecision {
    var linkCount = 0
    return { link in
        linkCount += 1
        switch linkCount % 3 {
        case 0: return .keep
        case 1: return .rewrite(link.destination + "#x")
        default: return .fail(message: "no such page", hint: nil)
        }
    }
}

/// Everything a render gives, or its error, as text to compare.
private func outcome(_ render: () throws -> RenderedMarkdown) -> String {
    do {
        let page = try render()
        return
            "\(page.html)|\(page.headings)|\(page.tableOfContents)|\(page.links)|\(page.summaryHTML)|\(page.plainText)"
    } catch {
        return "error: \(error)"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for unsafeHTML in [false, true] {
        let renderer = MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafeHTML))
        _ = try? renderer.render(source, path: "fuzz.md", firstLine: 3, resolveLink: resolver())
        var text = source
        text.withUTF8 { bytes in
            // cmark reads a NUL as U+FFFD, three bytes, so the columns it reports past one are
            // off, and where a link is then found can depend on the lines around it.
            guard !bytes.contains(0), let pieces = LongDocuments.pieces(of: bytes, pieceSize: 1) else { return }
            let whole = outcome {
                try renderer.render(
                    bytes: bytes, pieces: [0..<bytes.count], path: "fuzz.md", firstLine: 3, resolveLink: resolver())
            }
            let pieced = outcome {
                try renderer.render(
                    bytes: bytes, pieces: pieces, path: "fuzz.md", firstLine: 3, resolveLink: resolver())
            }
            if pieced != whole {
                fatalError("cut at \(pieces), the document renders differently:\n\(whole)\n\(pieced)")
            }
        }
    }
    return 0
}

@_cdecl("FuzzMarkdown_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzMarkdown)
}
