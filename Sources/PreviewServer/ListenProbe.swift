import Diagnostics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Binds a throwaway socket the way the server will (with `SO_REUSEADDR`), so that a busy port or
/// an address this machine does not have is reported as the user's mistake, naming the address,
/// instead of as an error from deep inside the networking library.
enum ListenProbe {
    static func check(host: String, port: Int) throws(Diagnostic) {
        guard (0...65535).contains(port) else {
            throw Diagnostic(
                at: nil, "port \(port) is out of range", hint: "use a port from 1 to 65535, or 0 for any free one")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let address = found else {
            throw Diagnostic(
                at: nil, "cannot listen on \(host):\(port): unknown host '\(host)'",
                hint: "use an address of this machine, such as 127.0.0.1")
        }
        defer { freeaddrinfo(found) }
        let socketFD = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard socketFD >= 0 else { return }
        defer { close(socketFD) }
        var yes: Int32 = 1
        _ = setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(socketFD, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 else { return }
        let code = errno
        switch code {
        case EADDRINUSE:
            throw Diagnostic(
                at: nil, "port \(port) on \(host) is already in use",
                hint: "stop the program using it, or choose another port with --port (0 picks a free one)")
        case EACCES:
            throw Diagnostic(
                at: nil, "not allowed to listen on port \(port) of \(host)",
                hint: "ports below 1024 need privileges; choose another port with --port")
        case EADDRNOTAVAIL:
            throw Diagnostic(
                at: nil, "cannot listen on \(host):\(port): this machine has no such address",
                hint: "use an address of this machine, such as 127.0.0.1")
        default:
            throw Diagnostic(at: nil, "cannot listen on \(host):\(port): \(String(cString: strerror(code)))")
        }
    }
}
