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
