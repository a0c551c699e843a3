/// A place in a source file. Lines and columns are 1-based; columns count Unicode scalars,
/// so a Hangul syllable is one column whatever its UTF-8 length.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

public enum Severity: String, Sendable, Hashable {
    case error
    case warning
    case note
}

/// One problem found in a user's input: where, what, how to fix it, and what led to it.
///
/// `causes` is the chain behind the problem, outermost first: for an error inside an included
/// template, the include tag that pulled it in; for a build step, the file being processed.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var hint: String?
    /// The text of the line at `location`, shown with a caret under the column.
    public var sourceLine: String?
    public var causes: [Diagnostic]

    public init(
        _ severity: Severity = .error,
        at location: SourceLocation?,
        _ message: String,
        hint: String? = nil,
        sourceLine: String? = nil,
        causes: [Diagnostic] = []
    ) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
        self.sourceLine = sourceLine
        self.causes = causes
    }

    /// The first line alone: `path:line:col: error: message`.
    public var headline: String {
        let place = location.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): \(message)"
    }

    /// The headline, the quoted source line with a caret, the hint, then each cause as a note.
    public var description: String {
        var lines = [headline]
        if let sourceLine, let location {
            lines.append(contentsOf: Self.quote(sourceLine, line: location.line, column: location.column))
        }
        if let hint {
            lines.append("  hint: \(hint)")
        }
        for cause in causes {
            lines.append(cause.description)
        }
        return lines.joined(separator: "\n")
    }

    public func adding(cause: Diagnostic) -> Diagnostic {
        var copy = self
        copy.causes.append(cause)
        return copy
    }

    /// A line wider than this many columns is quoted as a window of about as many around the
    /// column, marked with "…" where it is cut: a minified page or a generated template keeps
    /// thousands of characters on one line, which filled the terminal for one caret.
    static let widestQuote = 120

    /// A caret under `column` of `text`, padded by terminal display width so that it lands
    /// under the right character even after Hangul and other wide characters.
    static func quote(_ text: String, line: Int, column: Int) -> [String] {
        let gutter = String(line)
        let blank = String(repeating: " ", count: gutter.count)
        let scalars = text.unicodeScalars.map { $0 == "\t" ? " " : $0 }
        let caret = min(max(0, column - 1), scalars.count)
        var start = 0
        var end = scalars.count
        if scalars.reduce(0, { $0 + displayWidth(of: $1) }) > widestQuote {
            // A third of the window before the caret, the rest after it.
            var width = 0
            start = caret
            while start > 0, width + displayWidth(of: scalars[start - 1]) <= widestQuote / 3 {
                start -= 1
                width += displayWidth(of: scalars[start])
            }
            end = caret
            while end < scalars.count, width + displayWidth(of: scalars[end]) <= widestQuote {
                width += displayWidth(of: scalars[end])
                end += 1
            }
        }
        let cutBefore = start > 0 ? "…" : ""
        let cutAfter = end < scalars.count ? "…" : ""
        let shown = String(String.UnicodeScalarView(scalars[start..<end]))
        let padding = cutBefore.count + scalars[start..<caret].reduce(0) { $0 + displayWidth(of: $1) }
        return [
            " \(gutter) | \(cutBefore)\(shown)\(cutAfter)",
            " \(blank) | \(String(repeating: " ", count: padding))^",
        ]
    }

    static func displayWidth(of scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}

/// Several diagnostics reported together: a build reports every error it found, not the first.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

extension String {
    /// The 1-based line `number` of this text (without its line break), if it has one.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            if self[index] == "\n" || self[index] == "\r\n" {
                if current == number { return String(self[start..<index]) }
                current += 1
                start = self.index(after: index)
            }
            index = self.index(after: index)
        }
        return current == number ? String(self[start..<endIndex]) : nil
    }
}
