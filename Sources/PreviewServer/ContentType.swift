/// The `Content-Type` the preview server sends for an output file, chosen by its extension.
/// Text types carry `charset=utf-8` because the builder writes UTF-8 and Korean text must not be
/// guessed at by the browser.
enum ContentType {
    static let html = "text/html; charset=utf-8"
    static let plainText = "text/plain; charset=utf-8"
    static let eventStream = "text/event-stream; charset=utf-8"
    static let javaScript = "text/javascript; charset=utf-8"

    static func forPath(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return fallback }
        return byExtension[path[path.index(after: dot)...].lowercased()] ?? fallback
    }

    static func isHTML(_ path: String) -> Bool {
        forPath(path) == html
    }

    private static let fallback = "application/octet-stream"

    private static let byExtension: [String: String] = [
        "html": html,
        "htm": html,
        "css": "text/css; charset=utf-8",
        "js": javaScript,
        "mjs": javaScript,
        "json": "application/json; charset=utf-8",
        "map": "application/json; charset=utf-8",
        "webmanifest": "application/manifest+json; charset=utf-8",
        "xml": "application/xml; charset=utf-8",
        "xsl": "application/xml; charset=utf-8",
        "svg": "image/svg+xml; charset=utf-8",
        "txt": plainText,
        "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/x-icon",
        "bmp": "image/bmp",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "eot": "application/vnd.ms-fontobject",
        "pdf": "application/pdf",
        "wasm": "application/wasm",
        "zip": "application/zip",
        "mp4": "video/mp4",
        "webm": "video/webm",
        "mp3": "audio/mpeg",
        "ogg": "audio/ogg",
        "wav": "audio/wav",
    ]
}
