import Markdown
import Testing

@Test func placeholderMarkdownLoads() {}
