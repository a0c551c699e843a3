import ArgumentParser
import Diagnostics
import Foundation
import Liquid
import SiteBuilder

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one Liquid template with a JSON context to standard output."
    )

    @Argument(help: "The Liquid template file.")
    var template: String

    @Option(help: "A JSON file whose top-level object becomes the template's variables.")
    var data: String?

    @Option(help: "Folder of partials: `name` is looked up as DIR/name, then DIR/name.liquid.")
    var partials: String?

    @Flag(help: "Undefined variables and unknown properties are errors.")
    var strict = false

    func run() throws {
        let source = try readText(template)
        var context: [String: LiquidValue] = [:]
        if let data {
            context = try jsonContext(from: data)
        }
        let environment = LiquidEnvironment(
            options: LiquidOptions(strictVariables: strict),
            loader: partials.map { PartialsFolder(path: $0) },
            filters: standaloneFilters()
        )
        let parsed = try environment.parse(source, path: template)
        var warnings: [Diagnostic] = []
        let output = try parsed.render(context, warnings: &warnings)
        for warning in warnings {
            printToStandardError(warning.description)
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

/// Partials for `render`: `name` is `DIR/name`, else `DIR/name.liquid`.
struct PartialsFolder: TemplateLoader {
    let path: String

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        for candidate in [name, name + ".liquid"] {
            let file = (path as NSString).appendingPathComponent(candidate)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue {
                return (try readText(file), file)
            }
        }
        return nil
    }
}

/// Reads a UTF-8 text file, turning every failure into a diagnostic that names the file.
func readText(_ path: String) throws -> String {
    guard let bytes = FileManager.default.contents(atPath: path) else {
        throw Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "cannot read file")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw Diagnostic(
            at: SourceLocation(file: path, line: 1, column: 1), "file is not valid UTF-8",
            hint: "save it as UTF-8")
    }
    return text
}

func jsonContext(from path: String) throws -> [String: LiquidValue] {
    guard case .object(let object) = try LiquidValue(json: try readText(path), path: path) else {
        throw Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "the JSON data must be an object")
    }
    return Dictionary(object.pairs, uniquingKeysWith: { _, last in last })
}
