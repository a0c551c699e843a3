import Diagnostics
import Foundation
import Liquid
import Markdown
import Synchronization

/// Warnings raised inside filters, which the template engine gives no way to report; each
/// distinct one is kept once whichever thread finds it.
final class FilterWarnings: Sendable {
    private let found = Mutex<[String: Diagnostic]>([:])

    func add(_ diagnostic: Diagnostic) {
        found.withLock { table in
            if table[diagnostic.headline] == nil { table[diagnostic.headline] = diagnostic }
        }
    }

    /// In a stable order, whatever order the threads found them in.
    var all: [Diagnostic] {
        found.withLock { table in table.keys.sorted().compactMap { table[$0] } }
    }
}

/// The UI strings of `templates/i18n/<lang>.yml`, for the `t` filter.
struct Translations: Sendable {
    var tables: [String: LiquidObject]
    var defaultLanguage: String

    /// The string at a dotted key (`nav.home`) in `lang`'s file.
    func lookup(_ key: String, in lang: String) -> LiquidValue? {
        guard var current = tables[lang].map(LiquidValue.object) else { return nil }
        if case .object(let object) = current, let direct = object[key] { return direct }
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let object) = current, let next = object[String(part)] else { return nil }
            current = next
        }
        return current
    }
}

/// What the builder's own filters need to know about the site.
struct FilterSetting: Sendable {
    var markdown: MarkdownOptions
    var translations: Translations
    var assets: AssetFingerprints
    var basePath: String
    var production: Bool
    var warnings: FilterWarnings
}

/// `markdownify`, `t` and `asset_url`; `relative_url` and the other Jekyll filters come with
/// the template engine.
func siteFilters(_ setting: FilterSetting) -> [String: LiquidFilter] {
    [
        "markdownify": markdownify(setting.markdown),
        "t": { input, arguments, context in
            try translate(input.outputText, arguments: arguments, context: context, setting: setting)
        },
        "asset_url": { input, _, _ in
            .string(setting.basePath + "/" + (try setting.assets.fingerprintedPath(of: input.outputText)))
        },
    ]
}

/// The builder's filters for a template rendered without a site (`bridgehead render`):
/// `markdownify` as a site with the default `markdown:` settings has it; `t` and `asset_url`,
/// which read the site's files, fail with a message that says so rather than being unknown.
public func standaloneFilters() -> [String: LiquidFilter] {
    let needsSite: (String) -> LiquidFilter = { files in
        { _, _, _ in
            throw FilterError(
                "this filter reads the site's \(files), and a template rendered on its own has no site",
                hint: "use it in a site's templates and run `bridgehead build`")
        }
    }
    return [
        "markdownify": markdownify(MarkdownOptions()),
        "t": needsSite("templates/i18n/<lang>.yml"),
        "asset_url": needsSite("templates/static/"),
    ]
}

private func markdownify(_ options: MarkdownOptions) -> LiquidFilter {
    { input, _, _ in
        do {
            return .string(try MarkdownRenderer(options: options).render(input.outputText, path: "").html)
        } catch {
            throw FilterError("markdownify: \(error)")
        }
    }
}

private func translate(
    _ key: String, arguments: FilterArguments, context: any FilterContext, setting: FilterSetting
) throws -> LiquidValue {
    let translations = setting.translations
    var lang = context.variable(["page", "lang"])?.outputText ?? ""
    if lang.isEmpty { lang = translations.defaultLanguage }
    var found = translations.lookup(key, in: lang)
    if found == nil, lang != translations.defaultLanguage {
        found = translations.lookup(key, in: translations.defaultLanguage)
        if found != nil {
            setting.warnings.add(
                context.diagnosticAtCall(
                    .warning,
                    "no translation of '\(key)' in templates/i18n/\(lang).yml; using the \(translations.defaultLanguage) text",
                    hint: "add '\(key)' to templates/i18n/\(lang).yml"))
        }
    }
    guard let found else {
        let message = "no translation of '\(key)' in templates/i18n/\(lang).yml"
        let hint = "add '\(key)' to templates/i18n/\(lang).yml"
        if setting.production { throw FilterError(message, hint: hint) }
        setting.warnings.add(context.diagnosticAtCall(.warning, message + "; the key is shown instead", hint: hint))
        return .string(key)
    }
    var text = found.outputText
    var values = arguments.keyword
    if case .object(let object) = arguments.positional.first { values += object.pairs }
    for (name, value) in values {
        text = text.replacingOccurrences(of: "%{\(name)}", with: value.outputText)
    }
    return .string(text)
}
