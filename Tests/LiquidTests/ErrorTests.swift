import Diagnostics
import Liquid
import Testing

@Test func unknownFilterNamesItsPlaceAndSuggests() {
    #expect(
        renderError("<p>\n  {{ title | upcse }}\n</p>") == """
            test.liquid:2:14: error: unknown filter 'upcse'
             2 |   {{ title | upcse }}
               |              ^
              hint: did you mean 'upcase'?
            """)
}

@Test func unknownTagIsAnError() {
    #expect(
        renderError("{% frobnicate %}") == """
            test.liquid:1:1: error: unknown tag 'frobnicate'
             1 | {% frobnicate %}
               | ^
              hint: the tags are if, unless, case, for, tablerow, assign, capture, increment, decrement, cycle, echo, break, continue, comment, doc, raw, liquid, include, render, ifchanged
            """)
}

@Test func unclosedForNamesTheLineItOpenedOn() {
    #expect(
        renderError("a\n{% for x in xs %}\n{{ x }}\n") == """
            test.liquid:2:1: error: 'for' tag is never closed
             2 | {% for x in xs %}
               | ^
              hint: add {% endfor %} after its body
            """)
}

@Test func strayEndTagAndElse() {
    #expect(
        renderError("{% endif %}")?.hasPrefix("test.liquid:1:1: error: unexpected 'endif': no 'if' tag is open here")
            == true)
    #expect(
        renderError("{% else %}")?.hasPrefix("test.liquid:1:1: error: 'else' outside of the tag it belongs to") == true)
}

@Test func filterArgumentCountsAreCheckedWhenParsing() {
    #expect(
        renderError("{{ 'a' | append }}")?.hasPrefix("test.liquid:1:10: error: 'append' takes 1 argument, got 0")
            == true)
    #expect(
        renderError("{{ 'a' | upcase: 1 }}")?.hasPrefix("test.liquid:1:10: error: 'upcase' takes no arguments, got 1")
            == true)
    #expect(
        renderError("{{ 'a' | default: 1, nope: 2 }}")?.hasPrefix(
            "test.liquid:1:10: error: 'default' has no argument named 'nope'") == true)
}

@Test func renderErrorsCarryTheFilterPosition() {
    #expect(
        renderError("{{ 1 | divided_by: 0 }}")?.hasPrefix("test.liquid:1:8: error: divided_by: divided by 0") == true)
    #expect(
        renderError("{% if '1' > 2 %}{% endif %}")?.hasPrefix(
            "test.liquid:1:11: error: cannot compare string '1' with number '2'")
            == true)
}

@Test func syntaxErrorsInExpressions() {
    #expect(
        renderError("{{ a..b }}")?.hasPrefix("test.liquid:1:5: error: unexpected '..'; expected the end of the tag")
            == true)
    #expect(
        renderError("{% assign x = 1 + 2 %}") == """
            test.liquid:1:17: error: unexpected character '+'
             1 | {% assign x = 1 + 2 %}
               |                 ^
              hint: Liquid has no arithmetic operators; use filters such as 'plus' and 'times'
            """)
    #expect(renderError("{{ 'open }}")?.hasPrefix("test.liquid:1:4: error: string is never closed") == true)
    #expect(renderError("{{ x")?.hasPrefix("test.liquid:1:1: error: output '{{' is never closed") == true)
}

@Test func errorsInPartialsNameTheIncludeSite() {
    let text = renderError("line one\n  {% include 'bad' %}", partials: ["bad": "{{ x | nope }}"])
    #expect(
        text == """
            includes/bad:1:8: error: unknown filter 'nope'
             1 | {{ x | nope }}
               |        ^
              hint: the filters are listed in the README's Liquid section
            test.liquid:2:3: note: included from here
             2 |   {% include 'bad' %}
               |   ^
            """)
}

@Test func includeRecursionIsBounded() {
    let text = renderError(
        "{% include 'loop' %}", options: LiquidOptions(maximumIncludeDepth: 5),
        partials: ["loop": "{% include 'loop' %}"])
    #expect(
        text?.hasPrefix("includes/loop:1:1: error: include cycle: 'loop' → 'loop' (still going after 5 partials)")
            == true)
    #expect(
        renderError("{% include 'missing' %}")?.hasPrefix("test.liquid:1:1: error: no partial named 'missing'") == true)
}

@Test func deepNestingIsAnErrorNotACrash() {
    let source = String(repeating: "{% if true %}", count: 1_000) + String(repeating: "{% endif %}", count: 1_000)
    #expect(renderError(source)?.contains("tags are nested more than 200 deep") == true)
}

@Test func strictModeMakesUndefinedVariablesErrors() {
    let strict = LiquidOptions(strictVariables: true)
    #expect(
        renderError("{{ page.nope }}", #"{"page":{}}"#, options: strict)?.hasPrefix(
            "test.liquid:1:4: error: undefined property 'page.nope'") == true)
    #expect(
        renderError("{{ nope }}", options: strict)?.hasPrefix("test.liquid:1:4: error: undefined variable 'nope'")
            == true)
    // Tests for existence are not mistakes.
    #expect(renderError("{% if nope %}x{% endif %}{{ nope | default: 'd' }}", options: strict) == nil)
}

/// The README promises `case` what `if` and `unless` get: an undefined subject (or `when`
/// value) is nil, so the `else` branch runs, with no error and no warning.
@Test func caseTestsAnUndefinedSubjectWithoutComplaint() throws {
    let strict = LiquidOptions(strictVariables: true)
    let source = "{% case nope %}{% when 1 %}one{% when page.gone %}gone{% else %}other{% endcase %}"
    #expect(try render(source, #"{"page":{}}"#, options: strict) == "gone")
    var warnings: [Diagnostic] = []
    #expect(try render("{% case nope %}{% when 1 %}one{% else %}other{% endcase %}", warnings: &warnings) == "other")
    #expect(warnings.isEmpty)
    // The branches themselves are not tests: an undefined name there is still an error.
    #expect(
        renderError("{% case 1 %}{% when 1 %}{{ nope }}{% endcase %}", options: strict)?.hasPrefix(
            "test.liquid:1:28: error: undefined variable 'nope'") == true)
}

@Test func lenientModeWarnsOncePerPlace() throws {
    var warnings: [Diagnostic] = []
    let output = try render("{% for i in (1..3) %}{{ nope }}{% endfor %}", warnings: &warnings)
    #expect(output == "")
    #expect(warnings.map(\.headline) == ["test.liquid:1:25: warning: undefined variable 'nope'"])
}

@Test func jsonErrorsPointAtTheLine() {
    #expect(throws: Diagnostic.self) { try LiquidValue(json: "{\n  \"a\": tru\n}", path: "d.json") }
    do {
        _ = try LiquidValue(json: "{\n  \"a\": tru\n}", path: "d.json")
    } catch {
        #expect("\(error)".hasPrefix("d.json:2:8: error: unexpected text in JSON"))
    }
}

/// 10,000 levels of brackets or `and` exhausted the stack (`bridgehead render` crashed); each is
/// now an error at the level past the limit.
@Test(arguments: ["ranges", "brackets", "and"])
func deepExpressionsAreErrorsNotCrashes(_ kind: String) throws {
    let levels = 10_000
    let (source, headline): (String, String) =
        switch kind {
        case "ranges":
            (
                "{{ " + String(repeating: "(", count: levels) + "1" + String(repeating: ")", count: levels) + " }}",
                "1:204: error: brackets are nested more than 200 deep"
            )
        case "brackets":
            (
                "{{ a" + String(repeating: "[a", count: levels) + String(repeating: "]", count: levels) + " }}",
                "1:405: error: brackets are nested more than 200 deep"
            )
        default:
            (
                "{% if " + Array(repeating: "true", count: levels).joined(separator: " and ") + " %}y{% endif %}",
                "1:1812: error: a condition joins more than 200 comparisons"
            )
        }
    do {
        _ = try LiquidEnvironment().parse(source, path: "deep.liquid").render([:])
        Issue.record("no error")
    } catch let diagnostic as Diagnostic {
        #expect(diagnostic.headline == "deep.liquid:" + headline)
        #expect(diagnostic.hint != nil)
    }
}

// MARK: Render limits

/// Small limits, so each runaway stops in a few iterations.
private let tight = LiquidOptions(maximumSteps: 1_000, maximumOutputBytes: 65_536)
private let tooManySteps =
    "error: this render went past 1000 steps (loop iterations, partials rendered, and the items and text that filters and comparisons go through)"
/// 64 numbers, "1,2,…,64": 182 bytes that `split` makes 64 items of, 75 steps (16 bytes or an item a step).
private let sixtyFour = "{% assign l = '" + (1...64).map(String.init).joined(separator: ",") + "' | split: ',' %}"

@Test(arguments: [
    (
        "{% for i in (1..100) %}{% for j in (1..100) %}{% endfor %}{% endfor %}",
        "test.liquid:1:24: " + tooManySteps
    ),
    ("{% tablerow i in (1..2000) %}{% endtablerow %}", "test.liquid:1:1: " + tooManySteps),
    ("{% for i in (1..400) %}{% include 'p' %}{% include 'p' %}{% endfor %}", "test.liquid:1:24: " + tooManySteps),
    // 800 numbers, then a 2,292-byte string (143 steps); the next range's 99 numbers pass the limit.
    ("{{ (1..800) | join: '' }}{{ (1..99) | join }}", "test.liquid:1:39: " + tooManySteps),
    // A sort of 64 items counts 64 * 7 comparisons and the 64 items it reads and makes: 576,
    // twice past 1,000.
    (sixtyFour + "{% assign a = l | sort %}{% assign b = l | sort %}", "test.liquid:1:258: " + tooManySteps),
    // Each item is compared with the distinct ones before it: after split's 75 steps,
    // 0 + 1 + … + 43 = 946 passes 1,000 at the 45th item.
    (sixtyFour + "{{ l | uniq }}", "test.liquid:1:222: " + tooManySteps),
    // 1,600 bytes are 100 steps to search, to compare, to capture.
    ("{% for i in (1..10) %}{% if big contains 'z' %}{% endif %}{% endfor %}", "test.liquid:1:33: " + tooManySteps),
    ("{% for i in (1..10) %}{% if big == 'z' %}{% endif %}{% endfor %}", "test.liquid:1:33: " + tooManySteps),
    (
        "{% for i in (1..10) %}{% case big %}{% when 'z' %}{% endcase %}{% endfor %}",
        "test.liquid:1:23: " + tooManySteps
    ),
    ("{% for i in (1..10) %}{% capture c %}{{ big }}{% endcapture %}{% endfor %}", "test.liquid:1:23: " + tooManySteps),
    // Arithmetic on decimals and dates weigh 100 and 50 steps a call beyond the loop's one.
    ("{% for i in (1..10) %}{% assign x = 1.5 | plus: 1 %}{% endfor %}", "test.liquid:1:43: " + tooManySteps),
    ("{% for i in (1..20) %}{{ '2019-04-18' | date: '%Y' }}{% endfor %}", "test.liquid:1:41: " + tooManySteps),
    // A filter counts the text it reads and makes: 100 + 100 steps a downcase.
    ("{% for i in (1..5) %}{% assign c = big | downcase %}{% endfor %}", "test.liquid:1:42: " + tooManySteps),
    (
        "{{ (1..100000000000) | join: ',' }}",
        "test.liquid:1:24: error: join: the range 1..100000000000 has too many numbers to make a list of"
    ),
    (
        "{% render 'p' for (1..100000000000) %}",
        "test.liquid:1:1: error: render: the range 1..100000000000 has too many numbers to make a list of"
    ),
    (
        "{% for i in (1..990) %}yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy{% endfor %}",
        "test.liquid:1:1: error: this render's output went past 65536 bytes"
    ),
    (
        "{% assign s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}{{ s | replace: 'x', s }}",
        "test.liquid:1:327: error: replace: the result would be longer than the 65536 bytes a render allows"
    ),
    (
        "{% assign s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}{{ s | split: '' | join: s }}",
        "test.liquid:1:339: error: join: the result would be longer than the 65536 bytes a render allows"
    ),
])
func runawayRendersStopWithAnError(source: String, headline: String) {
    let big = String(repeating: "a", count: 1_600)
    let text = renderError(source, #"{"big":"\#(big)"}"#, options: tight, partials: ["p": "x"])
    #expect(text?.components(separatedBy: "\n").first == headline)
    #expect(text?.contains("hint: ") == true)
}

/// Values that double: with steps to spare, the bound on a value's size stops them.
@Test(arguments: [
    (
        "{% assign s = 'ab' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}",
        "test.liquid:1:62: error: append: made a value of 131072 bytes, more than the 65536 a render allows"
    ),
    (
        "{% assign a = 'x' | split: ',' %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}",
        "test.liquid:1:74: error: concat: made a value of 131072 bytes, more than the 65536 a render allows"
    ),
    (
        "{% capture s %}x{% endcapture %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
        "test.liquid:1:80: error: this render's output went past 65536 bytes"
    ),
])
func doublingValuesStopWithAnError(source: String, headline: String) {
    let roomy = LiquidOptions(maximumSteps: 1_000_000, maximumOutputBytes: 65_536)
    let text = renderError(source, options: roomy)
    #expect(text?.components(separatedBy: "\n").first == headline)
    #expect(text?.contains("hint: ") == true)
}

@Test func limitsLeaveWhatFitsAlone() throws {
    #expect(try render("{% for i in (1..10) %}{% for j in (1..99) %}{% endfor %}{% endfor %}.", options: tight) == ".")
    // Whole numbers add up without `Decimal`, at no cost beyond the loop's step.
    #expect(
        try render("{% for i in (1..900) %}{% assign x = i | plus: 1 %}{% endfor %}{{ x }}", options: tight) == "901")
    // Under the limits whose runaways are above: one sort, 30 distinct items, 9 searches.
    #expect(try render(sixtyFour + "{% assign a = l | sort %}{{ a | size }}", options: tight) == "64")
    #expect(try render(sixtyFour + "{{ l | slice: 0, 30 | uniq | size }}", options: tight) == "30")
    let big = #"{"big":"\#(String(repeating: "a", count: 1_600))"}"#
    #expect(
        try render("{% for i in (1..9) %}{% if big contains 'z' %}z{% endif %}{% endfor %}.", big, options: tight)
            == ".")
    // A loop that breaks out of a range far longer than the limits ever allow is fine: the
    // numbers are made one at a time.
    #expect(
        try render(
            "{% for i in (1..100000000000) %}{% if i > 3 %}{% break %}{% endif %}{{ i }}{% endfor %}", options: tight)
            == "123")
    // size, first and last answer from a range's bounds without a list.
    #expect(
        try render("{{ (1..100000000000) | size }} {{ (7..100000000000) | first }}", options: tight) == "100000000000 7"
    )
    #expect(try render("{{ (-9000000000000000000..9000000000000000000) | size }}") == "\(Int.max)")
    #expect(try render("{% for i in (1..5) offset: 2 limit: 9223372036854775807 %}{{ i }}{% endfor %}") == "345")
    #expect(try render("{% for i in (1..5) reversed offset: 1 limit: 2 %}{{ i }}{% endfor %}") == "32")
}

@Test func aLongDateFormatIsAnError() {
    let format = String(repeating: "%1024Y", count: 1_000)
    #expect(
        renderError("{{ 0 | date: f }}", #"{"f":"\#(format)"}"#)?.hasPrefix(
            "test.liquid:1:8: error: date: the format is 6000 bytes long, more than the 4096 allowed") == true)
}
