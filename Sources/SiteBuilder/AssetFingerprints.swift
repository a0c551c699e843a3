import Liquid
import Synchronization

/// The files of `templates/static/` that templates ask for through `asset_url`, each under a
/// name carrying its content hash (`css/site.3f2a9c1b.css`), so a browser or CDN may cache it
/// forever: the name changes exactly when the bytes do. Shared by the rendering threads; each
/// file is read and hashed once per build.
final class AssetFingerprints: Sendable {
    /// Static files by their path below `templates/static/`: the absolute path to read.
    private let files: [String: String]
    /// False in the preview server, which serves assets under their own names so that an edited
    /// stylesheet is swapped into open pages instead of reloading them.
    private let fingerprinting: Bool
    /// Asked-for paths and their fingerprinted names.
    private let named = Mutex<[String: String]>([:])

    init(staticFiles: [WalkedFile], fingerprinting: Bool) {
        files = Dictionary(staticFiles.map { ($0.relative, $0.absolute) }, uniquingKeysWith: { first, _ in first })
        self.fingerprinting = fingerprinting
    }

    /// The fingerprinted path (below the site root, no leading `/`) of a static file.
    func fingerprintedPath(of asked: String) throws -> String {
        var path = asked
        while path.hasPrefix("/") { path.removeFirst() }
        guard let source = files[path] else {
            throw FilterError(
                "no file '\(path)' in templates/static/",
                hint: "asset_url names a file below templates/static/, like 'css/site.css'")
        }
        guard fingerprinting else { return path }
        return try named.withLock { table in
            if let known = table[path] { return known }
            let bytes: [UInt8]
            do {
                bytes = try FileSystem.readFile(source)
            } catch {
                let reason = (error as? FileSystemError)?.message ?? "\(error)"
                throw FilterError("templates/static/\(path): \(reason)")
            }
            let name = Self.fingerprinted(path, hash: String(SHA256.hex(bytes).prefix(8)))
            table[path] = name
            return name
        }
    }

    /// Every fingerprinted copy the build asked for, with the static file it copies (below
    /// `templates/static/`, and the absolute path to read), sorted by name.
    var copies: [(path: String, asked: String, source: String)] {
        named.withLock { table in
            table.compactMap { asked, name in files[asked].map { (name, asked, $0) } }
                .sorted { precedesInScalarOrder($0.path, $1.path) }
        }
    }

    /// `css/site.css` → `css/site.<hash>.css`; a name without an extension gets `.<hash>` at its end.
    static func fingerprinted(_ path: String, hash: String) -> String {
        let nameStart = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        guard let dot = path[nameStart...].lastIndex(of: "."), dot != nameStart else { return path + "." + hash }
        return path[..<dot] + "." + hash + path[dot...]
    }
}
