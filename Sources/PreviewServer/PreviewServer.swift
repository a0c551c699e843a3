import Diagnostics
import Foundation
import Hummingbird
import Logging

/// The HTTP side of `bridgehead serve`: serves the current `SiteSnapshot` with live reload.
///
/// `run` serves until its task is cancelled; `publish` swaps in a new snapshot at any time and
/// tells open pages (reload, swap stylesheets, or show the error overlay).
public final class PreviewServer: Sendable {
    public let host: String
    public let port: Int
    private let live: LiveState

    public init(host: String = "127.0.0.1", port: Int = 4000, snapshot: SiteSnapshot = .empty) {
        self.host = host
        self.port = port
        self.live = LiveState(snapshot: snapshot)
    }

    /// The snapshot being served.
    public var snapshot: SiteSnapshot { live.current.snapshot }

    /// How many pages hold a live-reload connection now.
    public var liveReloadConnections: Int { live.clientCount }

    /// Serves `snapshot` from now on and tells open pages. Pass `changedPaths` (output paths) when
    /// the caller knows them, to spare comparing every file. Returns the name of the event sent to
    /// open pages (`reload`, `css`, `errors`), or nil when the build changed nothing.
    @discardableResult
    public func publish(_ snapshot: SiteSnapshot, changedPaths: [String]? = nil) -> String? {
        live.publish(snapshot, changedPaths: changedPaths)?.name
    }

    /// Listens on `host:port` and serves until the calling task is cancelled. `onListening` gets
    /// the port actually bound (the picked one when `port` is 0) once requests can be made.
    ///
    /// Throws a `Diagnostic` naming the address when it cannot listen (a busy port, say).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try ListenProbe.check(host: host, port: port)
        var logger = Logger(label: "bridgehead.serve")
        logger.logLevel = .critical
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil)
        let requestedPort = port
        let listening = Locked(false)
        let application = Application(
            responder: PreviewResponder(live: live),
            configuration: configuration,
            onServerRunning: { channel in
                listening.withLock { $0 = true }
                await onListening(channel.localAddress?.port ?? requestedPort)
            },
            logger: logger
        )
        let live = self.live
        do {
            try await withTaskCancellationHandler {
                try await application.run()
            } onCancel: {
                // Event streams never end on their own; ending them lets the server stop at once.
                live.closeAllClients()
            }
        } catch {
            if Task.isCancelled { return }
            guard listening.withLock({ $0 }) else {
                throw Diagnostic(at: nil, "cannot listen on \(host):\(port): \(error)")
            }
            throw error
        }
    }
}
