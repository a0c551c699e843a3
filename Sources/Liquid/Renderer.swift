import Diagnostics

/// One render of a template: the variables, the output buffer and the state tags keep
/// (counters, cycles, loop offsets). Never shared between threads.
final class Renderer: FilterContext {
    let environment: LiquidEnvironment
    private var globals: [String: LiquidValue]
    /// Globals looked up by symbol id, filled on first use so each name is hashed once per render.
    private var globalSlots: [GlobalSlot] = []
    /// The outermost scope, where `assign` and `capture` write, indexed by symbol id.
    private var locals: [LiquidValue?] = []
    /// Variables of loops and includes, innermost last; `frameStarts` marks where each scope begins.
    private var bindings: [Binding] = []
    private var frameStarts: [Int] = []
    /// Counters of `increment`/`decrement`, which live beside the globals, not in the scopes.
    private var counters: [Int: LiquidValue] = [:]
    /// The rendered text as UTF-8: appending bytes is far cheaper than growing a String.
    private var output = OutputBuffer(capacity: 0)
    /// Reused for filter arguments so a filter call does not allocate an array.
    private var argumentBuffer: [LiquidValue] = []
    private(set) var warnings: [Diagnostic] = []
    /// Where the filter being applied is called, for `diagnosticAtCall`.
    private var filterOffset = 0
    private var warnedPlaces: Set<String> = []
    private var cycles = StateTable()
    private var loopOffsets = StateTable()
    private var loopStack: [ForloopDrop] = []
    private var lastChanged: String?
    /// The file being rendered, for the places in errors. Not retained: every file set here is
    /// held by what the render is already holding for as long as it is set (the template being
    /// rendered, the partial an include is rendering, the condition `withVariable` runs),
    /// and saving and restoring it around each include was two retains and two releases, atomic.
    private unowned(unsafe) var file: SourceFile
    /// The names of the partials being rendered, outermost first.
    private var includeNames: [String] = []
    /// Partials this render has already resolved, by `Include.slot`: reading the tag's shared
    /// atomic reference costs several times a dictionary lookup, and hashing the tag's
    /// identity for a dictionary cost more than indexing an array.
    private var resolvedPartials: [ParsedPartial?] = []
    private static let maximumIncludeNotes = 6
    /// Above zero while evaluating something that tests for existence (`if`, `unless`, `case`,
    /// the input of `default`), where an undefined variable is an answer, not a mistake.
    private var existenceTests = 0
    private let maximumIncludeDepth: Int
    /// What is left of `LiquidOptions.maximumSteps`; never below zero while rendering.
    private(set) var stepsLeft: Int
    let maximumOutputBytes: Int

    /// Positions keyed by `LiquidEnvironment.stateKey`, 0 until set. State keys are numbered
    /// from 0 as the environment meets them, so an array indexed by key costs a bounds check
    /// where a dictionary hashed the key (twice for each `cycle`).
    private struct StateTable {
        private var values: [Int] = []

        subscript(key: Int) -> Int {
            get { key < values.count ? values[key] : 0 }
            set {
                if key >= values.count { values.append(contentsOf: repeatElement(0, count: key - values.count + 1)) }
                values[key] = newValue
            }
        }
    }

    private struct Binding {
        var symbol: Int
        var value: LiquidValue
    }

    private enum GlobalSlot {
        case unresolved
        case absent
        case present(LiquidValue)
    }

    private enum Flow {
        case normal
        case breakLoop
        case continueLoop
    }

    init(environment: LiquidEnvironment, globals: [String: LiquidValue], file: SourceFile) {
        self.environment = environment
        self.globals = globals
        self.file = file
        self.maximumIncludeDepth = environment.options.maximumIncludeDepth
        self.stepsLeft = max(0, environment.options.maximumSteps)
        self.maximumOutputBytes = environment.options.maximumOutputBytes
    }

    /// Renders the template into `output`.
    private func renderRoot(_ template: Template) throws {
        output = OutputBuffer(capacity: max(template.file.bytes.count * 2, template.outputSize.bytes))
        _ = try render(template.root)
        template.outputSize.record(output.count)
    }

    func renderDocument(_ template: Template) throws -> [UInt8] {
        try renderRoot(template)
        return output.bytes
    }

    func renderText(_ template: Template) throws -> String {
        try renderRoot(template)
        return output.text
    }

    private func emit(_ text: String) {
        output.append(text)
    }

    private func emit(_ bytes: [UInt8]) {
        output.append(bytes)
    }

    /// Renders `body` into a string of its own instead of the output.
    private func capturing(_ body: Block) throws -> (String, Flow) {
        var saved = OutputBuffer(capacity: 0)
        swap(&output, &saved)
        defer { swap(&output, &saved) }
        let flow = try render(body)
        return (output.text, flow)
    }

    // MARK: Scopes

    private func value(of symbol: Symbol) -> LiquidValue? {
        var index = bindings.count - 1
        while index >= 0 {
            if bindings[index].symbol == symbol.id { return bindings[index].value }
            index -= 1
        }
        if symbol.id < locals.count, let value = locals[symbol.id] { return value }
        if !counters.isEmpty, let value = counters[symbol.id] { return value }
        return global(symbol)
    }

    /// Property `key` of the variable `symbol` when that variable is an object holding the key,
    /// read where the object is kept: copying the object out to read one property cost a
    /// retain and a release. Nil when the general path must answer.
    private func objectProperty(_ key: String, fingerprint: UInt64, ofVariable symbol: Symbol) -> LiquidValue? {
        var index = bindings.count - 1
        while index >= 0 {
            if bindings[index].symbol == symbol.id {
                if case .object(let object) = bindings[index].value {
                    return object.value(forKey: key, fingerprint: fingerprint)
                }
                return nil
            }
            index -= 1
        }
        if symbol.id < locals.count, let local = locals[symbol.id] {
            if case .object(let object) = local { return object.value(forKey: key, fingerprint: fingerprint) }
            return nil
        }
        guard counters.isEmpty, symbol.id < globalSlots.count,
            case .present(.object(let object)) = globalSlots[symbol.id]
        else { return nil }
        return object.value(forKey: key, fingerprint: fingerprint)
    }

    private func global(_ symbol: Symbol) -> LiquidValue? {
        if symbol.id >= globalSlots.count {
            globalSlots.append(contentsOf: repeatElement(.unresolved, count: symbol.id - globalSlots.count + 1))
        }
        switch globalSlots[symbol.id] {
        case .present(let value): return value
        case .absent: return nil
        case .unresolved:
            let value = globals[environment.name(of: symbol)]
            globalSlots[symbol.id] = value.map(GlobalSlot.present) ?? .absent
            return value
        }
    }

    private func assign(_ symbol: Symbol, _ value: consuming LiquidValue) {
        if symbol.id >= locals.count {
            locals.append(contentsOf: repeatElement(nil, count: symbol.id - locals.count + 1))
        }
        locals[symbol.id] = value
    }

    private func pushFrame() {
        frameStarts.append(bindings.count)
    }

    private func popFrame() {
        // Popping one by one: `removeSubrange` goes through the generic `replaceSubrange`,
        // which cost more than the rest of a small include.
        let start = frameStarts.removeLast()
        while bindings.count > start { bindings.removeLast() }
    }

    /// Binds `symbol` in the innermost frame; returns the binding's position for fast updates.
    @discardableResult
    private func bind(_ symbol: Symbol, _ value: consuming LiquidValue) -> Int {
        let start = frameStarts.last ?? 0
        for index in start..<bindings.count where bindings[index].symbol == symbol.id {
            bindings[index].value = value
            return index
        }
        bindings.append(Binding(symbol: symbol.id, value: value))
        return bindings.count - 1
    }

    // MARK: Nodes

    private func render(_ block: Block) throws -> Flow {
        for index in block.boxes.indices {
            // Borrowed, not copied: the tree outlives the render, and retaining and releasing
            // every node (and its payload) cost more than rendering most of them.
            let flow = try Unmanaged.passUnretained(block.boxes[index])._withUnsafeGuaranteedRef { box in
                if !box.leadingText.isEmpty { emit(box.leadingText) }
                return try render(box.node)
            }
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    /// Kept small, the larger cases in functions of their own: every node goes through here
    /// (inlined into `render(_: Block)`), and with those cases inline it saved five registers and
    /// set up a 288-byte frame for each node. A render of bench/liquid took 48.2 µs with them
    /// inline against 46.4 µs without (medians of 7 in turn).
    private func render(_ node: Node) throws -> Flow {
        switch node {
        case .text(let text):
            emit(text)
        case .output(let expression):
            try renderOutput(expression)
        case .assign(let symbol, let value):
            assign(symbol, try evaluate(value))
        case .capture(let symbol, let body, let offset):
            return try renderCapture(symbol, body, offset)
        case .increment(let symbol, let step):
            renderIncrement(symbol, step)
        case .cycle(let cycle):
            try renderCycle(cycle)
        case .conditional(let branches):
            return try renderConditional(branches)
        case .caseTag(let subject, let clauses, let offset):
            return try renderCase(subject, clauses, offset)
        case .forLoop(let loop):
            return try renderFor(loop)
        case .tablerow(let loop):
            try renderTablerow(loop)
        case .loopControl(let control):
            return control == .breakLoop ? .breakLoop : .continueLoop
        case .include(let include):
            return try renderInclude(include)
        case .ifchanged(let body):
            return try renderIfchanged(body)
        case .block(let block):
            return try render(block)
        }
        return .normal
    }

    @inline(never)
    private func renderOutput(_ expression: FilteredExpression) throws {
        append(try evaluate(expression))
        try checkOutputSize(at: expression.offset)
    }

    @inline(never)
    private func renderCapture(_ symbol: Symbol, _ body: Block, _ offset: Int) throws -> Flow {
        let (text, flow) = try capturing(body)
        let captured = LiquidValue.string(text)
        try spend(captured.workSize, at: offset)
        assign(symbol, captured)
        return flow
    }

    @inline(never)
    private func renderIncrement(_ symbol: Symbol, _ step: Int) {
        var value = 0
        if case .int(let current)? = counters[symbol.id] ?? global(symbol) { value = current }
        if step < 0 { value -= 1 }
        emit(String(value))
        counters[symbol.id] = .int(step > 0 ? value + 1 : value)
    }

    @inline(never)
    private func renderCycle(_ cycle: Cycle) throws {
        let key: Int
        switch cycle.key {
        case .fixed(let fixed): key = fixed
        case .group(let group): key = environment.stateKey(try evaluate(group).outputText)
        }
        // Liquid indexes without wrapping and resets only once past the end, so cycles that
        // share a name but differ in length behave as in Ruby.
        let position = cycles[key]
        if position < cycle.values.count { append(try evaluate(cycle.values[position])) }
        cycles[key] = position + 1 >= cycle.values.count ? 0 : position + 1
    }

    @inline(never)
    private func renderConditional(_ branches: [Branch]) throws -> Flow {
        for index in branches.indices {
            // Borrowed, as nodes are in `render(_: Block)`; nil when the arm does not run.
            let flow = try Unmanaged.passUnretained(branches[index])._withUnsafeGuaranteedRef { branch -> Flow? in
                guard let condition = branch.condition else { return try render(branch.body) }
                return try evaluate(condition) != branch.negated ? try render(branch.body) : nil
            }
            if let flow { return flow }
        }
        return .normal
    }

    @inline(never)
    private func renderIfchanged(_ body: Block) throws -> Flow {
        let (rendered, flow) = try capturing(body)
        if rendered != lastChanged {
            emit(rendered)
            lastChanged = rendered
        }
        return flow
    }

    private func append(_ value: LiquidValue) {
        switch value {
        case .string(let text): emit(text)
        case .int(let number): output.append(number)
        case .nil: break
        default: emit(value.outputText)
        }
    }

    private func renderCase(_ subject: Expression, _ clauses: [CaseClause], _ offset: Int) throws -> Flow {
        var matched = false
        for clause in clauses {
            guard let values = clause.values else {
                if !matched {
                    let flow = try render(clause.body)
                    if case .normal = flow {} else { return flow }
                }
                continue
            }
            for value in values where try caseMatches(subject, value, offset) {
                matched = true
                let flow = try render(clause.body)
                if case .normal = flow { continue }
                return flow
            }
        }
        return .normal
    }

    /// `when` compares as `==` inside `if` does: an undefined subject or value is nil, not a
    /// mistake, even under strict variables.
    private func caseMatches(_ subject: Expression, _ value: Expression, _ offset: Int) throws -> Bool {
        existenceTests += 1
        defer { existenceTests -= 1 }
        return try equals(subject, value, offset)
    }

    // MARK: Loops

    /// What a loop goes over: a stretch of a list, or of a range's numbers, which are made one
    /// at a time (a loop may break out of a range far longer than the memory a list of it takes).
    private struct LoopItems {
        enum Source {
            case values([LiquidValue])
            case numbers(from: Int)
        }

        let source: Source
        let bounds: Range<Int>
        let reversed: Bool

        var count: Int { bounds.count }
        var isEmpty: Bool { bounds.isEmpty }

        subscript(position: Int) -> LiquidValue {
            let index = reversed ? bounds.upperBound - 1 - position : bounds.lowerBound + position
            switch source {
            case .values(let values): return values[index]
            case .numbers(let first): return .int(first + index)
            }
        }
    }

    private func loopItems(_ loop: ForLoop) throws -> LoopItems {
        let collection = try evaluate(loop.collection)
        let source: LoopItems.Source
        let total: Int
        switch collection {
        case .array(let array): (source, total) = (.values(array), array.count)
        case .object(let object):
            (source, total) = (.values(object.pairs.map { .array([.string($0.0), $0.1]) }), object.count)
        case .range(let lower, let upper): (source, total) = (.numbers(from: lower), rangeCount(lower, upper))
        case .string(let text): (source, total) = (.values([collection]), text.isEmpty ? 0 : 1)
        default: (source, total) = (.values([]), 0)
        }
        var start = 0
        if loop.offsetContinues {
            start = loopOffsets[loop.continuationID]
        } else if let offset = loop.offset {
            start = try integer(offset, attribute: "offset", at: loop.offsetInSource)
        }
        var end = total
        if let limit = loop.limit {
            let value = try evaluate(limit)
            if !value.isNil {
                guard let count = value.strictInteger else { throw invalidInteger("limit", value, loop.offsetInSource) }
                // Saturating: `limit` and `offset` may each be near `Int.max`.
                let (sum, overflow) = start.addingReportingOverflow(count)
                end = min(end, max(start, overflow ? (count > 0 ? .max : .min) : sum))
            }
        }
        start = max(0, min(start, total))
        end = max(start, end)
        loopOffsets[loop.continuationID] = end
        return LoopItems(source: source, bounds: start..<end, reversed: loop.reversed)
    }

    private func integer(_ expression: Expression, attribute: String, at offset: Int) throws -> Int {
        let value = try evaluate(expression)
        if value.isNil { return 0 }
        guard let number = value.strictInteger else { throw invalidInteger(attribute, value, offset) }
        return number
    }

    private func invalidInteger(_ attribute: String, _ value: LiquidValue, _ offset: Int) -> Diagnostic {
        file.error(at: offset, "'\(attribute)' must be a whole number, not \(value.typeName) '\(value.outputText)'")
    }

    // MARK: Limits

    /// Takes `count` from the render's budget of steps (see `LiquidOptions.maximumSteps`).
    @inline(__always)
    private func spend(_ count: Int, at offset: Int) throws {
        // No overflow: the budget is at least zero here and `count` at most `Int.max`.
        stepsLeft -= count
        if stepsLeft < 0 { throw tooManySteps(at: offset) }
    }

    /// For a filter's work beyond the lists and text it reads and makes (which `apply` counts):
    /// a sort's comparisons, taken before it sorts, `uniq`'s as it goes, and the fixed cost of
    /// arithmetic on decimals and of dates.
    func spendFilterWork(_ count: Int) throws {
        try spend(count, at: filterOffset)
    }

    private func tooManySteps(at offset: Int) -> Diagnostic {
        let limit = environment.options.maximumSteps
        return file.error(
            at: offset,
            "this render went past \(limit) steps (loop iterations, partials rendered, and the items and text that filters and comparisons go through)",
            hint:
                "loops nested over large collections, over a range with a huge bound, or running filters over long lists may never finish"
        )
    }

    @inline(__always)
    private func checkOutputSize(at offset: Int) throws {
        if output.count > maximumOutputBytes { throw outputTooLarge(at: offset) }
    }

    private func outputTooLarge(at offset: Int) -> Diagnostic {
        file.error(
            at: offset, "this render's output went past \(maximumOutputBytes) bytes",
            hint: "a loop or capture that keeps doubling its text grows without end")
    }

    private func valueTooLarge(_ value: LiquidValue, madeBy filter: FilterCall) -> Diagnostic {
        file.error(
            at: filter.offset,
            "\(filter.name): made a value of \(value.storageSize) bytes, more than the \(maximumOutputBytes) a render allows",
            hint: "a loop that keeps doubling a value grows without end")
    }

    /// The numbers of a range a filter is given, taken from the iteration budget before the
    /// filter makes an array of them (a range of a billion numbers would take all memory).
    private func spendRange(_ value: LiquidValue, at offset: Int, _ user: String) throws {
        guard case .range(let lower, let upper) = value else { return }
        let count = rangeCount(lower, upper)
        if count.multipliedReportingOverflow(by: 16).overflow || count * 16 > maximumOutputBytes {
            throw file.error(
                at: offset, "\(user): the range \(lower)..\(upper) has too many numbers to make a list of",
                hint: "a range given to a filter becomes a list; loop over it with {% for %} instead")
        }
        try spend(count, at: offset)
    }

    private func renderFor(_ loop: ForLoop) throws -> Flow {
        let items = try loopItems(loop)
        if items.isEmpty {
            if let elseBody = loop.elseBody { return try render(elseBody) }
            return .normal
        }
        let forloop = ForloopDrop(name: loop.continuationKey, length: items.count, parent: loopStack.last)
        loopStack.append(forloop)
        pushFrame()
        defer {
            popFrame()
            loopStack.removeLast()
        }
        bind(environment.forloopSymbol, .drop(forloop))
        let slot = bind(loop.variable, .nil)
        for index in 0..<items.count {
            try spend(1, at: loop.offsetInSource)
            forloop.index0 = index
            bindings[slot].value = items[index]
            if case .breakLoop = try render(loop.body) { break }
            try checkOutputSize(at: loop.offsetInSource)
        }
        return .normal
    }

    private func renderTablerow(_ loop: ForLoop) throws {
        let items = try loopItems(loop)
        var columns = items.count
        if let expression = loop.columns {
            switch try evaluate(expression) {
            case .nil: break
            case .int(let count): columns = count
            case .double(let count) where count.isFinite && abs(count) < 9e18: columns = Int(count)
            case .string(let text): columns = leadingInteger(text)
            case let value: throw invalidInteger("cols", value, loop.offsetInSource)
            }
        }
        emit("<tr class=\"row1\">\n")
        pushFrame()
        defer { popFrame() }
        let loopSlot = bind(environment.tablerowloopSymbol, .nil)
        let slot = bind(loop.variable, .nil)
        var column = 1
        var row = 1
        for index in 0..<items.count {
            try spend(1, at: loop.offsetInSource)
            bindings[loopSlot].value = .drop(
                TablerowloopDrop(length: items.count, index0: index, column: column, row: row, columns: columns))
            bindings[slot].value = items[index]
            emit("<td class=\"col\(column)\">")
            let flow = try render(loop.body)
            try checkOutputSize(at: loop.offsetInSource)
            emit("</td>")
            if column == columns, index < items.count - 1 {
                emit("</tr>\n<tr class=\"row\(row + 1)\">")
            }
            if column == columns {
                column = 1
                row += 1
            } else {
                column += 1
            }
            if case .breakLoop = flow { break }
        }
        emit("</tr>\n")
    }

    // MARK: Partials

    private func renderInclude(_ include: Include) throws -> Flow {
        let nameValue = try evaluate(include.name)
        guard case .string(let name) = nameValue, !name.isEmpty else {
            throw file.error(at: include.offset, "the partial's name must be a string, not \(nameValue.typeName)")
        }
        guard includeNames.count < maximumIncludeDepth else {
            let limit = maximumIncludeDepth
            guard let start = includeNames.lastIndex(of: name) else {
                throw file.error(
                    at: include.offset, "partials nest more than \(limit) deep",
                    hint: "an include or render that reaches itself never ends")
            }
            let cycle = (includeNames[start...] + [name]).map { "'\($0)'" }.joined(separator: " → ")
            throw file.error(
                at: include.offset, "include cycle: \(cycle) (still going after \(limit) partials)",
                hint: "an include or render that reaches itself never ends; make one of them stop")
        }
        guard case .literal = include.name else {
            // A name worked out as the page renders may name another partial each time.
            return try renderPartial(try loadPartial(named: name, for: include), for: include, named: name)
        }
        // Not retained for the include: `resolvedPartials` holds the partial for the whole render.
        return try resolvedPartial(include, named: name)._withUnsafeGuaranteedRef { template in
            try renderPartial(template, for: include, named: name)
        }
    }

    /// The partial an include with a literal name names, which `resolvedPartials` holds from
    /// now on.
    private func resolvedPartial(_ include: Include, named name: String) throws -> Unmanaged<ParsedPartial> {
        if include.slot >= resolvedPartials.count {
            resolvedPartials.append(contentsOf: repeatElement(nil, count: include.slot - resolvedPartials.count + 1))
        }
        if let resolved = resolvedPartials.withUnsafeBufferPointer({ $0[include.slot].map(Unmanaged.passUnretained) }) {
            return resolved
        }
        let template: ParsedPartial
        if let shared = include.resolved.load(ordering: .acquiring) {
            template = shared.takeUnretainedValue()
        } else {
            template = try loadPartial(named: name, for: include)
            include.resolved.store(Unmanaged.passUnretained(template), ordering: .releasing)
        }
        resolvedPartials[include.slot] = template
        return Unmanaged.passUnretained(template)
    }

    private func loadPartial(named name: String, for include: Include) throws -> ParsedPartial {
        let template: ParsedPartial?
        do {
            template = try environment.partial(named: name)
        } catch let diagnostic as Diagnostic {
            throw diagnostic.adding(cause: file.note(at: include.offset, "included from here"))
        } catch {
            throw file.error(at: include.offset, "cannot read partial '\(name)': \(error)")
        }
        guard let template else {
            throw file.error(
                at: include.offset, "no partial named '\(name)'",
                hint: "partials are looked up by name, then with '.liquid' added")
        }
        return template
    }

    private func renderPartial(_ template: ParsedPartial, for include: Include, named name: String) throws -> Flow {
        let variable = include.variable ?? environment.symbol(partialVariableName(name))
        let binding = try include.binding.map { try evaluate($0) }
        try spend(1, at: include.offset)

        let savedFile = file
        includeNames.append(name)
        defer {
            includeNames.removeLast()
            file = savedFile
        }
        do {
            switch include.kind {
            case .include:
                pushFrame()
                defer { popFrame() }
                for index in include.arguments.indices {
                    let (symbol, value) = try Unmanaged.passUnretained(include.arguments[index])
                        ._withUnsafeGuaranteedRef { argument in (argument.symbol, try evaluate(argument.value)) }
                    bind(symbol, value)
                }
                if let parameters = include.parameters {
                    let values = try parameters.values.map { ($0.0, try evaluate($0.1)) }
                    bind(parameters.variable, .object(LiquidObject(values)))
                }
                file = template.file
                if include.bindingIsFor, case .array(let items)? = binding {
                    let slot = bind(variable, .nil)
                    for item in items {
                        try spend(1, at: include.offset)
                        bindings[slot].value = item
                        if case .breakLoop = try render(template.root) { break }
                    }
                } else {
                    if let binding { bind(variable, binding) }
                    return try render(template.root)
                }
            case .render:
                let arguments = try include.arguments.map { ($0.symbol, try evaluate($0.value)) }
                if include.bindingIsFor, let binding {
                    // Every item is rendered (a `break` in the partial ends only that item), so
                    // the whole list is spent at once.
                    try spendRange(binding, at: include.offset, "render")
                    if case .array(let items) = binding { try spend(items.count, at: include.offset) }
                }
                try renderIsolated(
                    template, arguments: arguments, variable: variable, binding: binding, isFor: include.bindingIsFor)
            }
        } catch let diagnostic as Diagnostic {
            // A cycle would otherwise carry one note per level it went round.
            guard diagnostic.causes.count < Self.maximumIncludeNotes else { throw diagnostic }
            let note =
                diagnostic.causes.count == Self.maximumIncludeNotes - 1
                ? savedFile.note(at: include.offset, "included from here, and from more places not shown")
                : savedFile.note(at: include.offset, "included from here")
            throw diagnostic.adding(cause: note)
        }
        return .normal
    }

    /// `render`: the partial sees only what is passed to it.
    private func renderIsolated(
        _ template: ParsedPartial, arguments: [(Symbol, LiquidValue)], variable: Symbol, binding: LiquidValue?,
        isFor: Bool
    ) throws {
        let saved = (globals, globalSlots, locals, bindings, frameStarts, counters, loopStack)
        defer { (globals, globalSlots, locals, bindings, frameStarts, counters, loopStack) = saved }
        globals = [:]
        globalSlots = []
        locals = []
        bindings = []
        frameStarts = []
        counters = [:]
        loopStack = []
        file = template.file
        // A rendered partial's arguments live in its only scope, where its own `assign`s go too.
        func start(with item: LiquidValue?) {
            locals = []
            for (symbol, value) in arguments { assign(symbol, value) }
            if let item { assign(variable, item) }
        }
        if isFor, let binding {
            let items = binding.iterated(flatten: false)
            let forloop = ForloopDrop(name: environment.name(of: variable), length: items.count, parent: nil)
            for (index, item) in items.enumerated() {
                forloop.index0 = index
                start(with: item)
                assign(environment.forloopSymbol, .drop(forloop))
                _ = try render(template.root)
            }
        } else {
            start(with: binding)
            _ = try render(template.root)
        }
    }

    // MARK: Expressions

    func evaluate(_ expression: FilteredExpression) throws -> LiquidValue {
        let testsExistence = expression.testsExistence
        if testsExistence { existenceTests += 1 }
        var value: LiquidValue
        do {
            defer { if testsExistence { existenceTests -= 1 } }
            value = try evaluate(expression.expression)
        }
        var index = 0
        while index < expression.filters.count {
            if expression.shortcuts[index] != .none, let answer = try shortcut(expression, at: index, for: value) {
                value = answer
                index += 2
                continue
            }
            // Borrowed, as the nodes are in `render(_: Block)`: copying the call retained it,
            // its arguments and its function.
            value = try Unmanaged.passUnretained(expression.filters[index])._withUnsafeGuaranteedRef { filter in
                var input = LiquidValue.nil
                swap(&input, &value)
                return try apply(filter, to: input)
            }
            index += 1
        }
        return value
    }

    /// What the filter at `index` and the next give for `input` together (`FilterShortcut`),
    /// or nil where the two must run in turn: an input of another kind, or a limit either
    /// filter could reach. Spends the steps the two would have spent.
    private func shortcut(_ expression: FilteredExpression, at index: Int, for input: LiquidValue) throws
        -> LiquidValue?
    {
        let answer: LiquidValue
        let steps: Int
        switch expression.shortcuts[index] {
        case .none:
            return nil
        case .smallest:
            guard case .array(let items) = input, items.count <= maximumOutputBytes / 16,
                let position = positionOfSmallestString(in: items)
            else { return nil }
            answer = items[position]
            // `sort` counts its comparisons and reads and makes a list; `first` makes the item.
            steps =
                comparisonsToSort(items.count) + filterSteps(read: items.count * 16, made: items.count * 16)
                + filterSteps(read: 0, made: answer.storageSize)
        case .lastField:
            guard case .string(let text) = input,
                case .string(let separator)? = expression.filters[index].literalArguments?.positional.first
            else { return nil }
            let (field, fieldCount) = lastField(of: text, separator: separator)
            guard fieldCount <= maximumOutputBytes / 16 else { return nil }
            answer = field.map(LiquidValue.string) ?? .nil
            // `split` reads the text and makes a list of the fields; `last` makes the field.
            steps =
                filterSteps(read: text.utf8.count, made: fieldCount * 16)
                + filterSteps(read: 0, made: answer.storageSize)
        }
        guard answer.storageSize <= maximumOutputBytes, steps <= stepsLeft else { return nil }
        stepsLeft -= steps
        return answer
    }

    /// The steps a filter takes for the lists and text it reads and makes (see `workSize`), in
    /// one place for `apply` and `shortcut`, which must count alike.
    private func filterSteps(read: Int, made: Int) -> Int {
        (read &+ made) >> 4
    }

    private func apply(_ filter: FilterCall, to value: consuming LiquidValue) throws -> LiquidValue {
        filterOffset = filter.offset
        if filter.readsEveryItem, case .range = value { try spendRange(value, at: filter.offset, filter.name) }
        // A filter's time grows with the lists and text it reads and makes; counted as steps
        // (see `workSize`), filters inside a loop are bounded as the loop's iterations are.
        var read = value.storageSize
        if !filter.readsEveryItem, case .array = value { read = 0 }
        do {
            let result: LiquidValue
            if let literals = filter.literalArguments {
                result = try filter.definition.apply(value, literals, self)
            } else {
                // Argument expressions are plain values, never filtered ones, so nothing below
                // reenters this buffer while it is being filled.
                // Popped one by one, as in `popFrame`.
                while !argumentBuffer.isEmpty { argumentBuffer.removeLast() }
                for argument in filter.positional {
                    let evaluated = try evaluate(argument)
                    if case .range = evaluated { try spendRange(evaluated, at: filter.offset, filter.name) }
                    argumentBuffer.append(evaluated)
                }
                let keyword = filter.keyword.isEmpty ? [] : try filter.keyword.map { ($0.0, try evaluate($0.1)) }
                result = try filter.definition.apply(
                    value, FilterArguments(positional: argumentBuffer, keyword: keyword), self)
            }
            let made = result.storageSize
            if made > maximumOutputBytes { throw valueTooLarge(result, madeBy: filter) }
            try spend(filterSteps(read: read, made: made), at: filter.offset)
            return result
        } catch let error as FilterError {
            throw file.error(at: filter.offset, "\(filter.name): \(error.message)", hint: error.hint)
        }
    }

    func evaluate(_ expression: Expression) throws -> LiquidValue {
        switch expression {
        case .literal(let value): return value
        case .blank, .empty: return .string("")
        case .variable(let path): return try lookup(path)
        case .range(let lower, let upper, let offset):
            return .range(try rangeBound(lower, offset), try rangeBound(upper, offset))
        }
    }

    private func rangeBound(_ expression: Expression, _ offset: Int) throws -> Int {
        switch try evaluate(expression) {
        case .int(let value): return value
        case .string(let text): return leadingInteger(text)
        case .double(let value) where value.isFinite && abs(value) < 9e18: return Int(value)
        case .nil: return 0
        case let other: throw file.error(at: offset, "a range's bounds must be whole numbers, not \(other.typeName)")
        }
    }

    private func lookup(_ path: VariablePath) throws -> LiquidValue {
        var current: LiquidValue
        var firstKey = 0
        switch path.root {
        case .symbol(let symbol):
            if let keys = path.keys, !keys.isEmpty,
                let found = objectProperty(keys[0], fingerprint: path.keyFingerprints[0], ofVariable: symbol)
            {
                current = found
                firstKey = 1
            } else {
                guard let value = value(of: symbol) else { return try undefined(path.text, path.offset, "variable") }
                current = value
            }
        case .computed(let expression):
            let key = try evaluate(expression).outputText
            guard let value = value(of: environment.symbol(key)) else {
                return try undefined(path.text, path.offset, "variable")
            }
            current = value
        }
        if let keys = path.keys {
            for index in firstKey..<keys.count {
                if case .nil = current { return .nil }
                guard let next = property(keys[index], of: current, fingerprint: path.keyFingerprints[index]) else {
                    return try undefined(path.text, path.offset, "property")
                }
                current = next
            }
            return current
        }
        for segment in path.segments {
            if case .nil = current { return .nil }
            let next: LiquidValue?
            switch segment {
            case .key(let key):
                next = property(key, of: current)
            case .index(let expression):
                switch try evaluate(expression) {
                case .int(let index): next = element(index, of: current)
                case let key: next = property(key.outputText, of: current)
                }
            }
            guard let next else { return try undefined(path.text, path.offset, "property") }
            current = next
        }
        return current
    }

    private func undefined(_ text: String, _ offset: Int, _ kind: String) throws -> LiquidValue {
        if existenceTests > 0 { return .nil }
        let message = "undefined \(kind) '\(text)'"
        if environment.options.strictVariables {
            throw file.error(at: offset, message, hint: "define it, or test for it with {% if %} or '| default:'")
        }
        let place = "\(file.path):\(offset)"
        if warnedPlaces.insert(place).inserted {
            var warning = file.error(at: offset, message)
            warning.severity = .warning
            warnings.append(warning)
        }
        return .nil
    }

    // MARK: Conditions

    func evaluate(_ condition: Condition) throws -> Bool {
        existenceTests += 1
        defer { existenceTests -= 1 }
        return try test(condition)
    }

    private func test(_ condition: Condition) throws -> Bool {
        switch condition {
        case .value(let expression):
            return try evaluate(expression).isTruthy
        case .and(let left, let right):
            return try test(left) && test(right)
        case .or(let left, let right):
            return try test(left) || test(right)
        case .comparison(let left, let op, let right, let offset):
            switch op {
            case .equal: return try equals(left, right, offset)
            case .notEqual: return try !equals(left, right, offset)
            case .contains:
                let container = try evaluate(left)
                try spend(container.workSize, at: offset)
                return contains(container, try evaluate(right))
            default: return try relation(left, op, right, offset)
            }
        }
    }

    private func equals(_ left: Expression, _ right: Expression, _ offset: Int) throws -> Bool {
        switch (left, right) {
        case (.blank, .blank), (.blank, .empty), (.empty, .blank), (.empty, .empty): return false
        case (.blank, _): return try evaluate(right).isBlank
        case (_, .blank): return try evaluate(left).isBlank
        case (.empty, _): return try evaluate(right).isEmptyCollection
        case (_, .empty): return try evaluate(left).isEmptyCollection
        default:
            let value = try evaluate(left)
            try spend(value.workSize, at: offset)
            return try value.isEqual(to: evaluate(right))
        }
    }

    private func relation(_ left: Expression, _ op: ComparisonOperator, _ right: Expression, _ offset: Int) throws
        -> Bool
    {
        switch (left, right) {
        case (.blank, _), (.empty, _), (_, .blank), (_, .empty): return false
        default: break
        }
        let a = try evaluate(left)
        let b = try evaluate(right)
        try spend(a.workSize, at: offset)
        guard let order = a.compare(to: b) else {
            let comparable: (LiquidValue) -> Bool = {
                switch $0 {
                case .int, .double, .string: return true
                default: return false
                }
            }
            if comparable(a), comparable(b) {
                throw file.error(
                    at: offset, "cannot compare \(a.typeName) '\(a.outputText)' with \(b.typeName) '\(b.outputText)'",
                    hint: "convert one side, e.g. with '| plus: 0' for a number")
            }
            return false
        }
        switch op {
        case .less: return order == .orderedAscending
        case .greater: return order == .orderedDescending
        case .lessOrEqual: return order != .orderedDescending
        default: return order != .orderedAscending
        }
    }

    private func contains(_ container: LiquidValue, _ item: LiquidValue) -> Bool {
        if !item.isTruthy { return false }
        switch container {
        case .string(let text): return containsText(text, item.outputText)
        case .array(let items): return items.contains { $0.isEqual(to: item) }
        case .range(let lower, let upper):
            if case .int(let value) = item { return lower <= value && value <= upper }
            return false
        case .object(let object):
            if case .string(let key) = item { return object[key] != nil }
            return false
        default: return false
        }
    }

    /// Runs `body` with `name` bound to `value` in a scope of its own, reading offsets in `file`.
    func withVariable<T>(_ name: String, _ value: LiquidValue, file other: SourceFile, _ body: () throws -> T) rethrows
        -> T
    {
        let savedFile = file
        file = other
        pushFrame()
        bind(environment.symbol(name), value)
        defer {
            popFrame()
            file = savedFile
        }
        return try body()
    }

    // MARK: FilterContext

    func variable(_ path: [String]) -> LiquidValue? {
        guard let first = path.first, var current = value(of: environment.symbol(first)) else { return nil }
        for key in path.dropFirst() {
            guard let next = property(key, of: current) else { return nil }
            current = next
        }
        return current
    }

    func diagnosticAtCall(_ severity: Severity, _ message: String, hint: String?) -> Diagnostic {
        var diagnostic = file.error(at: filterOffset, message, hint: hint)
        diagnostic.severity = severity
        return diagnostic
    }
}

/// A property of a value, with Liquid's special `size`, `first` and `last`; nil when undefined.
func property(_ key: String, of value: LiquidValue, fingerprint: UInt64? = nil) -> LiquidValue? {
    switch value {
    case .object(let object):
        if let found = object.value(forKey: key, fingerprint: fingerprint ?? LiquidObject.fingerprint(of: key)) {
            return found
        }
        switch key {
        case "size": return .int(object.count)
        case "first": return object.pairs.first.map { .array([.string($0.0), $0.1]) } ?? .nil
        default: return nil
        }
    case .array(let items):
        switch key {
        case "size": return .int(items.count)
        case "first": return items.first ?? .nil
        case "last": return items.last ?? .nil
        default: return nil
        }
    case .range(let lower, let upper):
        switch key {
        case "size": return .int(rangeCount(lower, upper))
        case "first": return .int(lower)
        case "last": return .int(upper)
        default: return nil
        }
    case .string(let text):
        switch key {
        case "size": return .int(scalarCount(text))
        case "first": return text.first.map { .string(String($0)) } ?? .nil
        case "last": return text.last.map { .string(String($0)) } ?? .nil
        default: return nil
        }
    case .drop(let drop):
        return drop.value(forKey: key)
    default:
        return nil
    }
}

func element(_ index: Int, of value: LiquidValue) -> LiquidValue? {
    switch value {
    case .array(let items):
        let position = index < 0 ? items.count + index : index
        return items.indices.contains(position) ? items[position] : .nil
    case .range(let lower, let upper):
        let count = rangeCount(lower, upper)
        let position = index < 0 ? count + index : index
        return position >= 0 && position < count ? .int(lower + position) : .nil
    case .object(let object):
        return object[String(index)]
    case .drop(let drop):
        return drop.value(forKey: String(index))
    default:
        return nil
    }
}

/// `forloop`: one object per loop whose position advances, as in Ruby, where a captured
/// `forloop` also moves on. It is created, mutated and read within one render on one thread,
/// and a render's result is a string, so it never crosses threads.
final class ForloopDrop: LiquidDrop, @unchecked Sendable {
    let name: String
    let length: Int
    var index0 = 0
    let parent: ForloopDrop?

    init(name: String, length: Int, parent: ForloopDrop?) {
        self.name = name
        self.length = length
        self.parent = parent
    }

    func value(forKey key: String) -> LiquidValue? {
        switch key {
        case "name": return .string(name)
        case "parentloop": return parent.map { .drop($0) } ?? .nil
        default: return loopPosition(key, index0: index0, length: length)
        }
    }

    var propertyNames: [String] { ["first", "index", "index0", "last", "length", "rindex", "rindex0"] }
}

final class TablerowloopDrop: LiquidDrop {
    let length: Int
    let index0: Int
    let column: Int
    let row: Int
    let columns: Int

    init(length: Int, index0: Int, column: Int, row: Int, columns: Int) {
        self.length = length
        self.index0 = index0
        self.column = column
        self.row = row
        self.columns = columns
    }

    func value(forKey key: String) -> LiquidValue? {
        switch key {
        case "col": return .int(column)
        case "col0": return .int(column - 1)
        case "col_first": return .bool(column == 1)
        case "col_last": return .bool(column == columns)
        case "row": return .int(row)
        default: return loopPosition(key, index0: index0, length: length)
        }
    }
}

/// The position properties `forloop` and `tablerowloop` share.
private func loopPosition(_ key: String, index0: Int, length: Int) -> LiquidValue? {
    switch key {
    case "index": return .int(index0 + 1)
    case "index0": return .int(index0)
    case "rindex": return .int(length - index0)
    case "rindex0": return .int(length - index0 - 1)
    case "first": return .bool(index0 == 0)
    case "last": return .bool(index0 == length - 1)
    case "length": return .int(length)
    default: return nil
    }
}
