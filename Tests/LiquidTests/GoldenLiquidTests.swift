import Foundation
import Liquid
import Testing

/// Runs the golden-liquid suite (MIT, jg-rp/golden-liquid) from `../shared/conformance`, where
/// it lives outside this repository, and holds the engine to the list of known failures in
/// `Tests/Fixtures/liquid/golden-liquid-failures.md`: a new failure fails the test, and so does a listed case that passes.
@Test func goldenLiquidConformance() throws {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let suite = packageRoot.appendingPathComponent("../shared/conformance/golden-liquid/golden_liquid.json")
        .standardized
    guard let text = try? String(contentsOf: suite, encoding: .utf8) else {
        print("golden-liquid: skipped, \(suite.path) is absent")
        return
    }
    guard case .object(let document) = try LiquidValue(json: text, path: suite.path),
        case .array(let cases)? = document["tests"]
    else {
        Issue.record("golden_liquid.json has no 'tests' array")
        return
    }
    let knownFailures = try knownFailureNames(
        packageRoot.appendingPathComponent("Tests/Fixtures/liquid/golden-liquid-failures.md"))

    var failures: [String: String] = [:]
    for case .object(let test) in cases {
        guard case .string(let name)? = test["name"], case .string(let source)? = test["template"] else { continue }
        if let reason = run(test, source: source) { failures[name] = reason }
    }
    let passed = cases.count - failures.count
    print("golden-liquid: \(passed) of \(cases.count) cases pass")
    for (name, reason) in failures.sorted(by: { $0.key < $1.key }) where !knownFailures.contains(name) {
        Issue.record("new failure: \(name): \(reason)")
    }
    for name in knownFailures.sorted() where failures[name] == nil {
        Issue.record("listed as failing but passes (remove it from golden-liquid-failures.md): \(name)")
    }
    #expect(passed >= 1040)
}

/// The failure reason of one case, or nil when it passes.
private func run(_ test: LiquidObject, source: String) -> String? {
    var partials: [String: String] = [:]
    if case .object(let templates)? = test["templates"] {
        for (name, value) in templates.pairs { partials[name] = value.outputText }
    }
    var context: [String: LiquidValue] = [:]
    if case .object(let data)? = test["data"] {
        for (key, value) in data.pairs { context[key] = value }
    }
    let environment = LiquidEnvironment(loader: DictionaryLoader(templates: partials))
    let output: String
    do {
        output = try environment.parse(source, path: "golden").render(context)
    } catch {
        if case .bool(true)? = test["invalid"] { return nil }
        return "error: \(error)"
    }
    if case .bool(true)? = test["invalid"] { return "expected an error, rendered \(output.debugDescription)" }
    var expected: [String] = []
    if case .string(let result)? = test["result"] { expected = [result] }
    if case .array(let results)? = test["results"] { expected = results.map(\.outputText) }
    return expected.contains(output)
        ? nil
        : "rendered \(output.debugDescription), expected \(expected.map(\.debugDescription).joined(separator: " or "))"
}

private struct DictionaryLoader: TemplateLoader {
    let templates: [String: String]

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        templates[name].map { ($0, name) }
    }
}

/// Names listed in the failures file as list items of the form "- `name`: reason".
private func knownFailureNames(_ file: URL) throws -> Set<String> {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    var names: Set<String> = []
    for line in text.split(separator: "\n") where line.hasPrefix("- `") {
        let rest = line.dropFirst(3)
        if let end = rest.firstIndex(of: "`") { names.insert(String(rest[..<end])) }
    }
    return names
}
