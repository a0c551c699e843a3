// Scans the input as a built HTML page is scanned for links, ids and assets by the link checker.
import FuzzDriver
@testable import LinkChecker

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTMLScanner(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let page = HTMLScanner.scan(UnsafeBufferPointer(start: data, count: size))
    // A span outside the page would make the checker read past it: stop the fuzzer there.
    for span in page.links + page.ids + page.anchorNames + [page.base].compactMap({ $0 }) {
        if span.start < 0 || span.start > span.end || span.end > size { fatalError("span \(span) outside 0..<\(size)") }
    }
    return 0
}

@_cdecl("FuzzHTMLScanner_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzHTMLScanner)
}
