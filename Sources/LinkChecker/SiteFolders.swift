import Diagnostics
import Foundation

/// A built site in a folder on disk, as `bridgehead check` reads it.
public struct DirectorySiteFiles: SiteFiles {
    public let root: URL
    public let paths: [String]

    /// Lists every file under `root` (following no symbolic links to folders, which could loop).
    /// Throws a `Diagnostic` when `root` is not a folder that can be read.
    public init(root: URL) throws {
        self.root = root
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw Diagnostic(
                at: nil, "no such folder: \(root.path)",
                hint: "build the site first (bridgehead build), or name the folder to check")
        }
        var found: [String] = []
        try Self.list(root.path, prefix: "", into: &found)
        paths = found.sorted()
    }

    public func contents(of path: String) throws -> [UInt8]? {
        let file = root.path + "/" + path
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure(file, "cannot open")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure(file, "cannot read") }
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            guard let start = buffer.baseAddress else { return }
            while initialized < size {
                let count = read(descriptor, start + initialized, size - initialized)
                if count < 0, errno == EINTR { continue }
                if count < 0 { failed = true }
                // A file that shrank while it was read keeps what is there.
                if count <= 0 { break }
                initialized += count
            }
        }
        if failed { throw Self.failure(file, "cannot read") }
        return bytes
    }

    private static func failure(_ file: String, _ what: String) -> Diagnostic {
        Diagnostic(
            at: SourceLocation(file: file, line: 1, column: 1), "\(what) the file: \(String(cString: strerror(errno)))")
    }

    private static func list(_ folder: String, prefix: String, into paths: inout [String]) throws {
        guard let directory = opendir(folder) else {
            throw Diagnostic(
                at: nil, "cannot read the folder \(folder): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.bindMemory(to: CChar.self).baseAddress.map { String(cString: $0) } ?? ""
            }
            if name.isEmpty || name == "." || name == ".." { continue }
            let fullPath = folder + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                var status = stat()
                guard stat(fullPath, &status) == 0 else { continue }
                let isFolder = status.st_mode & S_IFMT == S_IFDIR
                // A link to a folder is not followed: it could lead back up the tree.
                if isFolder, type == UInt8(DT_LNK) { continue }
                type = isFolder ? UInt8(DT_DIR) : UInt8(DT_REG)
            }
            if type == UInt8(DT_DIR) {
                try list(fullPath, prefix: prefix + name + "/", into: &paths)
            } else {
                paths.append(prefix + name)
            }
        }
    }
}

/// A site held in memory: the builder checks its output before writing it, and tests build
/// small sites without touching the disk.
public struct InMemorySiteFiles: SiteFiles {
    private let files: [String: [UInt8]]
    public let paths: [String]

    public init(_ files: [String: [UInt8]]) {
        self.files = files
        paths = files.keys.sorted()
    }

    public init(texts: [String: String]) {
        self.init(texts.mapValues { Array($0.utf8) })
    }

    public func contents(of path: String) throws -> [UInt8]? {
        files[path]
    }
}
