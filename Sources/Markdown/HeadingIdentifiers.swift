/// Heading ids by GitHub's rule, unique within one document.
struct HeadingIdentifiers {
    private var used: Set<ExactText> = []
    private var nextSuffix: [ExactText: Int] = [:]

    /// An id compared by its bytes, as a browser matches an id and github-slugger counts
    /// repeats: a Swift string outside ASCII is normalized on every hash, which for Korean
    /// headings was most of the cost of giving them ids (perf).
    private struct ExactText: Hashable {
        let text: String

        static func == (lhs: ExactText, rhs: ExactText) -> Bool {
            lhs.text.utf8.elementsEqual(rhs.text.utf8)
        }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The id for a heading with plain text `title`: its slug, or the slug with `-1`, `-2`, …
    /// appended when an earlier heading already has that id. A suffixed id also skips ids
    /// taken literally by earlier headings (a heading titled "intro-1").
    mutating func identifier(for title: String) -> String {
        var base = Self.slug(title)
        if base.isEmpty { base = "section" }
        guard used.insert(ExactText(text: base)).inserted else {
            var suffix = nextSuffix[ExactText(text: base), default: 1]
            var candidate = "\(base)-\(suffix)"
            while used.contains(ExactText(text: candidate)) {
                suffix += 1
                candidate = "\(base)-\(suffix)"
            }
            nextSuffix[ExactText(text: base)] = suffix + 1
            used.insert(ExactText(text: candidate))
            return candidate
        }
        return base
    }

    /// GitHub's heading anchor (github-slugger): lower case; each space becomes `-`; letters
    /// and marks of every script, decimal digits, letter numbers (`Ⅻ`), alphabetic symbols
    /// (`ⓐ`), `-` and connector punctuation such as `_` stay; everything else is dropped:
    /// punctuation, symbols, other whitespace, and other numbers such as `①`, `²` and `₂`.
    static func slug(_ title: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in title.unicodeScalars {
            if scalar.isASCII {
                switch scalar {
                case "A"..."Z":
                    result.append(Unicode.Scalar(scalar.value + 32) ?? scalar)
                case "a"..."z", "0"..."9", "-", "_":
                    result.append(scalar)
                case " ":
                    result.append("-")
                default:
                    break
                }
                continue
            }
            // Hangul syllables are letters without case: kept without asking the Unicode
            // tables, which most of a Korean heading's cost was.
            if (0xAC00...0xD7A3).contains(scalar.value) {
                result.append(scalar)
                continue
            }
            let properties = scalar.properties
            if !properties.changesWhenLowercased {
                if isKept(scalar) { result.append(scalar) }
                continue
            }
            for lower in properties.lowercaseMapping.unicodeScalars where isKept(lower) {
                result.append(lower)
            }
        }
        return String(result)
    }

    private static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .connectorPunctuation:
            return true
        default:
            return scalar == "-" || scalar.properties.isAlphabetic
        }
    }
}

extension TableOfContentsEntry {
    /// Nests `headings` by level: a heading is the child of the closest earlier heading with a
    /// smaller level, or a top-level entry when there is none (so a document may start at h3,
    /// and an h2 after an h4 is top-level again).
    static func nest(_ headings: [Heading]) -> [TableOfContentsEntry] {
        var roots: [TableOfContentsEntry] = []
        // Entries still open for children, outermost first; each level is strictly deeper.
        var open: [TableOfContentsEntry] = []
        func closeInnermost() {
            let entry = open.removeLast()
            if open.isEmpty {
                roots.append(entry)
            } else {
                open[open.count - 1].children.append(entry)
            }
        }
        for heading in headings {
            while let last = open.last, last.level >= heading.level {
                closeInnermost()
            }
            open.append(TableOfContentsEntry(level: heading.level, id: heading.id, title: heading.title, children: []))
        }
        while !open.isEmpty {
            closeInnermost()
        }
        return roots
    }
}

/// The `id` GitHub gives a heading titled `title` (before repeats get `-1`, `-2`): what
/// templates and other targets use to predict a heading's anchor.
public func headingID(for title: String) -> String {
    HeadingIdentifiers.slug(title)
}
