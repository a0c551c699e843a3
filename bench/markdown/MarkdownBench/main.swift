// Renders every Markdown body of a gen-corpus.py corpus through MarkdownRenderer, times it
// sequentially and on all cores, checks that every `#fragment` of the corpus's cross links names
// a heading id of its target page, and writes the bodies (front matter removed) for the
// cmark-gfm command to render in the same run. Used by bench/markdown/run.sh.
//
// `MarkdownBench --repeat N FILE.md…` instead renders the files N times in both HTML modes,
// rewriting and (every other round) failing their `.md` links: a loop to run under valgrind.
import Dispatch
import Foundation
import Markdown

if CommandLine.arguments.count >= 3, CommandLine.arguments[1] == "--repeat", let rounds = Int(CommandLine.arguments[2])
{
    let documents = try CommandLine.arguments.dropFirst(3).map { try String(contentsOfFile: $0, encoding: .utf8) }
    var failures = 0
    for round in 0..<rounds {
        for unsafeHTML in [false, true] {
            let renderer = MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafeHTML))
            for document in documents {
                do {
                    _ = try renderer.render(document, path: "page.md") { link in
                        guard link.destination.hasSuffix(".md") else { return .keep }
                        return round % 2 == 0 ? .rewrite("/page/") : .fail(message: "missing", hint: nil)
                    }
                } catch {
                    failures += 1
                }
            }
        }
    }
    print("rendered \(documents.count) documents \(rounds * 2) times, \(failures) renders failed as asked")
    exit(0)
}

struct Page {
    let key: String
    let path: String
    let body: String
}

func bodies(under content: URL) throws -> [Page] {
    let files =
        FileManager.default.enumerator(at: content, includingPropertiesForKeys: nil)?
        .compactMap { $0 as? URL }.filter { $0.pathExtension == "md" }
        .sorted { $0.path < $1.path } ?? []
    return try files.map { url in
        let text = try String(contentsOf: url, encoding: .utf8)
        var body = Substring(text)
        if text.hasPrefix("---\n"),
            let end = text.range(of: "\n---\n", range: text.index(text.startIndex, offsetBy: 4)..<text.endIndex)
        {
            body = text[end.upperBound...]
        }
        let relative = url.path.dropFirst(content.path.count + 1)
        let key = relative.hasSuffix(".md") ? String(relative.dropLast(3)) : String(relative)
        return Page(key: key, path: String(relative), body: String(body))
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write("usage: MarkdownBench CORPUS_DIR BODIES_OUT_DIR\n".data(using: .utf8)!)
    exit(2)
}
let content = URL(fileURLWithPath: arguments[1]).appendingPathComponent("content")
let bodiesOut = URL(fileURLWithPath: arguments[2])
let pages = try bodies(under: content)
try? FileManager.default.removeItem(at: bodiesOut)
try FileManager.default.createDirectory(at: bodiesOut, withIntermediateDirectories: true)
for (index, page) in pages.enumerated() {
    let name = String(format: "%05d.md", index)
    try page.body.write(to: bodiesOut.appendingPathComponent(name), atomically: false, encoding: .utf8)
}
let renderer = MarkdownRenderer()
let bytes = pages.reduce(0) { $0 + $1.body.utf8.count }

// Warm up (extension registration, page faults), then the timed runs.
_ = try renderer.render(pages[0].body, path: pages[0].path)
let clock = ContinuousClock()
var best = Double.infinity
var results: [RenderedMarkdown] = []
for _ in 0..<3 {
    let start = clock.now
    results = try pages.map { try renderer.render($0.body, path: $0.path) }
    best = min(best, seconds(clock.now - start))
}
let cores = ProcessInfo.processInfo.activeProcessorCount
var bestParallel = Double.infinity
for _ in 0..<3 {
    let start = clock.now
    DispatchQueue.concurrentPerform(iterations: cores) { worker in
        var index = worker
        while index < pages.count {
            _ = try? renderer.render(pages[index].body, path: pages[index].path)
            index += cores
        }
    }
    bestParallel = min(bestParallel, seconds(clock.now - start))
}

// Every corpus link is ../../sec-XX/page-NNNNN/#fragment relative to the page's own URL.
var idsByKey: [String: Set<String>] = [:]
for (page, result) in zip(pages, results) {
    idsByKey[page.key] = Set(result.headings.map(\.id))
}
var fragments = 0
var missing: [String] = []
for (page, result) in zip(pages, results) {
    for link in result.links where link.destination.hasPrefix("../../") {
        guard let hash = link.destination.firstIndex(of: "#") else { continue }
        let target = link.destination.dropFirst(6)[..<hash].trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let fragment = String(link.destination[link.destination.index(after: hash)...])
        fragments += 1
        if idsByKey[target]?.contains(fragment) != true {
            missing.append("\(page.path): \(link.destination)")
        }
    }
}

print(String(format: "pages %d, %.1f MB of Markdown", pages.count, Double(bytes) / 1e6))
print(String(format: "bridgehead MarkdownRenderer, 1 thread:   %.3f s (best of 3)", best))
print(String(format: "bridgehead MarkdownRenderer, %d threads:  %.3f s (best of 3)", cores, bestParallel))
print("cross-page #fragments checked: \(fragments), not matching a heading id: \(missing.count)")
for line in missing.prefix(10) { print("  \(line)") }
print(String(format: "RESULT %.6f %.6f", best, bestParallel))
