// Splits the input into front matter and body as a content file is split, then reads the front
// matter into the contract's typed fields, as the site builder does for every page.
import FuzzDriver
@testable import SiteBuilder

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = try? decodeSourceText(Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.md"),
        let split = try? splitFrontMatter(text, path: "fuzz.md")
    else { return 0 }
    let yaml = YAMLSource(path: "fuzz.md", fileText: text, lineOffset: 1)
    _ = try? FrontMatterReader(yaml: yaml, taxonomies: ["tags", "topics"]).read(String(split.yaml))
    _ = split.body.count
    return 0
}

@_cdecl("FuzzFrontMatter_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzFrontMatter)
}
