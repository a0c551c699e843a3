import Foundation
import Markdown
import Testing

/// cmark-gfm 0.29.0.gfm.6 keeps the extensions' special characters in a process-wide table
/// that every parse sets and clears; documents rendered on many threads at once must still
/// all get their strikethroughs, autolinks and tables.
@Test func concurrentRendersGiveTheSameResults() throws {
    let documents = (0..<16).map { index in
        """
        ## Section \(index) 대전

        ~~old~~ text www.example\(index).org and https://a.example/\(index) [link](../p\(index).md)

        | a | b |
        |:-|-:|
        | ~x~ | \(index) |

        - [x] done\(index)[^n]

        [^n]: note \(index)
        """
    }
    let toPageURL: @Sendable (MarkdownLink) -> LinkDecision = { link in
        .rewrite(link.destination.replacingOccurrences(of: ".md", with: "/"))
    }
    let expected = try documents.map { try render($0, resolveLink: toPageURL) }
    let threads = 8
    let rounds = 25
    let results = ResultsBox(count: threads * rounds * documents.count)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        for round in 0..<rounds {
            for (index, document) in documents.enumerated() {
                let slot = (thread * rounds + round) * documents.count + index
                results.set(slot, (try? render(document, resolveLink: toPageURL))?.html)
            }
        }
    }
    let all = results.values
    for (slot, html) in all.enumerated() {
        #expect(html == expected[slot % documents.count].html, "render \(slot)")
    }
    #expect(expected[3].html.contains("<del>old</del>"))
    #expect(expected[3].html.contains("<a href=\"http://www.example3.org\">"))
    #expect(expected[3].html.contains("<a href=\"../p3/\">"))
}

/// Collects the renders of many threads (each writes its own slots).
private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ slot: Int, _ value: String?) {
        lock.withLock { storage[slot] = value }
    }

    var values: [String?] { lock.withLock { storage } }
}

@Test func tenThousandNestedBlockQuotesDoNotCrash() throws {
    let rendered = try render(String(repeating: "> ", count: 10_000) + "[deep](x.md) text\n")
    #expect(rendered.html.components(separatedBy: "<blockquote>").count - 1 == 10_000)
    #expect(positions(rendered) == ["1:20001 x.md"])
    #expect(rendered.plainText == "deep text")
}

@Test func tenThousandNestedListsDoNotCrash() throws {
    let rendered = try render(String(repeating: "- ", count: 10_000) + "## 끝\n")
    #expect(rendered.html.components(separatedBy: "<ul>").count - 1 == 10_000)
    #expect(rendered.headings.map(\.id) == ["끝"])
}

@Test func tenThousandNestedInlinesDoNotCrash() throws {
    let brackets = String(repeating: "[", count: 10_000) + "x" + String(repeating: "](y)", count: 10_000)
    let emphasis = String(repeating: "*", count: 10_000) + "x" + String(repeating: "*", count: 10_000)
    let rendered = try render(brackets + "\n\n" + emphasis + "\n")
    #expect(rendered.links.count >= 1)
    #expect(rendered.html.hasSuffix("</p>\n"))
}

@Test func emptyAndWhitespaceDocuments() throws {
    for markdown in ["", "\n\n", "   "] {
        let rendered = try render(markdown)
        #expect(rendered.html == "")
        #expect(rendered.summaryHTML == "")
        #expect(rendered.plainText == "")
        #expect(rendered.links.isEmpty && rendered.headings.isEmpty)
    }
}

/// A document whose tree and HTML outgrow the first block of memory cmark is given for it, so
/// that allocations span several blocks and growing buffers are copied between them: the HTML
/// must be exactly the one paragraph's HTML, repeated.
@Test func aDocumentLargerThanItsFirstArenaBlockRendersWhole() throws {
    let paragraph = "Some *text* ~~old~~ www.example.org `code` [a](https://a.example/) 대전.\n\n"
    let single = try render(paragraph).html
    let count = 5_000
    let html = try render(String(repeating: paragraph, count: count)).html
    #expect(html == String(repeating: single, count: count))
    // Several nodes for every four bytes: far more tree than the first block is sized for.
    let emphases = 50_000
    let dense = try render(String(repeating: "*a* ", count: emphases)).html
    #expect(dense == "<p>" + String(repeating: "<em>a</em> ", count: emphases - 1) + "<em>a</em></p>\n")
}

/// The preview server hands freed memory back after each rebuild; glibc keeps freed blocks that
/// lie between blocks still in use, resident, until asked.
@Test(
    .disabled(
        if: runsUnderASanOrTSan,
        "the sanitizer's allocator stands in for glibc's and keeps freed memory for itself"))
func freedMemoryGoesBackToTheSystem() throws {
    #if os(Linux)
        let blockSize = 4_000
        let blocks = (0..<50_000).map { _ in
            let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 8)
            block.initializeMemory(as: UInt8.self, repeating: 1, count: blockSize)
            return block
        }
        // Every sixteenth block stays, so that the freed ones cannot merge into the top of the
        // heap, which glibc gives back by itself.
        for (index, block) in blocks.enumerated() where index % 16 != 0 { block.deallocate() }
        let residentAfterFree = try residentBytes()
        returnFreedMemoryToTheSystem()
        let residentAfterReturn = try residentBytes()
        for (index, block) in blocks.enumerated() where index % 16 == 0 { block.deallocate() }
        // 187 MB were freed; most of it lies in whole pages.
        #expect(residentAfterFree - residentAfterReturn > 100_000_000)
    #endif
}

private let runsUnderASanOrTSan: Bool = {
    #if os(Linux)
        return dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil
    #else
        return false
    #endif
}()

private func residentBytes() throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
    let kilobytes = try #require(Int(line.split(separator: " ")[1]))
    return kilobytes * 1024
}
