import Liquid
import Testing

@Test func plainTextRendersAsWritten() throws {
    let template = try LiquidEnvironment().parse("hello", path: "t.liquid")
    #expect(try template.render([:]) == "hello")
}
