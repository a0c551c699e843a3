import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if os(Linux)
    /// Linux inotify: one watch on the root (for the watched names themselves, so `site.yml` saved
    /// by rename and a re-created `content/` are seen) and one on every folder below the watched
    /// folders, added as folders appear.
    final class InotifySource: ChangeSource {
        private let descriptor: Int32
        private let root: String
        private let names: Set<String>
        /// Watch descriptor → folder path relative to the root (`""` for the root itself).
        private var folders: [Int32: String] = [:]
        private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        private static let folderMask = UInt32(
            IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
                | IN_ONLYDIR | IN_DONT_FOLLOW)

        /// Nil when inotify is unavailable or out of watches; the caller then polls.
        init?(root: String, names: Set<String>) {
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            self.root = root
            self.names = names
            guard descriptor >= 0 else { return nil }
            guard addWatch(folder: "") else {
                close(descriptor)
                return nil
            }
            for name in names.sorted() where isFolder(name) {
                guard addTree(name) != nil else {
                    close(descriptor)
                    return nil
                }
            }
        }

        deinit {
            close(descriptor)
        }

        func wait(timeout: Duration?, wake: Int32) -> [RawChange] {
            var descriptors = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&descriptors, 2, pollTimeout(timeout)) > 0, descriptors[1].revents == 0 else { return [] }
            var changes: [RawChange] = []
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                guard count > 0 else { break }
                parseEvents(count: count, into: &changes)
            }
            return changes
        }

        private func parseEvents(count: Int, into changes: inout [RawChange]) {
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let (watch, mask, nameLength) = buffer.withUnsafeBytes { bytes in
                    (
                        bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                        bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                        Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    )
                }
                let nameBytes = buffer[(offset + headerSize)..<min(offset + headerSize + nameLength, count)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += headerSize + nameLength
                handle(watch: watch, mask: mask, name: name, into: &changes)
            }
        }

        private func handle(watch: Int32, mask: UInt32, name: String, into changes: inout [RawChange]) {
            func has(_ flag: Int32) -> Bool { mask & UInt32(flag) != 0 }
            if has(IN_Q_OVERFLOW) {
                // Events were lost: re-arm every folder and say everything may have changed.
                for name in names.sorted() {
                    if isFolder(name) { _ = addTree(name) }
                    changes.append(RawChange(path: name, kind: .written))
                }
                return
            }
            if has(IN_IGNORED) {
                folders[watch] = nil
                return
            }
            guard let folder = folders[watch], !name.isEmpty else { return }
            if folder.isEmpty, !names.contains(name) { return }
            let path = folder.isEmpty ? name : folder + "/" + name
            if has(IN_ISDIR) {
                if has(IN_CREATE) || has(IN_MOVED_TO) {
                    changes.append(RawChange(path: path, kind: .created))
                    // Files may have landed in the folder before its watch existed.
                    for file in addTree(path) ?? [] {
                        changes.append(RawChange(path: file, kind: .written))
                    }
                } else if has(IN_DELETE) || has(IN_MOVED_FROM) {
                    removeWatches(under: path)
                    changes.append(RawChange(path: path, kind: .removed))
                }
                return
            }
            if has(IN_CREATE) {
                changes.append(RawChange(path: path, kind: .created))
            } else if has(IN_MODIFY) {
                changes.append(RawChange(path: path, kind: .writing))
            } else if has(IN_CLOSE_WRITE) || has(IN_MOVED_TO) || has(IN_ATTRIB) {
                changes.append(RawChange(path: path, kind: .written))
            } else if has(IN_DELETE) || has(IN_MOVED_FROM) {
                changes.append(RawChange(path: path, kind: .removed))
            }
        }

        private func addWatch(folder: String) -> Bool {
            let absolute = folder.isEmpty ? root : root + "/" + folder
            let watch = inotify_add_watch(descriptor, absolute, Self.folderMask)
            guard watch >= 0 else { return errno != ENOSPC && errno != ENOMEM }
            folders[watch] = folder
            return true
        }

        /// Watches `folder` and every folder below it; returns the files found, or nil when the
        /// system ran out of watches.
        private func addTree(_ folder: String) -> [String]? {
            guard addWatch(folder: folder) else { return nil }
            var files: [String] = []
            let absolute = root + "/" + folder
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: absolute))?.sorted() ?? [] {
                let path = folder + "/" + entry
                if isFolder(path) {
                    guard let below = addTree(path) else { return nil }
                    files += below
                } else {
                    files.append(path)
                }
            }
            return files
        }

        private func removeWatches(under folder: String) {
            for (watch, path) in folders where path == folder || path.hasPrefix(folder + "/") {
                inotify_rm_watch(descriptor, watch)
                folders[watch] = nil
            }
        }

        private func isFolder(_ relative: String) -> Bool {
            var status = stat()
            return lstat(root + "/" + relative, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        }
    }

#endif

/// The fallback: scans the watched names every `interval` and compares each entry's type, size,
/// modification time and inode with the previous scan.
final class PollingSource: ChangeSource {
    private struct Entry: Equatable {
        var isFolder: Bool
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var inode: UInt64
    }

    private let root: String
    private let names: [String]
    private let interval: Duration
    private var known: [String: Entry] = [:]

    init(root: String, names: [String], interval: Duration) {
        self.root = root
        self.names = names
        self.interval = interval
        known = scan()
    }

    func wait(timeout: Duration?, wake: Int32) -> [RawChange] {
        var descriptors = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let pause = timeout.map { min($0, interval) } ?? interval
        if poll(&descriptors, 1, pollTimeout(pause)) > 0 { return [] }
        let current = scan()
        var changes: [RawChange] = []
        for (path, entry) in current {
            guard let previous = known[path] else {
                changes.append(RawChange(path: path, kind: .created))
                continue
            }
            if previous != entry, !(previous.isFolder && entry.isFolder) {
                changes.append(RawChange(path: path, kind: .written))
            }
        }
        for path in known.keys where current[path] == nil {
            changes.append(RawChange(path: path, kind: .removed))
        }
        known = current
        return changes
    }

    private func scan() -> [String: Entry] {
        var entries: [String: Entry] = [:]
        for name in names {
            scan(name, into: &entries)
        }
        return entries
    }

    private func scan(_ relative: String, into entries: inout [String: Entry]) {
        var status = stat()
        guard lstat(root + "/" + relative, &status) == 0 else { return }
        let isFolder = (status.st_mode & S_IFMT) == S_IFDIR
        #if canImport(Glibc)
            let modified = status.st_mtim
        #else
            let modified = status.st_mtimespec
        #endif
        entries[relative] = Entry(
            isFolder: isFolder, size: Int64(status.st_size), modifiedSeconds: Int(modified.tv_sec),
            modifiedNanoseconds: Int(modified.tv_nsec), inode: UInt64(status.st_ino))
        guard isFolder else { return }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? [] {
            scan(relative + "/" + entry, into: &entries)
        }
    }
}
