// Public surface of the site builder: what the CLI and the preview server call.
import Diagnostics
import Foundation

public struct BuildOptions: Sendable {
    /// The folder that holds `site.yml`, `content/` and `templates/`.
    public var source: URL
    /// Where the site goes; nil means `<source>/public`.
    public var output: URL?
    public var includeDrafts: Bool
    public var includeFuture: Bool
    /// Overrides `base_url` from `site.yml`.
    public var baseURL: String?
    /// Production rules (`publish`): undefined template variables are errors, link errors are fatal.
    public var production: Bool
    /// The moment that decides which pages are "future"; injected so builds are reproducible in tests.
    public var now: Date
    /// Parse and render on all cores; false does every step on one thread (the output is the same).
    public var parallel: Bool
    /// Paths in diagnostics are shown relative to this folder when they are inside it; nil means
    /// the current folder.
    public var workingDirectory: String?
    /// Where the no-change rebuild keeps its record (`SITE/.bridgehead-cache`); nil builds
    /// without one. A build whose inputs, options and output folder are exactly as the
    /// recorded build left them does nothing; any difference means a full build.
    public var cacheFolder: URL?
    /// The process ends once the build returns (the command line): the build's pages and
    /// outputs are then left for the process's end to reclaim rather than freed one object at
    /// a time, which took a tenth of a second of a 10,000-page build. A program that goes on
    /// (the preview server) leaves this false.
    public var processEndsAfterBuild: Bool

    public init(
        source: URL, output: URL? = nil, includeDrafts: Bool = false, includeFuture: Bool = false,
        baseURL: String? = nil, production: Bool = false, now: Date = Date(), parallel: Bool = true,
        workingDirectory: String? = nil, cacheFolder: URL? = nil, processEndsAfterBuild: Bool = false
    ) {
        self.source = source
        self.output = output
        self.includeDrafts = includeDrafts
        self.includeFuture = includeFuture
        self.baseURL = baseURL
        self.production = production
        self.now = now
        self.parallel = parallel
        self.workingDirectory = workingDirectory
        self.cacheFolder = cacheFolder
        self.processEndsAfterBuild = processEndsAfterBuild
    }
}

public struct StageTiming: Sendable {
    public var name: String
    public var seconds: Double
    /// Processor time of the process during the stage, on all cores: beside `seconds` it shows
    /// how well a stage spreads over them, and it moves less than wall time on a busy machine.
    public var processorSeconds: Double?
}

public struct BuildSummary: Sendable {
    public var pages: Int
    public var files: Int
    public var linksChecked: Int
    public var seconds: Double
    public var stages: [StageTiming]
    public var warnings: [Diagnostic]
    /// True when the build cache found nothing changed and left the previous output as it was.
    public var reusedPreviousOutput = false
    /// Set when a live rebuild re-rendered only the outputs an edit changed: how many.
    public var rerenderedOutputs: Int?

    /// The one line a build ends with.
    public var line: String {
        let time = String(format: "%.2f", seconds)
        if reusedPreviousOutput {
            return "nothing changed since the last build (\(pages) pages, \(files) files, \(linksChecked) links"
                + " checked then); kept it in \(time) s"
        }
        if let rerenderedOutputs {
            return "re-rendered \(rerenderedOutputs) of \(pages) pages, checked \(linksChecked) links in \(time) s"
        }
        return "built \(pages) pages, \(files) files, checked \(linksChecked) links in \(time) s"
    }
}

public enum SiteBuilder {
    /// Builds the site. Throws `DiagnosticList` with every error found; the output folder is
    /// then exactly as it was before.
    public static func build(_ options: BuildOptions) async throws -> BuildSummary {
        try await Pipeline.build(options)
    }

    /// What is wrong with `text` as a base URL (`base_url`, `--base-url`), or nil if nothing is:
    /// for a command line to refuse the option before building.
    public static func baseURLProblem(_ text: String) -> String? {
        baseURLParts(text) == nil ? baseURLRule : nil
    }
}
