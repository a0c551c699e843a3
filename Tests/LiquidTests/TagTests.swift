import Diagnostics
import Liquid
import Testing

struct TagCase: Sendable, CustomTestStringConvertible {
    var template: String
    var data = "{}"
    var expected: String
    var testDescription: String { template }
}

private let tagCases: [TagCase] = [
    // output and literals
    TagCase(template: "{{ 'a' }}{{ 1 }}{{ 2.5 }}{{ true }}{{ nil }}", expected: "a12.5true"),
    TagCase(template: "{{ x.y[0].z }}", data: #"{"x":{"y":[{"z":"deep"}]}}"#, expected: "deep"),
    TagCase(template: "{{ x['a b'] }}{{ x[k] }}", data: #"{"x":{"a b":1,"c":2},"k":"c"}"#, expected: "12"),
    TagCase(
        template: "{{ a.size }} {{ a.first }} {{ a.last }} {{ s.size }}", data: #"{"a":[3,4,5],"s":"대전"}"#,
        expected: "3 3 5 2"),
    TagCase(template: "{{ (1..3) }}", expected: "1..3"),
    // if / elsif / else / unless
    TagCase(template: "{% if a %}A{% elsif b %}B{% else %}C{% endif %}", data: #"{"b":true}"#, expected: "B"),
    TagCase(
        template: "{% if 0 %}zero is truthy{% endif %}{% if '' %} and so is ''{% endif %}",
        expected: "zero is truthy and so is ''"),
    TagCase(template: "{% unless a %}not a{% else %}a{% endunless %}", data: #"{"a":false}"#, expected: "not a"),
    // `and` and `or` group from the right: this is `a and (b or c)`.
    TagCase(
        template: "{% if a and b or c %}T{% else %}F{% endif %}", data: #"{"a":false,"b":true,"c":true}"#, expected: "F"
    ),
    TagCase(template: "{% if true or false and false %}T{% else %}F{% endif %}", expected: "T"),
    TagCase(
        template: "{% if s contains 'ost' %}yes{% endif %}{% if a contains 2 %} and 2{% endif %}",
        data: #"{"s":"Boston","a":[1,2]}"#, expected: "yes and 2"),
    // As Ruby's `include?`: the bytes, so a letter with a combining accent after it is found
    // (python-liquid agrees); a Character-by-Character search would not find it.
    TagCase(
        template:
            "{% if s contains 'e' %}e{% endif %}{% if s contains '국' %}국{% endif %}{% if s contains '' %}.{% endif %}",
        data: #"{"s":"cafe\u0301 한국"}"#, expected: "e국."),
    TagCase(
        template: "{% if x == empty %}E{% endif %}{% if y == blank %}B{% endif %}", data: #"{"x":[],"y":"  "}"#,
        expected: "EB"),
    TagCase(template: "{% if 2 >= 1.5 and 'b' > 'a' and 1 != 2 and 1 <> 2 %}ok{% endif %}", expected: "ok"),
    // case / when
    TagCase(
        template: "{% case x %}{% when 1, 2 %}low{% when 3 or 4 %}high{% else %}none{% endcase %}", data: #"{"x":4}"#,
        expected: "high"),
    TagCase(
        template: "{% case x %}{% when 'a' %}A{% else %}other{% endcase %}", data: #"{"x":"z"}"#, expected: "other"),
    // for
    TagCase(template: "{% for i in (1..5) limit: 2 offset: 1 %}{{ i }}{% endfor %}", expected: "23"),
    TagCase(template: "{% for i in a reversed %}{{ i }}{% endfor %}", data: #"{"a":[1,2,3]}"#, expected: "321"),
    TagCase(
        template:
            "{% for i in a %}{{ forloop.index }}/{{ forloop.length }}{% if forloop.last %}!{% endif %} {% endfor %}",
        data: #"{"a":["x","y"]}"#, expected: "1/2 2/2! "),
    TagCase(
        template:
            "{% for i in a %}{% for j in a %}{{ forloop.parentloop.index }}{{ forloop.index0 }}{% endfor %}{% endfor %}",
        data: #"{"a":[1,2]}"#, expected: "10112021"),
    TagCase(template: "{% for i in a %}x{% else %}empty{% endfor %}", data: #"{"a":[]}"#, expected: "empty"),
    TagCase(
        template:
            "{% for i in (1..6) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}",
        expected: "13"),
    TagCase(
        template:
            "{% for i in (1..6) limit: 2 %}{{ i }}{% endfor %}|{% for i in (1..6) offset: continue limit: 2 %}{{ i }}{% endfor %}",
        expected: "12|34"),
    TagCase(
        template: "{% for pair in h %}{{ pair[0] }}={{ pair[1] }};{% endfor %}", data: #"{"h":{"b":1,"a":2}}"#,
        expected: "b=1;a=2;"),
    // tablerow
    TagCase(
        template: "{% tablerow i in (1..3) cols: 2 %}{{ i }}{% endtablerow %}",
        expected:
            "<tr class=\"row1\">\n<td class=\"col1\">1</td><td class=\"col2\">2</td></tr>\n<tr class=\"row2\"><td class=\"col1\">3</td></tr>\n"
    ),
    // assign, capture, increment, decrement, cycle
    TagCase(
        template: "{% assign x = 'a' | upcase %}{% capture y %}[{{ x }}]{% endcapture %}{{ y }}{{ y }}",
        expected: "[A][A]"),
    TagCase(template: "{% increment n %}{% increment n %}{% decrement m %}{% decrement m %}", expected: "01-1-2"),
    TagCase(template: "{% for i in (1..4) %}{% cycle 'a', 'b', 'c' %}{% endfor %}", expected: "abca"),
    TagCase(template: "{% cycle 'g': 1, 2 %}{% cycle 'g': 1, 2 %}{% cycle 'h': 1, 2 %}", expected: "121"),
    // comment, raw, inline comment, doc, echo, liquid
    TagCase(template: "a{% comment %} {{ ignored }} {% if %} {% endcomment %}b", expected: "ab"),
    TagCase(template: "{% raw %}{{ not }} {% parsed %}{% endraw %}", expected: "{{ not }} {% parsed %}"),
    TagCase(template: "a{% # a comment %}b", expected: "ab"),
    TagCase(template: "a{% doc %}{{ anything }} {% goes %}{% enddoc %}b", expected: "ab"),
    TagCase(template: "{% echo 'x' | append: 'y' %}", expected: "xy"),
    TagCase(template: "{% liquid\nassign n = 3\nfor i in (1..n)\necho i\nendfor\n%}", expected: "123"),
    // ifchanged
    TagCase(
        template: "{% for i in a %}{% ifchanged %}{{ i }}{% endifchanged %}{% endfor %}", data: #"{"a":[1,1,2,2,1]}"#,
        expected: "121"),
    // whitespace control
    TagCase(template: "a  {%- if true -%}  b  {%- endif -%}  c", expected: "abc"),
    TagCase(template: "<p>\n  {{- 'x' -}}\n</p>", expected: "<p>x</p>"),
    TagCase(template: "{% if true %}  \n  {% assign x = 1 %}  {% endif %}|", expected: "|"),
]

@Test(arguments: tagCases) func tags(_ test: TagCase) throws {
    #expect(try render(test.template, test.data) == test.expected)
}

@Test func includeSharesScopeAndBindsWithAndFor() throws {
    let partials = ["card": "[{{ card }}{{ extra }}]", "item.liquid": "<{{ item }}>"]
    #expect(try render("{% include 'card' with 'x', extra: '!' %}", partials: partials) == "[x!]")
    #expect(try render("{% include 'item' for a %}", #"{"a":[1,2]}"#, partials: partials) == "<1><2>")
    #expect(
        try render("{% assign v = 1 %}{% include 'p' %}{{ v }}", partials: ["p": "{{ v }}{% assign v = 2 %}"]) == "12")
}

@Test func jekyllIncludesTakeAFileNameAndKeyValueParameters() throws {
    let partials = [
        "note.html": "<p class=\"{{ include.kind }}\">{{ include.text }}|{{ include.missing }}</p>",
        "cards/item.html": "[{{ include.n }}]",
    ]
    #expect(
        try render(
            #"{% include note.html kind="tip" text=page.title %}"#, #"{"page":{"title":"Hi"}}"#, partials: partials)
            == #"<p class="tip">Hi|</p>"#)
    #expect(try render("{% include cards/item.html n=1 %}{{ include.n }}", partials: partials) == "[1]")
    // Shopify's forms keep their meaning: a variable as the partial's name, and named arguments.
    #expect(
        try render("{% include name, kind: 'x' %}", #"{"name":"note.html"}"#, partials: partials)
            == #"<p class="">|</p>"#)
    #expect(throws: Diagnostic.self) { try render("{% include note.html kind: 'x' %}", partials: partials) }
}

@Test func renderIsIsolatedAndHasAForloop() throws {
    let partials = ["p": "{{ secret }}({{ x }})", "q": "{{ forloop.index }}:{{ n }} "]
    #expect(try render("{% assign secret = 's' %}{% render 'p', x: 1 %}", partials: partials) == "(1)")
    #expect(try render("{% render 'q' for a as n %}", #"{"a":[7,8]}"#, partials: partials) == "1:7 2:8 ")
}

@Test func anIncludeWithAVariableNameRendersWhicheverPartialItNamesEachTime() throws {
    // The tag is one node; each time it renders, its name may be another partial's.
    let output = try render(
        "{% for name in names %}{% include name %};{% endfor %}", #"{"names":["a","b","a"]}"#,
        partials: ["a": "A", "b": "B"])
    #expect(output == "A;B;A;")
}
