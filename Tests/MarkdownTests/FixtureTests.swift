import Foundation
import Markdown
import Testing

/// Every `X.md` under `Tests/Fixtures/markdown/safe` (default options) and `…/unsafe`
/// (`unsafeHTML: true`) renders to exactly `X.html` beside it.
@Test(arguments: ["safe", "unsafe"])
func fixtureFolderRendersExactly(mode: String) throws {
    let folder = markdownFixtures.appendingPathComponent(mode)
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted()
    #expect(names.count >= 2)
    for name in names {
        let markdown = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        let expectedFile = folder.appendingPathComponent(String(name.dropLast(3)) + ".html")
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
        let rendered = try render(markdown, unsafeHTML: mode == "unsafe", path: name)
        #expect(rendered.html == expected, "\(mode)/\(name)")
    }
}
