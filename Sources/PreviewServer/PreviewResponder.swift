import Foundation
import Hummingbird

/// Answers every request from the current snapshot (never from the disk), plus the live-reload
/// script and event stream under `/__bridgehead/`.
struct PreviewResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let live: LiveState

    func respond(to request: Request, context: Context) async throws -> Response {
        let isHead = request.method == .head
        guard request.method == .get || isHead else {
            return Self.plain(.methodNotAllowed, "405 Method Not Allowed\n", extra: [.allow: "GET, HEAD"])
        }
        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: request.head.path ?? "")
        } catch {
            return Self.plain(.badRequest, "400 Bad Request: \(error.reason)\n")
        }
        let (snapshot, build) = live.current
        let response: Response
        switch Self.path(of: target) {
        case LiveReload.scriptPath:
            response = file(Data(LiveReload.script.utf8), contentType: ContentType.javaScript, request: request)
        case LiveReload.eventsPath:
            if isHead { return Response(status: .ok, headers: [.contentType: ContentType.eventStream]) }
            return events(for: request, pageBuild: Self.queryValue("build", in: target.query))
        default:
            response = site(target, snapshot: snapshot, build: build, request: request)
        }
        return isHead ? Self.headResponse(response) : response
    }

    /// The file, redirect or 404 for a path inside the site.
    private func site(_ target: RequestTarget, snapshot: SiteSnapshot, build: String, request: Request) -> Response {
        let base = snapshot.basePathSegments
        guard target.segments.starts(with: base) else {
            if target.segments.isEmpty, !base.isEmpty {
                return Self.redirect(to: snapshot.basePath, status: .found)
            }
            return notFound(snapshot: snapshot, build: build, request: request)
        }
        let inside = Array(target.segments.dropFirst(base.count))
        if inside.isEmpty, !base.isEmpty, !target.hasTrailingSlash {
            return Self.redirect(
                to: snapshot.basePath + (target.query.map { "?" + $0 } ?? ""), status: .movedPermanently)
        }
        let key = inside.joined(separator: "/")
        if inside.isEmpty || target.hasTrailingSlash {
            let index = key.isEmpty ? "index.html" : key + "/index.html"
            guard let bytes = snapshot.files[index] else {
                return notFound(snapshot: snapshot, build: build, request: request)
            }
            return page(bytes, path: index, snapshot: snapshot, build: build, request: request)
        }
        if let bytes = snapshot.files[key] {
            return page(bytes, path: key, snapshot: snapshot, build: build, request: request)
        }
        if snapshot.files[key + "/index.html"] != nil {
            let location = RequestTarget.encodedPath(target.segments, trailingSlash: true)
            return Self.redirect(to: location + (target.query.map { "?" + $0 } ?? ""), status: .movedPermanently)
        }
        return notFound(snapshot: snapshot, build: build, request: request)
    }

    private func notFound(snapshot: SiteSnapshot, build: String, request: Request) -> Response {
        guard let bytes = snapshot.files["404.html"] else {
            guard snapshot.errors.isEmpty else {
                // No good build yet: a bare page that still shows the overlay and reloads when fixed.
                var response = page(
                    Self.emptyPage, path: "404.html", snapshot: snapshot, build: build, request: request)
                response.status = .notFound
                return response
            }
            return Self.plain(.notFound, "404 Not Found\n")
        }
        var response = page(bytes, path: "404.html", snapshot: snapshot, build: build, request: request)
        response.status = .notFound
        return response
    }

    private func page(_ bytes: Data, path: String, snapshot: SiteSnapshot, build: String, request: Request) -> Response
    {
        let contentType = ContentType.forPath(path)
        guard contentType == ContentType.html else {
            return file(bytes, contentType: contentType, request: request)
        }
        let served = LiveReload.inject(into: bytes, build: build, errors: snapshot.errors)
        return file(served, contentType: contentType, request: request)
    }

    /// A 200, or a 304 when the client already holds these exact bytes.
    private func file(_ bytes: Data, contentType: String, request: Request) -> Response {
        let tag = Self.entityTag(of: bytes)
        var headers: HTTPFields = [
            .contentType: contentType,
            .eTag: tag,
            // Always revalidate: the ETag makes that cheap, and an edit must show on the next load.
            .cacheControl: "no-cache",
            .contentLength: String(bytes.count),
        ]
        headers[.xContentTypeOptions] = "nosniff"
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, tag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func events(for request: Request, pageBuild: String?) -> Response {
        let stream = live.subscribe(pageBuild: pageBuild)
        let headers: HTTPFields = [.contentType: ContentType.eventStream, .cacheControl: "no-cache"]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // The stream's registration ends with this task: when the page goes away the
                // inbound side closes, which cancels the loop, which terminates the stream.
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
                    for await event in stream {
                        try await writer.write(ByteBuffer(string: event.framed))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// Made for each answer rather than kept: a `Data` in a global is held through a pointer
    /// with enum tag bits in it, which LeakSanitizer cannot see, so every AddressSanitizer run
    /// of the server that answered while its build had failed ended with a leak report and
    /// exit status 1 (`tools/lsan-tagged-enum.swift`). Answered only until the site builds.
    private static var emptyPage: Data { Data("<!doctype html>\n<title>Build failed</title>\n<body>\n</body>\n".utf8) }

    private static func headResponse(_ response: Response) -> Response {
        Response(status: response.status, headers: response.headers)
    }

    private static func path(of target: RequestTarget) -> String {
        RequestTarget.encodedPath(target.segments, trailingSlash: target.hasTrailingSlash)
    }

    private static func queryValue(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first == Substring(name) {
                return parts.count > 1 ? String(parts[1]).removingPercentEncoding : ""
            }
        }
        return nil
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: ContentType.plainText, .cacheControl: "no-cache"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func redirect(to location: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.location: location, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "")))
    }

    /// A strong validator from the bytes actually sent (so it changes when the overlay does).
    static func entityTag(of bytes: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { buffer in
            for byte in buffer {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return "\"\(String(hash, radix: 16))-\(String(bytes.count, radix: 16))\""
    }

    /// `If-None-Match` uses weak comparison (RFC 9110 13.1.2): `*`, or any listed tag equal to
    /// ours once a `W/` prefix is ignored.
    static func matches(_ condition: String, tag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            var candidate = candidate.trimmingCharacters(in: .whitespaces)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == tag
        }
    }
}
