import Diagnostics
import Foundation
import Markdown

/// `bridgehead serve` as a whole: listen, build, watch, rebuild on every batch of changes, and
/// tell the browsers once each rebuild has finished. A failed build keeps the last good site
/// served, with the errors shown over every page and printed to the terminal.
public final class PreviewSession: Sendable {
    /// Lines for the terminal: `output` for progress, `errors` for diagnostics.
    public struct Terminal: Sendable {
        public var output: @Sendable (String) -> Void
        public var errors: @Sendable (String) -> Void

        public init(output: @escaping @Sendable (String) -> Void, errors: @escaping @Sendable (String) -> Void) {
            self.output = output
            self.errors = errors
        }
    }

    public let server: PreviewServer
    private let source: URL
    private let renderer: any SiteRendering
    private let watchOptions: FileWatcher.Options
    private let terminal: Terminal

    public init(
        source: URL, host: String = "127.0.0.1", port: Int = 4000, renderer: any SiteRendering,
        watchOptions: FileWatcher.Options = FileWatcher.Options(), terminal: Terminal
    ) {
        self.source = source
        self.server = PreviewServer(host: host, port: port)
        self.renderer = renderer
        self.watchOptions = watchOptions
        self.terminal = terminal
    }

    /// Runs until the calling task is cancelled. Throws when the server cannot listen.
    public func run() async throws {
        // Watch before the first build, so an edit made while it runs is not lost.
        let watcher = try FileWatcher(root: source, options: watchOptions)
        defer { watcher.stop() }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            let server = self.server
            group.addTask {
                defer { portContinuation.finish() }
                try await server.run { portContinuation.yield($0) }
            }
            var portIterator = ports.makeAsyncIterator()
            guard let port = await portIterator.next() else {
                try await group.waitForAll()
                return
            }
            let origin = "http://\(Self.hostForURLs(server.host)):\(port)"
            let first = await build(changedSources: nil, origin: origin)
            // A build's working memory, and after a rebuild the site it replaced (once the
            // requests still reading it end), is freed but kept by the allocator: without this
            // a session's resident memory grew with each full rebuild (a 1,000-page site: 110 MB
            // after its first build, 145 MB after six template edits; 110 to 114 MB with it).
            returnFreedMemoryToTheSystem()
            terminal.output(
                "Serving \(source.path) at \(origin)\(server.snapshot.basePath) (\(first.summary); Ctrl-C stops)")
            // Batches that arrive during a rebuild are merged into the next one, so a burst of
            // saves during a long build costs one more build, not one per save.
            let pending = Locked<Set<String>>([])
            let (wakeUps, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            group.addTask {
                for await batch in watcher.batches {
                    pending.withLock { $0.formUnion(batch) }
                    wake.yield()
                }
                wake.finish()
            }
            group.addTask {
                for await _ in wakeUps {
                    let batch = pending.withLock { changes in
                        defer { changes = [] }
                        return changes.sorted()
                    }
                    guard !batch.isEmpty else { continue }
                    let outcome = await self.build(changedSources: batch, origin: origin)
                    let effect = outcome.effect.map { "; \($0)" } ?? ""
                    self.terminal.output("\(Self.describe(batch)) changed: \(outcome.summary)\(effect)")
                    returnFreedMemoryToTheSystem()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Builds, publishes the result, and says in a few words what happened and what open pages
    /// were told (nil when the build failed).
    private func build(changedSources: [String]?, origin: String) async -> (summary: String, effect: String?) {
        let started = ContinuousClock.now
        do {
            let site = try await renderer.render(changedSources: changedSources, origin: origin)
            for warning in site.warnings {
                terminal.errors(warning.description)
            }
            let snapshot = SiteSnapshot(files: site.files, basePath: site.basePath)
            // Comparing every output of a large site costs more than the rest of a small rebuild;
            // stylesheets are copied as they are, so changed sources tell css-only edits apart.
            let event = server.publish(snapshot, changedPaths: site.changedOutputs ?? changedSources)
            return (site.summary, Self.describe(event: event))
        } catch {
            let diagnostics = Self.diagnostics(from: error)
            terminal.errors(diagnostics.map(\.description).joined(separator: "\n"))
            let errors = diagnostics.filter { $0.severity == .error }
            let lastGood = server.snapshot
            server.publish(lastGood.failing(with: errors.isEmpty ? diagnostics : errors))
            let seconds = String(format: "%.2f", (ContinuousClock.now - started).seconds)
            let count = errors.count == 1 ? "1 error" : "\(errors.count) errors"
            let serving =
                lastGood.files.isEmpty ? "nothing to serve until it is fixed" : "still serving the last good build"
            return ("build failed with \(count) in \(seconds) s; \(serving)", nil)
        }
    }

    static func diagnostics(from error: any Error) -> [Diagnostic] {
        switch error {
        case let list as DiagnosticList: list.diagnostics
        case let diagnostic as Diagnostic: [diagnostic]
        default: [Diagnostic(at: nil, "the build failed: \(error)")]
        }
    }

    private static func describe(_ batch: [String]) -> String {
        guard let first = batch.first else { return "nothing" }
        return batch.count == 1 ? first : "\(first) and \(batch.count - 1) more"
    }

    private static func describe(event: String?) -> String {
        switch event {
        case "reload": "pages reloaded"
        case "css": "stylesheets swapped"
        case "errors": "errors shown"
        default: "no output changed"
        }
    }

    /// A wildcard listening address is no address to put in a link.
    static func hostForURLs(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "::", "": "localhost"
        case let ipv6 where ipv6.contains(":"): "[\(ipv6)]"
        default: host
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
