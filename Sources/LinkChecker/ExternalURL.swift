/// The little URL handling external links need: resolving a relative link on a page whose
/// `<base href>` is another site (RFC 3986, section 5.2), and the host to limit requests by.
enum ExternalURL {
    /// `reference` has no scheme and no fragment; `base` is an absolute URL without fragment.
    static func resolve(_ reference: String, against base: String) -> String {
        guard let colon = base.firstIndex(of: ":") else { return reference }
        let scheme = base[..<colon]
        if reference.hasPrefix("//") { return "\(scheme):\(reference)" }
        var rest = base[base.index(after: colon)...]
        var authority = Substring("")
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterSlashes.endIndex
            authority = rest[..<end]
            rest = afterSlashes[end...]
        }
        let basePath = rest.prefix { $0 != "?" }
        let prefix = "\(scheme):\(authority)"
        if reference.isEmpty { return prefix + rest }
        if reference.hasPrefix("?") { return prefix + basePath + reference }
        let referencePath = reference.prefix { $0 != "?" }
        let query = reference[referencePath.endIndex...]
        let merged: String
        if referencePath.hasPrefix("/") {
            merged = String(referencePath)
        } else if basePath.isEmpty, !authority.isEmpty {
            merged = "/" + String(referencePath)
        } else {
            let folder = basePath.lastIndex(of: "/").map { basePath[...$0] } ?? ""
            merged = String(folder) + referencePath
        }
        return prefix + removingDotSegments(merged) + query
    }

    /// `https://Example.org:8080/x` → `example.org:8080`.
    static func host(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "" }
        let afterScheme = url[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last ?? authority
        return host.lowercased()
    }

    private static func removingDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            if segment == "." {
                if isLast { output.append("") }
            } else if segment == ".." {
                if output.count > 1 { output.removeLast() }
                if isLast { output.append("") }
            } else {
                output.append(segment)
            }
        }
        return output.joined(separator: "/")
    }
}
