import Foundation
import Testing

@testable import SiteBuilder

/// A page edited after the cache hashed the inputs but before the build read them, and changed
/// back before the next build: the next build has the same key as this one, so this build's
/// output (made from the edit) must not be recorded under it.
@Test func anInputEditedDuringTheBuildAndChangedBackIsNotReused() async throws {
    let site = try copyOfFixture("full")
    let strings = site.appendingPathComponent("templates/i18n/en.yml")
    try Data((try String(contentsOf: strings, encoding: .utf8) + "partners: Partners\n").utf8).write(to: strings)
    var options = buildOptions(site)
    options.cacheFolder = site.appendingPathComponent(".bridgehead-cache")
    options.now = fixedNow
    let page = site.appendingPathComponent("content/boston/labcentral.md")
    let original = try Data(contentsOf: page)
    let edited = Data((String(decoding: original, as: UTF8.self) + "\nEdited while building.\n").utf8)
    let edit: @Sendable (BuildState) async -> Void = { _ in try? edited.write(to: page) }
    let revert: @Sendable (BuildState) async -> Void = { _ in try? original.write(to: page) }
    let editThenRevert: [Stage] = [("edit", edit)] + Pipeline.stages + [("revert", revert)]

    let duringEdit = try await Pipeline.build(options, stages: editThenRevert)
    #expect(duringEdit.stages.map(\.name).contains("edit"))
    let output = site.appendingPathComponent("public/boston/labcentral/index.html")
    #expect(String(decoding: try Data(contentsOf: output), as: UTF8.self).contains("Edited while building."))

    let next = try await SiteBuilder.build(options)
    #expect(next.stages.map(\.name) != ["cache"])
    #expect(!String(decoding: try Data(contentsOf: output), as: UTF8.self).contains("Edited while building."))
}
