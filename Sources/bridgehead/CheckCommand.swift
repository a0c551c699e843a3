import ArgumentParser
import Foundation
import LinkChecker
import SiteBuilder

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every link, asset and #fragment of a built site.",
        discussion: """
            Exits with 1 when a link is broken, 0 when only warnings (duplicate ids) were found.
            Without --base-url, the base URL the build that wrote the folder recorded (in its
            .bridgehead marker) is used; without either, absolute URLs are all external, even
            those to the site itself, and root-relative links point at the folder's root.
            """
    )

    @Argument(help: "The built site (default: public/).")
    var directory: String = "public"

    @Flag(help: "Also check links to other sites.")
    var external = false

    @Option(help: "Report format: human, json or github.")
    var format: ReportFormat = .human

    @Option(
        name: .customLong("base-url"),
        help:
            "The site's address, such as https://example.org/portal/: absolute links to it are checked as files, and root-relative links must start with its path."
    )
    var baseURL: String?

    @Option(
        name: .customLong("ignore"), help: "A regular expression; external URLs it matches are not checked. Repeatable."
    )
    var ignorePatterns: [String] = []

    @Option(name: .customLong("external-cache"), help: "A JSON file that remembers external results between runs.")
    var externalCache: String?

    @Option(name: .customLong("external-cache-age"), help: "How long a remembered external result holds, in seconds.")
    var externalCacheAge: Double = 86_400

    @Option(help: "Seconds before an external request gives up.")
    var timeout: Double = 10

    func validate() throws {
        if let baseURL, let problem = SiteBuilder.baseURLProblem(baseURL) {
            throw ValidationError("--base-url \(problem)")
        }
    }

    func run() async throws {
        let files = try DirectorySiteFiles(root: URL(fileURLWithPath: directory))
        let options = LinkCheckOptions(
            baseURL: baseURL ?? OutputFolder.recordedBaseURL(in: directory), checkExternal: external,
            ignorePatterns: ignorePatterns,
            externalCacheFile: externalCache, externalCacheMaxAge: externalCacheAge, timeout: timeout)
        let report = try await LinkChecker(options: options).check(files)
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        FileHandle.standardOutput.write(Data(report.formatted(as: format, pathPrefix: prefix).utf8))
        if report.hasErrors {
            // The report already says everything; throwing ExitCode would print an empty line more.
            Foundation.exit(1)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
