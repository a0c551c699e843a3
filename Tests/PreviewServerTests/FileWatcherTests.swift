import Foundation
import PreviewServer
import Testing

/// A site folder in a fresh temporary directory, removed when the test ends.
final class TemporarySite: @unchecked Sendable {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-watch-\(UUID().uuidString)")
        try write("site.yml", "title: Test\n")
        try write("content/_index.md", "---\ntitle: Home\n---\n")
        try write("content/boston/labcentral.md", "---\ntitle: LabCentral\n---\nText\n")
        try write("templates/layouts/default.liquid", "{{ content }}")
    }

    /// A copy of a fixture site under `Tests/Fixtures/sites/`.
    init(copyingFixture name: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-site-\(UUID().uuidString)")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sites/\(name)")
        try FileManager.default.copyItem(at: fixture, to: root)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func write(_ path: String, _ text: String) throws {
        let file = url(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    /// rename(2), as editors save: replaces an existing target in one step.
    func move(_ from: String, _ to: String) throws {
        guard rename(url(from).path, url(to).path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url(from).path])
        }
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url(path))
    }
}

/// Collects a watcher's batches as they arrive.
final class BatchCollector: @unchecked Sendable {
    let watcher: FileWatcher
    private let lock = NSLock()
    private var received: [[String]] = []
    private var task: Task<Void, Never>?

    init(_ watcher: FileWatcher) {
        self.watcher = watcher
        task = Task { [batches = watcher.batches] in
            for await batch in batches {
                self.append(batch)
            }
        }
    }

    private func append(_ batch: [String]) {
        lock.lock()
        received.append(batch)
        lock.unlock()
    }

    var batches: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Waits for the next batch after the `count` already seen.
    func batch(after count: Int) async throws -> [String] {
        try await waitUntil { self.batches.count > count }
        return batches.count > count ? batches[count] : []
    }

    func stop() {
        watcher.stop()
        task?.cancel()
    }
}

let mechanisms: [FileWatcher.Mechanism] = [.inotify, .polling]

func watch(_ site: TemporarySite, _ mechanism: FileWatcher.Mechanism) throws -> BatchCollector {
    let options = FileWatcher.Options(
        debounce: .milliseconds(50), pollInterval: .milliseconds(20), mechanism: mechanism)
    let watcher = try FileWatcher(root: site.root, options: options)
    #expect(watcher.mechanism == mechanism)
    return BatchCollector(watcher)
}

@Suite struct FileWatcherTests {
    @Test(arguments: mechanisms) func anEditIsOneBatch(mechanism: FileWatcher.Mechanism) async throws {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        try site.write("content/boston/labcentral.md", "---\ntitle: LabCentral\n---\nNew text\n")
        #expect(try await collector.batch(after: 0) == ["content/boston/labcentral.md"])
        try site.write("templates/layouts/default.liquid", "<main>{{ content }}</main>")
        #expect(try await collector.batch(after: 1) == ["templates/layouts/default.liquid"])
    }

    @Test(arguments: mechanisms) func aBurstOfWritesIsOneBatch(mechanism: FileWatcher.Mechanism) async throws {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        for index in 0..<20 {
            try site.write("content/page\(index % 4).md", "---\ntitle: \(index)\n---\n")
        }
        #expect(try await collector.batch(after: 0) == (0..<4).map { "content/page\($0).md" })
        try await Task.sleep(for: .milliseconds(300))
        #expect(collector.batches.count == 1)
    }

    @Test(arguments: mechanisms) func writingATemporaryThenRenamingIsASave(mechanism: FileWatcher.Mechanism)
        async throws
    {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        try site.write("content/boston/labcentral.md.tmp-4711", "---\ntitle: Saved\n---\n")
        try site.write("content/boston/.labcentral.md.swp", "swap")
        try site.move("content/boston/labcentral.md.tmp-4711", "content/boston/labcentral.md")
        #expect(try await collector.batch(after: 0) == ["content/boston/labcentral.md"])
        try site.write("site.yml.new", "title: Renamed\n")
        try site.move("site.yml.new", "site.yml")
        #expect(try await collector.batch(after: 1) == ["site.yml"])
    }

    @Test(arguments: mechanisms) func newFoldersAreWatchedToo(mechanism: FileWatcher.Mechanism) async throws {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        try site.write("content/daejeon/kaist/index.md", "---\ntitle: KAIST\n---\n")
        let first = try await collector.batch(after: 0)
        #expect(first.contains("content/daejeon/kaist/index.md"))
        #expect(first.allSatisfy { $0.hasPrefix("content/daejeon") })
        try site.write("content/daejeon/kaist/index.md", "---\ntitle: KAIST 2\n---\n")
        #expect(try await collector.batch(after: 1) == ["content/daejeon/kaist/index.md"])
    }

    @Test(arguments: mechanisms) func deletedAndRenamedFoldersAreReported(mechanism: FileWatcher.Mechanism) async throws
    {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        try site.move("content/boston", "content/cambridge")
        let renamed = try await collector.batch(after: 0)
        #expect(renamed.contains("content/boston"))
        #expect(renamed.contains("content/cambridge"))
        // The renamed folder keeps being watched under its new name.
        try site.write("content/cambridge/labcentral.md", "---\ntitle: Moved\n---\n")
        #expect(try await collector.batch(after: 1) == ["content/cambridge/labcentral.md"])
        try site.remove("content/cambridge")
        let deleted = try await collector.batch(after: 2)
        #expect(deleted.contains("content/cambridge"))
        #expect(deleted.allSatisfy { $0.hasPrefix("content/cambridge") })
        try site.write("content/new.md", "---\ntitle: New\n---\n")
        #expect(try await collector.batch(after: 3) == ["content/new.md"])
    }

    @Test(arguments: mechanisms) func otherFilesOfTheSiteFolderAreNotWatched(mechanism: FileWatcher.Mechanism)
        async throws
    {
        let site = try TemporarySite()
        let collector = try watch(site, mechanism)
        defer { collector.stop() }
        try site.write("public/index.html", "<p>output</p>")
        try site.write("notes.txt", "notes")
        try site.write("content/.hidden.md", "hidden")
        try site.write("content/backup.md~", "backup")
        try site.write("templates/includes/nav.liquid", "<nav></nav>")
        #expect(try await collector.batch(after: 0) == ["templates/includes", "templates/includes/nav.liquid"])
    }

    @Test func stoppingEndsTheBatches() async throws {
        let site = try TemporarySite()
        let watcher = try FileWatcher(root: site.root)
        #expect(watcher.mechanism == .inotify)
        let finished = Task {
            for await _ in watcher.batches {}
            return true
        }
        watcher.stop()
        #expect(await finished.value)
    }
}
