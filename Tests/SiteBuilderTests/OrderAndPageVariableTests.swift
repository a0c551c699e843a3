import Foundation
import SiteBuilder
import Testing

/// A one-language site whose every page prints its title and reading time, the home page's
/// pages and the main menu in their order.
private func orderSite(pages: [String: String], menu: String) throws -> URL {
    var files = [
        "site.yml": "title: Test\nmenus:\n  main:\n" + menu,
        "templates/layouts/default.liquid": """
        {{ page.title }}:{{ page.reading_minutes }}|{% for p in page.pages %}{{ p.title }},{% endfor %}\
        |{% for m in site.menus.main %}{{ m.name }},{% endfor %}

        """,
    ]
    for (name, text) in pages { files["content/\(name).md"] = text }
    return try minimalSite(files)
}

/// Hugo's rule: `weight: 0` is no weight, so such a page sorts with the unweighted ones (by
/// date, newest first), after every weighted page, not before `weight: 1`.
@Test func weightZeroSortsWithThePagesThatHaveNoWeight() async throws {
    let site = try orderSite(
        pages: [
            "a": "---\ntitle: A\nweight: 2\n---\n",
            "b": "---\ntitle: B\nweight: 0\ndate: 2023-03-01\n---\n",
            "c": "---\ntitle: C\ndate: 2023-02-01\n---\n",
            "d": "---\ntitle: D\nweight: 1\n---\n",
            "e": "---\ntitle: E\nweight: -1\n---\n",
        ],
        menu: "    - { name: Home, url: / }\n")
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(try text(site, "public/index.html") == "Home:0|E,D,A,B,C,|Home,\n")
}

/// Menu entries as Hugo sorts them: by weight, an entry without one (or with 0) after every
/// weighted entry, ties by name.
@Test func menuEntriesWithoutWeightComeAfterTheWeightedOnes() async throws {
    let site = try orderSite(
        pages: [:],
        menu: """
                - { name: Zeta, url: /, weight: 2 }
                - { name: Yankee, url: / }
                - { name: Xray, url: /, weight: 1 }
                - { name: Whiskey, url: /, weight: 0 }
                - { name: Victor, url: /, weight: -5 }

            """)
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(try text(site, "public/index.html") == "Home:0||Victor,Xray,Zeta,Whiskey,Yankee,\n")
}

/// `page.reading_minutes` is 0 for a page without words, as Hugo's `.ReadingTime`; any words
/// at all take a minute.
@Test func aPageWithoutWordsTakesNoMinutesToRead() async throws {
    let site = try orderSite(
        pages: [
            "empty": "---\ntitle: Empty\n---\n",
            "short": "---\ntitle: Short\n---\nOne word.\n",
            "long": "---\ntitle: Long\n---\n" + String(repeating: "word ", count: 251) + "\n",
        ],
        menu: "    - { name: Home, url: / }\n")
    _ = try await SiteBuilder.build(buildOptions(site))
    #expect(try text(site, "public/empty/index.html").hasPrefix("Empty:0|"))
    #expect(try text(site, "public/short/index.html").hasPrefix("Short:1|"))
    #expect(try text(site, "public/long/index.html").hasPrefix("Long:2|"))
}

/// A missing translation is reported at the `t` call in the template, once per place.
@Test func aMissingTranslationIsAWarningAtTheFilterCall() async throws {
    let site = try minimalSite([
        "content/a.md": "---\ntitle: A\n---\n",
        "templates/i18n/en.yml": "home: Home\n",
        "templates/layouts/default.liquid": "---\nx: 1\n---\n<p>{{ 'home' | t }}</p>\n<p>{{ 'nav.gone' | t }}</p>\n",
    ])
    let summary = try await SiteBuilder.build(buildOptions(site))
    #expect(
        summary.warnings.map(\.headline) == [
            "templates/layouts/default.liquid:5:20: warning: no translation of 'nav.gone' in templates/i18n/en.yml; the key is shown instead"
        ])
    #expect(summary.warnings.first?.sourceLine == "<p>{{ 'nav.gone' | t }}</p>")
    #expect(summary.warnings.first?.hint == "add 'nav.gone' to templates/i18n/en.yml")
}
