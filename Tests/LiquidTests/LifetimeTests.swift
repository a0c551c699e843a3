import Testing

@testable import Liquid

/// A partial that renders itself (the portal's tree of headings) is freed with its environment:
/// the include tag inside it points at the partial without holding it. Held, the partial kept
/// itself alive, and the preview server leaked one for every rebuild.
@Test func aPartialThatRendersItselfIsFreedWithItsEnvironment() throws {
    weak var tree: ParsedPartial?
    do {
        let environment = LiquidEnvironment(
            loader: Partials(templates: [
                "tree": "({{ node.name }}{% for child in node.children %}{% render 'tree', node: child %}{% endfor %})"
            ]))
        let template = try environment.parse("{% render 'tree', node: root %}", path: "page.liquid")
        let root = try LiquidValue(
            json: #"{"name":"a","children":[{"name":"b","children":[{"name":"c"}]},{"name":"d"}]}"#, path: "d.json")
        #expect(try template.render(["root": root]) == "(a(b(c))(d))")
        tree = try environment.partial(named: "tree")
        #expect(tree != nil)
    }
    #expect(tree == nil)
}
