import ArgumentParser
import Diagnostics
import Foundation

@main
struct Bridgehead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridgehead",
        abstract: "A static site generator: Markdown and Liquid in, a checked website out.",
        subcommands: [
            BuildCommand.self, CheckCommand.self, PublishCommand.self, RenderCommand.self, ServeCommand.self,
        ]
    )

    /// Runs the command and maps failures to the contract's exit codes: 1 for problems in the
    /// user's content (printed as `path:line:col: error: …`), 2 for wrong usage.
    static func main() async {
        // ArgumentParser answers a bare `bridgehead` with the help and status 0, as if asked
        // for it; without a command it is wrong usage (2), with the help as the explanation.
        if CommandLine.arguments.count <= 1 {
            printToStandardError(helpMessage())
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let list as DiagnosticList {
            printToStandardError(list.description)
            Foundation.exit(1)
        } catch let diagnostic as Diagnostic {
            printToStandardError(diagnostic.description)
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            printToStandardError(message)
            // ArgumentParser reports usage errors as 64 (EX_USAGE); the contract says 2.
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
