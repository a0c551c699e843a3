import Diagnostics
import Foundation
import LinkChecker
import Testing

/// The external checker against a real HTTP server on 127.0.0.1, started by each test.
@Suite struct ExternalCheckTests {
    /// Answers by path: the behaviours the checker must handle.
    static let script: TestHTTPServer.Script = { request, count in
        switch request.path {
        case "/ok": .init(status: 200)
        case "/missing": .init(status: 404)
        case "/head-not-allowed": .init(status: request.method == "HEAD" ? 405 : 200)
        case "/busy": count == 0 ? .init(status: 429, headers: ["Retry-After": "1"]) : .init(status: 200)
        case "/flaky": count < 2 ? .init(status: 503) : .init(status: 200)
        case "/moved": .init(status: 301, headers: ["Location": "/ok"])
        case "/moved-to-missing": .init(status: 302, headers: ["Location": "/missing"])
        case "/slow": .init(status: 200, delay: 10)
        case let path where path.hasPrefix("/a-moment/"): .init(status: 200, delay: 1)
        default: .init(status: 404)
        }
    }

    func options(_ configure: (inout LinkCheckOptions) -> Void = { _ in }) -> LinkCheckOptions {
        var options = LinkCheckOptions(checkExternal: true, timeout: 5, retries: 2)
        options.retryDelay = 0.2
        configure(&options)
        return options
    }

    func page(linkingTo paths: [String], on server: TestHTTPServer) -> InMemorySiteFiles {
        InMemorySiteFiles(texts: [
            "index.html": paths.map { "<a href=\"\(server.base)\($0)\">x</a>" }.joined(separator: "\n")
        ])
    }

    @Test func eachBehaviour() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let paths = [
            "/ok", "/missing", "/head-not-allowed", "/busy", "/flaky", "/moved", "/moved-to-missing", "/ok#part",
        ]
        let started = Date()
        let report = try await LinkChecker(options: options()).check(page(linkingTo: paths, on: server))
        let seconds = Date().timeIntervalSince(started)
        #expect(
            headlines(report) == [
                "index.html:2:10: error: broken link '\(server.base)/missing': HTTP 404 Not Found",
                "index.html:7:10: error: broken link '\(server.base)/moved-to-missing': "
                    + "HTTP 404 Not Found (redirected to \(server.base)/missing)",
            ])
        #expect(report.linksChecked == 8)
        let log = server.log
        func methods(_ path: String) -> [String] { log.filter { $0.path == path }.map(\.method) }
        #expect(methods("/ok") == ["HEAD", "HEAD"])  // once for /ok, once after the redirect from /moved
        #expect(methods("/missing") == ["HEAD", "GET", "HEAD", "GET"])  // and once more through the redirect
        #expect(methods("/head-not-allowed") == ["HEAD", "GET"])
        #expect(methods("/busy") == ["HEAD", "HEAD"])
        #expect(methods("/flaky") == ["HEAD", "GET", "GET"])
        // Retry-After: 1 was waited for.
        #expect(seconds >= 1)
    }

    @Test func aSlowServerTimesOut() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let started = Date()
        let report = try await LinkChecker(
            options: options {
                $0.timeout = 0.5; $0.retries = 1
            }
        )
        .check(page(linkingTo: ["/slow"], on: server))
        let seconds = Date().timeIntervalSince(started)
        #expect(
            headlines(report) == ["index.html:1:10: error: broken link '\(server.base)/slow': timed out after 0.5 s"])
        // HEAD, then GET, then GET again after the retry delay: each gives up after 0.5 s, long
        // before the server's 10 s.
        #expect(server.log.map(\.method) == ["HEAD", "GET", "GET"])
        // Any attempt that waited for the server would alone take its 10 s; on a loaded machine
        // three 0.5 s timeouts and a retry delay have been seen to take over 8 s.
        #expect(seconds >= 1.5 && seconds < 10)
    }

    @Test func requestsToOneHostAreLimited() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let paths = (1...6).map { "/a-moment/\($0)" }
        let report = try await LinkChecker(options: options { $0.maximumConnectionsPerHost = 3 })
            .check(page(linkingTo: paths, on: server))
        #expect(report.findings.isEmpty)
        #expect(server.log.count == 6)
        #expect(server.mostRequestsInHand == 3)
    }

    @Test func ignorePatternsAreNotRequested() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let report = try await LinkChecker(
            options: options { $0.ignorePatterns = ["/missing$", "^https://nowhere\\."] }
        )
        .check(page(linkingTo: ["/missing", "/ok"], on: server))
        #expect(report.findings.isEmpty)
        #expect(report.linksChecked == 1)
        #expect(report.linksSkipped == 1)
        #expect(server.log.map(\.path) == ["/ok"])
    }

    @Test func eachPlaceOfABrokenURLIsReportedAfterOneRequest() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let report = try await LinkChecker(options: options())
            .check(page(linkingTo: ["/missing", "/missing#a", "/missing"], on: server))
        #expect(report.findings.map(\.location.line) == [1, 2, 3])
        #expect(server.log.map(\.method) == ["HEAD", "GET"])
    }

    @Test func resultsAreCachedUntilTheyAreTooOld() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheFile = folder.appendingPathComponent("cache/external.json").path
        let site = page(linkingTo: ["/ok", "/missing", "/slow"], on: server)
        let cached = options {
            $0.externalCacheFile = cacheFile
            $0.timeout = 0.3
            $0.retries = 0
        }

        let first = try await LinkChecker(options: cached).check(site)
        #expect(first.findings.map(\.reason) == ["HTTP 404 Not Found", "timed out after 0.3 s"])
        #expect(server.log.count == 5)  // HEAD /ok; HEAD, GET /missing; HEAD, GET /slow

        // The timeout is not remembered, so only /slow is asked again.
        let second = try await LinkChecker(options: cached).check(site)
        #expect(second.findings.map(\.reason) == first.findings.map(\.reason))
        #expect(server.log.dropFirst(5).map(\.path) == ["/slow", "/slow"])

        // Remembered results hold while they are young, even when the server changed its mind...
        let json = try String(contentsOfFile: cacheFile, encoding: .utf8)
        #expect(json.contains("\"\(server.base)/missing\""))
        #expect(!json.contains("/slow"))
        let okSite = page(linkingTo: ["/ok", "/missing"], on: server)
        try json.replacingOccurrences(
            of: "\"\(server.base)/ok\" : {", with: "\"\(server.base)/ok\" : {\"broken\" : \"HTTP 410 Gone\","
        )
        .write(toFile: cacheFile, atomically: true, encoding: .utf8)
        let third = try await LinkChecker(options: cached).check(okSite)
        #expect(third.findings.map(\.reason) == ["HTTP 410 Gone", "HTTP 404 Not Found"])
        #expect(server.log.count == 7)

        // ...and are asked again once older than the age limit.
        var expiring = cached
        expiring.externalCacheMaxAge = 0
        let fourth = try await LinkChecker(options: expiring).check(okSite)
        #expect(fourth.findings.map(\.reason) == ["HTTP 404 Not Found"])
        #expect(server.log.dropFirst(7).map(\.path).sorted() == ["/missing", "/missing", "/ok"])
    }

    @Test func anUnreadableCacheIsADiagnostic() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheFile = folder.appendingPathComponent("external.json").path
        try "not json".write(toFile: cacheFile, atomically: true, encoding: .utf8)
        let site = InMemorySiteFiles(texts: ["index.html": "<a href=\"http://127.0.0.1:9/\">x</a>"])
        await #expect(throws: Diagnostic.self) {
            try await LinkChecker(options: options { $0.externalCacheFile = cacheFile }).check(site)
        }
    }

    @Test func externalLinksAreSkippedUnlessAskedFor() async throws {
        let server = try TestHTTPServer(script: Self.script)
        defer { server.stop() }
        let report = try await LinkChecker().check(page(linkingTo: ["/missing"], on: server))
        #expect(report.findings.isEmpty)
        #expect(report.linksSkipped == 1)
        #expect(server.log.isEmpty)
    }
}
