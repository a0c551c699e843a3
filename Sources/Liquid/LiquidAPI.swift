// Public surface of the Liquid engine that the site builder and the CLI program against.
// The engine behind it is being written; these signatures are the agreement between targets.
import Diagnostics
import Foundation

/// A value a template sees.
public enum LiquidValue: Sendable {
    case `nil`
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([LiquidValue])
    case object(LiquidObject)
    /// A point in time with the UTC offset it was written in, so `date` formats it in that
    /// offset and never in the machine's time zone.
    case date(LiquidDate)
    /// A lazily evaluated object (pages with `prev`/`next` cycles, large site collections).
    case drop(any LiquidDrop)
}

extension LiquidValue {
    /// Parses JSON text, keeping the order of object keys. Throws `Diagnostic` at `path:line:col`.
    public init(json text: String, path: String) throws {
        self = .string(text)
    }
}

/// An insertion-ordered string-keyed map: `for` over a hash follows the order it was written in.
public struct LiquidObject: Sendable {
    public private(set) var keys: [String] = []
    private var storage: [String: LiquidValue] = [:]

    public init() {}

    public init(_ pairs: [(String, LiquidValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> LiquidValue? {
        get { storage[key] }
        set {
            if storage.updateValue(newValue ?? .nil, forKey: key) == nil { keys.append(key) }
            if newValue == nil {
                storage[key] = nil
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var pairs: [(String, LiquidValue)] { keys.map { ($0, storage[$0]!) } }
}

public struct LiquidDate: Sendable, Hashable {
    public var date: Date
    /// Seconds east of UTC.
    public var utcOffset: Int

    public init(date: Date, utcOffset: Int) {
        self.date = date
        self.utcOffset = utcOffset
    }
}

/// An object whose properties are computed on demand.
public protocol LiquidDrop: Sendable {
    /// The property `key`, or nil when the object has none (undefined; an error in strict mode).
    func value(forKey key: String) -> LiquidValue?
}

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
}

/// The render context as a filter sees it (for filters such as `t` that read `page.lang`).
public protocol FilterContext {
    func variable(_ path: [String]) -> LiquidValue?
}

/// A filter added by the embedding program. Throw `FilterError` for bad input; the engine adds
/// the template location.
public typealias LiquidFilter =
    @Sendable (_ input: LiquidValue, _ arguments: FilterArguments, _ context: any FilterContext) throws -> LiquidValue

public struct FilterError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

public struct LiquidOptions: Sendable {
    /// Undefined variables, unknown properties and missing filter arguments are errors, not warnings.
    public var strictVariables: Bool
    /// Site root for `relative_url` and `absolute_url` (`https://user.github.io/portal/`); nil leaves URLs as they are.
    public var baseURL: String?
    /// Bound on nested include/render depth, reported as an error naming the chain.
    public var maximumIncludeDepth: Int

    public init(strictVariables: Bool = false, baseURL: String? = nil, maximumIncludeDepth: Int = 100) {
        self.strictVariables = strictVariables
        self.baseURL = baseURL
        self.maximumIncludeDepth = maximumIncludeDepth
    }
}

/// Parses templates and holds what every render of them shares: options, partials, extra filters.
public final class LiquidEnvironment: Sendable {
    public let options: LiquidOptions
    public let loader: (any TemplateLoader)?
    public let customFilters: [String: LiquidFilter]

    public init(
        options: LiquidOptions = LiquidOptions(), loader: (any TemplateLoader)? = nil,
        filters: [String: LiquidFilter] = [:]
    ) {
        self.options = options
        self.loader = loader
        self.customFilters = filters
    }

    /// Parses once; the result renders many times, from many threads. Throws `Diagnostic`.
    public func parse(_ source: String, path: String) throws -> Template {
        Template(environment: self, path: path, source: source)
    }
}

public struct Template: Sendable {
    public let environment: LiquidEnvironment
    public let path: String
    let source: String

    /// Renders with `context` as the top-level variables. Throws `Diagnostic` (with the
    /// include chain as causes); non-fatal problems (undefined variables when not strict) are
    /// appended to `warnings`.
    public func render(_ context: [String: LiquidValue], warnings: inout [Diagnostic]) throws -> String {
        source
    }

    public func render(_ context: [String: LiquidValue]) throws -> String {
        var ignored: [Diagnostic] = []
        return try render(context, warnings: &ignored)
    }
}

/// Words in `text` as `number_of_words` and `page.word_count` count them: runs of letters or
/// digits separated by white space or punctuation are one word each, and every Hangul, Han or
/// Kana character counts as a word of its own (Jekyll's `cjk` mode), so Korean prose is not
/// counted as one word per space-free run.
public func countWords(_ text: String) -> Int {
    text.split(whereSeparator: \.isWhitespace).count
}
