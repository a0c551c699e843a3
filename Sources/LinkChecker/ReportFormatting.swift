import Diagnostics
import Foundation

extension LinkFinding {
    /// What is wrong, without the place: `broken link 'x/': no such file: x/index.html`.
    public var message: String {
        switch kind {
        case .brokenLink: "broken link '\(url)': \(reason)"
        case .duplicateID, .unreadableFile: reason
        }
    }

    /// The finding as the project's other errors are printed; its `sourceNote` becomes a cause.
    /// `pathPrefix` goes before the site-relative path (`public/` gives `public/boston/index.html`).
    public func diagnostic(pathPrefix: String = "") -> Diagnostic {
        var place = location
        place.file = pathPrefix + place.file
        return Diagnostic(severity, at: place, message, causes: sourceNote.map { [$0] } ?? [])
    }
}

extension LinkReport {
    /// The report in `format`, ending with a line break. `pathPrefix` goes before every
    /// site-relative path.
    public func formatted(as format: ReportFormat, pathPrefix: String = "") -> String {
        switch format {
        case .human: human(pathPrefix: pathPrefix)
        case .json: json(pathPrefix: pathPrefix)
        case .github: github(pathPrefix: pathPrefix)
        }
    }

    /// One line of totals: `checked 120 links in 40 files (3 skipped): 2 errors in 1 file`.
    public var summary: String {
        let checked =
            "checked \(counted(linksChecked, "link")) in \(counted(filesChecked, "file")) (\(linksSkipped) skipped)"
        guard !findings.isEmpty else { return "\(checked): no broken links" }
        var counts: [String] = []
        if errorCount > 0 { counts.append(counted(errorCount, "error")) }
        if warningCount > 0 { counts.append(counted(warningCount, "warning")) }
        let others = findings.count - errorCount - warningCount
        if others > 0 { counts.append(counted(others, "note")) }
        let files = Set(findings.map(\.location.file)).count
        return "\(checked): \(counts.joined(separator: ", ")) in \(counted(files, "file"))"
    }

    /// Each finding as `path:line:col: error: message`, a blank line between files, then the totals.
    private func human(pathPrefix: String) -> String {
        var output = ""
        var lastFile: String?
        for finding in findings {
            if let lastFile, lastFile != finding.location.file { output += "\n" }
            lastFile = finding.location.file
            output += finding.diagnostic(pathPrefix: pathPrefix).description + "\n"
        }
        if !findings.isEmpty { output += "\n" }
        return output + summary + "\n"
    }

    private func json(pathPrefix: String) -> String {
        var lines = [
            "{",
            "  \"files_checked\": \(filesChecked),",
            "  \"links_checked\": \(linksChecked),",
            "  \"links_skipped\": \(linksSkipped),",
            "  \"errors\": \(errorCount),",
            "  \"warnings\": \(warningCount),",
        ]
        if findings.isEmpty {
            lines.append("  \"findings\": []")
        } else {
            lines.append("  \"findings\": [")
            for (offset, finding) in findings.enumerated() {
                var fields = [
                    "\"file\": \(jsonString(pathPrefix + finding.location.file))",
                    "\"line\": \(finding.location.line)",
                    "\"column\": \(finding.location.column)",
                    "\"severity\": \(jsonString(finding.severity.rawValue))",
                    "\"kind\": \(jsonString(finding.kind.rawValue))",
                    "\"url\": \(jsonString(finding.url))",
                    "\"reason\": \(jsonString(finding.reason))",
                ]
                if let note = finding.sourceNote {
                    var source: [String] = []
                    if let location = note.location {
                        source += [
                            "\"file\": \(jsonString(location.file))", "\"line\": \(location.line)",
                            "\"column\": \(location.column)",
                        ]
                    }
                    source.append("\"message\": \(jsonString(note.message))")
                    fields.append("\"source\": {\(source.joined(separator: ", "))}")
                }
                let separator = offset == findings.count - 1 ? "" : ","
                lines.append("    {\(fields.joined(separator: ", "))}\(separator)")
            }
            lines.append("  ]")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// GitHub Actions workflow commands. The output folder is not in the repository, so a
    /// finding with a source note is annotated on its source, where the pull request shows it.
    private func github(pathPrefix: String) -> String {
        var output = ""
        for finding in findings {
            let command =
                switch finding.severity {
                case .error: "error"
                case .warning: "warning"
                case .note: "notice"
                }
            let htmlPlace = "\(pathPrefix)\(finding.location)"
            var place = finding.location
            place.file = pathPrefix + place.file
            var message = finding.message
            if let note = finding.sourceNote, let source = note.location {
                place = source
                message += " (in \(htmlPlace))"
            }
            let properties = [
                "file=\(escapeProperty(place.file))", "line=\(place.line)", "col=\(place.column)",
            ]
            output += "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return output + summary + "\n"
    }

    private func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

private func jsonString(_ text: String) -> String {
    var escaped = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped + "\""
}

/// GitHub's escaping for the message of a workflow command.
private func escapeData(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "\n", with: "%0A")
}

/// GitHub's escaping for a property of a workflow command, where `:` and `,` are separators.
private func escapeProperty(_ text: String) -> String {
    escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
}
