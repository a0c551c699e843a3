import Diagnostics
import Foundation

/// A finished build kept in memory, for the preview server: nothing of it is written to disk.
public struct InMemoryBuild: Sendable {
    /// Every output file by its path in the site (`boston/index.html`), without the marker file.
    public var files: [String: Data]
    /// The path the site lives under: `/portal/` for `https://user.github.io/portal/`, else `/`.
    public var basePath: String
    public var summary: BuildSummary
}

extension SiteBuilder {
    /// Runs the same stages as `build` except writing, so the output folder is never touched,
    /// and `asset_url` gives assets their own names (a stylesheet edit is then swapped in live).
    /// Throws `DiagnosticList` with every error found, as `build` does.
    public static func buildInMemory(_ options: BuildOptions) async throws -> InMemoryBuild {
        let started = ContinuousClock.now
        let state = BuildState(options: options, paths: try OutputFolder.paths(for: options))
        state.fingerprintAssets = false
        var timings: [StageTiming] = []
        for stage in Pipeline.stages where stage.name != "write" {
            let start = ContinuousClock.now
            await stage.run(state)
            timings.append(StageTiming(name: stage.name, seconds: (ContinuousClock.now - start).inSeconds))
            if !state.errors.isEmpty { break }
        }
        let warnings = Pipeline.deduplicated(state.warnings + state.filterWarnings.all)
        guard state.errors.isEmpty else {
            throw DiagnosticList(warnings + Pipeline.deduplicated(state.errors))
        }
        var files: [String: Data] = [:]
        for (path, file) in state.outputs where path != OutputFolder.markerName {
            switch file {
            case .text(let text): files[path] = Data(text.utf8)
            case .copy(let source): files[path] = Data(try FileSystem.readFile(source))
            }
        }
        let basePath = state.config.map { $0.basePath + "/" } ?? "/"
        let summary = BuildSummary(
            pages: state.pagesRendered, files: files.count, linksChecked: state.linksChecked,
            seconds: (ContinuousClock.now - started).inSeconds, stages: timings, warnings: warnings)
        return InMemoryBuild(files: files, basePath: basePath, summary: summary)
    }
}

extension Duration {
    fileprivate var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
