import Foundation
import PreviewServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A deliberately small HTTP/1.1 client over a plain TCP socket: it sends the request target
/// byte for byte (URL types would normalise away the `..` and `%2e%2e` the tests must send) and
/// reads the raw answer. Blocking socket calls run on their own thread, never on the cooperative
/// pool the server's handlers need.
struct HTTPResult: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

/// Runs blocking work on a fresh thread and awaits it.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}

/// A connected TCP socket to 127.0.0.1.
final class TestSocket: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int, receiveTimeout seconds: Int = 10) throws {
        #if canImport(Glibc)
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestClientError(description: "socket() failed") }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestClientError(description: "connect to port \(port) failed: errno \(errno)")
        }
    }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)
        while !bytes.isEmpty {
            let sent = Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL))
            guard sent > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
            bytes.removeFirst(sent)
        }
    }

    /// Some bytes, or nil at the end of the stream; throws on a time-out.
    func receive() throws -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count == 0 { return nil }
        guard count > 0 else { throw TestClientError(description: "receive failed or timed out: errno \(errno)") }
        return Data(buffer[0..<count])
    }

    func closeNow() {
        close(descriptor)
    }

    /// Closes with a reset instead of the orderly end of stream: what the server sees when a
    /// browser is killed or the network drops.
    func resetNow() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(descriptor)
    }

    static func requestText(method: String, target: String, port: Int, headers: [String: String]) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            text += "\(name): \(value)\r\n"
        }
        return text + "\r\n"
    }
}

/// Sends one GET request with `Connection: close` and reads the whole answer.
func httpRequest(_ target: String, port: Int, headers: [String: String] = [:]) async throws -> HTTPResult {
    try await httpRequest("GET", target, port: port, headers: headers)
}

func httpRequest(
    _ method: String, _ target: String, port: Int, headers: [String: String] = [:]
) async throws -> HTTPResult {
    try await onOwnThread {
        let socket = try TestSocket(port: port)
        defer { socket.closeNow() }
        var allHeaders = headers
        allHeaders["Connection"] = "close"
        try socket.send(TestSocket.requestText(method: method, target: target, port: port, headers: allHeaders))
        var raw = Data()
        while let bytes = try socket.receive() {
            raw.append(bytes)
        }
        return try parseResponse(raw)
    }
}

func parseResponse(_ raw: Data) throws -> HTTPResult {
    guard let end = raw.range(of: Data("\r\n\r\n".utf8)) else {
        throw TestClientError(description: "no complete response head in \(String(decoding: raw, as: UTF8.self))")
    }
    let head = String(decoding: raw[raw.startIndex..<end.lowerBound], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
        throw TestClientError(description: "bad status line in \(head)")
    }
    let headers = lines.compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    var body = Data(raw[end.upperBound...])
    if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
        body = dechunk(body).data
    }
    return HTTPResult(status: status, headers: headers, body: body)
}

/// The payload of a chunked body so far, and whether its last chunk arrived.
func dechunk(_ body: Data) -> (data: Data, complete: Bool) {
    var data = Data()
    var index = body.startIndex
    while let lineEnd = body[index...].range(of: Data("\r\n".utf8)) {
        let sizeText = String(decoding: body[index..<lineEnd.lowerBound], as: UTF8.self)
        guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { break }
        if size == 0 { return (data, true) }
        let start = lineEnd.upperBound
        guard body.distance(from: start, to: body.endIndex) >= size + 2 else { break }
        let stop = body.index(start, offsetBy: size)
        data.append(body[start..<stop])
        index = body.index(stop, offsetBy: 2)
    }
    return (data, false)
}

/// A live-reload connection: reads server-sent events as they come.
final class EventStreamClient: @unchecked Sendable {
    private let socket: TestSocket
    private var raw = Data()
    private var consumedEvents = 0
    let status: Int

    private init(socket: TestSocket, status: Int, rest: Data) {
        self.socket = socket
        self.status = status
        self.raw = rest
    }

    static func connect(port: Int, build: String?) async throws -> EventStreamClient {
        try await onOwnThread {
            let socket = try TestSocket(port: port)
            let target = LiveReloadPaths.events + (build.map { "?build=\($0)" } ?? "")
            try socket.send(TestSocket.requestText(method: "GET", target: target, port: port, headers: [:]))
            var raw = Data()
            while raw.range(of: Data("\r\n\r\n".utf8)) == nil {
                guard let bytes = try socket.receive() else { throw TestClientError(description: "closed early") }
                raw.append(bytes)
            }
            let end = raw.range(of: Data("\r\n\r\n".utf8))!
            let head = try parseResponse(Data(raw[..<end.upperBound]))
            return EventStreamClient(socket: socket, status: head.status, rest: Data(raw[end.upperBound...]))
        }
    }

    /// The next event not yet returned, as (name, data); waits for it up to the socket's time-out.
    func nextEvent() async throws -> (name: String, data: String) {
        try await onOwnThread { [self] in
            while true {
                let events = parsedEvents()
                if events.count > consumedEvents {
                    consumedEvents += 1
                    return events[consumedEvents - 1]
                }
                guard let bytes = try socket.receive() else { throw TestClientError(description: "stream ended") }
                raw.append(bytes)
            }
        }
    }

    /// Whether the server has ended the stream (reads until the end or a time-out).
    func waitForEnd() async throws -> Bool {
        try await onOwnThread { [self] in
            while let bytes = try socket.receive() {
                raw.append(bytes)
            }
            return true
        }
    }

    private func parsedEvents() -> [(name: String, data: String)] {
        let text = String(decoding: dechunk(raw).data, as: UTF8.self)
        var events: [(String, String)] = []
        for block in text.components(separatedBy: "\n\n").dropLast() {
            var name = "message"
            var data = ""
            var hasData = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") {
                    data = String(line.dropFirst(6))
                    hasData = true
                }
            }
            if hasData { events.append((name, data)) }
        }
        return events
    }

    func close() {
        socket.closeNow()
    }

    func reset() {
        socket.resetNow()
    }
}

enum LiveReloadPaths {
    static let events = "/__bridgehead/events"
}

/// Starts a server on a free loopback port, runs `body` with the port, then stops the server.
func withServer(
    _ server: PreviewServer, _ body: @Sendable (Int) async throws -> Void
) async throws {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let running = Task {
        defer { portContinuation.finish() }
        try await server.run { port in portContinuation.yield(port) }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        try await running.value
        throw TestClientError(description: "the server stopped before listening")
    }
    do {
        try await body(port)
    } catch {
        running.cancel()
        _ = try? await running.value
        throw error
    }
    running.cancel()
    try await running.value
}

/// The build id a served page carries in its live-reload script tag.
func buildID(in html: String) -> String? {
    guard let start = html.range(of: "data-build=\"") else { return nil }
    let rest = html[start.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}
