import Diagnostics
import Foundation
import PreviewServer
import Testing

/// A very small site builder for driving a session with real files: `content/<name>.md` becomes
/// `<name>/index.html` with the text in its body, `templates/site.css` becomes `site.css`, and a
/// line containing `{% broken` is an error at its place, as a template error would be.
struct TinyRenderer: SiteRendering {
    let source: URL

    func render(changedSources: [String]?, origin: String) async throws -> RenderedSite {
        var files: [String: Data] = [:]
        var errors: [Diagnostic] = []
        let manager = FileManager.default
        let content = source.appendingPathComponent("content")
        for name in try manager.contentsOfDirectory(atPath: content.path).sorted() where name.hasSuffix(".md") {
            let path = "content/" + name
            let text = try String(contentsOf: content.appendingPathComponent(name), encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let range = line.range(of: "{% broken") {
                    let column = line.unicodeScalars.distance(from: line.startIndex, to: range.lowerBound) + 1
                    errors.append(
                        Diagnostic(
                            at: SourceLocation(file: path, line: index + 1, column: column), "unknown tag 'broken'",
                            sourceLine: String(line)))
                }
            }
            let page = name.dropLast(3)
            let key = page == "index" ? "index.html" : "\(page)/index.html"
            files[key] = Data(
                "<html><head><link rel=\"stylesheet\" href=\"/site.css\"></head><body>\(text)</body></html>".utf8)
        }
        files["site.css"] = manager.contents(atPath: source.appendingPathComponent("templates/site.css").path)
        if !errors.isEmpty { throw DiagnosticList(errors) }
        return RenderedSite(files: files, summary: "built \(files.count) files")
    }
}

/// Records what each build was told, and takes its time about the second one.
final class RecordingRenderer: SiteRendering, @unchecked Sendable {
    let inner: TinyRenderer
    private let lock = NSLock()
    private var calls: [[String]?] = []
    private var holdingSecondRender = true

    init(source: URL) {
        inner = TinyRenderer(source: source)
    }

    var changes: [[String]?] {
        lock.lock()
        defer { lock.unlock() }
        return calls
    }

    private func record(_ changedSources: [String]?) -> Int {
        lock.lock()
        defer { lock.unlock() }
        calls.append(changedSources)
        return calls.count
    }

    /// Lets the second render finish; until then it waits, so edits made meanwhile pile up
    /// however slowly the machine runs.
    func releaseSecondRender() {
        lock.lock()
        defer { lock.unlock() }
        holdingSecondRender = false
    }

    private var secondRenderHeld: Bool {
        lock.lock()
        defer { lock.unlock() }
        return holdingSecondRender
    }

    func render(changedSources: [String]?, origin: String) async throws -> RenderedSite {
        if record(changedSources) == 2 {
            while secondRenderHeld { try await Task.sleep(for: .milliseconds(10)) }
        }
        return try await inner.render(changedSources: changedSources, origin: origin)
    }
}

final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return lines.joined(separator: "\n")
    }

    var terminal: PreviewSession.Terminal {
        PreviewSession.Terminal(output: { self.append($0) }, errors: { self.append($0) })
    }
}

@Suite struct PreviewSessionTests {
    @Test func editsReloadBreakagesShowTheOverlayAndFixesClearIt() async throws {
        let site = try TemporarySite()
        try site.write("content/index.md", "Hello")
        try site.write("templates/site.css", "body { color: black; }")
        let transcript = Transcript()
        let session = PreviewSession(
            source: site.root, port: 0, renderer: TinyRenderer(source: site.root), terminal: transcript.terminal)
        let running = Task { try await session.run() }
        defer { running.cancel() }
        try await waitUntil { transcript.text.contains("Serving ") }
        let port = try #require(Int(transcript.text.split(separator: ":").last?.prefix { $0.isNumber } ?? ""))
        #expect(transcript.text.contains("at http://127.0.0.1:\(port)/ (built 3 files; Ctrl-C stops)"))

        let (_, events) = try await openPage(port: port, server: session.server)
        defer { events.close() }

        try site.write("content/index.md", "Hello, edited")
        #expect(try await events.nextEvent().name == "reload")
        #expect(try await httpRequest("/", port: port).text.contains("<body>Hello, edited<script"))

        try site.write("templates/site.css", "body { color: red; }")
        #expect(try await events.nextEvent().name == "css")
        try await waitUntil {
            transcript.text.contains("templates/site.css changed: built 3 files; stylesheets swapped")
        }
        #expect(try await httpRequest("/site.css", port: port).text == "body { color: red; }")

        try site.write("content/index.md", "Hello\n  {% broken <x> %}")
        #expect(try await events.nextEvent().name == "errors")
        let broken = try await httpRequest("/", port: port)
        #expect(broken.text.contains("<body>Hello, edited"))
        #expect(
            broken.text.contains(
                "content/index.md:2:3: error: unknown tag &#39;broken&#39;\n 2 |   {% broken &lt;x&gt; %}"))
        try await waitUntil { transcript.text.contains("content/index.md:2:3: error: unknown tag 'broken'") }
        try await waitUntil { transcript.text.contains("content/index.md changed: build failed with 1 error in") }

        try site.write("content/index.md", "Hello, fixed")
        #expect(try await events.nextEvent().name == "reload")
        let fixed = try await httpRequest("/", port: port)
        #expect(fixed.text.contains("<body>Hello, fixed<script"))
        #expect(!fixed.text.contains("__bridgehead-overlay"))
        running.cancel()
        try await running.value
    }

    /// The real builder on the fixture site (base path `/portal/`), from memory.
    @Test func servesARealSiteAndFollowsItsEdits() async throws {
        let site = try TemporarySite(copyingFixture: "full")
        let transcript = Transcript()
        let session = PreviewSession(
            source: site.root, port: 0, renderer: SiteBuilderRendering(source: site.root),
            terminal: transcript.terminal)
        let running = Task { try await session.run() }
        defer { running.cancel() }
        try await waitUntil { transcript.text.contains("Serving ") }
        let port = try #require(Int(transcript.text.split(separator: ":").last?.prefix { $0.isNumber } ?? ""))
        #expect(transcript.text.contains("at http://127.0.0.1:\(port)/portal/ (built "))
        let pagePath = "/portal/boston/labcentral/"
        let page = try await httpRequest(pagePath, port: port)
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>랩센트럴</h1>"))
        #expect(page.text.contains("<p class=\"permalink\">http://127.0.0.1:\(port)\(pagePath)</p>"))
        let tag = try await httpRequest("/portal/tags/%EB%B0%94%EC%9D%B4%EC%98%A4/", port: port)
        #expect(tag.status == 200)
        #expect(try await httpRequest("/", port: port).status == 302)

        let (_, events) = try await openPage(pagePath, port: port, server: session.server)
        defer { events.close() }
        let markdown = try site.read("content/boston/labcentral.md")
        try site.write("content/boston/labcentral.md", markdown.replacingOccurrences(of: "장비를 빌려", with: "장비를 새로 빌려"))
        #expect(try await events.nextEvent().name == "reload")
        #expect(try await httpRequest(pagePath, port: port).text.contains("장비를 새로 빌려 줍니다."))

        let layout = try site.read("templates/layouts/page.liquid")
        try site.write("templates/layouts/page.liquid", layout + "{% if %}\n")
        #expect(try await events.nextEvent().name == "errors")
        let broken = try await httpRequest(pagePath, port: port)
        #expect(broken.text.contains("장비를 새로 빌려 줍니다."))
        #expect(broken.text.contains("templates/layouts/page.liquid:19:1: error: "))
        try await waitUntil {
            transcript.text.contains("templates/layouts/page.liquid changed: build failed with 1 error")
        }

        try site.write("templates/layouts/page.liquid", layout)
        #expect(try await events.nextEvent().name == "reload")
        let fixed = try await httpRequest(pagePath, port: port)
        #expect(!fixed.text.contains("__bridgehead-overlay"))
        #expect(fixed.text.contains("장비를 새로 빌려 줍니다."))
        #expect(!FileManager.default.fileExists(atPath: site.url("public").path))
        running.cancel()
        try await running.value
    }

    @Test func changesDuringARebuildAreMergedIntoTheNextOne() async throws {
        let site = try TemporarySite()
        try site.write("content/index.md", "Hello")
        let renderer = RecordingRenderer(source: site.root)
        let transcript = Transcript()
        let session = PreviewSession(source: site.root, port: 0, renderer: renderer, terminal: transcript.terminal)
        let running = Task { try await session.run() }
        defer { running.cancel() }
        try await waitUntil { transcript.text.contains("Serving ") }
        try site.write("content/a.md", "A")
        try await waitUntil { renderer.changes.count == 2 }
        for name in ["b", "c", "d"] {
            try site.write("content/\(name).md", name)
            try await Task.sleep(for: .milliseconds(120))
        }
        try await Task.sleep(for: .milliseconds(1000))
        renderer.releaseSecondRender()
        try await waitUntil { renderer.changes.count == 3 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(renderer.changes == [nil, ["content/a.md"], ["content/b.md", "content/c.md", "content/d.md"]])
        running.cancel()
        try await running.value
    }

    @Test func aBusyPortStopsTheSessionWithItsError() async throws {
        let site = try TemporarySite()
        try await withServer(PreviewServer(port: 0)) { port in
            let session = PreviewSession(
                source: site.root, port: port, renderer: TinyRenderer(source: site.root),
                terminal: Transcript().terminal)
            await #expect(throws: Diagnostic.self) { try await session.run() }
        }
    }
}
