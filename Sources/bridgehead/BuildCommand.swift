import ArgumentParser
import Foundation
import SiteBuilder

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the site into public/ and check its links."
    )

    @OptionGroup var folders: SiteFolderOptions

    @Flag(help: "Include pages marked draft.")
    var drafts = false

    @Flag(help: "Include pages dated in the future.")
    var future = false

    @Option(name: .customLong("base-url"), help: "Override base_url from site.yml.")
    var baseURL: String?

    func validate() throws {
        if let baseURL, let problem = SiteBuilder.baseURLProblem(baseURL) {
            throw ValidationError("--base-url \(problem)")
        }
    }

    func run() async throws {
        let options = BuildOptions(
            source: folders.sourceURL,
            output: folders.outputURL,
            includeDrafts: drafts,
            includeFuture: future,
            baseURL: baseURL,
            cacheFolder: folders.sourceURL.appendingPathComponent(".bridgehead-cache"),
            processEndsAfterBuild: true
        )
        printSummary(try await SiteBuilder.build(options), verbose: folders.verbose)
    }
}

/// `--source`, `--output` and `--verbose`, which `build` and `publish` share.
struct SiteFolderOptions: ParsableArguments {
    @Option(help: "The site folder, which holds site.yml.")
    var source: String = "."

    @Option(help: "The output folder (default: SOURCE/public).")
    var output: String?

    @Flag(help: "Print the time each build stage took.")
    var verbose = false

    var sourceURL: URL { URL(fileURLWithPath: source) }
    var outputURL: URL? { output.map { URL(fileURLWithPath: $0) } }
}

/// What `build` and `publish` print: warnings to standard error, then the stage times when
/// asked for, then the summary line.
func printSummary(_ summary: BuildSummary, verbose: Bool) {
    for warning in summary.warnings {
        printToStandardError(warning.description)
    }
    if verbose {
        for stage in summary.stages {
            let name = stage.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            let processor = stage.processorSeconds.map { String(format: "  (processor %.3f s)", $0) } ?? ""
            print("  \(name) \(String(format: "%8.3f", stage.seconds)) s\(processor)")
        }
    }
    print(summary.line)
}
