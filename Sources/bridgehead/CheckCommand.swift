import ArgumentParser
import Foundation
import LinkChecker

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every link, asset and #fragment of a built site."
    )

    @Argument(help: "The built site (default: public/).")
    var directory: String = "public"

    @Flag(help: "Also check links to other sites.")
    var external = false

    @Option(help: "Report format: human, json or github.")
    var format: ReportFormat = .human

    func run() async throws {
        throw ValidationError("the link checker is not written yet")
    }
}

extension ReportFormat: ExpressibleByArgument {}
