import ArgumentParser
import Diagnostics
import Foundation

@main
struct Bridgehead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridgehead",
        abstract: "A static site generator: Markdown and Liquid in, a checked website out.",
        subcommands: [BuildCommand.self, CheckCommand.self, RenderCommand.self]
    )

    /// Runs the command and maps failures to the contract's exit codes: 1 for problems in the
    /// user's content (printed as `path:line:col: error: …`), 2 for wrong usage.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let list as DiagnosticList {
            printToStandardError(list.description)
            Foundation.exit(1)
        } catch let diagnostic as Diagnostic {
            printToStandardError(diagnostic.description)
            Foundation.exit(1)
        } catch let exitCode as ExitCode {
            Foundation.exit(exitCode.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            printToStandardError("error: \(error)")
            Foundation.exit(1)
        }
    }
}

func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
