import Diagnostics
import Foundation
import SiteBuilder
import Testing

/// Replaces `from` by `to` in the site's file at `path`.
private func edit(_ site: URL, _ path: String, _ from: String, _ to: String) throws {
    let file = site.appendingPathComponent(path)
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(text.contains(from), "\(path) holds '\(from)'")
    try Data(text.replacingOccurrences(of: from, with: to).utf8).write(to: file)
}

/// The output paths whose bytes differ between two builds, added and removed ones included.
private func differences(_ old: [String: Data], _ new: [String: Data]) -> [String] {
    Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
}

@Test func bodyEditsReRenderPartOfTheSiteAndGiveTheBytesOfAWholeBuild() async throws {
    let site = try copyOfFixture("full")
    let options = buildOptions(site)
    let live = LiveSite(options: options)
    var previous = try await live.build(changedSources: nil).files
    let edits: [(path: String, from: String, to: String)] = [
        // Shown in Boston's list through `summary`, and in the feed.
        ("content/boston/cic.md", "케임브리지 혁신 센터.", "케임브리지 혁신 센터, 다시 씀."),
        // After the summary: only the page itself, its search document and the feed's nothing.
        ("content/boston/cic.md", "더 많은 내용은", "더 많은 이야기는"),
        // A heading added to a page another page links into.
        ("content/daejeon/kaist.md", "## 역사\n", "## 역사\n\n### 설립\n"),
    ]
    for edit in edits {
        try SiteBuilderTests.edit(site, edit.path, edit.from, edit.to)
        let build = try await live.build(changedSources: [edit.path])
        let whole = try await SiteBuilder.buildInMemory(options)
        #expect(build.summary.rerenderedOutputs != nil, "\(edit.path): built in part")
        #expect((build.summary.rerenderedOutputs ?? 0) < whole.summary.pages, "\(edit.path)")
        #expect(differences(build.files, whole.files) == [], "\(edit.path)")
        #expect(build.changedPaths == differences(previous, whole.files), "\(edit.path)")
        previous = build.files
    }
}

@Test func aSummaryEditReRendersTheListsThatShowIt() async throws {
    let site = try copyOfFixture("full")
    let live = LiveSite(options: buildOptions(site))
    _ = try await live.build(changedSources: nil)
    try edit(site, "content/boston/cic.md", "케임브리지 혁신 센터.", "케임브리지 혁신 센터 요약.")
    let build = try await live.build(changedSources: ["content/boston/cic.md"])
    let changed = build.changedPaths ?? []
    #expect(changed.contains("boston/cic/index.html"))
    #expect(changed.contains("boston/index.html"), "Boston's list shows the summary")
    #expect(changed.contains("feed.xml"))
    #expect(!changed.contains("daejeon/index.html"))
    #expect(build.summary.line.hasPrefix("re-rendered \(build.summary.rerenderedOutputs ?? -1) of "))
}

@Test func frontMatterTemplatesAndNewFilesBuildTheWholeSite() async throws {
    let site = try copyOfFixture("full")
    let options = buildOptions(site)
    let live = LiveSite(options: options)
    _ = try await live.build(changedSources: nil)
    let changes: [(path: String, change: () throws -> Void)] = [
        ("content/boston/cic.md", { try edit(site, "content/boston/cic.md", "title: CIC", "title: CIC 센터") }),
        (
            "templates/layouts/default.liquid",
            { try edit(site, "templates/layouts/default.liquid", "</body>", "<p>edited</p>\n</body>") }
        ),
        (
            "content/boston/new.md",
            {
                try Data("---\ntitle: 새 페이지\n---\n본문.\n".utf8).write(
                    to: site.appendingPathComponent("content/boston/new.md"))
            }
        ),
    ]
    for (path, change) in changes {
        try change()
        let build = try await live.build(changedSources: [path])
        #expect(build.summary.rerenderedOutputs == nil, "\(path): built whole")
        #expect(differences(build.files, try await SiteBuilder.buildInMemory(options).files) == [], "\(path)")
    }
}

@Test func aBrokenEditFailsAndItsFixIsBuiltInPart() async throws {
    let site = try copyOfFixture("full")
    let options = buildOptions(site)
    let live = LiveSite(options: options)
    let first = try await live.build(changedSources: nil)
    // The heading LabCentral's page links to (`kaist.md#역사`) is renamed: that link breaks.
    try edit(site, "content/daejeon/kaist.md", "## 역사", "## 연혁")
    await #expect {
        try await live.build(changedSources: ["content/daejeon/kaist.md"])
    } throws: { error in
        let text = (error as? DiagnosticList)?.diagnostics.map(\.description).joined(separator: "\n") ?? ""
        return text.contains("public/boston/labcentral/index.html:") && text.contains("no id '역사'")
            && text.contains("content/boston/labcentral.md:14:")
    }
    // A second broken edit of another page is merged with the first.
    try edit(site, "content/boston/cic.md", "(notes/visit.md)", "(notes/missing.md)")
    await #expect(throws: DiagnosticList.self) {
        try await live.build(changedSources: ["content/boston/cic.md"])
    }
    try edit(site, "content/boston/cic.md", "(notes/missing.md)", "(notes/visit.md)")
    await #expect(throws: DiagnosticList.self) {
        try await live.build(changedSources: ["content/boston/cic.md"])
    }
    try edit(site, "content/daejeon/kaist.md", "## 연혁", "## 역사")
    let fixed = try await live.build(changedSources: ["content/daejeon/kaist.md"])
    #expect(fixed.summary.rerenderedOutputs != nil)
    #expect(differences(fixed.files, first.files) == [])
    #expect(fixed.changedPaths == [])
}
