import Foundation
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

/// A bare `bridgehead` names no command: wrong usage, with the help as the explanation, on
/// standard error (standard output stays for what a command produces).
@Test func noCommandIsAUsageErrorThatPrintsTheHelp() throws {
    let result = try runBridgehead([])
    #expect(result.status == 2)
    #expect(result.standardOutput == "")
    #expect(result.standardError.contains("USAGE: bridgehead <subcommand>"))
    for command in ["build", "check", "publish", "render", "serve"] {
        #expect(result.standardError.contains("  \(command) "))
    }
}

/// A malformed option value is wrong usage (2), refused before anything is read, as
/// ArgumentParser refuses a value it cannot parse; a folder or file that is not there is an
/// input error (1).
@Test func aMalformedBaseURLIsAUsageErrorAndAMissingSiteAnInputError() throws {
    let folder = FileManager.default.temporaryDirectory
    let badURL = try runBridgehead(["build", "--source", "no-such-site", "--base-url", "not-a-url"], in: folder)
    #expect(badURL.status == 2)
    #expect(
        badURL.standardError.hasPrefix(
            "Error: --base-url must be a full URL like https://example.org/ or a path like /portal/"))
    let missingSite = try runBridgehead(["build", "--source", "no-such-site", "--base-url", "/portal/"], in: folder)
    #expect(missingSite.status == 1)
    #expect(missingSite.standardError.hasPrefix("error: no site folder "))
}
