// Two costs in reading YAML that grow exponentially with what a short text can say, and how
// Bridgehead stays clear of both.
//
// Yams (6.2) checks every mapping for duplicate keys by hashing its keys and, when some repeat,
// sorting them. A key that is a list or a mapping is hashed in full, through every alias in it,
// and sorting compares two such keys twice at each level of nesting: 1.2 KB of nested `? - ? -`
// keys kept the front matter fuzzer busy for 15 minutes, and 24 levels of a list of two aliases
// took 11 seconds. Bridgehead reads only plain text keys (`pairs` refuses others; `value` makes
// them ""), so a text that could make any other key is refused before Yams reads it.
//
// An alias repeats the whole value its anchor marks, and aliases of aliases multiply: nine lines
// of nine aliases each are 387 million values, which Yams holds as one shared tree but turning
// them into template values would make one by one (the build ran out of 4 GB of address space). So the values
// a document stands for are counted, up to a bound, before any is made.
import Diagnostics
import Yams

extension YAMLSource {
    /// The values a document may stand for beyond twice its length in bytes (which no document
    /// without aliases reaches): room for any sensible use of anchors and aliases.
    static let aliasExpansionAllowance = 100_000

    /// Refuses a text in which some mapping key could be a list, a mapping or an alias. The scan
    /// does not know quotes, comments or block scalars, because a scan that misjudged where one
    /// ends could miss a key; so it errs towards refusing, and the hints say how to write around
    /// it. What it looks for:
    /// - `?` first, or after white space, `[`, `{`, `,`, `:` or `?`: an explicit key, which can
    ///   hold anything. After anything else it is part of a scalar (`Why?`, `왜?`, `/?q=`) or, after
    ///   a `]` or a quote, an error libyaml reports.
    /// - `]` or `}` before `:`: a list or mapping as an implicit key.
    /// - an alias before `:`.
    /// - once the text has a `{`: a `[`, `{` or alias after `,` (anchors and tags aside) or first
    ///   on its line, since `{[a], [a], [b], [b]}` is a mapping of list keys with no `:` at all;
    ///   and an alias after `{`. A list or mapping after `{` passes unless the text has aliases:
    ///   one key alone is hashed once, and the sorting needs two repeated ones. So
    ///   `{{ page.title }}` in a comment or a value passes.
    func checkKeysArePlain(_ text: String) throws {
        let bytes = Array(text.utf8)
        let hasAliases = bytes.indices.contains { index in
            bytes[index] == UInt8(ascii: "*") && startsToken(bytes, at: index) && index + 1 < bytes.count
                && isAnchorCharacter(bytes[index + 1])
        }
        var sawFlowMapping = false
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "?") where index == 0 || "[{,:? \t\n\r".utf8.contains(bytes[index - 1]):
                throw keyError(
                    "'?' here can start a YAML key that is a list or a mapping", in: bytes, at: index,
                    hint: "keys are plain text (name: value); a '?' in a value goes right after a word (Why?)")
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if colonFollows(bytes, from: index + 1) {
                    throw keyError(
                        "a list or mapping here is used as a YAML key", in: bytes, at: index,
                        hint: "keys are plain text (name: value); in a value, put a character between ']' and ':'")
                }
            case UInt8(ascii: "*") where startsToken(bytes, at: index):
                var end = index + 1
                while end < bytes.count, isAnchorCharacter(bytes[end]) { end += 1 }
                if colonFollows(bytes, from: end) || (sawFlowMapping && entryStart(bytes, at: index) != nil) {
                    throw keyError(
                        "an alias here is used as a YAML key", in: bytes, at: index,
                        hint: "keys are plain text (name: value); write the key out in full")
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let start = sawFlowMapping ? entryStart(bytes, at: index) : nil
                if start == .afterSeparator || (start == .first && hasAliases) {
                    throw keyError(
                        "a list or mapping here can be a key of the { } mapping around it", in: bytes, at: index,
                        hint: "keys are plain text; give each entry of a { } mapping a plain key and a ':'")
                }
                if bytes[index] == UInt8(ascii: "{") { sawFlowMapping = true }
            default:
                continue
            }
        }
    }

    /// Refuses a document whose aliases make it stand for more values than it can sensibly
    /// mean, counting no further than the bound: the count stops where it passes.
    func checkAliasExpansion(of root: Node, textLength: Int) throws {
        let limit = 2 * textLength + Self.aliasExpansionAllowance
        var budget = limit
        let entries: [(at: Node, value: Node)] =
            if case .mapping(let mapping) = root { mapping.map { ($0.key, $0.value) } } else { [(root, root)] }
        for entry in entries {
            var pending = [entry.value]
            while let node = pending.popLast() {
                budget -= 1
                if budget < 0 {
                    throw error(
                        "the aliases here make this YAML stand for more than \(limit) values", at: entry.at,
                        hint: "an alias (*name) repeats the whole value its anchor (&name) marks, and aliases of "
                            + "aliases multiply; write the values out or use fewer aliases")
                }
                switch node {
                case .sequence(let sequence): pending.append(contentsOf: sequence)
                case .mapping(let mapping):
                    for (key, value) in mapping {
                        pending.append(key)
                        pending.append(value)
                    }
                case .scalar, .alias: continue
                }
            }
        }
    }

    private func keyError(_ message: String, in bytes: [UInt8], at index: Int, hint: String) -> Diagnostic {
        let lineStart = bytes[..<index].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = bytes[..<lineStart].count { $0 == UInt8(ascii: "\n") } + 1
        // Columns count characters, as Yams' marks do: every byte but UTF-8's continuation bytes.
        let column = bytes[lineStart..<index].count { $0 & 0xC0 != 0x80 } + 1
        return error(message, at: SourceLocation(file: path, line: line + lineOffset, column: column), hint: hint)
    }
}

private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
}

/// libyaml's anchor and alias names: ASCII letters, digits, `_` and `-`.
private func isAnchorCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
        true
    default: false
    }
}

/// Whether an indicator at `index` could begin a token: first in the text, or after white space
/// or one of the characters a token can end with.
private func startsToken(_ bytes: [UInt8], at index: Int) -> Bool {
    guard index > 0 else { return true }
    let before = bytes[index - 1]
    return isWhitespace(before) || "[]{},:-?\"'".utf8.contains(before)
}

/// Whether `:` comes next, after any white space.
private func colonFollows(_ bytes: [UInt8], from index: Int) -> Bool {
    let next = bytes[index...].firstIndex { !isWhitespace($0) }
    return next.map { bytes[$0] == UInt8(ascii: ":") } ?? false
}

private enum EntryStart { case first, afterSeparator }

/// Whether the token at `index`, after any anchors and tags before it, would start an entry of
/// a `{ }` mapping it were in: the first, after `{`; or a later one, after `,` or first on its
/// line (the line before may end in a comment that the scan cannot see past).
private func entryStart(_ bytes: [UInt8], at index: Int) -> EntryStart? {
    var position = index
    while position > 0 {
        let before = bytes[position - 1]
        if before == UInt8(ascii: "\n") || before == UInt8(ascii: ",") { return .afterSeparator }
        if before == UInt8(ascii: "{") { return .first }
        if isWhitespace(before) {
            position -= 1
            continue
        }
        var tokenStart = position - 1
        while tokenStart > 0, !isWhitespace(bytes[tokenStart - 1]), !"[{,".utf8.contains(bytes[tokenStart - 1]) {
            tokenStart -= 1
        }
        guard bytes[tokenStart] == UInt8(ascii: "&") || bytes[tokenStart] == UInt8(ascii: "!") else { return nil }
        position = tokenStart
    }
    return nil
}
