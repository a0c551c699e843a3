import Foundation
import Testing

@testable import Liquid

// The render-speed work added fast paths beside general ones; these tests pin the fast paths
// to exactly what the general code gives.

@Test(arguments: [
    "2019-04-18", "2019-04-18T16:11:00", "2019-04-18t16:11:00z", "2019-04-18 16:11:00Z",
    "2019-04-18T16:11:00+09:00", "2019-04-18T16:11:00-05:30", "2019-04-18 16:11:00+09:00",
    "2019-04-18T24:00:00+09:00", "2019-04-18T23:59:60Z", "0001-01-01", "2019-04-31",
])
func isoDatesParseAsTheGeneralParserDoes(_ text: String) throws {
    let fast = try #require(parseISODate(text))
    #expect(fast == parseWrittenDate(text))
    #expect(parseDate(text) == fast)
}

@Test(arguments: [
    "2019-13-18", "2019-04-32", "2019-04-18T25:00:00", "2019-04-18T16:61:00", "2019-04-18T16:11:00.5+09:00",
    "2019-04-18T16:11:00+0900", "2019-04-18T16:11", "2019/04/18", "18-04-2019", "March 14, 2016", "12345",
])
func otherDateFormsAreLeftToTheGeneralParser(_ text: String) {
    #expect(parseISODate(text) == nil)
    #expect(parseDate(text) == parseWrittenDate(text))
}

@Test func datesFromDataRenderInTheirOwnOffset() throws {
    let output = try render(
        "{{ a | date: '%Y-%m-%d %H:%M:%S %z' }}|{{ b | date: '%F %T %z' }}|{{ c | date: '%F' }}",
        #"{"a":"2019-04-18T16:11:00+09:00","b":" 2019-04-18T24:00:00-05:30 ","c":"2019-13-18"}"#)
    #expect(output == "2019-04-18 16:11:00 +0900|2019-04-19 00:00:00 -0530|2019-13-18")
}

@Test func copiedObjectsDoNotShareChanges() {
    let original = LiquidObject([("a", 1), ("b", 2)])
    var copy = original
    copy["a"] = 10
    copy["c"] = 3
    copy["b"] = nil
    #expect(original.keys == ["a", "b"])
    #expect(copy.keys == ["a", "c"])
    guard case .int(1)? = original["a"], case .int(2)? = original["b"], case .int(10)? = copy["a"] else {
        Issue.record("values changed: \(original.pairs) \(copy.pairs)")
        return
    }
    // Keys are found by their fingerprints first, which must move with them when one is removed.
    #expect(copy["b"] == nil)
    let environment = LiquidEnvironment(options: LiquidOptions(), loader: Partials(templates: [:]), filters: [:])
    let rendered = try? environment.parse("{{ o.a }} {{ o.b }} {{ o.c }}", path: "t.liquid").render(["o": .object(copy)]
    )
    #expect(rendered == "10  3")
}

@Test func largeObjectsStayIndexedAfterCopies() {
    var object = LiquidObject((0..<20).map { ("k\($0)", LiquidValue.int($0)) })
    let copy = object
    object["k5"] = nil
    object["k20"] = 20
    #expect(object.count == 20)
    #expect(copy.count == 20)
    #expect(object["k5"] == nil)
    guard case .int(5)? = copy["k5"], case .int(20)? = object["k20"], case .int(19)? = object["k19"] else {
        Issue.record("lookups after removal are wrong")
        return
    }
    #expect(copy["k20"] == nil)
}

@Test func splitKeepsMultibyteFieldsAndDropsTrailingEmptyOnes() throws {
    #expect(try render("{{ 'a→b→→' | split: '→' | join: '|' }}") == "a|b")
    #expect(try render("{{ '대전→보스턴' | split: '→' | last }}") == "보스턴")
    #expect(try render("{{ 'a--b' | split: '-' | join: '|' }}") == "a||b")
    #expect(try render("{{ '-a' | split: '-' | size }}") == "2")
    #expect(try render("{{ 'é' | split: 'e' | size }}") == "1")
}

@Test func caseFiltersMapOnlyWhatHasCase() throws {
    #expect(try render("{{ 'ÀB대c' | downcase }} {{ 'ÀB대c' | upcase }}") == "àb대c ÀB대C")
    #expect(try render("{{ 'already lower 1-2' | downcase }} {{ 'UP_1' | upcase }}") == "already lower 1-2 UP_1")
    // Hangul with ASCII is mapped on bytes; other scripts and Hangul Jamo still go through Unicode.
    #expect(try render("{{ 'Section 0 섹션' | downcase }} {{ 'a힣가B' | upcase }}") == "section 0 섹션 A힣가B")
    #expect(try render("{{ '섹션 ΣΑ' | downcase }} {{ 'ᄀ É' | downcase }}") == "섹션 σα ᄀ é")
}

@Test func sortOrdersStringsByBytesBeyondTheirCommonPrefix() throws {
    let data = #"{"t": ["biotech 바이오 z", "biotech 바이오 a", "biotech", "biotech 바", "Zeta", "a\u0000", "a"]}"#
    #expect(
        try render("{{ t | sort | join: '|' }}", data)
            == "Zeta|a|a\u{0}|biotech|biotech 바|biotech 바이오 a|biotech 바이오 z")
}

/// `sort` rearranges the list it is given in place when nothing else holds it (`split | sort`),
/// moving items along the permutation's cycles: every order of up to 7 items, and lists that a
/// variable still holds, which must not change.
@Test func sortMovesItemsIntoEveryOrderAndLeavesSharedListsAlone() throws {
    func orders(_ items: [String]) -> [[String]] {
        guard let first = items.first else { return [[]] }
        return orders(Array(items.dropFirst())).flatMap { rest in
            (0...rest.count).map { position in
                var order = rest
                order.insert(first, at: position)
                return order
            }
        }
    }
    let letters = ["a", "b", "c", "d", "e", "f", "g"]
    for count in 0...letters.count {
        let sorted = Array(letters.prefix(count))
        for order in orders(sorted) {
            let text = order.joined(separator: ",")
            #expect(try render("{{ '\(text)' | split: ',' | sort | join: ',' }}") == sorted.joined(separator: ","))
            #expect(
                try render("{{ '\(text)' | split: ',' | sort_natural | reverse | join: ',' }}")
                    == sorted.reversed().joined(separator: ","))
        }
    }
    #expect(
        try render("{% assign a = 'c,b,a' | split: ',' %}{% assign b = a | sort %}{{ a | join }}|{{ b | join }}")
            == "c b a|a b c")
    #expect(try render("{{ l | sort | join }}|{{ l | join }}", #"{"l":["z","y","x"]}"#) == "x y z|z y x")
    #expect(
        try render("{{ l | sort: 'n' | map: 'n' | join }}|{{ l | map: 'n' | join }}", #"{"l":[{"n":2},{"n":1}]}"#)
            == "1 2|2 1")
}

@Test func replaceLastFindsTheLastOverlappingMatch() throws {
    #expect(try render("{{ 'aaa' | replace_last: 'aa', 'b' }} {{ 'aaa' | replace: 'aa', 'b' }}") == "ab ba")
    #expect(try render("{{ 'aXbX' | remove_first: 'X' }} {{ 'none' | replace: 'x', 'y' }}") == "abX none")
}

@Test func truncatewordsAndSizeCountOverMultibyteText() throws {
    #expect(try render("{{ '대전 바이오 클러스터' | truncatewords: 2 }} {{ '대전 바이오' | size }}") == "대전 바이오... 6")
    #expect(try render("{{ ' one  two ' | truncatewords: 2 }}") == " one  two ")
    #expect(try render("{{ ' a  b   c ' | truncatewords: 2, '~' }}") == "a b~")
    // Longer than the stack buffer these filters write into first.
    let long = String(repeating: "Ab대 ", count: 600)
    #expect(
        try render(
            "{{ s | downcase | size }} {{ s | truncatewords: 599 | size }} {{ s | replace: ' ', '' | size }}",
            #"{"s":"\#(long)"}"#)
            == "2400 2398 1800")
}

@Test func integersPrintAsStringWouldPrintThem() throws {
    let numbers = [Int.min, Int.min + 1, -1_000, -7, 0, 9, 10, 42, Int.max]
    let data = "{\"n\": [\(numbers.map(String.init).joined(separator: ","))]}"
    let expected = numbers.map(String.init).joined(separator: ",")
    #expect(
        try render("{% for x in n %}{{ x }}{% unless forloop.last %},{% endunless %}{% endfor %}", data) == expected)
    #expect(try render("{% capture c %}{{ -5 }}{{ 12 }}{% endcapture %}[{{ c }}]") == "[-512]")
}

@Test func replaceWritesEveryPieceOfTheResult() throws {
    #expect(try render("{{ '섹션 a b' | replace: ' ', '--' }}|{{ 'aXa' | replace: 'X', '' }}") == "섹션--a--b|aa")
    #expect(
        try render("{{ 'https://x.org//p/' | replace: '//', '/' }}|{{ 'XX' | replace: 'X', '대전' }}")
            == "https:/x.org/p/|대전대전")
}

@Test func escapeAndURLEncodeLeavePlainTextAlone() throws {
    #expect(try render("{{ 'page-0-1' | url_encode }}|{{ '대 전' | url_encode }}") == "page-0-1|%EB%8C%80+%EC%A0%84")
    #expect(try render("{{ '대전' | escape }}|{{ 'a<b>\"c\"' | escape }}") == "대전|a&lt;b&gt;&quot;c&quot;")
}

@Test func cyclesShareTheirPositionHoweverTheirNameIsWritten() throws {
    #expect(try render("{% cycle 'g': 1, 2 %}{% cycle name: 1, 2 %}{% cycle 'g': 1, 2 %}", #"{"name":"g"}"#) == "121")
    #expect(try render(#"{% cycle 'a', 'b' %}{% cycle "'a', 'b'": 'x', 'y' %}"#) == "ay")
}

@Test func scalarCountsMatchTheStandardLibraryAtEveryLengthAndAlignment() {
    // Counted eight bytes at a time with a tail: every length up to three words, of one-,
    // two-, three- and four-byte scalars mixed, each starting at every offset of a word.
    let scalars: [Unicode.Scalar] = ["a", "é", "교", "😀", "Z", "ß", "두", " "]
    for length in 0...26 {
        for shift in 0..<scalars.count {
            var text = ""
            for position in 0..<length { text.unicodeScalars.append(scalars[(position + shift) % scalars.count]) }
            #expect(scalarCount(text) == text.unicodeScalars.count, "\(text)")
        }
    }
}

@Test func occurrencesAreFoundWhereTheirFirstByteRepeats() throws {
    // Occurrences are found by memchr on the pattern's first byte, then compared whole: a text
    // full of false starts, a pattern at the very end, overlapping candidates, a pattern
    // longer than the text. Empty fields at the end are dropped, as Ruby's `split` drops them.
    let output = try render(
        """
        {{ 'aaab' | split: 'ab' | join: '|' }};{{ 'abababa' | replace: 'aba', 'X' }};\
        {{ 'xxxy' | remove: 'xy' }};{{ 'ab' | split: 'abc' | join: '|' }};\
        {{ '교두보교두보' | replace: '두보', '-' }};{{ 'a--b--' | split: '--' | size }};\
        {{ 'a-b-c' | replace_first: '-', '+' }}
        """, "{}")
    #expect(output == "aa;XbX;xx;ab;교-교-;2;a+b-c")
}

@Test func occurrencesAreFoundInShortAndLongTextsAlike() throws {
    // Up to 32 bytes are searched byte by byte, longer texts with memchr: a separator at every
    // place of texts on both sides of that length.
    for length in 1...70 {
        for place in 0..<length {
            var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
            bytes[place] = UInt8(ascii: "-")
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = "\(place)|\(length - place - 1)|\(String(repeating: "x", count: length - 1))"
            #expect(
                try render(
                    "{% assign p = t | split: '-' %}{{ p[0] | size }}|{{ p[1] | size }}|{{ t | remove: '-' }}",
                    #"{"t":"\#(text)"}"#)
                    == expected, "\(length) \(place)")
        }
    }
}

@Test func truncatedWordsMatchRubysRuleAcrossEveryChunkBoundary() throws {
    // Words are counted 64 bytes at a time: texts of one-, two- and three-byte words and mixed
    // white space, long enough to cross several chunks, against Ruby's rule (split on white
    // space; more words than asked for keeps that many, joined by one space, then "...").
    // "à" and "ɉ" hold the bytes 0xA0 and 0x89, whose low seven bits are those of a space and
    // a tab (words are classified eight bytes at a time, by their low seven bits first).
    let pieces = ["a", " ", "교두보", "\t", "boston", "\n ", "é", "  ", "à", "\r\u{0B}", "ɉ", "\u{0C}", "x"]
    var text = ""
    for step in 0..<160 {
        text += pieces[(step * 5 + step / 7) % pieces.count]
        let words = text.unicodeScalars.split(whereSeparator: { " \t\n\r\u{0B}\u{0C}".unicodeScalars.contains($0) })
            .map { String(String.UnicodeScalarView($0)) }
        for count in [1, 3, 15, 40] {
            let expected = words.count > count ? words.prefix(count).joined(separator: " ") + "..." : text
            let data = String(decoding: try JSONEncoder().encode(["t": text]), as: UTF8.self)
            let output = try render("{{ t | truncatewords: \(count) }}", data)
            #expect(output == expected, "\(count) words of \(text.debugDescription)")
        }
    }
}

/// What `source` gives with `data`, with or without filter shortcuts: its output, or its error.
private func outcome(_ source: String, _ data: String, options: LiquidOptions, shortcuts: Bool) throws -> String {
    let environment = LiquidEnvironment(options: options, loader: nil, filters: [:], takesFilterShortcuts: shortcuts)
    guard case .object(let object) = try LiquidValue(json: data, path: "data.json") else { return "" }
    do {
        return try environment.parse(source, path: "test.liquid").render(
            Dictionary(object.pairs, uniquingKeysWith: { _, last in last }))
    } catch {
        return "error: \(error)"
    }
}

@Test(arguments: [
    ("{{ x | sort | first }}", #"{"x":["b","a","c"]}"#),
    ("{{ x | sort | first }}", #"{"x":["b","a","a","c"]}"#),
    ("{{ x | sort | first }}", #"{"x":["aaaaaaaaaaaaaaaaZ","aaaaaaaaaaaaaaaaA","aaaaaaaaaaaaaaaa"]}"#),
    ("{{ x | sort | first | size }}", #"{"x":["a\u0000","a","a\u0000\u0000"]}"#),
    ("{{ x | sort | first }}", #"{"x":["대전","보스턴","Boston","daejeon"]}"#),
    ("{{ x | sort | first }}", #"{"x":[]}"#),
    ("{{ x | sort | first }}", #"{"x":["b",1]}"#),
    ("{{ x | sort | first }}", #"{"x":["b",null,"a"]}"#),
    ("{{ x | sort | first }}", #"{"x":[["b","a"],"c"]}"#),
    ("{{ x | sort | first }}", #"{"x":[3,1.5,2]}"#),
    ("{{ x | sort | first }}", #"{"x":"text"}"#),
    ("{{ x | sort | first }}", #"{"x":{"k":"v"}}"#),
    ("{{ x | sort | first }}", #"{"x":null}"#),
    ("{{ x | sort: 'k' | first | map: 'k' }}", #"{"x":[{"k":"b"},{"k":"a"}]}"#),
    ("{{ (1..5) | sort | first }}", "{}"),
    ("{% assign y = x | sort | first %}{{ y | upcase }}", #"{"x":["b","a","c"]}"#),
    ("{{ x | split: '-' | last }}", #"{"x":"page-0-12"}"#),
    ("{{ x | split: '-' | last | upcase }}", #"{"x":"page-0-b-"}"#),
    ("{{ x | split: '-' | last }}|", #"{"x":"---"}"#),
    ("{{ x | split: '-' | last }}|", #"{"x":""}"#),
    ("{{ x | split: '-' | last }}", #"{"x":"-a"}"#),
    ("{{ x | split: '-' | last }}", #"{"x":"a--b--"}"#),
    ("{{ x | split: '->' | last }}", #"{"x":"대전->보스턴->->"}"#),
    ("{{ x | split: 'aa' | last }}", #"{"x":"baaab"}"#),
    ("{{ x | split: '-' | last }}", #"{"x":12}"#),
    ("{{ x | split: '-' | last }}", #"{"x":["a-b","c"]}"#),
    ("{{ x | split: '-' | last }}|", #"{"x":null}"#),
    ("{{ x | split: ' ' | last }}", #"{"x":" a  b  "}"#),
    ("{{ x | split: '' | last }}", #"{"x":"대전"}"#),
    ("{{ x | split: 1 | last }}", #"{"x":"a1b1"}"#),
    ("{{ x | split: s | last }}", #"{"x":"a-b","s":"-"}"#),
    ("{% assign y = x | split: '-' | last %}{{ y }}", #"{"x":"a-b"}"#),
])
func filterShortcutsGiveWhatTheFiltersGiveInTurn(source: String, data: String) throws {
    let given = try outcome(source, data, options: LiquidOptions(), shortcuts: true)
    #expect(given == (try outcome(source, data, options: LiquidOptions(), shortcuts: false)))
    // The same steps spent: the smallest budget the render fits in, and the error one step short.
    func smallestBudget(shortcuts: Bool) throws -> Int? {
        try (0...400).first { steps in
            try !outcome(source, data, options: LiquidOptions(maximumSteps: steps), shortcuts: shortcuts)
                .hasPrefix("error: ")
        }
    }
    let budget = try smallestBudget(shortcuts: true)
    #expect(budget == (try smallestBudget(shortcuts: false)))
    if let budget, budget > 0 {
        let short = LiquidOptions(maximumSteps: budget - 1)
        #expect(
            try outcome(source, data, options: short, shortcuts: true)
                == outcome(source, data, options: short, shortcuts: false))
    }
}

@Test func filterShortcutsStopAtTheOutputLimitAsTheFiltersDo() throws {
    let small = LiquidOptions(maximumOutputBytes: 100)
    let items = (0..<10).map { "\"\($0)\"" }.joined(separator: ",")
    for (source, data) in [
        ("{{ x | sort | first }}", #"{"x":[\#(items)]}"#),
        ("{{ x | split: '-' | last }}", #"{"x":"\#(String(repeating: "a-", count: 10))"}"#),
        ("{{ x | sort | first }}", #"{"x":["\#(String(repeating: "a", count: 101))"]}"#),
        ("{{ x | split: '-' | last }}", #"{"x":"-\#(String(repeating: "a", count: 101))"}"#),
    ] {
        let given = try outcome(source, data, options: small, shortcuts: true)
        #expect(given.hasPrefix("error: "), "\(source) \(data)")
        #expect(given == (try outcome(source, data, options: small, shortcuts: false)))
    }
}

@Test func aFilterTheSiteReplacesIsNotTakenAsTheStandardOne() throws {
    let firstTwice: LiquidFilter = { input, _, _ in
        guard case .array(let items) = input, let first = items.first else { return .nil }
        return .string(first.outputText + first.outputText)
    }
    #expect(try render("{{ x | sort | first }}", #"{"x":["b","a"]}"#, filters: ["first": firstTwice]) == "aa")
    #expect(try render("{{ x | split: '-' | first }}", #"{"x":"b-a"}"#, filters: ["first": firstTwice]) == "bb")
}

@Test func textBesideTagsKeepsItsPlaceWhenALoopBreaksOrABlockIsBlank() throws {
    #expect(
        try render("{% for i in (1..3) %}a{{ i }}{% if i == 2 %}{% break %}{% endif %}b{% endfor %}c")
            == "a1ba2c")
    #expect(try render("x{% if true %} {% assign y = 1 %} {% endif %}z{{ y }}") == "xz1")
    #expect(try render("{% capture c %}a{{ 1 }}b{% endcapture %}[{{ c }}]") == "[a1b]")
}
