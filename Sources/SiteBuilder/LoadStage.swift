import Diagnostics
import Liquid
import Markdown
import Parallel

/// Reads everything the site is made of: `site.yml`, every file of `content/` and `templates/`;
/// front matter, data files, UI strings and layouts are parsed here, so every later stage
/// works from memory.
enum LoadStage {
    static func run(_ state: BuildState) async {
        defer { state.sourceBytes = SourceBytes() }
        guard let config = loadConfig(state) else { return }
        state.config = config
        let templates = walkTemplates(state)
        loadContent(state, config: config)
        let translations = loadTranslations(state, files: templates.i18n, config: config)
        let includes = loadIncludes(state, files: templates.includes)
        let assets = AssetFingerprints(staticFiles: state.staticFiles, fingerprinting: state.fingerprintAssets)
        state.assets = assets
        let setting = FilterSetting(
            markdown: MarkdownOptions(unsafeHTML: config.unsafeHTML), translations: translations,
            assets: assets, basePath: config.basePath,
            production: state.options.production, warnings: state.filterWarnings)
        let environment = LiquidEnvironment(
            options: LiquidOptions(strictVariables: state.options.production, baseURL: config.baseURL),
            loader: includes, filters: siteFilters(setting))
        loadLayouts(state, files: templates.layouts, environment: environment)
    }

    private static func loadConfig(_ state: BuildState) -> SiteConfig? {
        let path = state.paths.source + "/site.yml"
        let shown = state.paths.shown("site.yml")
        guard FileSystem.kind(of: path) == .file else {
            state.fail(
                Diagnostic(
                    at: nil, "no site.yml in '\(state.paths.display.isEmpty ? "." : state.paths.display)'",
                    hint: "run bridgehead in the folder that holds site.yml, or pass --source DIR"))
            return nil
        }
        do {
            let text = try state.sourceBytes.text(of: path, shown: shown)
            var loader = SiteConfigLoader(path: shown, text: text)
            let config = loader.load(baseURLOverride: state.options.baseURL)
            loader.warnings.forEach(state.fail)
            loader.errors.forEach(state.fail)
            return config
        } catch {
            state.fail(located(error, path: shown))
            return nil
        }
    }

    // MARK: content/

    private static func loadContent(_ state: BuildState, config: SiteConfig) {
        guard FileSystem.kind(of: state.paths.content) == .folder else {
            state.fail(
                Diagnostic(
                    at: nil, "no content/ folder in '\(state.paths.display.isEmpty ? "." : state.paths.display)'",
                    hint: "pages are Markdown files below content/; the home page is content/_index.md"))
            return
        }
        var walker = FolderWalker(
            root: state.paths.content, displayRoot: state.paths.shown("content"), confined: true)
        let files = walker.files { relative, isFolder in
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            if name.hasPrefix(".") { return false }
            if isFolder { return !name.hasPrefix("_") || relative == "_data" }
            return !name.hasPrefix("_") || relative.hasPrefix("_data/") || isIndexFile(name)
        }
        walker.errors.forEach(state.fail)
        var markdown: [WalkedFile] = []
        var data: [WalkedFile] = []
        for file in files {
            if file.relative.hasPrefix("_data/") {
                data.append(file)
            } else if file.relative.hasSuffix(".md") {
                markdown.append(file)
            } else {
                state.copiedFiles.append(file)
            }
        }
        let languageIndex = Dictionary(
            config.languages.map { ($0.code, $0.index) }, uniquingKeysWith: { first, _ in first })
        let reader = ContentReader(
            display: state.paths.display, taxonomies: config.taxonomies, languages: languageIndex,
            sourceBytes: state.sourceBytes)
        let pages = markdown
        let results = parallelMap(pages.count, serial: !state.options.parallel) { index in
            reader.read(pages[index])
        }
        for result in results {
            switch result {
            case .success(let file): state.contentFiles.append(file)
            case .failure(let list): list.diagnostics.forEach(state.fail)
            }
        }
        state.data = loadData(state, files: data)
    }

    static func isIndexFile(_ name: String) -> Bool {
        name == "_index.md"
            || (name.hasPrefix("_index.") && name.hasSuffix(".md") && name.split(separator: ".").count == 3)
    }

    /// `content/_data/**/*.yml|yaml|json` as nested objects named by folder and file.
    private static func loadData(_ state: BuildState, files: [WalkedFile]) -> LiquidObject {
        var root = LiquidObject()
        for file in files {
            let relative = String(file.relative.dropFirst("_data/".count))
            let shown = state.paths.shown("content/" + file.relative)
            guard let dot = relative.lastIndex(of: "."),
                ["yml", "yaml", "json"].contains(relative[relative.index(after: dot)...])
            else {
                state.fail(
                    Diagnostic(
                        .warning, at: nil, "'\(shown)' is not a data file and is ignored",
                        hint: "data files end in .yml, .yaml or .json"))
                continue
            }
            do {
                let text = try state.sourceBytes.text(of: file.absolute, shown: shown)
                let value: LiquidValue
                if relative.hasSuffix(".json") {
                    value = try LiquidValue(json: text, path: shown)
                } else {
                    let yaml = YAMLSource(path: shown, fileText: text, lineOffset: 0)
                    value = try yaml.compose(text).map(yaml.value) ?? .nil
                }
                let names = relative[..<dot].split(separator: "/").map(String.init)
                if let clash = insert(value, at: names, into: &root) {
                    state.fail(
                        Diagnostic(
                            at: SourceLocation(file: shown, line: 1, column: 1),
                            "site.data.\(clash) is given twice: by this file and by another file or folder of the same name",
                            hint: "rename one of them"))
                }
            } catch {
                state.fail(located(error, path: shown))
            }
        }
        return root
    }

    /// Puts `value` at the nested key path; returns the dotted name when something is already there.
    private static func insert(_ value: LiquidValue, at names: [String], into object: inout LiquidObject) -> String? {
        guard let first = names.first else { return nil }
        if names.count == 1 {
            if object[first] != nil { return first }
            object[first] = value
            return nil
        }
        var child: LiquidObject
        switch object[first] {
        case .none: child = LiquidObject()
        case .object(let existing)?: child = existing
        default: return first
        }
        let clash = insert(value, at: Array(names.dropFirst()), into: &child)
        object[first] = .object(child)
        return clash.map { first + "." + $0 }
    }

    // MARK: templates/

    private struct TemplateFiles {
        var layouts: [WalkedFile] = []
        var includes: [WalkedFile] = []
        var i18n: [WalkedFile] = []
    }

    private static func walkTemplates(_ state: BuildState) -> TemplateFiles {
        var result = TemplateFiles()
        let root = state.paths.templates
        guard FileSystem.kind(of: root) == .folder else {
            state.fail(
                Diagnostic(
                    at: nil, "no templates/ folder in '\(state.paths.display.isEmpty ? "." : state.paths.display)'",
                    hint: "layouts go in templates/layouts/, for example templates/layouts/default.liquid"))
            return result
        }
        for (folder, keepDotFiles) in [("layouts", false), ("includes", false), ("i18n", false), ("static", true)] {
            let path = root + "/" + folder
            guard FileSystem.kind(of: path) == .folder else { continue }
            var walker = FolderWalker(
                root: path, displayRoot: state.paths.shown("templates/" + folder), confined: false)
            let files = walker.files { relative, _ in
                keepDotFiles || !(relative.split(separator: "/").last ?? "").hasPrefix(".")
            }
            walker.errors.forEach(state.fail)
            switch folder {
            case "layouts":
                result.layouts = files.filter { $0.relative.hasSuffix(".liquid") }
                for ignored in files where !ignored.relative.hasSuffix(".liquid") {
                    state.fail(
                        Diagnostic(
                            .warning, at: nil,
                            "'\(state.paths.shown("templates/layouts/" + ignored.relative))' is not a layout and is ignored",
                            hint: "layouts end in .liquid"))
                }
            case "includes": result.includes = files
            case "i18n": result.i18n = files
            default: state.staticFiles = files
            }
        }
        return result
    }

    private static func loadTranslations(_ state: BuildState, files: [WalkedFile], config: SiteConfig)
        -> Translations
    {
        var tables: [String: LiquidObject] = [:]
        let codes = Set(config.languages.map(\.code))
        for file in files {
            let shown = state.paths.shown("templates/i18n/" + file.relative)
            let code =
                file.relative.hasSuffix(".yml")
                ? String(file.relative.dropLast(4))
                : file.relative.hasSuffix(".yaml") ? String(file.relative.dropLast(5)) : nil
            guard let code, codes.contains(code) else {
                state.fail(
                    Diagnostic(
                        .warning, at: nil, "'\(shown)' is not the UI strings of a language of site.yml and is ignored",
                        hint: "name it <code>.yml after a language code of site.yml"))
                continue
            }
            do {
                let text = try state.sourceBytes.text(of: file.absolute, shown: shown)
                let yaml = YAMLSource(path: shown, fileText: text, lineOffset: 0)
                guard let root = try yaml.compose(text) else { continue }
                guard case .object(let object) = yaml.value(root) else {
                    throw yaml.error("UI strings must be a mapping of keys to texts", at: root)
                }
                tables[code] = object
            } catch {
                state.fail(located(error, path: shown))
            }
        }
        return Translations(tables: tables, defaultLanguage: config.defaultLanguage.code)
    }

    private static func loadIncludes(_ state: BuildState, files: [WalkedFile]) -> IncludeFiles {
        var loaded: [String: (source: String, path: String)] = [:]
        for file in files {
            let shown = state.paths.shown("templates/includes/" + file.relative)
            do {
                loaded[file.relative] = (
                    try state.sourceBytes.text(of: file.absolute, shown: shown), shown
                )
            } catch {
                state.fail(located(error, path: shown))
            }
        }
        return IncludeFiles(files: loaded)
    }

    private static func loadLayouts(_ state: BuildState, files: [WalkedFile], environment: LiquidEnvironment) {
        // Layouts that failed to read or parse: their own error is reported, so a layout naming
        // one as its parent is not reported again as naming a missing layout.
        var broken: Set<String> = []
        for file in files {
            let shown = state.paths.shown("templates/layouts/" + file.relative)
            let name = String(file.relative.dropLast(".liquid".count))
            do {
                let text = try state.sourceBytes.text(of: file.absolute, shown: shown)
                state.layouts[name] = try parseLayout(
                    name: name, text: text, displayPath: shown, environment: environment)
            } catch {
                broken.insert(name)
                state.fail(located(error, path: shown))
            }
        }
        let (chains, errors) = layoutChains(state.layouts, broken: broken)
        state.chains = chains
        errors.forEach(state.fail)
    }

    /// A file-system error as a diagnostic naming the file; diagnostics pass through.
    static func located(_ error: any Error, path: String) -> any Error {
        if error is Diagnostic || error is DiagnosticList { return error }
        if let error = error as? FileSystemError {
            return Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), error.message, hint: error.hint)
        }
        return Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "\(error)")
    }
}

/// Reads one Markdown file of `content/` up to its body; safe to run on many threads at once.
struct ContentReader: Sendable {
    let display: String
    let taxonomies: [String]
    let languages: [String: Int]
    let sourceBytes: SourceBytes

    func read(_ file: WalkedFile) -> Result<ContentFile, DiagnosticList> {
        let sourcePath = "content/" + file.relative
        let shown = display + sourcePath
        do {
            let text = try sourceBytes.text(of: file.absolute, shown: shown)
            guard let split = try splitFrontMatter(text, path: shown) else {
                throw Diagnostic(
                    at: SourceLocation(file: shown, line: 1, column: 1),
                    text.isEmpty
                        ? "the file is empty; a page needs front matter with a title"
                        : "missing front matter with a title",
                    hint: "start the file with three lines: ---, title: \"…\", ---", sourceLine: text.line(1))
            }
            let yaml = YAMLSource(path: shown, fileText: text, lineOffset: 1)
            let matter = try FrontMatterReader(yaml: yaml, taxonomies: taxonomies).read(String(split.yaml))
            let slash = file.relative.lastIndex(of: "/")
            let folder = slash.map { String(file.relative[..<$0]) } ?? ""
            var stem = String(
                file.relative[(slash.map { file.relative.index(after: $0) } ?? file.relative.startIndex)...].dropLast(3)
            )
            var language = 0
            if let dot = stem.lastIndex(of: "."), let index = languages[String(stem[stem.index(after: dot)...])] {
                language = index
                stem = String(stem[..<dot])
            }
            return .success(
                ContentFile(
                    relativePath: file.relative, folder: folder, stem: stem, language: language,
                    sourcePath: sourcePath, displayPath: shown, text: text, body: split.body,
                    bodyFirstLine: split.bodyFirstLine, matter: matter))
        } catch let list as DiagnosticList {
            return .failure(list)
        } catch {
            let located = LoadStage.located(error, path: shown)
            return .failure(DiagnosticList([located as? Diagnostic ?? Diagnostic(at: nil, "\(located)")]))
        }
    }
}

/// Source files the build cache has read and hashed already, by path: the load stage takes
/// these very bytes rather than reading each file again, and any other file from disk.
struct SourceBytes: Sendable {
    var files: [String: [UInt8]] = [:]

    /// The file's text, decoded as `decodeSourceText` does; `shown` names it in errors.
    func text(of path: String, shown: String) throws -> String {
        try decodeSourceText(files[path] ?? FileSystem.readFile(path), path: shown)
    }
}
