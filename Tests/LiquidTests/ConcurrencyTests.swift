import Dispatch
import Liquid
import Synchronization
import Testing

@Test func oneTemplateRendersConcurrently() throws {
    let environment = LiquidEnvironment(loader: Partials(templates: ["row": "<li>{{ row | upcase }}</li>"]))
    let template = try environment.parse(
        "{% for r in rows %}{% include 'row' with r %}{% cycle 'a', 'b' %}{% endfor %}{{ n | times: 2 }}", path: "t")
    let results = Mutex<[Int: String]>([:])
    DispatchQueue.concurrentPerform(iterations: 200) { index in
        let context: [String: LiquidValue] = ["rows": .array([.string("x\(index)"), .string("y")]), "n": .int(index)]
        let output = (try? template.render(context)) ?? "error"
        results.withLock { $0[index] = output }
    }
    for index in 0..<200 {
        #expect(results.withLock { $0[index] } == "<li>X\(index)</li>a<li>Y</li>b\(index * 2)")
    }
}

/// Renders borrow partials without retaining them: a literal-named include's from the render's
/// own table, a variable-named include's from the call that loaded it. Many renders of one
/// fresh environment load the same partials at once (the environment's cache races), through
/// both kinds of include, nested, with errors reported from inside partials.
@Test func partialsLoadedByManyRendersAtOnceStayAliveWhileTheyRender() throws {
    let partials = [
        "outer": "[{% include 'inner' %}{% include name %}]",
        "inner": "<{{ n }}>",
        "even": "E{% include 'inner' %}",
        "odd": "O{{ n | divided_by: zero }}",
    ]
    for _ in 0..<20 {
        let environment = LiquidEnvironment(loader: Partials(templates: partials))
        let template = try environment.parse("{% include 'outer' %}{% include 'inner' %}", path: "page.liquid")
        let results = Mutex<[Int: String]>([:])
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let context: [String: LiquidValue] = [
                "n": .int(index), "name": .string(index % 2 == 0 ? "even" : "odd"), "zero": .int(0),
            ]
            let output: String
            do {
                output = try template.render(context)
            } catch {
                output = "\(error)".split(separator: "\n").first.map(String.init) ?? ""
            }
            results.withLock { $0[index] = output }
        }
        for index in 0..<64 {
            let expected =
                index % 2 == 0
                ? "[<\(index)>E<\(index)>]<\(index)>"
                : "includes/odd:1:9: error: divided_by: divided by 0"
            #expect(results.withLock { $0[index] } == expected)
        }
    }
}
