import Testing

@Test func unknownCommandIsAUsageError() throws {
    let result = try runBridgehead(["frobnicate"])
    #expect(result.status == 2)
    #expect(result.standardError.contains("frobnicate"))
}

@Test func helpListsTheCommands() throws {
    let result = try runBridgehead(["--help"])
    #expect(result.status == 0)
    for command in ["build", "check", "render"] {
        #expect(result.standardOutput.contains(command))
    }
}
