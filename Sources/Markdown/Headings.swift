/// The `id` GitHub gives a heading: lower case, spaces to `-`, letters (of any script, so
/// Hangul stays), digits, `-` and `_` kept, everything else dropped.
public func headingID(for title: String) -> String {
    var id = String.UnicodeScalarView()
    for scalar in title.lowercased().unicodeScalars {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            id.append(scalar)
        default:
            if scalar == "-" || scalar == "_" {
                id.append(scalar)
            } else if scalar == " " {
                id.append("-")
            }
        }
    }
    return String(id)
}

/// Hands out heading ids unique within a document: a repeat gets `-1`, `-2`, … as on GitHub,
/// skipping any suffixed id that a heading already took.
struct HeadingIDs {
    private var taken: Set<String> = []
    private var repeats: [String: Int] = [:]

    mutating func unique(_ base: String) -> String {
        let base = base.isEmpty ? "section" : base
        var candidate = base
        if taken.contains(candidate) {
            var count = repeats[base, default: 0]
            repeat {
                count += 1
                candidate = "\(base)-\(count)"
            } while taken.contains(candidate)
            repeats[base] = count
        }
        taken.insert(candidate)
        return candidate
    }
}

/// Headings nested by level: each heading holds the deeper headings that follow it.
func tableOfContents(_ headings: [Heading]) -> [TableOfContentsEntry] {
    var index = 0
    func entries(deeperThan level: Int) -> [TableOfContentsEntry] {
        var result: [TableOfContentsEntry] = []
        while index < headings.count, headings[index].level > level {
            let heading = headings[index]
            index += 1
            let children = entries(deeperThan: heading.level)
            result.append(
                TableOfContentsEntry(level: heading.level, id: heading.id, title: heading.title, children: children))
        }
        return result
    }
    return entries(deeperThan: 0)
}
