import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for the external checker's tests: one thread per
/// connection, one request per connection, each answered by a script from its method, path and
/// how many times the path was asked before. It records every request and the most it had in
/// hand at once.
final class TestHTTPServer: @unchecked Sendable {
    struct Request: Sendable, Equatable {
        var method: String
        var path: String
    }

    struct Response: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body = "ok"
        /// Seconds to wait before answering.
        var delay: TimeInterval = 0
    }

    /// The script: the request, and how many requests for the same path came before it.
    typealias Script = @Sendable (Request, Int) -> Response

    let port: UInt16
    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var requests: [Request] = []
    private var countsByPath: [String: Int] = [:]
    private var inHand = 0
    private var mostInHand = 0
    private var stopped = false

    init(script: @escaping Script) throws {
        self.script = script
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw ServerError.socket("socket") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw ServerError.socket("bind")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    enum ServerError: Error {
        case socket(String)
    }

    /// `http://127.0.0.1:PORT`.
    var base: String { "http://127.0.0.1:\(port)" }

    var log: [Request] { lock.withLock { requests } }

    var mostRequestsInHand: Int { lock.withLock { mostInHand } }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if lock.withLock({ stopped }) { return }
                continue
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let count = lock.withLock {
            requests.append(request)
            inHand += 1
            mostInHand = max(mostInHand, inHand)
            let count = countsByPath[request.path, default: 0]
            countsByPath[request.path] = count + 1
            return count
        }
        let response = script(request, count)
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        // Counted out before the answer leaves, so a client's next request never overlaps it.
        lock.withLock { inHand -= 1 }
        var head = "HTTP/1.1 \(response.status) Scripted\r\nContent-Length: \(response.body.utf8.count)\r\n"
        head += "Connection: close\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        send(connection, head + (request.method == "HEAD" ? "" : response.body))
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while received.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += chunk[..<count]
            if received.count >= 4,
                received.indices.dropLast(3).contains(where: { Array(received[$0..<$0 + 4]) == end })
            {
                break
            }
        }
        let requestLine = String(decoding: received, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        return Request(method: String(parts[0]), path: String(parts[1]))
    }

    private func send(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            // A client that gave up has closed its end: no SIGPIPE for writing to it.
            #if canImport(Glibc)
                let count = bytes[sent...].withUnsafeBytes {
                    Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
            #else
                let count = bytes[sent...].withUnsafeBytes { Darwin.send(connection, $0.baseAddress, $0.count, 0) }
            #endif
            guard count > 0 else { return }
            sent += count
        }
    }
}
