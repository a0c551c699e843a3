// The few file-system calls a build makes, on plain path strings: one directory listing per
// folder (its entry types come with the listing, so no file is stat-ed), one read per file.
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum EntryType {
    case file
    case folder
    case symlink
    case other
}

/// A file as the write left it.
struct WrittenFile {
    var size: Int
    /// Nanoseconds since 1970.
    var modified: Int
}

struct FolderEntry {
    var name: String
    var type: EntryType
}

struct FileSystemError: Error {
    var message: String
    /// What the system said, without the path: "No space left on device".
    var reason = ""
    var hint: String?
    /// The `errno` of the failed call.
    var code: Int32 = 0

    /// The error of the call that just failed: its `errno`, and a hint for the ones a user can fix.
    static func lastCall(_ message: String) -> FileSystemError {
        let code = errno
        let hint: String? =
            switch code {
            case EACCES, EPERM: "give the user running bridgehead permission to read and write it (ls -l shows who may)"
            case ENOSPC, EDQUOT:
                "free some space on the disk that holds the output folder, or build elsewhere with --output"
            case EROFS: "the disk is mounted read-only; build elsewhere with --output"
            case EMFILE, ENFILE: "too many files are open; raise the limit with ulimit -n"
            default: nil
            }
        let reason = String(cString: strerror(code))
        return FileSystemError(message: "\(message): \(reason)", reason: reason, hint: hint, code: code)
    }
}

enum FileSystem {
    /// The entries of `path` in byte order of their names, without `.` and `..`; nil if it is not a folder.
    static func list(_ path: String) -> [FolderEntry]? {
        guard let folder = opendir(path) else { return nil }
        defer { closedir(folder) }
        var entries: [FolderEntry] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let type: EntryType
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): type = .folder
            case Int32(DT_REG): type = .file
            case Int32(DT_LNK): type = .symlink
            case Int32(DT_UNKNOWN): type = kind(of: path + "/" + name, followingLinks: false)
            default: type = .other
            }
            entries.append(FolderEntry(name: name, type: type))
        }
        entries.sort { precedesInScalarOrder($0.name, $1.name) }
        return entries
    }

    /// What is at `path`, or `.other` when nothing is.
    static func kind(of path: String, followingLinks: Bool = true) -> EntryType {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        guard status == 0 else { return .other }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .file
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The canonical absolute path with every symlink resolved, or nil if `path` does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// What a symlink says, as written: the path it was made with, not where that leads.
    static func linkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        var stamp: ChangeStamp?
        return try readFile(path, stamp: &stamp)
    }

    /// Reads the file, and sets `stamp` to its change stamp as it was opened, before any of
    /// its bytes were read.
    static func readFile(_ path: String, stamp: inout ChangeStamp?) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError.lastCall("cannot read file") }
        defer { close(descriptor) }
        var info = stat()
        let statusRead = fstat(descriptor, &info) == 0
        stamp = statusRead ? ChangeStamp(info) : nil
        let expected = statusRead ? Int(info.st_size) : 0
        var bytes = [UInt8](repeating: 0, count: max(expected, 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, count))) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileSystemError.lastCall("cannot read file")
            }
            if got == 0 { break }
            count += got
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes the file; returns its size and modification time as written, which the build
    /// cache records without looking at the file again.
    @discardableResult
    static func writeFile(_ bytes: some ContiguousBytes, to path: String) throws -> WrittenFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileSystemError.lastCall("cannot write '\(path)'") }
        defer { close(descriptor) }
        let size = try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError.lastCall("cannot write '\(path)'")
                }
                offset += written
            }
            return buffer.count
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileSystemError.lastCall("cannot write '\(path)'") }
        return WrittenFile(size: size, modified: modificationTime(info))
    }

    /// The change stamp of the path itself (a symlink's own), or nil when nothing is there.
    static func changeStamp(of path: String) -> ChangeStamp? {
        var info = stat()
        return lstat(path, &info) == 0 ? ChangeStamp(info) : nil
    }

    /// Nanoseconds since 1970.
    static func modificationTime(_ info: stat) -> Int {
        #if canImport(Darwin)
            nanoseconds(info.st_mtimespec)
        #else
            nanoseconds(info.st_mtim)
        #endif
    }

    /// Status change time, in nanoseconds since 1970.
    static func changeTime(_ info: stat) -> Int {
        #if canImport(Darwin)
            nanoseconds(info.st_ctimespec)
        #else
            nanoseconds(info.st_ctim)
        #endif
    }

    private static func nanoseconds(_ time: timespec) -> Int {
        Int(time.tv_sec) * 1_000_000_000 + Int(time.tv_nsec)
    }

    @discardableResult
    static func copyFile(_ source: String, to destination: String) throws -> WrittenFile {
        do {
            return try writeFile(try readFile(source), to: destination)
        } catch let error as FileSystemError {
            var copying = error
            copying.message = "cannot copy '\(source)': \(error.message)"
            throw copying
        }
    }

    static func makeFolder(_ path: String) throws {
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw FileSystemError.lastCall("cannot create folder '\(path)'")
        }
    }

    static func makeFolders(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(message: "cannot create folder '\(path)': \(error.localizedDescription)")
        }
    }

    static func renameItem(_ source: String, to destination: String) throws {
        if rename(source, destination) != 0 {
            throw FileSystemError.lastCall("cannot rename '\(source)' to '\(destination)'")
        }
    }

    /// Deletes a file or a whole folder (symlinks in it are removed, not followed); nothing
    /// there is fine. The top-level entries of a folder are removed in parallel.
    static func remove(_ path: String) {
        switch kind(of: path, followingLinks: false) {
        case .folder:
            let entries = list(path) ?? []
            DispatchQueue.concurrentPerform(iterations: entries.count) { index in
                removeEntry(path + "/" + entries[index].name, type: entries[index].type)
            }
            rmdir(path)
        case .file, .symlink:
            unlink(path)
        case .other:
            if exists(path) { unlink(path) }
        }
    }

    private static func removeEntry(_ path: String, type: EntryType) {
        guard type == .folder else {
            unlink(path)
            return
        }
        for entry in list(path) ?? [] {
            removeEntry(path + "/" + entry.name, type: entry.type)
        }
        rmdir(path)
    }

    static var currentFolder: String { FileManager.default.currentDirectoryPath }
}

/// What changes whenever a file's bytes or a folder's entries do: the inode and its status
/// change time, which every write, truncation, rename into place or entry added or removed
/// sets to the current time and no program can set back (unlike the modification time). With
/// Linux's multigrain timestamps (6.13 and later, on the file systems that take them), a change
/// after the stamp was read always gives a new one (seen on 6.18, tmpfs and ext4: 2,000 writes
/// right after a stat, none kept the time); with coarse timestamps two changes within one clock
/// tick (a few milliseconds) can share it.
struct ChangeStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    /// Nanoseconds since 1970.
    var changed: Int
    var isFolder: Bool

    init(_ info: stat) {
        isFolder = info.st_mode & S_IFMT == S_IFDIR
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        changed = FileSystem.changeTime(info)
    }
}
