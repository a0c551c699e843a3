import Foundation
import Markdown

/// `Tests/Fixtures/markdown`, found from this file's path.
let markdownFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/markdown")

func render(
    _ markdown: String,
    unsafeHTML: Bool = false,
    path: String = "content/page.md",
    firstLine: Int = 1,
    resolveLink: (MarkdownLink) -> LinkDecision = { _ in .keep }
) throws -> RenderedMarkdown {
    try MarkdownRenderer(options: MarkdownOptions(unsafeHTML: unsafeHTML))
        .render(markdown, path: path, firstLine: firstLine, resolveLink: resolveLink)
}

/// `line:column` of every link, the form the position tests compare.
func positions(_ rendered: RenderedMarkdown) -> [String] {
    rendered.links.map { "\($0.location.line):\($0.location.column) \($0.destination)" }
}
