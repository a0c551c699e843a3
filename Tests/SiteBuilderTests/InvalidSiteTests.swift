import Foundation
import SiteBuilder
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The cases under Tests/Fixtures/sites/invalid, each a site with one kind of mistake; the table
/// of them is Tests/Fixtures/sites/invalid/README.md.
let invalidCases: [String] = {
    let folder = fixtureSites.appendingPathComponent("invalid")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
}()

/// Cases whose mistake git cannot hold (a symlink out of the site, a permission, a full disk, an
/// output folder chosen on the command line): each has its own test below that sets it up.
let preparedCases: Set<String> = [
    "full-disk", "output-contains-source", "output-is-source", "symlink-outside", "unreadable-file",
]

@Test func everyInvalidCaseIsThere() throws {
    #expect(
        invalidCases == [
            "bad-data-file", "bad-yaml-front-matter", "bad-yaml-site", "broken-content-link", "empty-file",
            "full-disk", "include-cycle", "invalid-utf8", "layout-cycle", "liquid-syntax-errors",
            "missing-include", "missing-layout", "output-contains-source", "output-is-source", "output-not-ours",
            "path-escape", "runaway-template", "symlink-outside", "template-error", "two-pages-one-url",
            "unclosed-front-matter",
            "unreadable-file", "wrong-front-matter-types", "yaml-keys-and-aliases",
        ])
    let table = try text(fixtureSites.appendingPathComponent("invalid"), "README.md")
    for name in invalidCases {
        #expect(table.contains("[`\(name)`](\(name)/)"), "\(name) is missing from the README table")
    }
}

/// Every case is built twice: through the library, and by the `bridgehead build` executable as
/// a user runs it, which must print the same messages to standard error and exit with 1.
enum CaseBuilder: String, CaseIterable, Sendable {
    case library, executable
}

@Test(arguments: invalidCases.filter { !preparedCases.contains($0) }, CaseBuilder.allCases)
func invalidSiteFailsAndKeepsTheOutput(_ name: String, _ builder: CaseBuilder) async throws {
    try await expectFailureKeepingOutput(name, builder: builder)
}

@Test(arguments: CaseBuilder.allCases)
func outputFolderThatIsTheSiteFolderIsRefused(_ builder: CaseBuilder) async throws {
    try await expectFailureKeepingOutput("output-is-source", builder: builder) { site in site }
}

@Test(arguments: CaseBuilder.allCases)
func outputFolderThatContainsTheSiteFolderIsRefused(_ builder: CaseBuilder) async throws {
    try await expectFailureKeepingOutput("output-contains-source", builder: builder) { site in
        site.deletingLastPathComponent()
    }
}

@Test(arguments: CaseBuilder.allCases)
func symlinksOutOfContentAreRefused(_ builder: CaseBuilder) async throws {
    try await expectFailureKeepingOutput("symlink-outside", builder: builder) { site in
        let content = site.appendingPathComponent("content")
        try FileManager.default.createSymbolicLink(
            atPath: content.appendingPathComponent("secret.md").path, withDestinationPath: "../outside/secret.md")
        try FileManager.default.createSymbolicLink(
            atPath: content.appendingPathComponent("system").path, withDestinationPath: "/etc")
        #expect(mkfifo(content.appendingPathComponent("pipe.md").path, 0o644) == 0)
        return nil
    }
}

/// Root reads a file whatever its mode, so there the case cannot be made and is skipped.
@Test(.enabled(if: getuid() != 0, "running as root, which reads a file of mode 000"), arguments: CaseBuilder.allCases)
func unreadableFileIsAnErrorAtItsPath(_ builder: CaseBuilder) async throws {
    try await expectFailureKeepingOutput("unreadable-file", builder: builder) { site in
        let file = site.appendingPathComponent("content/boston.md")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
        return nil
    }
}

/// The output folder on a 256 KiB tmpfs that the build cannot fit in; needs the right to mount.
@Test(
    .enabled(if: SmallDisk.canMount, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)"),
    arguments: CaseBuilder.allCases)
func fullDiskFailsAndKeepsTheOutput(_ builder: CaseBuilder) async throws {
    var disk: SmallDisk?
    defer { disk?.unmount() }
    try await expectFailureKeepingOutput("full-disk", builder: builder) { site in
        let mounted = try SmallDisk(at: site.appendingPathComponent("disk"), kibibytes: 256)
        disk = mounted
        let paragraph = String(repeating: "Daejeon and Boston share a bio cluster. ", count: 50) + "\n\n"
        let page = try String(contentsOf: site.appendingPathComponent("content/big.md"), encoding: .utf8)
        try Data((page + String(repeating: paragraph, count: 400)).utf8).write(
            to: site.appendingPathComponent("content/big.md"))
        return mounted.folder.appendingPathComponent("public")
    }
}

/// Builds the copy of an invalid case with `builder` and expects exactly the headlines of its
/// expected-error.txt, the previous output (a marker and a sentinel file) byte for byte as it
/// was, and no temporary folder left beside it. `prepare` finishes the copy and may return the
/// output folder to build into (else `<site>/public`); the old output is made there when it is
/// called `public`, else in `<site>/public`.
func expectFailureKeepingOutput(
    _ name: String, builder: CaseBuilder, prepare: (URL) throws -> URL? = { _ in nil }
) async throws {
    let site = try copyOfFixture("invalid/" + name)
    let chosenOutput = try prepare(site)
    let output =
        chosenOutput.flatMap { $0.lastPathComponent == "public" ? $0 : nil } ?? site.appendingPathComponent("public")
    try FileManager.default.createDirectory(
        at: output.appendingPathComponent("old"), withIntermediateDirectories: true)
    try Data("sentinel\n".utf8).write(to: output.appendingPathComponent("old/sentinel.html"))
    if name != "output-not-ours" {
        try Data("Written by Bridgehead; safe to delete.\n".utf8).write(
            to: output.appendingPathComponent(".bridgehead"))
    }
    let outputParent = output.deletingLastPathComponent()
    let before = try tree(output)
    let siblingsBefore = try FileManager.default.contentsOfDirectory(atPath: outputParent.path).sorted()
    var options = buildOptions(site)
    options.output = chosenOutput
    // An output folder outside the site is shown relative to itself, so the message is the same on every machine.
    if let chosenOutput, chosenOutput.lastPathComponent != "public" { options.workingDirectory = chosenOutput.path }
    // On a full disk which files still fit depends on the order they are written in.
    options.parallel = name != "full-disk"

    let failure: String?
    switch builder {
    case .library:
        failure = await failureText(of: options)
    case .executable:
        failure = try await failureText(ofExecutableWith: options)
    }

    var expected = try text(site, "expected-error.txt").split(separator: "\n").map(String.init)
    var found = failure.map(headlines)
    if name == "full-disk", builder == .executable {
        // The executable writes in parallel (the library case above is made serial), so how many
        // files did not fit varies from run to run; that some did not is what stays.
        expected = expected.map(withoutUnwrittenCount)
        found = found?.map(withoutUnwrittenCount)
    }
    #expect(found == expected)
    #expect(failure.map(everyErrorHasAHint) == true, "\(failure ?? "")")
    #expect(try tree(output) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: outputParent.path).sorted() == siblingsBefore)
}

/// A layout that does not parse is reported once, by its own error: the layout that names it
/// as its parent does not add "layout 'wrapper' not found" (with a hint listing the others).
@Test func aLayoutThatDoesNotParseIsReportedOnlyByItsError() async throws {
    let site = try minimalSite([
        "templates/layouts/default.liquid": "---\nlayout: wrapper\n---\n<p>{{ content }}</p>\n",
        "templates/layouts/wrapper.liquid": "<main>{{ content | nope }}</main>\n",
    ])
    let failure = try #require(await failureText(of: buildOptions(site)))
    #expect(headlines(failure) == ["templates/layouts/wrapper.liquid:1:20: error: unknown filter 'nope'"])
}

/// What `bridgehead build` prints to standard error for `options` (its source, output and working
/// directory); an exit status other than 1 is a failed expectation.
func failureText(ofExecutableWith options: BuildOptions) async throws -> String {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("bridgehead")
    try #require(
        FileManager.default.isExecutableFile(atPath: executable.path), "no bridgehead built beside the tests")
    let process = Process()
    process.executableURL = executable
    process.arguments =
        ["build", "--source", options.source.path] + (options.output.map { ["--output", $0.path] } ?? [])
    process.currentDirectoryURL = options.workingDirectory.map { URL(fileURLWithPath: $0) }
    // A file, not a pipe: nothing has to read it while the build runs.
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("bridgehead-stderr-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: errors) }
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: errors)
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    // Awaited, not waited for: a blocked thread of the test run's small pool would hold up the
    // time-outs other tests measure meanwhile.
    let _: Void = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { _ in continuation.resume() }
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
        }
    }
    let printed = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
    #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(printed)")
    return printed
}

/// `note: 19 more files were not written` as `note: N more files were not written`.
private func withoutUnwrittenCount(_ line: String) -> String {
    guard line.hasPrefix("note: "), line.hasSuffix(" more files were not written") else { return line }
    let count = line.dropFirst("note: ".count).prefix { $0.isNumber }
    return count.isEmpty ? line : "note: N" + line.dropFirst("note: ".count + count.count)
}

/// Whether each `error:` headline is followed, before the next headline, by a `hint:` line.
func everyErrorHasAHint(_ text: String) -> Bool {
    var waitingForHint = false
    for line in text.split(separator: "\n") {
        if !line.hasPrefix(" ") {
            if waitingForHint { return false }
            waitingForHint = line.contains("error: ")
        } else if line.hasPrefix("  hint: ") {
            waitingForHint = false
        }
    }
    return !waitingForHint
}

/// A tmpfs of a few KiB mounted for one test.
struct SmallDisk {
    let folder: URL

    init(at folder: URL, kibibytes: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", folder.path]) else {
            throw SmallDiskError(folder: folder.path)
        }
        self.folder = folder
    }

    func unmount() {
        _ = Self.run("/bin/umount", [folder.path])
    }

    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bridgehead-tmpfs-\(UUID().uuidString)")
        guard let disk = try? SmallDisk(at: probe, kibibytes: 16) else { return false }
        disk.unmount()
        try? FileManager.default.removeItem(at: probe)
        return true
    }()

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

struct SmallDiskError: Error {
    var folder: String
}
