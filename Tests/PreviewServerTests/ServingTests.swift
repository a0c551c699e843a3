import Diagnostics
import Foundation
import PreviewServer
import Testing

let pageHTML =
    "<!doctype html>\n<html lang=\"ko\"><head><title>보스턴</title></head>\n<body><h1>보스턴</h1></body>\n</html>\n"

func sampleSite(basePath: String = "/", with404: Bool = true) -> SiteSnapshot {
    var files: [String: Data] = [
        "index.html": Data(pageHTML.utf8),
        "boston/index.html": Data("<html><body>Boston</body></html>".utf8),
        "boston/labcentral/index.html": Data("<html><BODY>LabCentral</BODY></html>".utf8),
        "css/site.css": Data("body { color: #222; }\n".utf8),
        "js/site.js": Data("console.log(1);\n".utf8),
        "data.json": Data("{\"a\":1}".utf8),
        "feed.xml": Data("<feed/>".utf8),
        "logo.svg": Data("<svg/>".utf8),
        "robots.txt": Data("User-agent: *\n".utf8),
        "img/photo.png": Data([0x89, 0x50, 0x4E, 0x47]),
        "fonts/a.woff2": Data([1, 2, 3]),
        "보스턴/index.html": Data("<p>no body tag</p>".utf8),
        "no-extension": Data("raw".utf8),
    ]
    if with404 {
        files["404.html"] = Data("<html><body>Not here</body></html>".utf8)
    }
    return SiteSnapshot(files: files, basePath: basePath)
}

/// `html` as served: the live-reload script tag inserted before `</body>` (or appended).
func injected(_ html: String, build: String) -> String {
    let tag = "<script src=\"/__bridgehead/live.js\" data-build=\"\(build)\"></script>\n"
    guard let range = html.range(of: "</body>", options: [.backwards, .caseInsensitive]) else { return html + tag }
    return html.replacingCharacters(in: range.lowerBound..<range.lowerBound, with: tag)
}

@Suite struct ServingTests {
    @Test func servesEachFileWithItsContentType() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            let expected: [(String, String)] = [
                ("/css/site.css", "text/css; charset=utf-8"),
                ("/js/site.js", "text/javascript; charset=utf-8"),
                ("/data.json", "application/json; charset=utf-8"),
                ("/feed.xml", "application/xml; charset=utf-8"),
                ("/logo.svg", "image/svg+xml; charset=utf-8"),
                ("/robots.txt", "text/plain; charset=utf-8"),
                ("/img/photo.png", "image/png"),
                ("/fonts/a.woff2", "font/woff2"),
                ("/no-extension", "application/octet-stream"),
                ("/", "text/html; charset=utf-8"),
            ]
            for (path, contentType) in expected {
                let response = try await httpRequest(path, port: port)
                #expect(response.status == 200, "\(path)")
                #expect(response.header("Content-Type") == contentType, "\(path)")
            }
            let css = try await httpRequest("/css/site.css", port: port)
            #expect(css.text == "body { color: #222; }\n")
            #expect(css.header("Content-Length") == "22")
            #expect(css.header("Cache-Control") == "no-cache")
            let png = try await httpRequest("/img/photo.png", port: port)
            #expect(png.body == Data([0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test func injectsTheLiveReloadScriptIntoHTMLOnly() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            let home = try await httpRequest("/", port: port)
            let build = try #require(buildID(in: home.text))
            #expect(home.text == injected(pageHTML, build: build))
            let upperCase = try await httpRequest("/boston/labcentral/", port: port)
            #expect(upperCase.text == injected("<html><BODY>LabCentral</BODY></html>", build: build))
            let noBody = try await httpRequest("/%EB%B3%B4%EC%8A%A4%ED%84%B4/", port: port)
            #expect(noBody.status == 200)
            #expect(noBody.text == injected("<p>no body tag</p>", build: build))
            let script = try await httpRequest("/__bridgehead/live.js", port: port)
            #expect(script.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.text.contains("new EventSource(\"/__bridgehead/events?build=\""))
            let css = try await httpRequest("/css/site.css", port: port)
            #expect(!css.text.contains("script"))
        }
    }

    @Test func answersAMatchingETagWith304() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            for path in ["/css/site.css", "/"] {
                let first = try await httpRequest(path, port: port)
                let tag = try #require(first.header("ETag"))
                #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
                let again = try await httpRequest(path, port: port, headers: ["If-None-Match": tag])
                #expect(again.status == 304)
                #expect(again.body.isEmpty)
                #expect(again.header("ETag") == tag)
                let weak = try await httpRequest(path, port: port, headers: ["If-None-Match": "\"other\", W/\(tag)"])
                #expect(weak.status == 304)
                let other = try await httpRequest(path, port: port, headers: ["If-None-Match": "\"other\""])
                #expect(other.status == 200)
                #expect(other.body == first.body)
            }
        }
    }

    @Test func theETagChangesWithTheContent() async throws {
        let server = PreviewServer(port: 0, snapshot: sampleSite())
        try await withServer(server) { port in
            let before = try await httpRequest("/css/site.css", port: port)
            var files = sampleSite().files
            files["css/site.css"] = Data("body { color: red; }\n".utf8)
            server.publish(SiteSnapshot(files: files))
            let tag = try #require(before.header("ETag"))
            let after = try await httpRequest("/css/site.css", port: port, headers: ["If-None-Match": tag])
            #expect(after.status == 200)
            #expect(after.text == "body { color: red; }\n")
            #expect(after.header("ETag") != tag)
        }
    }

    @Test func headSendsTheHeadersWithoutTheBody() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            for path in ["/css/site.css", "/", "/missing"] {
                let get = try await httpRequest(path, port: port)
                let head = try await httpRequest("HEAD", path, port: port)
                #expect(head.status == get.status, "\(path)")
                #expect(head.body.isEmpty, "\(path)")
                #expect(head.header("Content-Length") == String(get.body.count), "\(path)")
                #expect(head.header("Content-Type") == get.header("Content-Type"), "\(path)")
                #expect(head.header("ETag") == get.header("ETag"), "\(path)")
            }
        }
    }

    @Test func refusesOtherMethods() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            let post = try await httpRequest("POST", "/", port: port, headers: ["Content-Length": "0"])
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD")
        }
    }

    @Test func redirectsAFolderToItsSlashKeepingTheQuery() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            try await expectRedirect("/boston", port: port, status: 301, to: "/boston/")
            try await expectRedirect(
                "/boston/labcentral?lang=en&x=%20y", port: port, status: 301, to: "/boston/labcentral/?lang=en&x=%20y")
            try await expectRedirect(
                "/%EB%B3%B4%EC%8A%A4%ED%84%B4", port: port, status: 301, to: "/%EB%B3%B4%EC%8A%A4%ED%84%B4/")
            let folder = try await httpRequest("/boston/", port: port)
            #expect(folder.status == 200)
            #expect(folder.text.hasPrefix("<html><body>Boston<script"))
            let indexFile = try await httpRequest("/boston/index.html", port: port)
            #expect(indexFile.body == folder.body)
        }
    }

    @Test func unknownPathsGetTheSites404Page() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite())) { port in
            for path in ["/nowhere", "/boston/nowhere/", "/css/site.css/", "/css/"] {
                let response = try await httpRequest(path, port: port)
                #expect(response.status == 404, "\(path)")
                #expect(response.header("Content-Type") == "text/html; charset=utf-8")
                #expect(response.text.hasPrefix("<html><body>Not here<script src=\"/__bridgehead/live.js\""))
            }
        }
    }

    @Test func unknownPathsGetPlainTextWithoutA404Page() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite(with404: false))) { port in
            let response = try await httpRequest("/nowhere", port: port)
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.text == "404 Not Found\n")
        }
    }

    @Test func noSpellingOfAPathLeavesTheSite() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite(basePath: "/portal/"))) { port in
            let rejected = [
                "/portal/../portal/index.html",
                "/portal/boston/../../secret",
                "/portal/%2e%2e/portal/index.html",
                "/portal/%2E%2E/",
                "/portal/.%2e/index.html",
                "/portal/boston%2f..%2f..%2fsecret",
                "/portal/boston%2Findex.html",
                "/portal/boston%5cindex.html",
                "/portal/boston\\index.html",
                "/portal/index.html%00",
                "/portal/%00/index.html",
                "/portal/%0a",
                "/portal/%zz",
                "/portal/%e",
                "/portal/%C3%28",
                "portal/index.html",
                "*",
            ]
            for target in rejected {
                let response = try await httpRequest(target, port: port)
                #expect(response.status == 400, "\(target) gave \(response.status)")
                #expect(!response.text.contains("Boston"), "\(target)")
            }
            let normalised = try await httpRequest("/portal/./boston//index.html", port: port)
            #expect(normalised.status == 200)
            let outside = try await httpRequest("/index.html", port: port)
            #expect(outside.status == 404)
        }
    }

    @Test func servesUnderTheSitesBasePath() async throws {
        try await withServer(PreviewServer(port: 0, snapshot: sampleSite(basePath: "portal"))) { port in
            let home = try await httpRequest("/portal/", port: port)
            #expect(home.status == 200)
            #expect(home.text.hasPrefix("<!doctype html>"))
            try await expectRedirect("/", port: port, status: 302, to: "/portal/")
            try await expectRedirect("/portal", port: port, status: 301, to: "/portal/")
            try await expectRedirect("/portal/boston", port: port, status: 301, to: "/portal/boston/")
            let css = try await httpRequest("/portal/css/site.css", port: port)
            #expect(css.status == 200)
            let outside = try await httpRequest("/css/site.css", port: port)
            #expect(outside.status == 404)
            #expect(outside.text.hasPrefix("<html><body>Not here"))
        }
    }

    @Test func aBusyPortIsAnErrorNamingIt() async throws {
        let first = PreviewServer(port: 0, snapshot: sampleSite())
        try await withServer(first) { port in
            let second = PreviewServer(host: "127.0.0.1", port: port, snapshot: sampleSite())
            do {
                try await second.run()
                Issue.record("the second server started on a busy port")
            } catch let diagnostic as Diagnostic {
                #expect(diagnostic.message == "port \(port) on 127.0.0.1 is already in use")
                #expect(diagnostic.hint?.contains("--port") == true)
            }
        }
    }

    @Test func anUnknownHostIsAnError() async throws {
        let server = PreviewServer(host: "no-such-host.invalid", port: 0)
        await #expect(throws: Diagnostic.self) { try await server.run() }
    }
}

func expectRedirect(
    _ target: String, port: Int, status: Int, to location: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws {
    let response = try await httpRequest(target, port: port)
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.header("Location") == location, sourceLocation: sourceLocation)
}
