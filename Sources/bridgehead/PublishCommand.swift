import ArgumentParser
import Foundation
import SiteBuilder

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Build the site for production under its public address.",
        discussion: """
            Drafts and future pages are left out; an undefined template variable, a missing \
            translation or a broken link is an error. Beside the site it writes .nojekyll, CNAME \
            when site.yml has 'cname:', and build-manifest.json (every file with its SHA-256 and \
            size). The same sources give byte-identical output in any folder at any time; when \
            SOURCE_DATE_EPOCH is set, that moment (not the clock) decides which pages are future.
            """
    )

    @Option(
        name: .customLong("base-url"),
        help: "The address the site is served from, such as https://user.github.io/portal/.")
    var baseURL: String

    @OptionGroup var folders: SiteFolderOptions

    func validate() throws {
        // Feeds and the sitemap need absolute URLs, so a bare path is not enough here.
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            !(url.host ?? "").isEmpty
        else {
            throw ValidationError("--base-url must be an http or https URL, like https://user.github.io/portal/")
        }
        _ = try sourceDateEpoch()
    }

    func run() async throws {
        let options = BuildOptions(
            source: folders.sourceURL,
            output: folders.outputURL,
            baseURL: baseURL,
            production: true,
            now: try sourceDateEpoch() ?? Date(),
            processEndsAfterBuild: true
        )
        printSummary(try await SiteBuilder.build(options), verbose: folders.verbose)
    }

    /// The reproducible-builds convention for "now": seconds since 1970 in SOURCE_DATE_EPOCH.
    private func sourceDateEpoch() throws -> Date? {
        guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
        guard let seconds = Int64(text) else {
            throw ValidationError("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '\(text)'")
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
