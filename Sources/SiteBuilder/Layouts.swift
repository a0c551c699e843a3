import Diagnostics
import Liquid

/// A parsed layout of `templates/layouts/`.
struct Layout: Sendable {
    var name: String
    var displayPath: String
    var text: String
    var template: Template
    /// The `layout:` of its front matter: the layout it is rendered into.
    var parent: Located<String>?
    /// Its front matter, which templates see as `layout`.
    var frontMatter: LiquidValue
}

/// Partials for `{% include %}` and `{% render %}`, read from `templates/includes/` at load time:
/// `name`, then `name.liquid`.
struct IncludeFiles: TemplateLoader {
    var files: [String: (source: String, path: String)]

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        files[name] ?? files[name + ".liquid"]
    }
}

/// Layout source with its front matter turned into a Liquid comment of as many lines, so that
/// line numbers in template errors stay those of the file. `-%}` drops the line break after
/// the closing fence, as Jekyll drops it with the front matter.
func layoutTemplateSource(_ text: String, split: FrontMatterSplit?) -> String {
    guard let split else { return text }
    let newlines = String(repeating: "\n", count: max(0, split.bodyFirstLine - 2))
    return "{% comment %}" + newlines + "{% endcomment -%}\n" + split.body
}

/// Parses one layout file. Throws `Diagnostic` or `DiagnosticList`.
func parseLayout(name: String, text: String, displayPath: String, environment: LiquidEnvironment) throws -> Layout {
    let split = try splitFrontMatter(text, path: displayPath)
    var parent: Located<String>?
    var frontMatter = LiquidObject()
    if let split {
        let yaml = YAMLSource(path: displayPath, fileText: text, lineOffset: 1)
        if let root = try yaml.compose(String(split.yaml)) {
            for (key, _, value) in try yaml.pairs(root, what: "the front matter of a layout") {
                if key == "layout" {
                    parent = Located(value: try yaml.string(value, key: key), location: yaml.location(of: value))
                }
                frontMatter[key] = yaml.value(value)
            }
        }
    }
    let template = try environment.parse(layoutTemplateSource(text, split: split), path: displayPath)
    return Layout(
        name: name, displayPath: displayPath, text: text, template: template, parent: parent,
        frontMatter: .object(frontMatter))
}

/// Every layout's chain, innermost first, or the error that stops it (a missing parent, a cycle).
/// A parent in `broken` (a layout whose own error is reported already) stops the chain silently.
func layoutChains(_ layouts: [String: Layout], broken: Set<String>) -> (
    chains: [String: [Layout]], errors: [Diagnostic]
) {
    var chains: [String: [Layout]] = [:]
    var errors: [Diagnostic] = []
    for name in layouts.keys.sorted() {
        var chain: [Layout] = []
        var current = layouts[name]
        var failed = false
        while let layout = current {
            if let seen = chain.firstIndex(where: { $0.name == layout.name }) {
                // Report each cycle once, from the layout that comes first by name.
                if seen == 0, chain.map(\.name).min() == name {
                    let names = (chain.map(\.name) + [layout.name]).map { "'\($0)'" }.joined(separator: " → ")
                    let closing = chain[chain.count - 1]
                    let location =
                        closing.parent?.location ?? SourceLocation(file: closing.displayPath, line: 1, column: 1)
                    errors.append(
                        Diagnostic(
                            at: location, "layout cycle: \(names)",
                            hint: "a layout cannot be rendered inside itself; remove one 'layout:' of the cycle",
                            sourceLine: closing.text.line(location.line)))
                }
                failed = true
                break
            }
            chain.append(layout)
            guard let parent = layout.parent else { break }
            current = layouts[parent.value]
            if current == nil {
                // Reported by the layout that names the missing parent.
                if chain.count == 1, !broken.contains(parent.value) {
                    errors.append(
                        Diagnostic(
                            at: parent.location, "layout '\(parent.value)' not found",
                            hint: availableLayoutsHint(layouts), sourceLine: layout.text.line(parent.location.line)))
                }
                failed = true
            }
        }
        if !failed { chains[name] = chain }
    }
    return (chains, errors)
}

func availableLayoutsHint(_ layouts: [String: Layout]) -> String {
    let names = layouts.keys.sorted()
    if names.isEmpty { return "templates/layouts/ holds no .liquid files" }
    return "templates/layouts/ has: " + names.joined(separator: ", ")
}
