import Diagnostics
import Foundation
import Testing

@testable import SiteBuilder

private let yaml = YAMLSource(path: "page.md", fileText: "", lineOffset: 1)

/// The first line of the error a YAML text gives, or "ok" when it composes.
private func outcome(_ text: String) -> String {
    do {
        _ = try yaml.compose(text)
        return "ok"
    } catch let diagnostic as Diagnostic {
        return "\(diagnostic.location.map(\.description) ?? ""): \(diagnostic.message)"
    } catch {
        return "\(error)"
    }
}

/// Values with `?`, `]`, `*` and `{` that a site writes, and Yams' own errors, pass the key check.
@Test(arguments: [
    "summary: Why Boston? Because of MIT.",
    "summary: 왜 보스턴인가? 대전은?",
    "link: https://example.com/search/?q=bio",
    "summary: \"Is it [x]? yes\"",
    "tags: [boston, daejeon]",
    "rows: [[1, 2], [3, 4]]",
    "rows:\n  - [1, 2]\n  - [3, 4]",
    "# {{ 'nav.home' | t }} in a comment\nhome: 홈",
    "title: \"{{ page.title }}\"",
    "one: {[a]}",
    "summary: this is *important* and *bold*",
    "base: &base [1, 2]\ncopy: *base\nboth: [*base, *base]",
])
func plainKeysPass(_ text: String) {
    #expect(outcome(text) == "ok")
}

/// Keys that are lists, mappings or aliases are refused where they start, before Yams reads them.
@Test(arguments: [
    ("? [a]\n: 1", "page.md:2:1: '?' here can start a YAML key that is a list or a mapping"),
    ("a:\n  ? b\n  : 1", "page.md:3:3: '?' here can start a YAML key that is a list or a mapping"),
    ("m: {? [a]: 1}", "page.md:2:5: '?' here can start a YAML key that is a list or a mapping"),
    ("[a, b]: 1", "page.md:2:6: a list or mapping here is used as a YAML key"),
    ("m: {{a: b}: c}", "page.md:2:10: a list or mapping here is used as a YAML key"),
    ("s: [[a] : b]", "page.md:2:7: a list or mapping here is used as a YAML key"),
    ("k: &k x\n*k : 1", "page.md:3:1: an alias here is used as a YAML key"),
    ("k: &k x\nm: {*k}", "page.md:3:5: an alias here is used as a YAML key"),
    ("m: {[a], [b]}", "page.md:2:10: a list or mapping here can be a key of the { } mapping around it"),
    ("m: {a: 1,\n  [b]}", "page.md:3:3: a list or mapping here can be a key of the { } mapping around it"),
    ("m: {a: 1, &x !t {b}}", "page.md:2:17: a list or mapping here can be a key of the { } mapping around it"),
    ("k: &k [x]\nm: {[*k]}", "page.md:3:5: a list or mapping here can be a key of the { } mapping around it"),
    ("v: 바이오 ?", "page.md:2:8: '?' here can start a YAML key that is a list or a mapping"),
])
func otherKeysAreRefusedWhereTheyStart(_ text: String, _ expected: String) {
    #expect(outcome(text) == expected)
}

/// The alias bound counts what a document stands for, not what it writes: a long document without
/// aliases passes, and nine levels of nine aliases stop at the first key that passes the bound,
/// quickly (a fixed count of steps, not the 387 million values).
@Test func aliasesThatMultiplyStopAtTheBound() {
    let long = (0..<50_000).map { "k\($0): [a, b, c]" }.joined(separator: "\n")
    #expect(outcome(long) == "ok")

    var lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for (previous, name) in zip("abcdefgh", "bcdefghi") {
        lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
    }
    let text = lines.joined(separator: "\n")
    let limit = 2 * text.utf8.count + YAMLSource.aliasExpansionAllowance
    let clock = ContinuousClock()
    var result = ""
    let elapsed = clock.measure { result = outcome(text) }
    #expect(result == "page.md:7:1: the aliases here make this YAML stand for more than \(limit) values")
    #expect(elapsed < .seconds(5))

    // Up to the bound, aliases of aliases are values like any other.
    #expect(outcome(lines.prefix(5).joined(separator: "\n")) == "ok")
}
