import ArgumentParser
import Dispatch
import Foundation
import PreviewServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Build the site into memory, serve it, and rebuild and reload the browser on every change.",
        discussion: """
            Serves on http://127.0.0.1:4000 by default (--port 0 picks a free port). Nothing is \
            written to public/. A failed rebuild keeps the last good site served and shows its \
            errors over every page until the next good build. Ctrl-C stops.
            """
    )

    @Option(help: "The site folder, which holds site.yml.")
    var source: String = "."

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int = 4000

    @Flag(help: "Include pages marked draft.")
    var drafts = false

    @Flag(help: "Include pages dated in the future.")
    var future = false

    @Option(help: "Milliseconds without changes before a rebuild starts.")
    var debounce: Int = 10

    @Flag(help: "Scan for changes instead of using inotify (for network and shared folders).")
    var poll = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard debounce >= 0 else { throw ValidationError("--debounce must be 0 or more milliseconds") }
    }

    func run() async throws {
        let folder = URL(fileURLWithPath: source)
        let session = PreviewSession(
            source: folder, host: host, port: port,
            renderer: SiteBuilderRendering(source: folder, includeDrafts: drafts, includeFuture: future),
            watchOptions: FileWatcher.Options(debounce: .milliseconds(debounce), mechanism: poll ? .polling : nil),
            terminal: PreviewSession.Terminal(
                output: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
                errors: printToStandardError)
        )
        let serving = Task { try await session.run() }
        let stop = StopSignals { serving.cancel() }
        defer { stop.cancel() }
        try await serving.value
        print("Stopped.")
    }
}

/// Turns SIGINT and SIGTERM into a call of `handler`, so Ctrl-C stops the server cleanly
/// instead of killing it mid-response.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources {
            source.cancel()
        }
    }
}
