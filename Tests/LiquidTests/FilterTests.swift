import Foundation
import Liquid
import Testing

struct FilterCase: Sendable, CustomTestStringConvertible {
    var template: String
    var expected: String
    var data = "{}"
    var testDescription: String { template }
}

private let objects = #"{"a":[{"t":"b","n":2,"k":["x"]},{"t":"a","n":1,"k":[]},{"t":"c","n":3,"k":["x","y"]}]}"#

private let filterCases: [FilterCase] = [
    FilterCase(template: "{{ -3 | abs }} {{ '-2.5' | abs }}", expected: "3 2.5"),
    FilterCase(template: "{{ 'a' | append: 'b' }} {{ 'b' | prepend: 'a' }}", expected: "ab ab"),
    FilterCase(
        template:
            "{{ '대전 바이오 클러스터' | append: ' (' | append: 3 | append: ')' }}|{{ '' | append: '' }}|{{ x | prepend: '보스턴 ' }}",
        expected: "대전 바이오 클러스터 (3)||보스턴 "),
    FilterCase(template: "{{ 3 | at_least: 5 }} {{ 7 | at_most: 5 }}", expected: "5 5"),
    FilterCase(
        template:
            "{{ 9 | at_least: 5 }} {{ 2 | at_most: 5 }} {{ 3 | at_least: 4.5 }} {{ '7' | at_most: 5 }} {{ -1 | at_least: '-2' }}",
        expected: "9 2 4.5 5 -1"),
    FilterCase(template: "{{ 'hELLO wORLD' | capitalize }}", expected: "Hello world"),
    // Beyond ASCII: a first letter with its combining accent, Hangul (no case), Greek, ß (whose
    // upper case is two letters), and an empty text.
    FilterCase(
        template:
            "{{ 'e\u{301}COLE 대전 ΣΟΦΙΑ' | capitalize }}|{{ 'ßAB' | capitalize }}|{{ '' | capitalize }}"
            + "|{{ '한A' | capitalize }}",
        expected: "E\u{301}cole 대전 σοφια|SSab||한a"),
    FilterCase(
        template: "{{ 1.2 | ceil }} {{ 1.8 | floor }} {{ 1.25 | round: 1 }} {{ 2.5 | round }}", expected: "2 1 1.3 3"),
    FilterCase(template: "{{ a | compact | join: ',' }}", expected: "1,2", data: #"{"a":[1,null,2]}"#),
    FilterCase(template: "{{ a | concat: b | join: ',' }}", expected: "1,2,3", data: #"{"a":[1],"b":[2,3]}"#),
    FilterCase(
        template: "{{ '2019-04-17T09:30:00+09:00' | date: '%Y-%m-%d %H:%M %z %a %b %-d %j' }}",
        expected: "2019-04-17 09:30 +0900 Wed Apr 17 107"),
    FilterCase(template: "{{ 'March 14, 2016' | date: '%B %e, %Y %A' }}", expected: "March 14, 2016 Monday"),
    FilterCase(
        template: "{{ nothing | default: 'd' }} {{ false | default: 'd', allow_false: true }} {{ '' | default: 'e' }}",
        expected: "d false e"),
    FilterCase(
        template: "{{ 7 | divided_by: 2 }} {{ 7.0 | divided_by: 2 }} {{ -7 | divided_by: 2 }}", expected: "3 3.5 -4"),
    FilterCase(
        template: "{{ 'ABC' | downcase }} {{ 'Straße' | upcase }} {{ '대전 Bio' | downcase }}",
        expected: "abc STRASSE 대전 bio"),
    FilterCase(
        template: "{{ '<a href=\"x\">&' | escape }} {{ '&amp; <' | escape_once }}",
        expected: "&lt;a href=&quot;x&quot;&gt;&amp; &amp; &lt;"),
    FilterCase(
        template: "{{ a | first }} {{ a | last }} {{ a | size }} {{ a | join }}", expected: "1 3 3 1 2 3",
        data: #"{"a":[1,2,3]}"#),
    FilterCase(
        template: "{{ 'a b' | lstrip }}|{{ '  a  ' | strip }}|{{ ' a ' | rstrip }}|{{ ' x' | lstrip }}",
        expected: "a b|a| a|x"),
    FilterCase(template: "{{ a | map: 't' | join: '' }}", expected: "bac", data: objects),
    FilterCase(
        template:
            "{{ 5 | minus: 2 }} {{ 5 | plus: 2.5 }} {{ 0.1 | plus: 0.2 }} {{ 3 | times: 4 }} {{ 7 | modulo: 3 }} {{ -7 | modulo: 3 }}",
        expected: "3 7.5 0.3 12 1 2"),
    // Beyond Foundation's Decimal (about 1e165, and no infinity) the Doubles answer, as Ruby's
    // BigDecimal does here (it may differ in the last digit elsewhere: 1e200 * 10).
    FilterCase(
        template:
            "{{ big | times: 2 }} {{ big | plus: 1 }} {{ big | divided_by: 4 }} {{ tiny | times: 2 }} "
            + "{{ edge | times: 2 }} {{ edge | times: -2 | plus: 1 }} {{ big | round: 2 }} {{ tiny | round: 2 }} "
            + "{{ tiny | times: -1 | round: 3 }} {{ tiny | round }} {{ -0.0001 | round: 2 }}",
        expected: "2.0e+200 1.0e+200 2.5e+199 2.0e-200 Infinity -Infinity 1.0e+200 0.0 -0.0 0 -0.0",
        data: #"{"big":1e200,"tiny":1e-200,"edge":1.7976931348623157e308}"#),
    FilterCase(template: "{{ \"a\nb\" | newline_to_br }}", expected: "a<br />\nb"),
    FilterCase(
        template: "{{ 'aXbXc' | remove: 'X' }} {{ 'aXbXc' | remove_first: 'X' }} {{ 'aXbXc' | remove_last: 'X' }}",
        expected: "abc abXc aXbc"),
    FilterCase(
        template:
            "{{ 'aXbX' | replace: 'X', 'y' }} {{ 'aXbX' | replace_first: 'X', 'y' }} {{ 'aXbX' | replace_last: 'X', 'y' }}",
        expected: "ayby aybX aXby"),
    FilterCase(template: "{{ a | reverse | join: '' }}", expected: "cba", data: #"{"a":["a","b","c"]}"#),
    FilterCase(
        template: "{{ 'hello' | slice: 1, 3 }} {{ 'hello' | slice: -2 }} {{ a | slice: 1 | join }}",
        expected: "ell l 2", data: #"{"a":[1,2,3]}"#),
    FilterCase(
        template:
            "{{ a | sort: 'n' | map: 't' | join: '' }} {{ b | sort | join: '' }} {{ c | sort_natural | join: '' }}",
        expected: "abc Bab aBc",
        data: #"{"a":[{"t":"b","n":2},{"t":"a","n":1},{"t":"c","n":3}],"b":["b","a","B"],"c":["c","a","B"]}"#),
    // Strings sort by their bytes on either side of 16 bytes, the prefix compared first.
    FilterCase(
        template: "{{ a | sort | join: '|' }}",
        expected: "0123456789abcdef|0123456789abcdef|0123456789abcdefg|0123456789abcdeg|0123456789abcdf|"
            + "대전 바이오 클러스터|대전 바이오 클러스터 보고서|보스턴",
        data: #"""
            {"a":["보스턴","0123456789abcdeg","0123456789abcdef","대전 바이오 클러스터 보고서","0123456789abcdf",
            "0123456789abcdefg","대전 바이오 클러스터","0123456789abcdef"]}
            """#),
    FilterCase(
        template: "{{ 'a,b,,' | split: ',' | size }} {{ ' a  b ' | split: ' ' | join: '|' }}", expected: "2 a|b"),
    FilterCase(template: "{{ '<p>Hi <b>there</b></p><script>x</script>' | strip_html }}", expected: "Hi there"),
    FilterCase(
        template: "{{ '<!-- a > b --><style>p{}</style>대전 <i>바이오</i> <unclosed' | strip_html }}",
        expected: "대전 바이오 <unclosed"),
    FilterCase(
        template: "{{ 'a<script>never closed' | strip_html }}|{{ 'no tags' | strip_html }}",
        expected: "anever closed|no tags"),
    FilterCase(template: "{{ \"a\r\nb\nc\" | strip_newlines }}", expected: "abc"),
    FilterCase(
        template: "{{ a | sum }} {{ b | sum: 'n' }} {{ c | sum }} {{ d | sum }}", expected: "6 6 1.5 6.5",
        data: #"{"a":[1,2,3],"b":[{"n":1},{"n":2},{"n":3}],"c":[0.5,"1"],"d":[1,"2",3,0.5]}"#),
    FilterCase(
        template: "{{ 'Ground control to Major Tom.' | truncate: 20 }} {{ 'one two three' | truncatewords: 2, '…' }}",
        expected: "Ground control to... one two…"),
    FilterCase(template: "{{ a | uniq | join: '' }}", expected: "ab", data: #"{"a":["a","b","a"]}"#),
    FilterCase(template: "{{ 'a b&c' | url_encode }} {{ 'a+b%26c' | url_decode }}", expected: "a+b%26c a b&c"),
    FilterCase(
        template:
            "{{ a | where: 'n', 2 | map: 't' }} {{ a | reject: 'n', 2 | map: 't' | join: '' }} {{ a | where: 'k', 'y' | map: 't' }}",
        expected: "b ac c", data: objects),
    FilterCase(
        template: "{{ a | has: 'n', 3 }} {{ a | find: 'n', 1 | map: 't' }} {{ a | find_index: 't', 'c' }}",
        expected: "true a 2", data: objects),
    FilterCase(
        template:
            "{{ '대전' | base64_encode }} {{ '64yA7KCE' | base64_decode }} {{ '?>' | base64_url_safe_encode }} {{ 'Pz4=' | base64_url_safe_decode }}",
        expected: "64yA7KCE 대전 Pz4= ?>"),
    // Jekyll filters
    FilterCase(
        template: "{{ '2019-04-17T09:30:00+09:00' | date_to_xmlschema }} {{ '2019-04-17' | date_to_rfc822 }}",
        expected: "2019-04-17T09:30:00+09:00 Wed, 17 Apr 2019 00:00:00 +0000"),
    FilterCase(template: "{{ a | where_exp: 'i', 'i.n > 1' | map: 't' | join: '' }}", expected: "bc", data: objects),
    FilterCase(
        template: "{% assign g = a | group_by: 'k' %}{% for x in g %}{{ x.name }}:{{ x.size }};{% endfor %}",
        expected: "x:1;:1;xy:1;", data: objects),
    FilterCase(
        template: "{{ h | jsonify }}", expected: #"{"b":[1,"x<"],"a":null}"#, data: #"{"h":{"b":[1,"x<"],"a":null}}"#),
    // Ruby's JSON.generate, which Jekyll's jsonify is: HTML characters, `/` and non-ASCII text
    // as they are; `"`, `\` and control characters escaped, with the short forms where JSON has them.
    FilterCase(
        template: "{{ s | jsonify }}",
        expected: #""<a href=\"/x?a=1&b=2\">대전</a> \\ é\u0001\b\f\n\r\t\u001f""#,
        data: #"{"s":"<a href=\"/x?a=1&b=2\">대전</a> \\ é\u0001\b\f\n\r\t\u001F"}"#),
    FilterCase(
        template: "{{ 'Daejeon–Boston Bio, 2019!' | slugify }} {{ '대전 테크노파크' | slugify }}",
        expected: "daejeon-boston-bio-2019 대전-테크노파크"),
    FilterCase(template: "{{ '<a & \"b\">' | xml_escape }}", expected: "&lt;a &amp; &quot;b&quot;&gt;"),
    FilterCase(
        template: "{{ 'Boston bio 클러스터' | number_of_words }} {{ '대전-보스턴 협약' | number_of_words }}", expected: "6 7"),
    FilterCase(
        template: "{{ a | array_to_sentence_string }} {{ '  a \n b ' | normalize_whitespace }}",
        expected: "x, y, and z a b", data: #"{"a":["x","y","z"]}"#),
    FilterCase(
        template: "{{ a | push: 4 | join }} {{ a | pop | join }} {{ a | shift | join }} {{ a | unshift: 0 | join }}",
        expected: "1 2 3 4 1 2 2 3 0 1 2 3", data: #"{"a":[1,2,3]}"#),
    FilterCase(
        template: "{{ 'a b' | cgi_escape }} {{ 'a b/대' | uri_escape }} {{ '12' | to_integer | plus: 1 }}",
        expected: "a+b a%20b/%EB%8C%80 13"),
    FilterCase(template: "{{ h | inspect }}", expected: #"{"a"=>[1, "b"]}"#, data: #"{"h":{"a":[1,"b"]}}"#),
]

@Test(arguments: filterCases) func filters(_ test: FilterCase) throws {
    #expect(try render(test.template, test.data) == test.expected)
}

@Test func urlFiltersUseTheBaseURL() throws {
    let portal = LiquidOptions(baseURL: "https://user.github.io/portal/")
    #expect(
        try render(
            "{{ '/boston/' | relative_url }} {{ 'boston/' | absolute_url }} {{ 'https://x.org/' | relative_url }}",
            options: portal)
            == "/portal/boston/ https://user.github.io/portal/boston/ https://x.org/")
    #expect(try render("{{ '/boston/' | relative_url }} {{ '/a/' | absolute_url }}") == "/boston/ /a/")
}

@Test func customFiltersReadTheContextAndOverrideBuiltIns() throws {
    let shout: LiquidFilter = { input, arguments, context in
        let lang = context.variable(["page", "lang"])?.outputText ?? "?"
        return .string("\(input.outputText)!\(arguments.positional.first?.outputText ?? "")@\(lang)")
    }
    let upcase: LiquidFilter = { _, _, _ in .string("mine") }
    #expect(
        try render(
            "{{ 'hi' | shout: 2 }} {{ 'x' | upcase }}", #"{"page":{"lang":"ko"}}"#,
            filters: ["shout": shout, "upcase": upcase])
            == "hi!2@ko mine")
}

@Test func wordStatisticsCountHangulByCharacter() {
    let statistics = WordStatistics("대전 바이오 cluster, 48 universities")
    #expect(statistics.words == 3)
    #expect(statistics.cjkCharacters == 5)
    #expect(statistics.readingMinutes == 1)
    #expect(WordStatistics(" \n ").readingMinutes == 0)
}

/// Found by FuzzLiquid: a width too large for an Int crashed `date` with an arithmetic overflow.
/// FuzzLiquid's crash of 2026-12-03: Unix seconds past `Int` in the calendar arithmetic.
@Test func secondsTooFarFromTheEpochAreNotADate() throws {
    #expect(
        try render(#"{{ 666666666666666666000666666 | date: "%Y" }}"#)
            == (try render("{{ 666666666666666666000666666 }}")))
    #expect(try render(#"{{ "99999999999999999999" | date: "%Y" }}"#) == "99999999999999999999")
    #expect(try render(#"{{ -9223372036854775807 | date: "%Y" }}"#) == "-9223372036854775807")
    #expect(try render(#"{{ 0 | date: "%Y-%m-%d" }}"#) == "1970-01-01")
    let farOff = LiquidDate(date: Date(timeIntervalSince1970: 1e20), utcOffset: 0)
    #expect(
        formatDate(farOff, "%Y") == formatDate(LiquidDate(date: Date(timeIntervalSince1970: 1e16), utcOffset: 0), "%Y"))
}

@Test func aDateWidthTooLargeIsClampedInsteadOfOverflowing() throws {
    let padded = try render(#"{{ "2019-04-18" | date: "%99999999999999999999d" }}"#)
    #expect(padded == String(repeating: "0", count: 1_022) + "18")
    #expect(try render(#"{{ "2019-04-18" | date: "%-5d|%5d" }}"#) == "18|00018")
}

/// FuzzLiquid's crash of 2026-12-04: a written date's year past `Int` in the day count stopped
/// the process (`{{ '…' | date: '9/%8m-95152200576049477' | date: … }}`, reduced here).
@Test func writtenYearsTooFarFromTheEpochAreNotADate() throws {
    #expect(try render("{{ '1/1/95152200576049477' | date: '%Y' }}") == "1/1/95152200576049477")
    #expect(try render("{{ '1/1/300000001' | date: '%Y' }}") == "1/1/300000001")
    #expect(try render("{{ '1/1/300000000' | date: '%Y' }}") == "300000000")
    // What a program embedding the engine may build itself: no field traps, however far out.
    for year in [Int.max, Int.min, 95_152_200_576_049_477] {
        let date = LiquidDate(year: year, month: 13, day: Int.max, hour: Int.max, minute: Int.min, utcOffset: Int.max)
        #expect(!formatDate(date, "%Y").isEmpty)
    }
}

/// Found by probing every filter with the extreme integers after FuzzLiquid's date crash: a
/// `truncate` length near Int.min overflowed, and `round` to a scale near Int.min stopped the
/// process inside Foundation.
@Test func extremeLengthsAndScalesDoNotStopTheRender() throws {
    #expect(try render("{{ 'abcdef' | truncate: -9223372036854775808 }}") == "...")
    #expect(try render("{{ 'abcdef' | truncate: -9223372036854775807, 'xyz' }}") == "xyz")
    #expect(try render("{{ 'abcdef' | truncate: 4 }}|{{ 'abcdef' | truncate: 0, '' }}") == "a...|")
    #expect(try render("{{ 1.5 | round: -9223372036854775808 }} {{ 1.5 | round: 9223372036854775807 }}") == "0 1.5")
    #expect(
        try render("{{ 5 | round: -9223372036854775808 }} {{ 155 | round: -1 }} {{ 123.456 | round: 2 }}")
            == "0 160 123.46")
}
