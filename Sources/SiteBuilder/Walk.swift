import Diagnostics

struct WalkedFile: Sendable {
    /// The path below the walked folder, with `/` separators.
    var relative: String
    /// The path to open.
    var absolute: String
}

/// Lists the files below a folder in a stable order, following symlinks, refusing those that
/// lead out of the folder when `confined`, and never entering a folder twice.
struct FolderWalker {
    let root: String
    /// How the root is shown in diagnostics (`content`, `site/content`).
    let displayRoot: String
    let confined: Bool
    private(set) var errors: [Diagnostic] = []
    private var rootReal: String?
    private var visited: Set<String> = []

    init(root: String, displayRoot: String, confined: Bool) {
        self.root = root
        self.displayRoot = displayRoot
        self.confined = confined
        rootReal = FileSystem.realPath(root)
    }

    /// Every file below the root for which `include(relativePath, isFolder)` holds (for a folder,
    /// whether to enter it).
    mutating func files(including include: (String, Bool) -> Bool) -> [WalkedFile] {
        var result: [WalkedFile] = []
        if let rootReal { visited.insert(rootReal) }
        walk(folder: root, relative: "", include: include, into: &result)
        return result
    }

    private mutating func walk(
        folder: String, relative: String, include: (String, Bool) -> Bool, into result: inout [WalkedFile]
    ) {
        guard let entries = FileSystem.list(folder) else {
            errors.append(Diagnostic(at: nil, "cannot read folder '\(displayRoot)/\(relative)'"))
            return
        }
        for entry in entries {
            let path = folder + "/" + entry.name
            let entryRelative = relative.isEmpty ? entry.name : relative + "/" + entry.name
            var type = entry.type
            if type == .symlink {
                guard let target = FileSystem.realPath(path) else {
                    errors.append(link(entryRelative, "is a symlink to nothing"))
                    continue
                }
                if confined, let rootReal, !(target == rootReal || target.hasPrefix(rootReal + "/")) {
                    let written = FileSystem.linkText(path) ?? target
                    errors.append(link(entryRelative, "is a symlink to '\(written)', outside \(displayRoot)/"))
                    continue
                }
                type = FileSystem.kind(of: target)
                if type == .folder, !visited.insert(target).inserted {
                    errors.append(link(entryRelative, "is a symlink to a folder already included"))
                    continue
                }
            }
            switch type {
            case .folder:
                if include(entryRelative, true) {
                    walk(folder: path, relative: entryRelative, include: include, into: &result)
                }
            case .file:
                if include(entryRelative, false) { result.append(WalkedFile(relative: entryRelative, absolute: path)) }
            case .symlink, .other:
                errors.append(
                    Diagnostic(
                        at: SourceLocation(file: "\(displayRoot)/\(entryRelative)", line: 1, column: 1),
                        "'\(displayRoot)/\(entryRelative)' is neither a file nor a folder",
                        hint: "pipes, sockets and devices cannot be part of a site; move it out of \(displayRoot)/"))
            }
        }
    }

    private func link(_ relative: String, _ problem: String) -> Diagnostic {
        Diagnostic(
            at: SourceLocation(file: "\(displayRoot)/\(relative)", line: 1, column: 1),
            "'\(displayRoot)/\(relative)' \(problem)",
            hint: "replace the symlink with the file, or point it inside \(displayRoot)/")
    }
}
