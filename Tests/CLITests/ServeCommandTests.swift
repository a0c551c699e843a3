import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `bridgehead serve` running in the background, with its output collected as it comes.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = ""
    private var errors = ""

    init(_ arguments: [String], in directory: URL) throws {
        process.executableURL = bridgeheadExecutable
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = directory
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.append(handle.availableData, toErrors: false)
        }
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.append(handle.availableData, toErrors: true)
        }
        try process.run()
    }

    private func append(_ data: Data, toErrors: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if toErrors {
            errors += String(decoding: data, as: UTF8.self)
        } else {
            output += String(decoding: data, as: UTF8.self)
        }
    }

    var standardOutput: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }

    /// The port from the `Serving … at http://127.0.0.1:PORT/` line, once it is printed.
    func servingPort() async throws -> Int {
        for _ in 0..<3000 {
            let text = standardOutput
            if let range = text.range(of: "at http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSDebugDescriptionErrorKey: "no Serving line: \(standardError)"])
    }

    /// Sends `signal` and waits for the exit status.
    func stop(with signal: Int32 = SIGINT) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        for _ in 0..<1000 where process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-serve-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
        at: folder.appendingPathComponent("content"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
        at: folder.appendingPathComponent("templates"), withIntermediateDirectories: true)
    return folder
}

/// A GET through URLSession, without following redirects or caching.
func fetch(_ url: String) async throws -> (status: Int, body: String) {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.urlCache = nil
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    guard let address = URL(string: url) else { throw URLError(.badURL) }
    let (data, response) = try await session.data(from: address)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized) struct ServeCommandTests {
    @Test func helpDescribesServe() throws {
        let result = try runBridgehead(["serve", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--port <port>"))
        #expect(result.standardOutput.contains("--host <host>"))
        #expect(result.standardOutput.contains("--source <source>"))
        let top = try runBridgehead(["--help"])
        #expect(top.standardOutput.contains("serve"))
    }

    @Test func aBusyPortIsAnErrorNamingIt() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ServeProcess(["--port", "0"], in: folder)
        let port = try await first.servingPort()
        let second = try runBridgehead(["serve", "--port", String(port)], in: folder)
        #expect(second.status == 1)
        #expect(second.standardError.contains("error: port \(port) on 127.0.0.1 is already in use"))
        #expect(try await first.stop() == 0)
    }

    @Test func aPortOutOfRangeIsAUsageError() throws {
        let result = try runBridgehead(["serve", "--port", "70000"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--port must be from 0 to 65535"))
    }

    /// Whatever the builder says about this site (it has no site.yml), the server keeps running,
    /// shows the errors over the page and in the terminal, and stops cleanly on a signal.
    @Test(arguments: [SIGINT, SIGTERM]) func servesAndStopsCleanlyOnASignal(signal: Int32) async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let serve = try ServeProcess(["--port", "0", "--source", folder.path], in: folder)
        let port = try await serve.servingPort()
        let page = try await fetch("http://127.0.0.1:\(port)/")
        #expect(page.status == 404)
        #expect(page.body.contains("id=\"__bridgehead-overlay\""))
        #expect(page.body.contains("<script src=\"/__bridgehead/live.js\""))
        #expect(serve.standardError.contains("error: "))
        #expect(try await serve.stop(with: signal) == 0)
        #expect(serve.standardOutput.hasSuffix("Stopped.\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("public").path))
    }
}
