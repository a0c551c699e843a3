import Testing

@testable import Liquid

// Every filter the engine has, given values at the edges of what a template can write: each
// render either gives text or throws a diagnostic. A trap (an arithmetic overflow, a crash in
// Foundation) ends the test process, which fails the suite. Three such traps were found this way
// and by FuzzLiquid on 2026-12-04 (`date`, `truncate`, `round`); see FilterTests.

private let inputs = [
    "'abc'", "'대전 바이오'", "5", "-9223372036854775808", "9223372036854775807", "1.5", "-0.0", "list", "nothing",
    "'2019-04-18'", "'1/1/95152200576049477'", "(1..3)",
]
private let arguments = [
    "", ": -9223372036854775808", ": 9223372036854775807", ": -1", ": 0", ": 1.7976931348623157e308",
    ": -1.7976931348623157e308", ": 'x'", ": list", ": -9223372036854775808, -9223372036854775808",
    ": 9223372036854775807, 9223372036854775807", ": 'x', -9223372036854775808",
]

@Test func everyFilterTakesExtremeValuesWithoutStopping() {
    let environment = LiquidEnvironment(loader: Partials(templates: [:]))
    let names = Set(standardFilters.keys).union(jekyllFilters.keys).sorted()
    var rendered = 0
    var refused = 0
    for name in names {
        for input in inputs {
            for argument in arguments {
                let source = "{% assign list = '3,1,2' | split: ',' %}{{ \(input) | \(name)\(argument) }}"
                do {
                    _ = try environment.parse(source, path: "t.liquid").render([:])
                    rendered += 1
                } catch {
                    refused += 1
                }
            }
        }
    }
    #expect(names.count > 60)
    #expect(rendered + refused == names.count * inputs.count * arguments.count)
    #expect(rendered > 0 && refused > 0)
}
