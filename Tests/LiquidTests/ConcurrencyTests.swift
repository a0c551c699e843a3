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
