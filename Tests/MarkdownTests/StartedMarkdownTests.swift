import Foundation
import Markdown
import Synchronization
import Testing

/// Every kind of thing a page's rendering reports: heading ids, links and their positions
/// (CR LF lines, a first line below front matter), footnotes, a table, strikethrough and
/// autolinks (cmark-gfm's special characters), a summary and plain text.
private let documents = (0..<6).map { index in
    """
    ## Section \(index) 대전\r
    \r
    ~~old~~ text www.example\(index).org and https://a.example/\(index) [link](../p\(index).md)\r
    \r
    | a | b |\r
    |:-|-:|\r
    | ~x~ | \(index) |\r
    \r
    - [x] done\(index)[^n]\r
    \r
    ## Section \(index) 대전\r
    \r
    [^n]: note \(index) ![map](m\(index).png)\r

    """
}

private let toPageURL: @Sendable (MarkdownLink) -> LinkDecision = { link in
    .rewrite(link.destination.replacingOccurrences(of: ".md", with: "/"))
}

private func expectSame(_ finished: RenderedMarkdown, _ rendered: RenderedMarkdown) {
    #expect(finished.html == rendered.html)
    #expect(finished.headings == rendered.headings)
    #expect(finished.tableOfContents == rendered.tableOfContents)
    #expect(finished.links == rendered.links)
    #expect(finished.summaryHTML == rendered.summaryHTML)
    #expect(finished.plainText == rendered.plainText)
}

/// Started one after another and finished in the opposite order, as a thread that found the
/// inline parsing taken does, each document renders exactly as `render` renders it.
@Test func startedDocumentsFinishedInAnotherOrderRenderAsRenderDoes() throws {
    let renderer = MarkdownRenderer()
    let rendered = try documents.map {
        try renderer.render($0, path: "content/p.md", firstLine: 4, resolveLink: toPageURL)
    }
    let started = try documents.map { try #require(try renderer.start($0, path: "content/p.md", firstLine: 4)) }
    for index in started.indices.reversed() {
        // finishIfFree gives nil while a test running beside this one holds the inline parsing.
        let finished =
            index.isMultiple(of: 2)
            ? try renderer.finish(started[index], resolveLink: toPageURL)
            : try renderer.finishIfFree(started[index], resolveLink: toPageURL)
                ?? renderer.finish(started[index], resolveLink: toPageURL)
        expectSame(finished, rendered[index])
    }
    #expect(rendered[3].html.contains("<del>old</del>"))
    #expect(rendered[3].html.contains("<a href=\"http://www.example3.org\">"))
    #expect(rendered[3].html.contains("<a href=\"../p3/\">"))
    #expect(rendered[3].headings.map(\.id) == ["section-3-대전", "section-3-대전-1"])
}

@Test func aStartedDocumentReportsTheLinksItFailsAsRenderDoes() throws {
    let renderer = MarkdownRenderer()
    let failPages: (MarkdownLink) -> LinkDecision = { link in
        link.destination.hasSuffix(".md") ? .fail(message: "no such page", hint: "check it") : .keep
    }
    func report(_ body: () throws -> RenderedMarkdown) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }
    let started = try #require(try renderer.start(documents[1], path: "content/p.md", firstLine: 4))
    let finished = report { try renderer.finish(started, resolveLink: failPages) }
    #expect(finished.hasPrefix("content/p.md:6:55: error: no such page"))
    #expect(
        finished
            == report { try renderer.render(documents[1], path: "content/p.md", firstLine: 4, resolveLink: failPages) })
}

/// A document long enough to be cut into pieces is rendered piece by piece by `render`.
@Test func aLongDocumentIsNotStarted() throws {
    let long = String(repeating: "A paragraph of a long page.\n\n", count: (4 << 20) / 29 + 1)
    #expect(try MarkdownRenderer().start(long, path: "content/long.md") == nil)
    #expect(try MarkdownRenderer().start("Short.\n", path: "content/short.md") != nil)
}

/// Threads that each keep several started documents and finish them when the inline parsing is
/// free, as the build's parse stage does, get what one thread rendering alone gets.
@Test func documentsStartedAndFinishedOnManyThreadsRenderAsAlone() throws {
    let renderer = MarkdownRenderer()
    let rendered = try documents.map { try renderer.render($0, path: "content/p.md", resolveLink: toPageURL).html }
    let threads = 8
    let rounds = 25
    let results = Mutex<[Int: String]>([:])
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        var waiting: [(slot: Int, started: StartedMarkdown)] = []
        func finishFree() {
            while let (slot, started) = waiting.first,
                let html = try? renderer.finishIfFree(started, resolveLink: toPageURL)?.html
            {
                results.withLock { $0[slot] = html }
                waiting.removeFirst()
            }
        }
        for round in 0..<rounds {
            for (index, document) in documents.enumerated() {
                let slot = (thread * rounds + round) * documents.count + index
                guard let started = try? renderer.start(document, path: "content/p.md") else { continue }
                waiting.append((slot, started))
                finishFree()
            }
        }
        for (slot, started) in waiting {
            let html = try? renderer.finish(started, resolveLink: toPageURL).html
            results.withLock { $0[slot] = html }
        }
    }
    let all = results.withLock { $0 }
    #expect(all.count == threads * rounds * documents.count)
    for (slot, html) in all {
        #expect(html == rendered[slot % documents.count], "render \(slot)")
    }
}
