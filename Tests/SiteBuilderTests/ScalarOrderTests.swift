import Testing

@testable import SiteBuilder

/// The order the build sorts paths, names and keys in is UTF-8 byte order for every pair: one a
/// prefix of the other, empty, small and large Strings, Korean, a decomposed accent (which byte
/// order keeps apart from the composed one), a NUL.
@Test func scalarOrderIsUTF8ByteOrder() {
    let texts = [
        "", "a", "ab", "b", "Z", "a\u{0}b", "é", "e\u{301}", "바이오", "바이", "바이오클러스터",
        "sec-00/page-00001/index.html", "sec-00/page-00001/", "sec-00/page-00010/index.html",
        String(repeating: "x", count: 40) + "1", String(repeating: "x", count: 40) + "2",
    ]
    var wrong: [String] = []
    for a in texts {
        for b in texts where precedesInScalarOrder(a, b) != a.utf8.lexicographicallyPrecedes(b.utf8) {
            wrong.append("\(a.debugDescription) < \(b.debugDescription)")
        }
    }
    #expect(wrong == [])
    #expect(["b", "é", "a", "e\u{301}", "ab"].sorted(by: precedesInScalarOrder) == ["a", "ab", "b", "e\u{301}", "é"])
}
