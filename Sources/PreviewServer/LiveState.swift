import Foundation

/// A value behind a lock, for state shared between request handlers and the rebuild loop.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// The snapshot being served, the id of the build it stands for, and the open event streams.
///
/// Swapping the snapshot and taking the list of open pages to tell happen under one lock, and a
/// new stream registers under the same lock, so a page can never miss the event for a build
/// newer than the one it was served from: a stream registered before the swap is on the list,
/// one registered after it is told by `subscribe` itself.
///
/// Events are sent after the lock is let go. `yield` resumes the task reading the stream, which
/// takes that task's status lock; a task being cancelled holds its status lock while it runs the
/// stream's `onTermination`, which takes this lock to unregister: sent under the lock, the two
/// deadlocked (`eventStreamsResetByTheirPagesLeaveNothingBehind` hung a full test run on the
/// loaded machine on 2026-12-03; the stacks showed one thread in each lock, waiting for the other).
final class LiveState: Sendable {
    private struct Inner {
        var snapshot: SiteSnapshot
        var generation: Int
        var clients: [Int: AsyncStream<LiveEvent>.Continuation] = [:]
        var nextClientID = 0
    }

    /// Tells builds of different server runs apart, so a page left open across a restart reloads.
    private let instance = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private let inner: Locked<Inner>
    /// Keeps publishers in order; the comparison of two builds happens under this lock only.
    private let publishing = NSLock()

    init(snapshot: SiteSnapshot) {
        inner = Locked(Inner(snapshot: snapshot, generation: 1))
    }

    var current: (snapshot: SiteSnapshot, build: String) {
        inner.withLock { ($0.snapshot, buildID($0.generation)) }
    }

    var clientCount: Int {
        inner.withLock { $0.clients.count }
    }

    private func buildID(_ generation: Int) -> String {
        "\(instance)-\(generation)"
    }

    /// Swaps in `snapshot` and sends open pages what it means for them. `changedPaths` may say
    /// which output files differ from the served ones when the caller knows; otherwise they are
    /// compared here, outside the lock requests take. Returns the event sent, if any: a good
    /// build that changes nothing sends none.
    @discardableResult
    func publish(_ snapshot: SiteSnapshot, changedPaths: [String]? = nil) -> LiveEvent? {
        publishing.lock()
        defer { publishing.unlock() }
        let previous = inner.withLock { $0.snapshot }
        enum Kind { case errors, reload, css, nothing }
        let kind: Kind
        if !snapshot.errors.isEmpty {
            kind = .errors
        } else if !previous.errors.isEmpty || previous.basePath != snapshot.basePath {
            kind = .reload
        } else {
            let changed = changedPaths ?? snapshot.changedPaths(since: previous)
            kind =
                changed.isEmpty ? .nothing : changed.allSatisfy { $0.lowercased().hasSuffix(".css") } ? .css : .reload
        }
        let overlay = kind == .errors ? LiveReload.overlay(for: snapshot.errors) : ""
        let sent: (event: LiveEvent, to: [AsyncStream<LiveEvent>.Continuation])? = inner.withLock { inner in
            inner.snapshot = snapshot
            if kind == .nothing { return nil }
            inner.generation += 1
            let build = buildID(inner.generation)
            let event: LiveEvent =
                switch kind {
                case .errors: .errors(build: build, html: overlay)
                case .css: .css(build: build)
                case .reload, .nothing: .reload(build: build)
                }
            return (event, Array(inner.clients.values))
        }
        guard let sent else { return nil }
        for continuation in sent.to { continuation.yield(sent.event) }
        return sent.event
    }

    /// Opens an event stream for a page served from `pageBuild`. The stream starts with `reload`
    /// when that is not the current build; it ends when `closeAllClients` is called, and its
    /// registration goes away as soon as its reader stops.
    func subscribe(pageBuild: String?) -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream<LiveEvent>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let current = inner.withLock { inner in
            let id = inner.nextClientID
            inner.nextClientID += 1
            inner.clients[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.inner.withLock { _ = $0.clients.removeValue(forKey: id) }
            }
            return buildID(inner.generation)
        }
        if let pageBuild, pageBuild != current {
            continuation.yield(.reload(build: current))
        }
        return stream
    }

    func closeAllClients() {
        let continuations = inner.withLock { $0.clients.values }
        for continuation in continuations {
            continuation.finish()
        }
    }
}
