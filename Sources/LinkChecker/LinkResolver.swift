import Diagnostics
import Foundation

/// The site's own address, from `LinkCheckOptions.baseURL`: absolute URLs on it are internal,
/// and root-relative links must start with its path. A base URL may also be only a path
/// (`/portal/`): a site that does not yet know its host still knows where its links must point.
struct SiteAddress: Sendable {
    var scheme: String
    /// The host, lower-cased, with a port only when it is not the scheme's default; nil for a
    /// base URL that is only a path, which no absolute URL names.
    var authority: [UInt8]?
    /// Starts and ends with `/`: `/` for a site at the root of its host, `/portal/` below it.
    var basePath: [UInt8]

    init(parsing text: String) throws {
        let bytes = Array(text.utf8)
        if bytes.first == .slash, !bytes.starts(with: [.slash, .slash]) {
            scheme = "https"
            authority = nil
            basePath = bytes.prefix { $0 != .question && $0 != .hash }
            if basePath.last != .slash { basePath.append(.slash) }
            return
        }
        let invalid = Diagnostic(
            at: nil, "the base URL '\(text)' is not an absolute http or https URL, or a path",
            hint: "write it as https://example.org/, https://user.github.io/portal/ or /portal/")
        guard let colon = bytes.firstIndex(of: .colon), colon + 2 < bytes.count,
            bytes[colon + 1] == .slash, bytes[colon + 2] == .slash
        else { throw invalid }
        scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { throw invalid }
        let authorityStart = colon + 3
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, ![.slash, .question, .hash].contains(bytes[authorityEnd]) {
            authorityEnd += 1
        }
        guard authorityEnd > authorityStart else { throw invalid }
        authority = Self.normalizedAuthority(bytes[authorityStart..<authorityEnd])
        var pathEnd = authorityEnd
        while pathEnd < bytes.count, bytes[pathEnd] != .question, bytes[pathEnd] != .hash { pathEnd += 1 }
        basePath = Array(bytes[authorityEnd..<pathEnd])
        if basePath.first != .slash { basePath.insert(.slash, at: 0) }
        if basePath.last != .slash { basePath.append(.slash) }
    }

    /// Whether a URL's authority (as written) names this site; the scheme may differ, since
    /// `http://` and `https://` links to one's own host reach the same files.
    func isSite(authority written: ArraySlice<UInt8>) -> Bool {
        authority.map { Self.normalizedAuthority(written) == $0 } ?? false
    }

    private static func normalizedAuthority(_ written: ArraySlice<UInt8>) -> [UInt8] {
        var host = written
        if let at = host.lastIndex(of: UInt8(ascii: "@")) { host = host[(at + 1)...] }
        var lowered = host.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for port in [":80", ":443"]
        where lowered.count > port.utf8.count && lowered.suffix(port.utf8.count).elementsEqual(port.utf8) {
            lowered.removeLast(port.utf8.count)
        }
        return lowered
    }
}

/// The paths of the site, looked up by the resolver.
struct SiteIndex: Sendable {
    let paths: [String]
    let isHTML: [Bool]
    /// The files the checker reads for links: pages, and style sheets for what they load.
    let isScanned: [Bool]
    let address: SiteAddress?
    /// The address's path, or `/` without an address.
    let basePath: [UInt8]
    /// Paths by a hash of their bytes, -1 where two share one: a lookup then needs no string,
    /// and compares bytes once. It runs for every link of the site.
    private let indexByHash: [UInt64: Int]
    private let pathBytes: [[UInt8]]
    /// For what the hash cannot answer: a path written in another Unicode normalization form
    /// (`가` as two jamo), which Swift strings compare equal.
    private let indexByPath: [String: Int]

    init(paths: [String], address: SiteAddress?) {
        self.paths = paths
        self.address = address
        basePath = address?.basePath ?? [.slash]
        indexByPath = Dictionary(
            paths.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        isHTML = paths.map(Self.isHTML)
        isScanned = paths.map { Self.isHTML($0) || Self.isStyleSheet($0) }
        pathBytes = paths.map { Array($0.utf8) }
        var indexByHash: [UInt64: Int] = [:]
        for (index, bytes) in pathBytes.enumerated() {
            let hash = Self.hash(bytes)
            indexByHash[hash] = indexByHash[hash] == nil ? index : -1
        }
        self.indexByHash = indexByHash
    }

    func index(of path: [UInt8]) -> Int? {
        if let index = indexByHash[Self.hash(path)], index >= 0, Self.sameBytes(pathBytes[index], path) { return index }
        guard path.contains(where: { $0 >= 0x80 }) || indexByHash[Self.hash(path)] == -1 else { return nil }
        return indexByPath[String(decoding: path, as: UTF8.self)]
    }

    static func isHTML(_ path: String) -> Bool {
        path.hasSuffix(".html") || path.hasSuffix(".htm")
    }

    static func isStyleSheet(_ path: String) -> Bool {
        path.hasSuffix(".css")
    }

    /// memcmp: `==` on arrays compares element by element, for every link of the site.
    private static func sameBytes(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count else { return false }
        return first.withUnsafeBytes { first in
            second.withUnsafeBytes { second in
                guard let a = first.baseAddress, let b = second.baseAddress else { return true }
                return memcmp(a, b, first.count) == 0
            }
        }
    }

    /// FNV-1a.
    private static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// What relative links on a page are resolved against: the page itself, or its `<base href>`.
enum DocumentBase: Sendable {
    /// A place in the site: its folder (decoded, `a/b/` or empty for the root) and file name.
    case site(folder: [UInt8], file: [UInt8])
    /// A `<base href>` on another site: every relative link of the page goes there.
    case external(String)

    init(page path: String) {
        let bytes = Array(path.utf8)
        let split = (bytes.lastIndex(of: .slash) ?? -1) + 1
        self = .site(folder: Array(bytes[..<split]), file: Array(bytes[split...]))
    }
}

/// Turns the text of a link into a target: a file of the site (with the fragment to look for),
/// an external URL, a skipped scheme, or the reason it leads nowhere. Works on bytes in
/// buffers it keeps between calls: it runs for every link of the site.
struct LinkResolver {
    enum Outcome: Equatable {
        case skipped
        case external(String)
        /// A file of the site by its index, and the decoded fragment to find on it, if any.
        case local(file: Int, fragment: AnchorName?)
        case broken(String)
    }

    private enum Place {
        case skipped
        case external(String)
        /// In `path`; `fragmentStart` indexes `text`.
        case site(isDirectory: Bool, fragmentStart: Int?)
        case broken(String)
    }

    let site: SiteIndex
    /// The link's text, character references decoded and whitespace removed, as a URL parser takes it.
    private(set) var text: [UInt8] = []
    /// A decoded site path being built, each folder followed by `/`.
    private var path: [UInt8] = []
    /// Where each folder of `path` starts, so that `..` can drop the last.
    private var folderStarts: [Int] = []

    init(site: SiteIndex) {
        self.site = site
    }

    /// The link written in `bytes[span]` of a page whose relative links go to `base`.
    mutating func resolve(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, base: DocumentBase) -> Outcome {
        prepare(bytes, span)
        switch locate(against: base) {
        case .skipped: return .skipped
        case .external(let url): return .external(url)
        case .broken(let reason): return .broken(reason)
        case .site(let isDirectory, let fragmentStart):
            guard let file = lookUp(isDirectory: isDirectory) else {
                return .broken("no such file: \(String(decoding: path, as: UTF8.self))")
            }
            return .local(file: file, fragment: fragment(from: fragmentStart, on: file))
        }
    }

    /// The base a `<base href>` in `bytes[span]` gives its page, nil for one that cannot be a
    /// base (`mailto:` and such), or the reason it leads nowhere.
    mutating func documentBase(
        _ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, page: DocumentBase
    ) -> Result<DocumentBase?, BaseError> {
        prepare(bytes, span)
        switch locate(against: page) {
        case .skipped: return .success(nil)
        case .external(let url): return .success(.external(url))
        case .broken(let reason): return .failure(BaseError(reason: reason))
        case .site(let isDirectory, _):
            if isDirectory { return .success(.site(folder: path, file: [])) }
            let split = (path.lastIndex(of: .slash) ?? -1) + 1
            return .success(.site(folder: Array(path[..<split]), file: Array(path[split...])))
        }
    }

    struct BaseError: Error {
        var reason: String
    }

    // MARK: Steps

    /// The standard strips ASCII whitespace around an attribute's URL, and a URL parser drops
    /// tabs and line breaks anywhere in it.
    private mutating func prepare(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan) {
        text.removeAll(keepingCapacity: true)
        var start = span.start
        var end = span.end
        while start < end, isHTMLWhitespace(bytes[start]) { start += 1 }
        while end > start, isHTMLWhitespace(bytes[end - 1]) { end -= 1 }
        let trimmed = ByteSpan(start: start, end: end)
        if UnsafeBufferPointer(rebasing: bytes[start..<end]).contains(.ampersand) {
            CharacterReferences.decode(bytes, trimmed, into: &text)
        } else {
            text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
        if text.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            text.removeAll { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        }
    }

    private mutating func locate(against base: DocumentBase) -> Place {
        let count = text.count
        let hash = text.firstIndex(of: .hash) ?? count
        let pathEnd = text[..<hash].firstIndex(of: .question) ?? hash
        let fragmentStart = hash < count ? hash + 1 : nil
        if let colon = schemeColon(before: pathEnd) {
            let scheme = String(decoding: text[..<colon], as: UTF8.self).lowercased()
            guard scheme == "http" || scheme == "https" else { return .skipped }
            guard colon + 2 < count, isSlash(text[colon + 1]), isSlash(text[colon + 2]) else {
                return .external(String(decoding: text[..<hash], as: UTF8.self))
            }
            return absolute(authorityStart: colon + 3, pathEnd: pathEnd, hash: hash, fragmentStart: fragmentStart)
        }
        if pathEnd >= 2, isSlash(text[0]), isSlash(text[1]) {
            return absolute(authorityStart: 2, pathEnd: pathEnd, hash: hash, fragmentStart: fragmentStart)
        }
        switch base {
        case .external(let baseURL):
            return .external(ExternalURL.resolve(String(decoding: text[..<hash], as: UTF8.self), against: baseURL))
        case .site(let folder, let file):
            if pathEnd > 0, isSlash(text[0]) {
                return fromRoot(0, pathEnd, fragmentStart: fragmentStart, outside: nil)
            }
            path.removeAll(keepingCapacity: true)
            path.append(contentsOf: folder)
            folderStarts.removeAll(keepingCapacity: true)
            var start = 0
            for (offset, byte) in folder.enumerated() where byte == .slash {
                folderStarts.append(start)
                start = offset + 1
            }
            if pathEnd == 0 {
                path.append(contentsOf: file)
                return .site(isDirectory: file.isEmpty, fragmentStart: fragmentStart)
            }
            return walk(0, pathEnd, fragmentStart: fragmentStart)
        }
    }

    /// `http://host/…` or `//host/…`: the site's own files when the host is the site's.
    private mutating func absolute(authorityStart: Int, pathEnd: Int, hash: Int, fragmentStart: Int?) -> Place {
        var authorityEnd = authorityStart
        while authorityEnd < pathEnd, !isSlash(text[authorityEnd]) { authorityEnd += 1 }
        let written = String(decoding: text[..<hash], as: UTF8.self)
        let url = authorityStart == 2 ? "\(site.address?.scheme ?? "https"):\(written)" : written
        guard let address = site.address, address.isSite(authority: text[authorityStart..<authorityEnd]) else {
            return .external(url)
        }
        // Another site on the same host (`https://user.github.io/other/`) is external.
        return fromRoot(authorityEnd, pathEnd, fragmentStart: fragmentStart, outside: .external(url))
    }

    /// A path from the host's root, `text[start..<end]` (empty or starting with `/`), which must
    /// lie under the base path.
    private mutating func fromRoot(_ start: Int, _ end: Int, fragmentStart: Int?, outside: Place?) -> Place {
        path.removeAll(keepingCapacity: true)
        folderStarts.removeAll(keepingCapacity: true)
        let basePath = site.basePath
        let length = end - start
        let relativeStart: Int
        if length >= basePath.count, text[start..<(start + basePath.count)].elementsEqual(basePath) {
            relativeStart = start + basePath.count
        } else if length == basePath.count - 1, text[start..<end].elementsEqual(basePath.dropLast()) {
            relativeStart = end  // `/portal` is the root, as `/` is
        } else {
            return outside ?? .broken("outside the base path \(String(decoding: basePath, as: UTF8.self))")
        }
        if relativeStart == end { return .site(isDirectory: true, fragmentStart: fragmentStart) }
        return walk(relativeStart, end, fragmentStart: fragmentStart)
    }

    /// Appends the segments of `text[start..<end]` to `path`, percent-decoded, applying `.` and
    /// `..` as a URL parser does; empty segments (`a//b`) fold into one, as servers do.
    private mutating func walk(_ start: Int, _ end: Int, fragmentStart: Int?) -> Place {
        var index = start
        var isDirectory = false
        while index <= end {
            var segmentEnd = index
            while segmentEnd < end, !isSlash(text[segmentEnd]) { segmentEnd += 1 }
            let isLast = segmentEnd == end
            let segmentStart = path.count
            appendPercentDecoded(index, segmentEnd, keepingSlashes: true)
            let segmentLength = path.count - segmentStart
            if segmentLength == 1, path[segmentStart] == .period {
                path.removeLast()
                isDirectory = isLast
            } else if segmentLength == 2, path[segmentStart] == .period, path[segmentStart + 1] == .period {
                path.removeLast(2)
                guard let folder = folderStarts.popLast() else { return .broken("climbs above the site root") }
                path.removeSubrange(folder...)
                isDirectory = isLast
            } else if segmentLength == 0 {
                isDirectory = isLast
            } else if !isLast {
                path.append(.slash)
                folderStarts.append(segmentStart)
            }
            index = segmentEnd + 1
        }
        return .site(isDirectory: isDirectory, fragmentStart: fragmentStart)
    }

    /// `dir/` is `dir/index.html`; `dir` is the file `dir`, or `dir/index.html` where a server
    /// would redirect to `dir/`.
    private mutating func lookUp(isDirectory: Bool) -> Int? {
        if isDirectory {
            path.append(contentsOf: "index.html".utf8)
            return site.index(of: path)
        }
        if let file = site.index(of: path) { return file }
        path.append(contentsOf: "/index.html".utf8)
        if let file = site.index(of: path) { return file }
        path.removeLast("/index.html".utf8.count)
        return nil
    }

    /// The decoded fragment to look for on `file`; nil when there is none to check: no
    /// fragment, `#`, `#top`, a text fragment `#:~:text=`, or a target that is not a page.
    private mutating func fragment(from start: Int?, on file: Int) -> AnchorName? {
        guard let start, start < text.count, site.isHTML[file] else { return nil }
        let pathLength = path.count
        appendPercentDecoded(start, text.count, keepingSlashes: false)
        let decoded = AnchorName(bytes: Array(path[pathLength...]))
        path.removeSubrange(pathLength...)
        if decoded.bytes.starts(with: ":~:".utf8) || decoded.bytes.map({ $0 | 0x20 }) == Array("top".utf8) {
            return nil
        }
        return decoded
    }

    /// In a path, `%2F` and `%00` stay as written: decoded they would change which file is meant.
    private mutating func appendPercentDecoded(_ start: Int, _ end: Int, keepingSlashes: Bool) {
        var index = start
        while index < end {
            // What comes before the next `%` (the whole of nearly every link) in one piece.
            let percent = text[index..<end].firstIndex(of: .percent) ?? end
            if percent > index {
                path.append(contentsOf: text[index..<percent])
                index = percent
                continue
            }
            let byte = text[index]
            if byte == .percent, index + 2 < end, let high = hexValue(text[index + 1]),
                let low = hexValue(text[index + 2])
            {
                let decoded = high << 4 | low
                if keepingSlashes, decoded == .slash || decoded == 0 {
                    path.append(contentsOf: text[index..<(index + 3)])
                } else {
                    path.append(decoded)
                }
                index += 3
            } else {
                path.append(byte)
                index += 1
            }
        }
    }

    /// The `:` ending a scheme at the start of `text`, if it has one before `end`.
    private func schemeColon(before end: Int) -> Int? {
        guard end > 0, isASCIILetter(text[0]) else { return nil }
        var index = 1
        while index < end {
            let byte = text[index]
            if byte == .colon { return index }
            guard
                isASCIILetter(byte) || isASCIIDigit(byte) || byte == UInt8(ascii: "+") || byte == .hyphen
                    || byte == .period
            else { return nil }
            index += 1
        }
        return nil
    }
}

/// A URL parser reads `\` as `/` in http(s) URLs, and so do browsers.
@inline(__always) private func isSlash(_ byte: UInt8) -> Bool {
    byte == .slash || byte == .backslash
}
