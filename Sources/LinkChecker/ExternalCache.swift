import Diagnostics
import Foundation

/// External results remembered between runs in a JSON file, each for `maxAge` seconds. Only
/// definitive answers are kept (see `ExternalResult.isDefinitive`), so a timeout or a busy
/// server is asked again next time.
struct ExternalCache {
    struct Entry: Codable, Equatable {
        /// Seconds since 1970 when the URL was checked.
        var checked: Double
        /// nil when the URL worked.
        var broken: String?
    }

    private struct Contents: Codable {
        var version: Int
        var entries: [String: Entry]
    }

    private static let version = 1
    private let file: String?
    private let maxAge: TimeInterval
    private let now: Date
    private var entries: [String: Entry] = [:]

    /// Reads `file` if there is one; a missing file is an empty cache.
    init(file: String?, maxAge: TimeInterval, now: Date) throws {
        self.file = file
        self.maxAge = maxAge
        self.now = now
        guard let file, let data = FileManager.default.contents(atPath: file) else { return }
        do {
            let contents = try JSONDecoder().decode(Contents.self, from: data)
            // A cache written by another version of the format is started afresh.
            if contents.version == Self.version { entries = contents.entries }
        } catch {
            throw Diagnostic(
                at: SourceLocation(file: file, line: 1, column: 1), "the external link cache is not readable JSON",
                hint: "delete it; the next run with external links writes a new one")
        }
    }

    /// The remembered result for `url`, if it is young enough.
    func result(for url: String) -> ExternalResult? {
        guard let entry = entries[url], isFresh(entry) else { return nil }
        return ExternalResult(brokenReason: entry.broken, isDefinitive: true)
    }

    mutating func store(_ result: ExternalResult, for url: String) {
        entries[url] = Entry(checked: now.timeIntervalSince1970, broken: result.brokenReason)
    }

    /// Writes the fresh entries back, dropping the expired ones.
    func save() throws {
        guard let file else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(
                Contents(version: Self.version, entries: entries.filter { isFresh($0.value) }))
            let url = URL(fileURLWithPath: file)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw Diagnostic(
                at: SourceLocation(file: file, line: 1, column: 1),
                "cannot write the external link cache: \(error.localizedDescription)")
        }
    }

    private func isFresh(_ entry: Entry) -> Bool {
        now.timeIntervalSince1970 - entry.checked < maxAge
    }
}
