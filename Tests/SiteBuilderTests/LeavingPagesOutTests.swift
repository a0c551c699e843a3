import Foundation
import SiteBuilder
import Testing

private let twoLanguages = """
    title: Test
    base_url: "https://example.org/"
    languages:
      - { code: ko, name: 한국어 }
      - { code: en, name: English }
    """

@Test func sitemapAndFeedFalseLeaveAPageOutOfThatOutputOnly() async throws {
    let site = try minimalSite([
        "site.yml": twoLanguages,
        "content/quiet.md": "---\ntitle: Quiet\ndate: 2019-04-18\nsitemap: false\n---\n",
        "content/quiet.en.md": "---\ntitle: Quiet\ndate: 2019-04-18\n---\n",
        "content/unfed.md": "---\ntitle: Unfed\ndate: 2019-04-17\nfeed: false\n---\n",
        "templates/layouts/default.liquid": """
        {{ page.title }}|{{ page.params | jsonify }}|{% for p in site.pages %}{{ p.url }} {% endfor %}
        """,
    ])
    let summary = try await SiteBuilder.build(buildOptions(site))
    #expect(summary.warnings.isEmpty)
    let output = site.appendingPathComponent("public")
    let sitemap = try text(output, "sitemap.xml")
    #expect(!sitemap.contains("<loc>https://example.org/quiet/</loc>"))
    #expect(sitemap.contains("<loc>https://example.org/en/quiet/</loc>"))
    #expect(!sitemap.contains(#"href="https://example.org/quiet/""#), "nor is it listed as an alternate")
    #expect(sitemap.contains("<loc>https://example.org/unfed/</loc>"))
    let feed = try text(output, "feed.xml")
    #expect(feed.contains("<id>https://example.org/quiet/</id>"))
    #expect(!feed.contains("unfed"))
    #expect(try text(output, "en/feed.xml").contains("<id>https://example.org/en/quiet/</id>"))
    // Still built, listed and in page.params, as any other front matter key.
    let quiet = try text(output, "quiet/index.html")
    #expect(quiet.hasPrefix(#"Quiet|{"sitemap":false}|"#) && quiet.contains("/quiet/ ") && quiet.contains("/unfed/ "))
    #expect(try text(output, "unfed/index.html").hasPrefix(#"Unfed|{"feed":false}|"#))
}

@Test func sitemapAndFeedMustBeTrueOrFalseAndNameNoTaxonomy() async throws {
    let notBoolean = try minimalSite(["content/a.md": "---\ntitle: A\nfeed: no thanks\n---\n"])
    let failure = await failureText(of: buildOptions(notBoolean)) ?? ""
    #expect(headlines(failure).contains { $0.hasPrefix("content/a.md:3:7: error: 'feed'") }, "\(failure)")

    for key in ["sitemap", "feed"] {
        let taxonomy = try minimalSite(["site.yml": "title: Test\ntaxonomies: [\(key)]\n"])
        let failure = await failureText(of: buildOptions(taxonomy)) ?? ""
        #expect(failure.contains("taxonomy '\(key)' has the name of a front matter key"), "\(failure)")
    }
}
