import LinkChecker
import Testing

/// What the scanner takes for a link, through small pages whose links all lead nowhere: each
/// finding is a link found, and a link not found gives no finding.
@Suite struct HTMLScanningTests {
    @Test func commentsEndWhereTheStandardSays() async throws {
        let page = """
            <!----><a href="a1">x</a>
            <!---><a href="a2">x</a>
            <!-- a > b --><a href="a3">x</a>
            <!-- x --!><a href="a4">x</a>
            <!-- <a href="hidden"> -- > still a comment --><a href="a5">x</a>
            <!DOCTYPE html><?php echo "<a href='hidden'>" ?><a href="a6">x</a>
            <!-- never closed <a href="hidden">
            """
        #expect(
            try await headlines(of: ["p.html": page]) == [
                "p.html:1:17: error: broken link 'a1': no such file: a1",
                "p.html:2:16: error: broken link 'a2': no such file: a2",
                "p.html:3:24: error: broken link 'a3': no such file: a3",
                "p.html:4:21: error: broken link 'a4': no such file: a4",
                "p.html:5:57: error: broken link 'a5': no such file: a5",
                "p.html:6:58: error: broken link 'a6': no such file: a6",
            ])
    }

    @Test func styleSheetsLoadWhatTheirURLsAndImportsName() async throws {
        let sheet = """
            @import "c1.css"; @import url(c2.css);
            body { background: url( 'c3.png' ) } /* url(hidden.png) */
            .a { content: "url(hidden.png)"; background-image: URL(c4.png), url(data:image/png;base64,AAAA) }
            .b { background-url: nothing; mask: url("ok.svg#shape") }
            """
        let page = """
            <style>div { background: url(s1.png) }</style><p style="background: url('s2.png')">x</p>
            <template><style>div { background: url(hidden.png) }</style></template>
            """
        let found = try await headlines(of: ["css/site.css": sheet, "css/ok.svg": "", "p.html": page])
        #expect(
            found == [
                "css/site.css:1:10: error: broken link 'c1.css': no such file: css/c1.css",
                "css/site.css:1:31: error: broken link 'c2.css': no such file: css/c2.css",
                "css/site.css:2:26: error: broken link 'c3.png': no such file: css/c3.png",
                "css/site.css:3:56: error: broken link 'c4.png': no such file: css/c4.png",
                "p.html:1:30: error: broken link 's1.png': no such file: s1.png",
                "p.html:1:74: error: broken link 's2.png': no such file: s2.png",
            ])
    }

    @Test func rawTextElementsHoldNoLinks() async throws {
        let page = """
            <script>var s = "</scripts><a href='hidden'>";</script ><a href="b1">x</a>
            <STYLE>a[href="hidden"] {}</style><title><a href="hidden"></title>
            <xmp><a href="hidden"></xmp><iframe src="b2"><a href="hidden"></iframe>
            <template id="tpl"><p id="t"></p><a href="hidden"></template><a href="#t">not an id</a><a href="#tpl">x</a>
            <plaintext><a href="hidden">
            """
        #expect(
            try await headlines(of: ["p.html": page]) == [
                "p.html:1:66: error: broken link 'b1': no such file: b1",
                "p.html:3:42: error: broken link 'b2': no such file: b2",
                "p.html:4:71: error: broken link '#t': no id 't' on p.html",
            ])
    }

    @Test func attributesAreReadAsTheTokenizerReadsThem() async throws {
        let page = """
            <a href=c1 href="ignored">first wins</a><a data-href="no" title='x>y' href = 'c2'>x</a>
            <img alt="" src=c3/><a
              href="c4">across lines</a><a href>empty is the page itself</a>
            <a href="c5"
            """
        #expect(
            try await headlines(of: ["p.html": page]) == [
                "p.html:1:9: error: broken link 'c1': no such file: c1",
                "p.html:1:79: error: broken link 'c2': no such file: c2",
                "p.html:2:17: error: broken link 'c3/': no such file: c3/index.html",
                "p.html:3:9: error: broken link 'c4': no such file: c4",
            ])
    }

    @Test func srcsetCandidatesAndDescriptors() async throws {
        let page = """
            <img srcset="d1.png, d2.png 2x,d3.png 480w , d4.png,, d5,x.png 1x">
            <img srcset="image-set(d6) 1x, d7.png (w) 2x, d8.png">
            """
        #expect(
            try await headlines(of: ["p.html": page]) == [
                "p.html:1:14: error: broken link 'd1.png': no such file: d1.png",
                "p.html:1:22: error: broken link 'd2.png': no such file: d2.png",
                "p.html:1:32: error: broken link 'd3.png': no such file: d3.png",
                "p.html:1:46: error: broken link 'd4.png': no such file: d4.png",
                "p.html:1:55: error: broken link 'd5,x.png': no such file: d5,x.png",
                "p.html:2:14: error: broken link 'image-set(d6)': no such file: image-set(d6)",
                "p.html:2:32: error: broken link 'd7.png': no such file: d7.png",
                "p.html:2:47: error: broken link 'd8.png': no such file: d8.png",
            ])
    }

    @Test func refreshMetaURLs() async throws {
        let page = """
            <meta http-equiv="refresh" content="0; url=e1">
            <meta http-equiv=" REFRESH " content='5,URL = "e2"'>
            <meta http-equiv="refresh" content="3;e3">
            <meta http-equiv="refresh" content="10">
            <meta name="refresh" content="0; url=not-a-refresh">
            """
        #expect(
            try await headlines(of: ["p.html": page]) == [
                "p.html:1:44: error: broken link 'e1': no such file: e1",
                "p.html:2:48: error: broken link 'e2': no such file: e2",
                "p.html:3:39: error: broken link 'e3': no such file: e3",
            ])
    }

    @Test func characterReferencesInValues() async throws {
        let pages = [
            "p.html": """
            <a href="q.html?a=1&amp;b=2">amp</a><a href="&#x71;.html">hex</a><a href="&#113;.html">decimal</a>
            <a href="f1&copy=2">legacy name before = stays</a><a href="f2&amp">legacy without ;</a>
            <a href="f3&unknown;">unknown stays</a><a href="#caf&eacute;">not in the table</a>
            <a href="q.html#r&amp;d">ok</a><a href="q.html#&#xAC00;">ok</a><a href="q.html#&#128;">ok</a>
            """,
            "q.html": "<h2 id=\"r&d\"></h2><h2 id=\"가\"></h2><h2 id=\"&euro;\"></h2><h2 id=\"&#x20AC;\"></h2>",
        ]
        #expect(
            try await headlines(of: pages) == [
                "p.html:2:10: error: broken link 'f1&copy=2': no such file: f1&copy=2",
                "p.html:2:60: error: broken link 'f2&amp': no such file: f2&",
                "p.html:3:10: error: broken link 'f3&unknown;': no such file: f3&unknown;",
                "p.html:3:49: error: broken link '#caf&eacute;': no id 'caf&eacute;' on p.html",
            ])
    }
}
