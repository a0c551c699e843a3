// Parses the input as a Liquid template and renders it with a small context, with partials
// that include each other and the input itself. Errors are expected; crashes, hangs and memory
// errors are what the fuzzer looks for, and a render whose filter shortcuts (`sort | first`,
// `split | last`) give other text, another error or other steps than the filters in turn.
import FuzzDriver

@testable import Liquid

struct FuzzPartials: TemplateLoader {
    let input: String

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        // Jekyll's `{% include card.html title='x' %}` names a file.
        switch name.hasSuffix(".html") ? String(name.dropLast(5)) : name {
        case "self": return (input, "self.liquid")
        case "loop": return ("{% include 'loop' %}", "loop.liquid")
        case "card":
            return (
                "<b>{{ title | upcase }}</b>{% for t in tags %}{{ t }}{% endfor %}"
                    + "{{ item.title | truncatewords: 6 }} {{ item.slug | split: '-' | last }}",
                "card.liquid"
            )
        default: return nil
        }
    }
}

// The names and shapes the seeds use (the site's and bench/liquid's templates: `site.sections`,
// `page.tags`, `item.slug`): with only a title, three tags and a few scalars, the seeds' loops
// ran over nothing, and in 40 instance-hours `split: '-' | last` and `sort | first` never once
// met a string or a list of strings, so their shortcuts were never compared with the filters.
let context: [String: LiquidValue] = [
    "title": "대전 & Boston",
    "n": 3,
    "x": 1.5,
    "s": "2019-04-18",
    "a": [3, 1, "2", 1.5, .nil, ["b", "a"]],
    "tags": ["bio", "대덕", "kendall"],
    "page": [
        "title": "Home", "url": "/", "date": "2019-04-17T09:00:00+09:00", "weight": 2, "lang": "ko",
        "tags": ["바이오", "boston"], "summary": "<p>대전 &amp; <b>Boston</b></p>",
    ],
    "item": ["title": "대전 바이오 boston 클러스터", "slug": "page-0-1", "words": 539],
    "site": [
        "title": "Daejeon–Boston Bio Bridge", "base_url": "https://example.org/",
        "sections": [
            [
                "title": "Section 0 섹션", "featured": true,
                "pages": [
                    ["title": "교두보 클러스터 boston", "slug": "page-0-0", "words": 1781, "tags": ["bio", "lab"]],
                    ["title": "biotech 바이오", "slug": "page-0-1", "words": 285, "tags": "bio"],
                ],
            ],
            ["title": "Boston", "featured": false, "pages": [["title": "Kendall", "slug": "kendall", "words": 0]]],
        ],
    ],
    "empty": [],
    "nothing": .nil,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLiquid(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Only inputs that may hold a shortcut's second filter are rendered twice.
    let shortcutsMayApply = source.contains("first") || source.contains("last")
    for strict in [false, true] {
        let options = LiquidOptions(
            strictVariables: strict, baseURL: "https://example.org/portal/",
            // Small limits, so a runaway input (loops nested a dozen deep) stops within
            // the fuzzer's timeout with the same error a site would get, only sooner.
            maximumIncludeDepth: 20, maximumSteps: 200_000, maximumOutputBytes: 1 << 20)
        let given = outcome(of: source, options: options, shortcuts: true)
        if shortcutsMayApply, given != outcome(of: source, options: options, shortcuts: false) {
            fatalError("filter shortcuts changed the render of \(source.debugDescription)")
        }
    }
    return 0
}

/// The render's text or error and the steps it left, or nil when the input does not parse.
private func outcome(of source: String, options: LiquidOptions, shortcuts: Bool) -> String? {
    let environment = LiquidEnvironment(
        options: options, loader: FuzzPartials(input: source), filters: [:], takesFilterShortcuts: shortcuts)
    guard let template = try? environment.parse(source, path: "fuzz.liquid") else { return nil }
    let renderer = Renderer(environment: environment, globals: context, file: template.file)
    let result: String
    do {
        result = try renderer.renderText(template)
    } catch {
        result = "\(error)"
    }
    return "\(result)\n\(renderer.stepsLeft) steps left"
}

@_cdecl("FuzzLiquid_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzLiquid)
}
