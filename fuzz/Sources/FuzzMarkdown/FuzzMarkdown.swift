// Renders the input as a page body through cmark-gfm and our tree walk (heading ids, table of
// contents, summary, link rewriting), with raw HTML allowed and not. cmark-gfm allocates each
// document from our arena (CmarkArena), so AddressSanitizer here watches the arena's pointer
// arithmetic and any mix of arena and system memory (a system `free` of arena memory, say).
// Errors are expected (a link the resolver fails); crashes and memory errors are not.
import FuzzDriver
import Markdown

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for unsafeHTML in [false, true] {
        var linkCount = 0
        let renderer = MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafeHTML))
        _ = try? renderer.render(source, path: "fuzz.md", firstLine: 3) { link in
            linkCount += 1
            switch linkCount % 3 {
            case 0: return .keep
            case 1: return .rewrite(link.destination + "#x")
            default: return .fail(message: "no such page", hint: nil)
            }
        }
    }
    return 0
}

@_cdecl("FuzzMarkdown_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzMarkdown)
}
