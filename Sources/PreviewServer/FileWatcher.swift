import Diagnostics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Watches a site's sources and reports what changed, in batches.
///
/// Linux inotify when it is available (every folder gets a watch, new folders too), otherwise a
/// polling scan of modification times and sizes. Events are gathered until nothing has happened
/// for `debounce` and no file is still being written (a write is finished when the file is
/// closed), so one save — including an editor's write-to-a-temporary-file-then-rename — gives one
/// batch. Files that appear and disappear within one batch (editor temporaries) are left out;
/// names starting with `.` or ending in `~` (hidden and backup files) are never reported.
public final class FileWatcher: Sendable {
    public enum Mechanism: String, Sendable {
        case inotify
        case polling
    }

    public struct Options: Sendable {
        /// How long nothing must happen before a batch is reported. Short: the events of one save
        /// come within a millisecond or two, and a file still open for writing holds the batch
        /// back by itself, so waiting longer only delays the reload.
        public var debounce: Duration
        /// How often the polling fallback scans.
        public var pollInterval: Duration
        /// Forces a mechanism; nil means inotify where the system has it, polling otherwise.
        public var mechanism: Mechanism?

        public init(
            debounce: Duration = .milliseconds(10), pollInterval: Duration = .milliseconds(200),
            mechanism: Mechanism? = nil
        ) {
            self.debounce = debounce
            self.pollInterval = pollInterval
            self.mechanism = mechanism
        }
    }

    /// The mechanism actually in use.
    public let mechanism: Mechanism
    /// Sorted paths relative to the root (`content/boston/labcentral.md`, `site.yml`), one array
    /// per batch. A deleted or renamed folder is reported by its own path.
    public let batches: AsyncStream<[String]>

    private let wake: WakePipe
    private let stopped = Locked(false)

    /// Starts watching `names` (files or folders directly inside `root`; folders recursively).
    /// Watches are in place when this returns, so any later change is reported.
    public init(
        root: URL, watching names: [String] = ["content", "templates", "site.yml"], options: Options = Options()
    ) throws {
        let (batches, continuation) = AsyncStream<[String]>.makeStream(bufferingPolicy: .unbounded)
        self.batches = batches
        let wake = try WakePipe()
        self.wake = wake
        let (source, mechanism) = Self.makeSource(root: root.path, names: names, options: options)
        self.mechanism = mechanism
        let loop = WatchLoop(
            source: source, root: root.path, debounce: options.debounce, wake: wake, output: continuation)
        let stopped = self.stopped
        let thread = Thread {
            loop.run(until: { stopped.withLock { $0 } })
            continuation.finish()
        }
        thread.name = "bridgehead file watcher"
        thread.start()
        continuation.onTermination = { [wake, stopped] _ in
            stopped.withLock { $0 = true }
            wake.signal()
        }
    }

    private static func makeSource(root: String, names: [String], options: Options) -> (any ChangeSource, Mechanism) {
        #if os(Linux)
            if options.mechanism != .polling, let inotify = InotifySource(root: root, names: Set(names)) {
                return (inotify, .inotify)
            }
        #endif
        return (PollingSource(root: root, names: names, interval: options.pollInterval), .polling)
    }

    /// Stops watching; `batches` then ends.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
    }

    deinit {
        stop()
    }
}

/// Where raw changes come from: each call waits at most `timeout` (nil: until something happens
/// or the wake descriptor becomes readable) and returns what it saw.
protocol ChangeSource: AnyObject {
    func wait(timeout: Duration?, wake: Int32) -> [RawChange]
}

struct RawChange {
    enum Kind {
        case created
        /// Written to and not yet closed: the batch waits for the write to finish.
        case writing
        case written
        case removed
    }

    var path: String
    var kind: Kind
}

/// A pipe whose read end wakes the watcher thread out of `poll` when it must stop.
final class WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw Diagnostic(at: nil, "cannot watch files: pipe() failed: \(String(cString: strerror(errno)))")
        }
        readEnd = ends[0]
        writeEnd = ends[1]
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}

/// Gathers raw changes into batches and reports each when it is complete.
final class WatchLoop: @unchecked Sendable {
    private let source: any ChangeSource
    private let root: String
    private let debounce: Duration
    /// A writer that never closes its file must not hold changes back forever.
    private let longestWait: Duration = .seconds(2)
    private let wake: WakePipe
    private let output: AsyncStream<[String]>.Continuation

    private var pending: Set<String> = []
    private var createdInBatch: Set<String> = []
    private var beingWritten: Set<String> = []
    private var firstChange: ContinuousClock.Instant?
    private var lastChange: ContinuousClock.Instant?

    init(
        source: any ChangeSource, root: String, debounce: Duration, wake: WakePipe,
        output: AsyncStream<[String]>.Continuation
    ) {
        self.source = source
        self.root = root
        self.debounce = debounce
        self.wake = wake
        self.output = output
    }

    func run(until isStopped: () -> Bool) {
        while !isStopped() {
            let changes = source.wait(timeout: timeUntilReady(), wake: wake.readEnd)
            let now = ContinuousClock.now
            for change in changes where !Self.isIgnored(change.path) {
                note(change, at: now)
            }
            if isReady(at: ContinuousClock.now) {
                flush()
            }
        }
    }

    private func note(_ change: RawChange, at now: ContinuousClock.Instant) {
        pending.insert(change.path)
        switch change.kind {
        case .created: createdInBatch.insert(change.path)
        case .writing: beingWritten.insert(change.path)
        case .written, .removed: beingWritten.remove(change.path)
        }
        if firstChange == nil { firstChange = now }
        lastChange = now
    }

    private func timeUntilReady() -> Duration? {
        guard let lastChange, let firstChange else { return nil }
        let now = ContinuousClock.now
        let quiet = lastChange + debounce - now
        let waited = firstChange + longestWait - now
        // While a file is still open for writing, only its close (which wakes the wait) or the
        // longest wait ends the batch.
        let remaining = beingWritten.isEmpty ? quiet : max(quiet, waited)
        return max(remaining, .milliseconds(1))
    }

    private func isReady(at now: ContinuousClock.Instant) -> Bool {
        guard let lastChange, let firstChange, now - lastChange >= debounce else { return false }
        return beingWritten.isEmpty || now - firstChange >= longestWait
    }

    private func flush() {
        // A file made and gone within one batch (an editor's temporary) changed nothing.
        let transient = createdInBatch.filter { !Self.exists(root + "/" + $0) }
        let batch = pending.subtracting(transient).sorted()
        pending = []
        createdInBatch = []
        beingWritten = []
        firstChange = nil
        lastChange = nil
        if !batch.isEmpty { output.yield(batch) }
    }

    static func isIgnored(_ path: String) -> Bool {
        path.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasSuffix("~") }
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}

/// Milliseconds for `poll`, rounded up so a short wait never becomes a busy loop.
func pollTimeout(_ duration: Duration?) -> Int32 {
    guard let duration else { return -1 }
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: max(milliseconds, 0))
}
