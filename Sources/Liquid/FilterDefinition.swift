import Diagnostics

/// A filter's signature (checked when the template is parsed) and its implementation.
struct FilterDefinition: Sendable {
    enum Keywords: Sendable {
        case none
        case only(Set<String>)
        case any
    }

    var arity: ClosedRange<Int>
    var keywords: Keywords
    /// False for the filters that answer from a list's ends or a range's bounds (`size`,
    /// `first`, `last`). The others go through every item, which the renderer counts as steps
    /// (`LiquidOptions.maximumSteps`), and make a list of a range's numbers, counted first.
    var readsEveryItem: Bool
    var apply: @Sendable (consuming LiquidValue, FilterArguments, Renderer) throws -> LiquidValue

    init(
        arity: ClosedRange<Int>, keywords: Keywords = .none, readsEveryItem: Bool = true,
        _ apply: @escaping @Sendable (consuming LiquidValue, FilterArguments, Renderer) throws -> LiquidValue
    ) {
        self.arity = arity
        self.keywords = keywords
        self.readsEveryItem = readsEveryItem
        self.apply = apply
    }

    func checkArity(
        name: String, positional: Int, keywords names: [String], error: (String, String?) -> Diagnostic
    ) throws {
        if !arity.contains(positional) {
            let expected: String
            if arity.lowerBound == arity.upperBound {
                expected =
                    arity.lowerBound == 0
                    ? "no arguments" : "\(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")"
            } else if arity.upperBound == Int.max {
                expected = "at least \(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")"
            } else {
                expected = "\(arity.lowerBound) to \(arity.upperBound) arguments"
            }
            throw error(
                "'\(name)' takes \(expected), got \(positional)",
                arity.upperBound == 0
                    ? "remove the ':' and what follows it"
                    : "arguments follow the filter's name after a colon, separated by commas: | \(name): a, b")
        }
        for keyword in names {
            switch keywords {
            case .any: continue
            case .only(let allowed) where allowed.contains(keyword): continue
            default: throw error("'\(name)' has no argument named '\(keyword)'", nil)
            }
        }
    }
}

extension FilterArguments {
    subscript(_ index: Int) -> LiquidValue? {
        index < positional.count ? positional[index] : nil
    }

    /// An optional argument that was given and is not nil (an undefined variable counts as absent).
    func present(_ index: Int) -> LiquidValue? {
        guard index < positional.count, !positional[index].isNil else { return nil }
        return positional[index]
    }
}
