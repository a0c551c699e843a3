import Foundation
import Testing

@testable import SiteBuilder

/// A file the build reads from disk after the cache hashed it (a copied file), edited in between
/// and changed back before the next build: the next build has the same key as this one, so
/// this build's output (made from the edit) must not be recorded under it.
@Test func aCopiedFileEditedDuringTheBuildAndChangedBackIsNotReused() async throws {
    let site = try siteWithoutWarnings()
    let options = cachedOptions(site)
    let picture = site.appendingPathComponent("content/boston/photo.svg")
    let original = try Data(contentsOf: picture)
    let edited = original + Data("<!-- edited while building -->\n".utf8)
    let edit: @Sendable (BuildState) async -> Void = { _ in try? edited.write(to: picture) }
    let revert: @Sendable (BuildState) async -> Void = { _ in try? original.write(to: picture) }
    let editThenRevert: [Stage] = [("edit", edit)] + Pipeline.stages + [("revert", revert)]

    let duringEdit = try await Pipeline.build(options, stages: editThenRevert)
    #expect(duringEdit.stages.map(\.name).contains("edit"))
    let output = site.appendingPathComponent("public/boston/photo.svg")
    #expect(try Data(contentsOf: output) == edited)

    let next = try await SiteBuilder.build(options)
    #expect(next.stages.map(\.name) != ["cache"])
    #expect(try Data(contentsOf: output) == original)
}

/// A page edited after the cache hashed the inputs is built from the bytes that were hashed:
/// the load stage takes them from the cache rather than reading the file again, so the output
/// is what the key says it is.
@Test func aPageEditedDuringTheBuildIsBuiltFromTheBytesHashed() async throws {
    let site = try siteWithoutWarnings()
    let options = cachedOptions(site)
    let page = site.appendingPathComponent("content/boston/labcentral.md")
    let original = try Data(contentsOf: page)
    let edited = Data((String(decoding: original, as: UTF8.self) + "\nEdited while building.\n").utf8)
    let edit: @Sendable (BuildState) async -> Void = { _ in try? edited.write(to: page) }

    _ = try await Pipeline.build(options, stages: [("edit", edit)] + Pipeline.stages)
    let output = site.appendingPathComponent("public/boston/labcentral/index.html")
    #expect(!String(decoding: try Data(contentsOf: output), as: UTF8.self).contains("Edited while building."))

    let next = try await SiteBuilder.build(options)
    #expect(next.stages.map(\.name) != ["cache"])
    #expect(String(decoding: try Data(contentsOf: output), as: UTF8.self).contains("Edited while building."))
}
