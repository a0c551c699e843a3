import Synchronization

/// The parsed form of a template. Every node keeps the byte offset it came from, so a render
/// error can name `path:line:col`. Large payloads are classes so that walking the tree moves
/// one reference, not every field.
struct Block: Sendable {
    /// Each node in a box of its own, which a render borrows through `Unmanaged`: copying an
    /// enum out of an array retained and released it (and often its payload) for every node.
    /// Text before a tag or output goes in that node's box (`NodeBox.leadingText`); only text
    /// at the end of the block is a node of its own.
    let boxes: [NodeBox]

    init(nodes: [Node]) {
        var boxes: [NodeBox] = []
        var text: [UInt8] = []
        for node in nodes {
            if case .text(let more) = node {
                text += more
            } else {
                boxes.append(NodeBox(node, after: text))
                text = []
            }
        }
        if !text.isEmpty { boxes.append(NodeBox(.text(text), after: [])) }
        self.boxes = boxes
    }

    /// The nodes as parsed, text included.
    var nodes: [Node] {
        boxes.flatMap { box in box.leadingText.isEmpty ? [box.node] : [.text(box.leadingText), box.node] }
    }
}

final class NodeBox: Sendable {
    /// Text written before the node. Text between tags was half the nodes a render went
    /// through, each dispatched through the node switch; carried by the next node instead, a
    /// render of bench/liquid took 46.3 µs against 48.3 µs (medians of 5 in turn).
    let leadingText: [UInt8]
    let node: Node

    init(_ node: Node, after leadingText: [UInt8]) {
        self.leadingText = leadingText
        self.node = node
    }
}

/// A variable name, interned when the template is parsed so that renders compare integers
/// instead of hashing strings. Only the number: copying a symbol (which renders do for every
/// variable they read) then retains nothing; `LiquidEnvironment.name(of:)` gives the name.
struct Symbol: Sendable, Hashable {
    let id: Int
}

enum Node: Sendable {
    /// Text between tags, as UTF-8: written out as it is on every render, where reaching a
    /// String's bytes was a call into the standard library each time.
    case text([UInt8])
    case output(FilteredExpression)
    case assign(Symbol, FilteredExpression)
    case capture(Symbol, Block, offset: Int)
    case increment(Symbol, by: Int)
    case cycle(Cycle)
    case conditional([Branch])
    case caseTag(subject: Expression, clauses: [CaseClause], offset: Int)
    case forLoop(ForLoop)
    case tablerow(ForLoop)
    case loopControl(LoopControl)
    case include(Include)
    case ifchanged(Block)
    /// The body of `{% liquid %}`, rendered in place.
    case block(Block)
}

enum LoopControl: Sendable {
    case breakLoop
    case continueLoop
}

/// One `if`/`elsif`/`else` (or `unless`) arm; `condition` nil is `else`. A class, so that a
/// render borrows it as it does nodes.
final class Branch: Sendable {
    let condition: Condition?
    let negated: Bool
    let body: Block

    init(condition: Condition?, negated: Bool, body: Block) {
        self.condition = condition
        self.negated = negated
        self.body = body
    }
}

struct CaseClause: Sendable {
    /// Values of a `when`; nil for `else`.
    var values: [Expression]?
    var body: Block
}

final class Cycle: Sendable {
    /// Where the cycle's position is kept.
    enum Key: Sendable {
        /// A `LiquidEnvironment.stateKey` known when parsing: the group name when it is written
        /// as a literal, else the values as written when there is no group.
        case fixed(Int)
        /// A group name that is only known once its expression is evaluated.
        case group(Expression)
    }

    let key: Key
    let values: [Expression]

    init(key: Key, values: [Expression]) {
        self.key = key
        self.values = values
    }
}

final class ForLoop: Sendable {
    let variable: Symbol
    let collection: Expression
    let reversed: Bool
    let limit: Expression?
    let offset: Expression?
    let offsetContinues: Bool
    let columns: Expression?
    let body: Block
    let elseBody: Block?
    /// `offset: continue` remembers where the loop over this variable and collection stopped.
    let continuationKey: String
    /// `continuationKey` as a `LiquidEnvironment.stateKey`.
    let continuationID: Int
    let offsetInSource: Int

    init(_ parts: ForLoopParts, body: Block, elseBody: Block?) {
        variable = parts.variable
        collection = parts.collection
        reversed = parts.reversed
        limit = parts.limit
        offset = parts.offset
        offsetContinues = parts.offsetContinues
        columns = parts.columns
        self.body = body
        self.elseBody = elseBody
        continuationKey = parts.continuationKey
        continuationID = parts.continuationID
        offsetInSource = parts.offsetInSource
    }
}

/// What the `for` and `tablerow` markup says, gathered before the body is parsed.
struct ForLoopParts {
    var variable: Symbol
    var collection: Expression
    var reversed = false
    var limit: Expression?
    var offset: Expression?
    var offsetContinues = false
    var columns: Expression?
    var continuationKey: String
    var continuationID: Int
    var offsetInSource: Int
}

final class Include: Sendable {
    /// The partial a literal name resolved to, kept so later renders skip the lookup. Reading
    /// it takes no lock: every include of every render goes through here. Not retained: the
    /// environment holds every partial it parsed for as long as it lives, and so as long as
    /// this tag (in one of its partials, or in a template, which holds the environment). A
    /// partial that renders itself (a tree of headings) held itself through this reference
    /// and was never freed, one copy more for each rebuild of a previewed site.
    let resolved = Atomic<Unmanaged<ParsedPartial>?>(nil)

    enum Kind: Sendable {
        case include
        case render
    }

    let kind: Kind
    let name: Expression
    let binding: Expression?
    let bindingIsFor: Bool
    /// The name the bound value gets: the alias, else the partial's own name when it is literal.
    let variable: Symbol?
    let arguments: [IncludeArgument]
    let offset: Int
    /// This tag's number among the environment's include tags, numbered from 0, where a render
    /// keeps the partial it resolved.
    let slot: Int
    /// Jekyll's `key=value` parameters, given to the partial as one object in `include`.
    let parameters: (variable: Symbol, values: [(String, Expression)])?

    init(
        kind: Kind, name: Expression, binding: Expression?, bindingIsFor: Bool, variable: Symbol?,
        arguments: [(Symbol, Expression)], offset: Int, slot: Int,
        parameters: (variable: Symbol, values: [(String, Expression)])? = nil
    ) {
        self.parameters = parameters
        self.kind = kind
        self.name = name
        self.binding = binding
        self.bindingIsFor = bindingIsFor
        self.variable = variable
        self.arguments = arguments.map(IncludeArgument.init)
        self.offset = offset
        self.slot = slot
    }
}

/// One `name: value` of an include, in a class of its own so that a render borrows it as it
/// does nodes: copying the expression out retained and released it for every include.
final class IncludeArgument: Sendable {
    let symbol: Symbol
    let value: Expression

    init(_ symbol: Symbol, _ value: Expression) {
        self.symbol = symbol
        self.value = value
    }
}

enum Expression: Sendable {
    case literal(LiquidValue)
    /// `blank` and `empty`: values in output, predicates in comparisons.
    case blank
    case empty
    case variable(VariablePath)
    indirect case range(Expression, Expression, offset: Int)
}

final class VariablePath: Sendable {
    enum Root: Sendable {
        case symbol(Symbol)
        /// `[expression]` at the start of a path: the variable named by the expression's value.
        case computed(Expression)
    }

    enum Segment: Sendable {
        case key(String)
        case index(Expression)
    }

    let root: Root
    let segments: [Segment]
    /// The segments' keys when every segment is a fixed key (`page.title`), as most are: a
    /// render reads them without copying segments out of their enum.
    let keys: [String]?
    /// `LiquidObject.fingerprint(of:)` of each of `keys`, worked out once here rather than on
    /// every lookup.
    let keyFingerprints: [UInt64]
    let offset: Int
    let text: String

    init(root: Root, segments: [Segment], offset: Int, text: String) {
        self.root = root
        self.segments = segments
        var keys: [String] = []
        for case .key(let key) in segments { keys.append(key) }
        self.keys = keys.count == segments.count ? keys : nil
        keyFingerprints = self.keys?.map(LiquidObject.fingerprint(of:)) ?? []
        self.offset = offset
        self.text = text
    }
}

final class FilteredExpression: Sendable {
    let expression: Expression
    let filters: [FilterCall]
    let offset: Int
    /// `x | default: …` asks whether x exists, so an undefined x is not reported.
    let testsExistence: Bool
    /// For each filter, whether it and the next may be answered together (`Renderer.shortcut`).
    let shortcuts: [FilterShortcut]

    init(expression: Expression, filters: [FilterCall], offset: Int, takesShortcuts: Bool) {
        self.expression = expression
        self.filters = filters
        self.offset = offset
        self.testsExistence = filters.first?.name == "default"
        shortcuts = filters.indices.map { index in
            guard takesShortcuts, index + 1 < filters.count else { return .none }
            return FilterShortcut(filters[index], then: filters[index + 1])
        }
    }
}

/// Two standard filters in a row whose answer does not need the list the first one makes:
/// `sort | first` of strings is the smallest one, `split: '-' | last` the last field. Making
/// the list (an array and a string for each item) and freeing it took most of those filters'
/// time: with both shortcuts a render of bench/liquid went from 55.1 to 48.8 µs.
enum FilterShortcut: Sendable {
    case none
    case smallest
    case lastField

    init(_ filter: FilterCall, then next: FilterCall) {
        guard filter.isStandard, next.isStandard, next.positional.isEmpty, next.keyword.isEmpty else {
            self = .none
            return
        }
        switch (filter.name, next.name) {
        case ("sort", "first") where filter.positional.isEmpty && filter.keyword.isEmpty:
            self = .smallest
        case ("split", "last"):
            // A single space splits on runs of white space, and an empty separator into
            // characters: those keep the general path.
            guard case .string(let separator)? = filter.literalArguments?.positional.first,
                !separator.isEmpty, separator != " "
            else {
                self = .none
                return
            }
            self = .lastField
        default:
            self = .none
        }
    }
}

final class FilterCall: Sendable {
    let name: String
    let definition: FilterDefinition
    let positional: [Expression]
    /// The arguments when all of them are positional literals (`| join: ', '`), as most are:
    /// a render passes them as they are instead of evaluating and gathering each one.
    let literalArguments: FilterArguments?
    let keyword: [(String, Expression)]
    let offset: Int
    /// `definition.readsEveryItem`, kept here: reading it through the definition copied the
    /// definition (and retained its closure) on every call.
    let readsEveryItem: Bool
    /// The standard filter of that name, not one the environment was given in its place.
    let isStandard: Bool

    init(
        name: String, definition: FilterDefinition, positional: [Expression], keyword: [(String, Expression)],
        offset: Int, isStandard: Bool
    ) {
        self.name = name
        self.definition = definition
        self.positional = positional
        var literals: [LiquidValue] = []
        for case .literal(let value) in positional { literals.append(value) }
        self.literalArguments =
            literals.count == positional.count && keyword.isEmpty ? FilterArguments(positional: literals) : nil
        self.keyword = keyword
        self.offset = offset
        self.readsEveryItem = definition.readsEveryItem
        self.isStandard = isStandard
    }
}

indirect enum Condition: Sendable {
    case value(Expression)
    case comparison(Expression, ComparisonOperator, Expression, offset: Int)
    case and(Condition, Condition)
    case or(Condition, Condition)
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case contains
}
