import Diagnostics
import Liquid

/// Renders `source` with `data` given as JSON text (so key order is as written).
func render(
    _ source: String, _ data: String = "{}", options: LiquidOptions = LiquidOptions(),
    partials: [String: String] = [:], filters: [String: LiquidFilter] = [:]
) throws -> String {
    var warnings: [Diagnostic] = []
    return try render(source, data, options: options, partials: partials, filters: filters, warnings: &warnings)
}

func render(
    _ source: String, _ data: String = "{}", options: LiquidOptions = LiquidOptions(),
    partials: [String: String] = [:], filters: [String: LiquidFilter] = [:], warnings: inout [Diagnostic]
) throws -> String {
    let environment = LiquidEnvironment(options: options, loader: Partials(templates: partials), filters: filters)
    guard case .object(let object) = try LiquidValue(json: data, path: "data.json") else { return "" }
    return try environment.parse(source, path: "test.liquid").render(
        Dictionary(object.pairs, uniquingKeysWith: { _, last in last }), warnings: &warnings)
}

/// The full text of the error `source` raises, or nil if it renders.
func renderError(
    _ source: String, _ data: String = "{}", options: LiquidOptions = LiquidOptions(), partials: [String: String] = [:]
)
    -> String?
{
    do {
        _ = try render(source, data, options: options, partials: partials)
        return nil
    } catch {
        return "\(error)"
    }
}

struct Partials: TemplateLoader {
    let templates: [String: String]

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        if let source = templates[name] { return (source, "includes/\(name)") }
        if let source = templates[name + ".liquid"] { return (source, "includes/\(name).liquid") }
        return nil
    }
}
