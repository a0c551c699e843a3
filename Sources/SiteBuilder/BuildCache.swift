import Foundation
import Parallel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The no-change rebuild. A successful build records the hash of everything it was made from
/// (site.yml, every file below content/ and templates/, the options and the bridgehead binary)
/// and a listing of the output folder it left (each entry's type, size and modification time).
/// The next build with the same hash, finding the output folder exactly as listed, has nothing
/// to do. Any difference at all means a full build: the cache never decides what to rebuild,
/// only whether the previous result is still the result.
///
/// Not recorded, so always rebuilt: builds with warnings (they must be shown again), builds
/// that check external links (their answers change), builds whose templates, data or front
/// matter mention `now` or `today` (Liquid reads the clock for them). A page dated in the
/// future limits the record to the moment it stops being future.
struct BuildCache {
    private static let format = "bridgehead-build-cache 2"
    let recordPath: String
    let key: String
    /// Whether a template may read the clock, which makes the output change with time alone.
    private let readsClock: Bool
    /// Every input file and folder hashed for the key, with its change stamp as it was read
    /// (nil for a folder that was missing).
    private let inputStamps: [(path: String, stamp: ChangeStamp?)]
    /// The bytes hashed of the files the load stage parses, until it takes them.
    private var sourceBytes: SourceBytes

    /// Nil when the options ask for no cache, or the inputs cannot be hashed (then the build
    /// simply runs).
    init?(options: BuildOptions, paths: BuildPaths) {
        guard let folder = options.cacheFolder?.standardizedFileURL.path,
            let binary = FileSystem.realPath("/proc/self/exe"), let binaryStatus = FileStatus(binary)
        else { return nil }
        var hash = ContentHash()
        hash.add(Self.format)
        hash.add("\(binary)\n\(binaryStatus.size)\n\(binaryStatus.modified)")
        hash.add(
            "\(paths.output)\n\(options.includeDrafts)\n\(options.includeFuture)\n\(options.baseURL ?? "-")\n"
                + "\(options.production)\n\(paths.display)\n\(paths.outputDisplay)")
        var outputHash = ContentHash()
        outputHash.add(paths.output)
        recordPath = folder + "/build-" + outputHash.hex + ".txt"
        // With a record and an output folder, the build is likely the same as the last one and
        // never loads anything: the bytes are kept only when it cannot be. Kept all the same,
        // they made a no-change rebuild of 10,000 pages take 0.20 s instead of 0.17 s, the
        // difference all system time (0.06 s more).
        let mayBeReused = FileStatus(paths.output)?.isFolder == true && FileStatus(recordPath)?.isFile == true
        var scan = InputScan(hash: hash, keepingBytes: !mayBeReused)
        scan.addFile(paths.source + "/site.yml", relative: "site.yml", clockWords: .whole)
        guard scan.addFolder(paths.content, relative: "content"),
            scan.addFolder(paths.templates, relative: "templates"),
            scan.hashFiles()
        else { return nil }
        key = scan.hash.hex
        readsClock = scan.readsClock
        inputStamps = scan.stamps
        sourceBytes = SourceBytes(files: scan.keptBytes)
    }

    /// The bytes of the files the load stage parses, as they were hashed; the cache keeps
    /// none of them after.
    mutating func takeSourceBytes() -> SourceBytes {
        var taken = SourceBytes()
        swap(&taken, &sourceBytes)
        return taken
    }

    /// The previous build's summary, when its record matches these inputs and its output
    /// folder is as it left it.
    func reuse(options: BuildOptions, paths: BuildPaths) -> BuildSummary? {
        // Without an output folder there is nothing to reuse, and the record is not read.
        guard FileStatus(paths.output)?.isFolder == true, let bytes = try? FileSystem.readFile(recordPath)
        else { return nil }
        // The four lines before the listing are split off; the listing (a line for every output
        // file) is compared whole, as bytes: split into Characters and joined again, it took
        // about 0.03 s at 10,000 pages (perf), a seventh of a no-change rebuild.
        let text = String(decoding: bytes, as: UTF8.self)
        var lines: [Substring] = []
        var listed = text[...]
        while lines.count < 4, let lineBreak = listed.utf8.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(listed[..<lineBreak])
            listed = listed[listed.utf8.index(after: lineBreak)...]
        }
        guard lines.count == 4, listed.utf8.contains(UInt8(ascii: "\n")), lines[0] == Self.format,
            lines[1] == "key " + key, let validUntil = Double(lines[2].dropFirst("valid-until ".count)),
            options.now.timeIntervalSince1970 < validUntil
        else { return nil }
        let counts = lines[3].split(separator: " ").compactMap { Int($0) }
        guard counts.count == 3, let listing = OutputListing(paths.output),
            listed.utf8.elementsEqual(listing.text.utf8)
        else { return nil }
        return BuildSummary(
            pages: counts[0], files: counts[1], linksChecked: counts[2], seconds: 0, stages: [], warnings: [])
    }

    /// Writes the record of a finished build, when it may be reused.
    func record(_ state: BuildState, summary: BuildSummary) {
        guard !readsClock, summary.warnings.isEmpty, let config = state.config, !config.linksExternal,
            inputsUnchangedSinceHashed(),
            let listing = OutputListing(written: state.writtenFiles)
        else {
            FileSystem.remove(recordPath)
            return
        }
        var validUntil = Double.infinity
        if !state.options.includeFuture {
            for file in state.contentFiles {
                guard let date = file.matter.date?.date, date > state.options.now else { continue }
                validUntil = min(validUntil, date.timeIntervalSince1970)
            }
        }
        let text = """
            \(Self.format)
            key \(key)
            valid-until \(validUntil)
            \(summary.pages) \(summary.files) \(summary.linksChecked)
            \(listing.text)
            """
        let folder = OutputFolder.parentPath(recordPath)
        let temporary = recordPath + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try FileSystem.makeFolders(folder)
            try FileSystem.writeFile(Array(text.utf8), to: temporary)
            try FileSystem.renameItem(temporary, to: recordPath)
        } catch {
            FileSystem.remove(temporary)
            FileSystem.remove(recordPath)
        }
    }

    /// The build reads some inputs again after they were hashed for the key (copied files,
    /// static assets, and every file when the scan kept no bytes), and lists the folders
    /// again; an input changed in between (and perhaps changed back before the next build)
    /// would leave output made from other bytes than the key's under that key. So the build is
    /// recorded only when every input file and folder still has the change stamp it had when
    /// hashed: then what the build read is what was hashed.
    private func inputsUnchangedSinceHashed() -> Bool {
        let unchanged = parallelMap(inputStamps.count) { index in
            FileSystem.changeStamp(of: inputStamps[index].path) == inputStamps[index].stamp
        }
        return !unchanged.contains(false)
    }
}

/// Type, size and modification time of a path, not following symlinks.
private struct FileStatus {
    var isFolder: Bool
    var isFile: Bool
    var size: Int
    /// Nanoseconds since 1970.
    var modified: Int

    init?(_ path: String, followingLinks: Bool = true) {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        isFolder = info.st_mode & S_IFMT == S_IFDIR
        isFile = info.st_mode & S_IFMT == S_IFREG
        size = Int(info.st_size)
        modified = FileSystem.modificationTime(info)
    }
}

/// Every entry below the output folder, one line each in byte order of the paths: `d path` for
/// a folder, `f size mtime path` for a file. Nil when there is anything else (a symlink), or a
/// name with a line break.
private struct OutputListing {
    var text = ""

    init?(_ root: String) {
        // A folder below the root at a time, on all cores: a site of 10,000 pages has as many
        // folders and twice as many files, each looked at once, at the end of every build.
        guard let entries = FileSystem.list(root) else { return nil }
        let parts = parallelMap(entries.count) { index -> [String]? in
            var lines: [String] = []
            return Self.add(entries[index], in: root, relative: "", to: &lines) ? lines : nil
        }
        var lines: [String] = []
        for part in parts {
            guard let part else { return nil }
            lines += part
        }
        text = lines.joined(separator: "\n")
    }

    /// The listing a walk of the output folder gives, made from the write stage's record of
    /// the files it wrote (in byte order of their paths, each with its size and modification
    /// time) and the folders their paths name, without reading the folder again: the walk, at
    /// the end of every build, took about 0.05 s of 10,000 pages on two cores (perf). Nil when
    /// the write stage left no record.
    init?(written: [(path: String, file: WrittenFile)]?) {
        guard let written else { return nil }
        // Sorted as the walk goes, each folder's entries in byte order and a folder's own
        // line before its entries: byte order of the paths with every slash read as a zero
        // byte, which no name holds.
        var entries: [(key: [UInt8], file: Int?)] = []
        entries.reserveCapacity(written.count * 3 / 2)
        // Paths in byte order: those in one folder come together, so a folder is new when the
        // path before had another one at its depth.
        var previousFolders: [[UInt8]] = []
        for (index, (path, _)) in written.enumerated() {
            var key = Array(path.utf8)
            guard !key.contains(UInt8(ascii: "\n")) else { return nil }
            var depth = 0
            for position in key.indices where key[position] == UInt8(ascii: "/") {
                key[position] = 0
                let folder = Array(key[..<position])
                if depth >= previousFolders.count || previousFolders[depth] != folder {
                    previousFolders.removeSubrange(depth...)
                    previousFolders.append(folder)
                    entries.append((folder, nil))
                }
                depth += 1
            }
            previousFolders.removeSubrange(min(depth, previousFolders.count)...)
            entries.append((key, index))
        }
        entries.sort { left, right in
            left.key.withUnsafeBufferPointer { x in
                right.key.withUnsafeBufferPointer { y in
                    let common = min(x.count, y.count)
                    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                    return order != 0 ? order < 0 : x.count < y.count
                }
            }
        }
        var lines: [String] = []
        lines.reserveCapacity(entries.count)
        for entry in entries {
            if let index = entry.file {
                let (path, file) = written[index]
                lines.append("f \(file.size) \(file.modified) " + path)
            } else {
                lines.append("d " + String(decoding: entry.key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self))
            }
        }
        text = lines.joined(separator: "\n")
    }

    private static func add(_ entry: FolderEntry, in folder: String, relative: String, to lines: inout [String]) -> Bool
    {
        guard !entry.name.contains("\n") else { return false }
        let path = relative.isEmpty ? entry.name : relative + "/" + entry.name
        switch entry.type {
        case .folder:
            lines.append("d " + path)
            let inside = folder + "/" + entry.name
            guard let entries = FileSystem.list(inside) else { return false }
            return entries.allSatisfy { add($0, in: inside, relative: path, to: &lines) }
        case .file:
            guard let status = FileStatus(folder + "/" + entry.name, followingLinks: false), status.isFile
            else { return false }
            lines.append("f \(status.size) \(status.modified) " + path)
            return true
        case .symlink, .other:
            return false
        }
    }
}

/// Hashes the input files in a fixed order, and notices any that may make a template read the clock.
private struct InputScan {
    enum ClockWords {
        /// Templates, data files and site.yml: any `now` or `today`.
        case whole
        /// Markdown: only in its front matter (the body is not Liquid).
        case frontMatter
        case none
    }

    var hash: ContentHash
    var readsClock = false
    /// Each folder's change stamp taken before it was listed (nil when it was missing), each
    /// file's as it was opened to be hashed.
    private(set) var stamps: [(path: String, stamp: ChangeStamp?)] = []
    /// The bytes of the files the load stage parses (Markdown, YAML, JSON, Liquid), by path.
    private(set) var keptBytes: [String: [UInt8]] = [:]
    /// What is hashed, in order: names of folders (or that one is missing) and files, whose
    /// bytes are read and hashed by `hashFiles` on all cores, then added here in turn.
    private var items: [Item] = []

    private enum Item {
        case text(String)
        case file(path: String, relative: String, clockWords: ClockWords, keepsBytes: Bool)
    }

    /// Whether to keep the bytes of the files the load stage parses.
    private let keepingBytes: Bool

    init(hash: ContentHash, keepingBytes: Bool) {
        self.hash = hash
        self.keepingBytes = keepingBytes
    }

    mutating func addFolder(_ folder: String, relative: String) -> Bool {
        let stamp = FileSystem.changeStamp(of: folder)
        stamps.append((folder, stamp))
        guard let stamp else {
            items.append(.text("missing " + relative))
            return true
        }
        guard stamp.isFolder, let entries = FileSystem.list(folder) else { return false }
        items.append(.text("folder " + relative))
        for entry in entries {
            let path = folder + "/" + entry.name
            let entryRelative = relative + "/" + entry.name
            switch entry.type {
            case .folder:
                guard addFolder(path, relative: entryRelative) else { return false }
            case .file:
                let words: ClockWords =
                    entryRelative.hasPrefix("templates/static/")
                    ? .none : entryRelative.hasSuffix(".md") ? .frontMatter : .whole
                addFile(path, relative: entryRelative, clockWords: words)
            case .symlink, .other:
                // Where a symlink leads can change without any file here changing.
                return false
            }
        }
        return true
    }

    mutating func addFile(_ path: String, relative: String, clockWords: ClockWords) {
        // Static files are copied, not parsed, and may be large: read again when copied.
        let keepsBytes =
            keepingBytes && !relative.hasPrefix("templates/static/")
            && [".md", ".yml", ".yaml", ".json", ".liquid"].contains { relative.hasSuffix($0) }
        items.append(.file(path: path, relative: relative, clockWords: clockWords, keepsBytes: keepsBytes))
    }

    /// Reads and hashes the files, on all cores (a clean build of a large site spent a tenth of
    /// its time here, on one), and adds each file's hash in its place. False when a file
    /// cannot be read. The bytes of the files the load stage parses are kept for it: read a
    /// second time there, the 10,000 files of a large site took about 0.03 s more (perf).
    mutating func hashFiles() -> Bool {
        let files = items.compactMap { item -> (path: String, clockWords: ClockWords, keepsBytes: Bool)? in
            guard case .file(let path, _, let clockWords, let keepsBytes) = item else { return nil }
            return (path, clockWords, keepsBytes)
        }
        let read = parallelMap(files.count) {
            index -> (hash: String, readsClock: Bool, stamp: ChangeStamp, kept: [UInt8]?)? in
            var stamp: ChangeStamp?
            guard let bytes = try? FileSystem.readFile(files[index].path, stamp: &stamp), let stamp else { return nil }
            var fileHash = ContentHash()
            fileHash.add(bytes)
            let kept = files[index].keepsBytes ? bytes : nil
            switch files[index].clockWords {
            case .whole: return (fileHash.hex, Self.mentionsClock(bytes[...]), stamp, kept)
            case .frontMatter: return (fileHash.hex, Self.mentionsClock(Self.frontMatter(bytes)), stamp, kept)
            case .none: return (fileHash.hex, false, stamp, kept)
            }
        }
        var next = read.makeIterator()
        for item in items {
            switch item {
            case .text(let text):
                hash.add(text)
            case .file(let path, let relative, _, _):
                guard case let file?? = next.next() else { return false }
                hash.add("file " + relative)
                hash.add(file.hash)
                readsClock = readsClock || file.readsClock
                stamps.append((path, file.stamp))
                if let kept = file.kept { keptBytes[path] = kept }
            }
        }
        return true
    }

    /// The bytes up to the line that closes the front matter (all of them when it is not closed).
    private static func frontMatter(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard bytes.starts(with: Array("---".utf8)) else { return [] }
        var index = 3
        while index + 3 < bytes.count {
            if bytes[index] == UInt8(ascii: "\n"),
                (bytes[index + 1] == UInt8(ascii: "-") && bytes[index + 2] == UInt8(ascii: "-")
                    && bytes[index + 3] == UInt8(ascii: "-"))
                    || (bytes[index + 1] == UInt8(ascii: ".") && bytes[index + 2] == UInt8(ascii: ".")
                        && bytes[index + 3] == UInt8(ascii: "."))
            {
                return bytes[..<index]
            }
            index += 1
        }
        return bytes[...]
    }

    /// Whether `now` or `today` appears as a word, in any case.
    private static func mentionsClock(_ bytes: ArraySlice<UInt8>) -> Bool {
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
        }
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard isWordByte(bytes[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < bytes.endIndex, isWordByte(bytes[end]) { end += 1 }
            let length = end - start
            if length == 3 || length == 5 {
                let word = bytes[start..<end].map { $0 | 0x20 }
                if word.elementsEqual("now".utf8) || word.elementsEqual("today".utf8) { return true }
            }
            start = end
        }
        return false
    }
}
