import Diagnostics
import Liquid
import Parallel

/// Adds what hosting needs beside the rendered site: the fingerprinted copies of assets that
/// templates asked for, `.nojekyll`, `CNAME` from `site.yml`, and in production builds
/// `build-manifest.json`, which lists every other output, so this stage runs last before writing.
enum FinishStage {
    static let manifestName = "build-manifest.json"

    static func run(_ state: BuildState) async {
        guard let config = state.config else { return }
        for copy in state.assets?.copies ?? [] {
            add(
                copy.path, .copy(from: copy.source), by: "the fingerprinted copy of templates/static/\(copy.asked)",
                to: state)
        }
        // Without it GitHub Pages runs the output through Jekyll, which drops every file and
        // folder whose name starts with `_`; one empty file costs nothing on any other host.
        if state.outputs[".nojekyll"] == nil { state.outputs[".nojekyll"] = .text("") }
        if let cname = config.cname {
            add("CNAME", .text(cname + "\n"), by: "'cname' of site.yml", to: state)
        }
        guard state.options.production, state.errors.isEmpty else { return }
        add(manifestName, .text(manifest(state)), by: "the build manifest", to: state)
    }

    private static func add(_ path: String, _ file: OutputFile, by owner: String, to state: BuildState) {
        guard state.outputs[path] == nil else {
            state.fail(
                Diagnostic(
                    at: nil, "\(owner) and another file are both written to '\(path)'",
                    hint: "rename or remove the file of templates/static/ or content/ that is written there"))
            return
        }
        state.outputs[path] = file
    }

    /// `{"files": [{"path", "sha256", "size"}, …]}`, one file a line in byte order of the path,
    /// so that two manifests can be compared with `diff` and equal builds give equal bytes.
    private static func manifest(_ state: BuildState) -> String {
        let files = state.outputs.sorted { precedesInScalarOrder($0.key, $1.key) }
        let entries = parallelMap(files.count, serial: !state.options.parallel) { index -> Result<String, Diagnostic> in
            let (path, file) = files[index]
            let bytes: [UInt8]
            switch file {
            case .text, .bytes: bytes = file.madeBytes ?? []
            case .copy(let source):
                do {
                    bytes = try FileSystem.readFile(source)
                } catch {
                    let reason = (error as? FileSystemError)?.message ?? "\(error)"
                    return .failure(Diagnostic(at: nil, "cannot read '\(source)' for the build manifest: \(reason)"))
                }
            }
            let name = LiquidValue.string(path).json
            return .success("{\"path\": \(name), \"sha256\": \"\(SHA256.hex(bytes))\", \"size\": \(bytes.count)}")
        }
        var lines: [String] = []
        for entry in entries {
            switch entry {
            case .success(let line): lines.append("    " + line)
            case .failure(let diagnostic): state.fail(diagnostic)
            }
        }
        return "{\n  \"files\": [\n" + lines.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
