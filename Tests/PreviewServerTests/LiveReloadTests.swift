import Diagnostics
import Foundation
import PreviewServer
import Testing

func brokenTemplateError() -> Diagnostic {
    Diagnostic(
        at: SourceLocation(file: "templates/layouts/page.liquid", line: 3, column: 9),
        "unknown tag 'endfor'", hint: "close the {% if %} opened on line 2 first",
        sourceLine: "  {% endfor <b>%}")
}

func site(with files: [String: String], basePath: String = "/") -> SiteSnapshot {
    SiteSnapshot(files: files.mapValues { Data($0.utf8) }, basePath: basePath)
}

let homeFiles = [
    "index.html": "<html><head><link rel=\"stylesheet\" href=\"/site.css\"></head><body>Hello</body></html>",
    "site.css": "body { color: black; }",
]

@Suite struct LiveReloadTests {
    @Test func aRebuildSendsReloadToOpenPages() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            let (build, events) = try await openPage(port: port, server: server)
            defer { events.close() }
            #expect(events.status == 200)
            var edited = homeFiles
            edited["index.html"] = "<html><body>Hello again</body></html>"
            #expect(server.publish(site(with: edited)) == "reload")
            let event = try await events.nextEvent()
            #expect(event.name == "reload")
            let reloaded = try await httpRequest("/", port: port)
            let newBuild = try #require(buildID(in: reloaded.text))
            #expect(event.data == "{\"build\":\"\(newBuild)\"}")
            #expect(newBuild != build)
            #expect(reloaded.text.hasPrefix("<html><body>Hello again<script"))
        }
    }

    @Test func aStylesheetOnlyChangeSendsCSS() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            let (_, events) = try await openPage(port: port, server: server)
            defer { events.close() }
            var edited = homeFiles
            edited["site.css"] = "body { color: red; }"
            #expect(server.publish(site(with: edited)) == "css")
            #expect(try await events.nextEvent().name == "css")
            #expect(server.publish(site(with: edited)) == nil)
            edited["new.html"] = "<p>new</p>"
            #expect(server.publish(site(with: edited)) == "reload")
            #expect(try await events.nextEvent().name == "reload")
        }
    }

    @Test func aPageFromAnOlderBuildReloadsAsSoonAsItConnects() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            let build = try #require(buildID(in: try await httpRequest("/", port: port).text))
            var edited = homeFiles
            edited["index.html"] = "<html><body>Edited before the page connected</body></html>"
            server.publish(site(with: edited))
            let events = try await EventStreamClient.connect(port: port, build: build)
            defer { events.close() }
            #expect(try await events.nextEvent().name == "reload")
        }
    }

    @Test func aFailedBuildShowsTheOverlayUntilTheNextGoodOne() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            let (_, events) = try await openPage(port: port, server: server)
            defer { events.close() }

            let failed = server.snapshot.failing(with: [brokenTemplateError()])
            #expect(server.publish(failed) == "errors")
            let event = try await events.nextEvent()
            #expect(event.name == "errors")
            struct Payload: Decodable {
                var build: String
                var html: String
            }
            let payload = try JSONDecoder().decode(Payload.self, from: Data(event.data.utf8))
            #expect(payload.html.contains("id=\"__bridgehead-overlay\""))

            // Every page of the last good build now carries the same overlay, HTML-escaped.
            let page = try await httpRequest("/", port: port)
            #expect(page.status == 200)
            #expect(page.text.hasPrefix("<html><head><link rel=\"stylesheet\" href=\"/site.css\"></head><body>Hello"))
            #expect(page.text.contains(payload.html))
            let expectedError = """
                templates/layouts/page.liquid:3:9: error: unknown tag &#39;endfor&#39;
                 3 |   {% endfor &lt;b&gt;%}
                   |         ^
                  hint: close the {% if %} opened on line 2 first
                """
            #expect(
                page.text.contains(
                    "<li><pre style=\"white-space:pre;overflow-x:auto;margin:0 0 16px\">\(expectedError)</pre></li>"))
            #expect(page.text.contains("Build failed: 1 error."))
            #expect(buildID(in: page.text) == payload.build)
            let missing = try await httpRequest("/nowhere", port: port)
            #expect(missing.status == 404)
            let css = try await httpRequest("/site.css", port: port)
            #expect(css.text == "body { color: black; }")

            var fixed = homeFiles
            fixed["site.css"] = "body { color: red; }"
            #expect(server.publish(site(with: fixed)) == "reload")
            #expect(try await events.nextEvent().name == "reload")
            let clean = try await httpRequest("/", port: port)
            #expect(!clean.text.contains("__bridgehead-overlay"))
        }
    }

    @Test func eventStreamsOfPagesThatLeaveAreCleanedUp() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            for round in 0..<5 {
                let clients = try await connectEventStreams(100, port: port, server: server)
                // Half the rounds drop silently, half after an event has gone out.
                if round.isMultiple(of: 2) {
                    var edited = homeFiles
                    edited["index.html"] = "<html><body>round \(round)</body></html>"
                    server.publish(site(with: edited))
                    for client in clients {
                        #expect(try await client.nextEvent().name == "reload")
                    }
                }
                for client in clients {
                    client.close()
                }
                try await waitUntil { server.liveReloadConnections == 0 }
            }
        }
    }

    @Test func eventStreamsResetByTheirPagesLeaveNothingBehind() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        try await withServer(server) { port in
            for round in 0..<3 {
                for client in try await connectEventStreams(50, port: port, server: server) {
                    client.reset()
                }
                // Published while the resets are still on their way in, so the event is written
                // to streams whose pages are already gone.
                #expect(server.publish(site(with: ["index.html": "<p>round \(round)</p>"])) == "reload")
                try await waitUntil { server.liveReloadConnections == 0 }
            }
            let (_, page) = try await openPage(port: port, server: server)
            defer { page.close() }
            #expect(server.publish(site(with: ["index.html": "<p>after the resets</p>"])) == "reload")
            #expect(try await page.nextEvent().name == "reload")
        }
    }

    @Test func stoppingTheServerEndsOpenEventStreams() async throws {
        let server = PreviewServer(port: 0, snapshot: site(with: homeFiles))
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let running = Task { try await server.run { portContinuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let events = try await EventStreamClient.connect(port: port, build: nil)
        defer { events.close() }
        try await waitUntil { server.liveReloadConnections == 1 }
        let started = ContinuousClock.now
        running.cancel()
        try await running.value
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try await events.waitForEnd())
        await #expect(throws: (any Error).self) { try await httpRequest("/", port: port) }
    }
}

/// Loads a page and connects its event stream, as the injected script does.
func openPage(
    _ path: String = "/", port: Int, server: PreviewServer
) async throws -> (build: String, events: EventStreamClient) {
    let build = try #require(buildID(in: try await httpRequest(path, port: port).text))
    let events = try await EventStreamClient.connect(port: port, build: build)
    try await waitUntil { server.liveReloadConnections == 1 }
    return (build, events)
}

/// `count` event streams of pages served from no known build, once the server has counted them all.
func connectEventStreams(_ count: Int, port: Int, server: PreviewServer) async throws -> [EventStreamClient] {
    var clients: [EventStreamClient] = []
    for _ in 0..<count {
        clients.append(try await EventStreamClient.connect(port: port, build: nil))
    }
    try await waitUntil { server.liveReloadConnections == count }
    return clients
}

/// Polls `condition` every 10 ms for up to 10 s.
func waitUntil(_ condition: () -> Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<1000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not met within 10 s", sourceLocation: sourceLocation)
}
