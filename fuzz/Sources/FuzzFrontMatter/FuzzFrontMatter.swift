// Splits the input into front matter and body as a content file is split, then reads the front
// matter into the contract's typed fields, as the site builder does for every page.
import FuzzDriver

@testable import SiteBuilder

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoded = try? decodeSourceText(bytes, path: "fuzz.md")
    // The build's own UTF-8 check makes Strings without the standard library's: the two must
    // agree on every input (a byte order mark is dropped first).
    let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    if (decoded != nil) != (String(validating: body, as: UTF8.self) != nil) {
        fatalError("decodeSourceText and the standard library disagree on whether the input is UTF-8")
    }
    guard let text = decoded, let split = try? splitFrontMatter(text, path: "fuzz.md") else { return 0 }
    let yaml = YAMLSource(path: "fuzz.md", fileText: text, lineOffset: 1)
    _ = try? FrontMatterReader(yaml: yaml, taxonomies: ["tags", "topics"]).read(String(split.yaml))
    _ = split.body.count
    return 0
}

@_cdecl("FuzzFrontMatter_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzFrontMatter)
}
