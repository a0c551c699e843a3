import Diagnostics
import Foundation
import Parallel

/// The output folder's safety rules, and the swap that replaces it with a finished build.
public enum OutputFolder {
    static let markerName = ".bridgehead"
    private static let markerFirstLine = "Written by Bridgehead; safe to delete.\n"
    private static let baseURLKey = "base_url: "

    /// The marker says what wrote the folder, and for what address its links were checked, so
    /// that `bridgehead check` checks a build under a base path as the build did.
    static func markerText(baseURL: String) -> String {
        markerFirstLine + baseURLKey + baseURL + "\n"
    }

    /// The base URL the build that wrote `folder` checked its links for, if it recorded one.
    public static func recordedBaseURL(in folder: String) -> String? {
        guard let bytes = try? FileSystem.readFile(folder + "/" + markerName) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        return lines.first { $0.hasPrefix(baseURLKey) }.map { String($0.dropFirst(baseURLKey.count)) }
    }

    /// The build's paths, after refusing an output folder that is not safe to replace.
    static func paths(for options: BuildOptions) throws -> BuildPaths {
        let working = trimmedPath(options.workingDirectory ?? FileSystem.currentFolder)
        let source = trimmedPath(options.source.standardizedFileURL.path)
        let output = trimmedPath(options.output?.standardizedFileURL.path ?? source + "/public")
        let outputDisplay = shownPath(output, from: working)
        let sourceDisplay = shownPath(source, from: working)

        guard let sourceReal = FileSystem.realPath(source), FileSystem.kind(of: sourceReal) == .folder else {
            throw Diagnostic(
                at: nil, "no site folder '\(sourceDisplay)'",
                hint: "run bridgehead in the folder that holds site.yml, or pass --source DIR")
        }
        let outputReal = realPathOfPossiblyMissing(output)
        let hint = "choose another folder with --output, or leave it out to build into \(sourceDisplay)/public"
        if outputReal == sourceReal {
            throw Diagnostic(at: nil, "the output folder '\(outputDisplay)' is the site folder", hint: hint)
        }
        if sourceReal.hasPrefix(outputReal + "/") || outputReal == "/" {
            throw Diagnostic(at: nil, "the output folder '\(outputDisplay)' contains the site folder", hint: hint)
        }
        for inside in ["content", "templates"] {
            let folder = FileSystem.realPath(sourceReal + "/" + inside) ?? sourceReal + "/" + inside
            if outputReal == folder || outputReal.hasPrefix(folder + "/") {
                throw Diagnostic(at: nil, "the output folder '\(outputDisplay)' is inside \(inside)/", hint: hint)
            }
        }
        if FileSystem.exists(output) {
            guard FileSystem.kind(of: output) == .folder else {
                throw Diagnostic(at: nil, "the output '\(outputDisplay)' is not a folder", hint: hint)
            }
            let entries = FileSystem.list(output) ?? []
            if !entries.isEmpty, !entries.contains(where: { $0.name == markerName }) {
                throw Diagnostic(
                    at: nil, "the output folder '\(outputDisplay)' is not empty and was not written by Bridgehead",
                    hint:
                        "Bridgehead replaces only folders holding its marker file \(markerName); empty or remove it, or choose another --output"
                )
            }
        }
        let parent = parentPath(output)
        let name = String(output[output.index(after: output.lastIndex(of: "/") ?? output.startIndex)...])
        let pid = ProcessInfo.processInfo.processIdentifier
        return BuildPaths(
            source: source, display: sourceDisplay.isEmpty || sourceDisplay == "." ? "" : sourceDisplay + "/",
            output: output, outputDisplay: outputDisplay,
            temporary: "\(parent)/.\(name).bridgehead-tmp-\(pid)", retired: "\(parent)/.\(name).bridgehead-old-\(pid)")
    }

    /// Puts the finished build in place of the output folder: the old one is moved aside, the
    /// new one moved in, then the old one deleted, so a reader never sees half a site.
    static func swap(_ paths: BuildPaths) throws {
        guard FileSystem.exists(paths.output) else {
            try FileSystem.renameItem(paths.temporary, to: paths.output)
            return
        }
        FileSystem.remove(paths.retired)
        try FileSystem.renameItem(paths.output, to: paths.retired)
        do {
            try FileSystem.renameItem(paths.temporary, to: paths.output)
        } catch {
            try? FileSystem.renameItem(paths.retired, to: paths.output)
            throw error
        }
        FileSystem.remove(paths.retired)
    }

    private static func trimmedPath(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `path` relative to `folder` when it is inside it (`.` for the folder itself), else as it is.
    static func shownPath(_ path: String, from folder: String) -> String {
        if path == folder { return "." }
        if folder == "/" { return String(path.dropFirst()) }
        if path.hasPrefix(folder + "/") { return String(path.dropFirst(folder.count + 1)) }
        return path
    }

    static func parentPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The real path of `path`, resolving what exists of it: an output folder that is still to be
    /// made is compared by its parent's real path.
    private static func realPathOfPossiblyMissing(_ path: String) -> String {
        if let real = FileSystem.realPath(path) { return real }
        let parent = parentPath(path)
        let name = String(path[path.index(after: path.lastIndex(of: "/") ?? path.startIndex)...])
        if parent == path { return path }
        let parentReal = realPathOfPossiblyMissing(parent)
        return parentReal == "/" ? "/" + name : parentReal + "/" + name
    }
}

enum WriteStage {
    /// Makes the folders the files at `paths` (relative to `root`) go in, a level at a time so
    /// that each folder's parent is there before it, each level on all cores: a site of 10,000
    /// pages has a folder for each, and made on one core they kept the other idle for 0.03 s.
    private static func makeFolders(for paths: some Collection<String>, in root: String, serial: Bool) throws {
        let slash = UInt8(ascii: "/")
        var folders: Set<String> = []
        for path in paths {
            var end = path.utf8.lastIndex(of: slash)
            while let slashIndex = end {
                guard folders.insert(String(path[..<slashIndex])).inserted else { break }
                end = path.utf8[..<slashIndex].lastIndex(of: slash)
            }
        }
        let levels = Dictionary(grouping: folders) { folder in folder.utf8.reduce(0) { $1 == slash ? $0 + 1 : $0 } }
        for depth in levels.keys.sorted() {
            let level = levels[depth] ?? []
            let failures = parallelMap(level.count, serial: serial) { index -> (any Error)? in
                do {
                    try FileSystem.makeFolder(root + "/" + level[index])
                    return nil
                } catch {
                    return error
                }
            }
            if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        }
    }

    /// Writes every output into the temporary folder beside the output folder.
    static func run(_ state: BuildState) async {
        let paths = state.paths
        FileSystem.remove(paths.temporary)
        do {
            try FileSystem.makeFolders(OutputFolder.parentPath(paths.temporary))
            try FileSystem.makeFolder(paths.temporary)
            state.wroteTemporaryFolder = true
            try makeFolders(for: state.outputs.keys, in: paths.temporary, serial: !state.options.parallel)
        } catch {
            let problem = error as? FileSystemError
            state.fail(
                Diagnostic(at: nil, "cannot write the site: \(problem?.message ?? "\(error)")", hint: problem?.hint))
            return
        }
        let (outputs, sortedPaths) = (state.outputs, state.sortedOutputPaths)
        let results = parallelMap(sortedPaths.count, serial: !state.options.parallel) {
            index -> Result<WrittenFile, Diagnostic>? in
            let path = sortedPaths[index]
            guard let file = outputs[path] else { return nil }
            let target = paths.temporary + "/" + path
            // Shown as the file it would have become, not the temporary folder's name.
            let shown = "\(paths.outputDisplay)/\(path)"
            do {
                switch file {
                case .text(var text):
                    return .success(
                        try text.withUTF8 { try FileSystem.writeFile(UnsafeRawBufferPointer($0), to: target) })
                case .bytes(let bytes):
                    return .success(try FileSystem.writeFile(bytes, to: target))
                case .copy(let source):
                    return .success(try FileSystem.copyFile(source, to: target))
                }
            } catch let error as FileSystemError {
                let copying = if case .copy = file { true } else { false }
                return .failure(
                    Diagnostic(
                        at: nil, copying ? error.message : "cannot write '\(shown)': \(error.reason)",
                        hint: error.hint))
            } catch {
                return .failure(Diagnostic(at: nil, "cannot write '\(shown)': \(error)"))
            }
        }
        var written: [(path: String, file: WrittenFile)] = []
        written.reserveCapacity(results.count)
        var failed: [Diagnostic] = []
        for (path, result) in zip(sortedPaths, results) {
            switch result {
            case .success(let file): written.append((path, file))
            case .failure(let diagnostic): failed.append(diagnostic)
            case nil: break
            }
        }
        if failed.isEmpty { state.writtenFiles = written }
        // A full disk fails every file after the first: the first failure says it all.
        if var first = failed.first {
            if failed.count > 1, failed.allSatisfy({ $0.hint == first.hint }) {
                first.causes.append(Diagnostic(.note, at: nil, "\(failed.count - 1) more files were not written"))
                state.fail(first)
            } else {
                failed.forEach(state.fail)
            }
        }
    }
}
