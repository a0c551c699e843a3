import Diagnostics
import Synchronization

/// Where `{% include %}` and `{% render %}` find partials.
public protocol TemplateLoader: Sendable {
    /// The source text of partial `name` and the path to show in errors, or nil if there is none.
    func loadTemplate(named name: String) throws -> (source: String, path: String)?
}

/// What a custom filter receives besides its input.
public struct FilterArguments: Sendable {
    public var positional: [LiquidValue]
    public var keyword: [(String, LiquidValue)]

    public init(positional: [LiquidValue], keyword: [(String, LiquidValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    public subscript(keyword name: String) -> LiquidValue? {
        keyword.first { $0.0 == name }?.1
    }
}

/// The render context as a filter sees it (for filters such as `t` that read `page.lang`).
public protocol FilterContext {
    /// The value at a dotted path of names (`["page", "lang"]`), or nil if undefined.
    func variable(_ path: [String]) -> LiquidValue?

    /// A diagnostic at the filter call being applied (`path:line:col`, with its line quoted),
    /// for a filter that reports a problem without failing the render.
    func diagnosticAtCall(_ severity: Severity, _ message: String, hint: String?) -> Diagnostic
}

/// A filter added by the embedding program. Throw `FilterError` for bad input; the engine adds
/// the template location.
public typealias LiquidFilter =
    @Sendable (_ input: LiquidValue, _ arguments: FilterArguments, _ context: any FilterContext) throws -> LiquidValue

public struct FilterError: Error, Sendable {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

public struct LiquidOptions: Sendable {
    /// Undefined variables and unknown properties are errors, not warnings.
    public var strictVariables: Bool
    /// Site root for `relative_url` and `absolute_url` (`https://user.github.io/portal/`); nil leaves URLs as they are.
    public var baseURL: String?
    /// Bound on nested include/render depth, reported as an error naming the chain.
    public var maximumIncludeDepth: Int
    /// Bound on one render's steps of work: each loop iteration, partial rendered and number
    /// taken out of a range is a step, and so is each item of a list, or 16 bytes of a string,
    /// that a filter reads or makes, or a comparison or a capture goes through (a sort counts
    /// its comparisons). A template that nests loops over large collections, loops over a range
    /// with a huge bound, or runs filters over long lists inside loops stops with an error
    /// instead of running for hours. With the default, a loop that does nothing stops after
    /// about half a second and loops of the costliest filters within seconds (README, Liquid);
    /// no page of a real site comes near it.
    public var maximumSteps: Int
    /// Bound on one render's output, and on any one string a tag or filter makes (an array
    /// counts 16 bytes an item): a loop or capture that doubles its text stops with an error
    /// instead of taking all memory. A 50 MB Markdown page's HTML is about 70 MB.
    public var maximumOutputBytes: Int

    public init(
        strictVariables: Bool = false, baseURL: String? = nil, maximumIncludeDepth: Int = 100,
        maximumSteps: Int = 100_000_000, maximumOutputBytes: Int = 256 << 20
    ) {
        self.strictVariables = strictVariables
        self.baseURL = baseURL
        self.maximumIncludeDepth = maximumIncludeDepth
        self.maximumSteps = maximumSteps
        self.maximumOutputBytes = maximumOutputBytes
    }
}

/// Parses templates and holds what every render of them shares: options, partials, extra filters.
public final class LiquidEnvironment: Sendable {
    public let options: LiquidOptions
    public let loader: (any TemplateLoader)?
    let filters: [String: FilterDefinition]
    /// Standard filters' names that `init`'s `filters` gave a meaning of their own.
    let replacedFilterNames: Set<String>
    let urls: SiteURLs
    private let partials = Mutex<[String: PartialLookup]>([:])
    private let expressionCache = Mutex<[String: (Condition, SourceFile)]>([:])
    private let symbols = Mutex<(ids: [String: Int], names: [String])>(([:], []))
    private let stateKeys = Mutex<[String: Int]>([:])
    private let includeSlots = Atomic<Int>(0)
    let forloopSymbol: Symbol
    let tablerowloopSymbol: Symbol

    /// Whether parsing lets a render answer two filters together where it can
    /// (`FilterShortcut`); off only to compare renders with and without (tests, FuzzLiquid).
    let takesFilterShortcuts: Bool

    public convenience init(
        options: LiquidOptions = LiquidOptions(), loader: (any TemplateLoader)? = nil,
        filters: [String: LiquidFilter] = [:]
    ) {
        self.init(options: options, loader: loader, filters: filters, takesFilterShortcuts: true)
    }

    init(
        options: LiquidOptions, loader: (any TemplateLoader)?, filters: [String: LiquidFilter],
        takesFilterShortcuts: Bool
    ) {
        self.takesFilterShortcuts = takesFilterShortcuts
        self.options = options
        self.loader = loader
        self.urls = SiteURLs(baseURL: options.baseURL)
        self.forloopSymbol = Symbol(id: 0)
        self.tablerowloopSymbol = Symbol(id: 1)
        symbols.withLock { $0 = (["forloop": 0, "tablerowloop": 1], ["forloop", "tablerowloop"]) }
        var table = standardFilters
        for (name, filter) in filters {
            table[name] = FilterDefinition(arity: 0...Int.max, keywords: .any) { input, arguments, context in
                try filter(input, arguments, context)
            }
        }
        self.filters = table
        self.replacedFilterNames = Set(filters.keys).intersection(standardFilters.keys)
    }

    /// Parses once; the result renders many times, from many threads. Throws `Diagnostic`.
    public func parse(_ source: String, path: String) throws -> Template {
        let parser = Parser(source: source, path: path, environment: self)
        return Template(environment: self, file: parser.file, root: try parser.parseDocument())
    }

    /// A partial by name, parsed once and shared by every render that includes it.
    func partial(named name: String) throws -> ParsedPartial? {
        if let cached = partials.withLock({ $0[name] }) { return cached.template }
        let template: ParsedPartial?
        if let loaded = try loader?.loadTemplate(named: name) {
            let parsed = try parse(loaded.source, path: loaded.path)
            template = ParsedPartial(file: parsed.file, root: parsed.root)
        } else {
            template = nil
        }
        // The first to finish keeps its partial, which every caller gets from then on: an
        // `Include` points at it without holding it.
        return partials.withLock { table in
            if let earlier = table[name] { return earlier.template }
            table[name] = PartialLookup(template: template)
            return template
        }
    }

    /// The interned symbol for a variable name; the same name always gets the same id.
    func symbol(_ name: String) -> Symbol {
        symbols.withLock { table in
            if let id = table.ids[name] { return Symbol(id: id) }
            let id = table.names.count
            table.ids[name] = id
            table.names.append(name)
            return Symbol(id: id)
        }
    }

    /// The variable name `symbol` stands for.
    func name(of symbol: Symbol) -> String {
        symbols.withLock { $0.names[symbol.id] }
    }

    /// The number standing for `text` as the key of render state (cycle positions, loop
    /// offsets), so a render hashes an integer instead of the text.
    func stateKey(_ text: String) -> Int {
        stateKeys.withLock { table in
            if let id = table[text] { return id }
            let id = table.count
            table[text] = id
            return id
        }
    }

    /// A new `Include.slot`.
    func nextIncludeSlot() -> Int {
        includeSlots.add(1, ordering: .relaxed).oldValue
    }

    func cachedCondition(
        _ expression: String, parse: () throws -> (Condition, SourceFile)
    ) throws -> (Condition, SourceFile) {
        if let cached = expressionCache.withLock({ $0[expression] }) { return cached }
        let parsed = try parse()
        expressionCache.withLock { $0[expression] = parsed }
        return parsed
    }
}

private struct PartialLookup: Sendable {
    var template: ParsedPartial?
}

/// A parsed partial without its environment: the environment caches it, and a `Template` would
/// hold the environment in turn, so neither would ever be freed.
final class ParsedPartial: Sendable {
    let file: SourceFile
    let root: Block

    init(file: SourceFile, root: Block) {
        self.file = file
        self.root = root
    }
}

public struct Template: Sendable {
    public let environment: LiquidEnvironment
    let file: SourceFile
    let root: Block
    /// Where the next render's output buffer starts.
    let outputSize = OutputSizeHint()

    public var path: String { file.path }

    /// Renders with `context` as the top-level variables. Throws `Diagnostic` (with the
    /// include chain as causes); non-fatal problems (undefined variables when not strict) are
    /// appended to `warnings`.
    public func render(_ context: [String: LiquidValue], warnings: inout [Diagnostic]) throws -> String {
        try rendering(context, warnings: &warnings) { try $0.renderText(self) }
    }

    /// The output as UTF-8 bytes, for a caller that writes it out: making a `String` of a
    /// page costs a copy.
    public func renderUTF8(_ context: [String: LiquidValue], warnings: inout [Diagnostic]) throws -> [UInt8] {
        try rendering(context, warnings: &warnings) { try $0.renderDocument(self) }
    }

    private func rendering<Output>(
        _ context: [String: LiquidValue], warnings: inout [Diagnostic], _ body: (Renderer) throws -> Output
    ) throws -> Output {
        let renderer = Renderer(environment: environment, globals: context, file: file)
        let output = try body(renderer)
        warnings.append(contentsOf: renderer.warnings)
        return output
    }

    public func render(_ context: [String: LiquidValue]) throws -> String {
        var ignored: [Diagnostic] = []
        return try render(context, warnings: &ignored)
    }
}

/// The size of a template's largest output so far (up to a mebibyte): a buffer that started at
/// twice the template's own size grew three or four times a page, copying what it held each
/// time. Read and written without ordering: it is only a hint, and renders on other threads
/// may write it at the same time.
final class OutputSizeHint: Sendable {
    private let largest = Atomic<Int>(0)
    private static let cap = 1 << 20

    var bytes: Int { largest.load(ordering: .relaxed) }

    func record(_ size: Int) {
        if size > bytes { largest.store(min(size, Self.cap), ordering: .relaxed) }
    }
}
