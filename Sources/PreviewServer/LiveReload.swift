import Diagnostics
import Foundation
import SiteBuilder

/// What the server adds to served HTML, and the events it sends to open pages. Nothing here ever
/// reaches a build's output: it is applied to the bytes on their way out of the server.
enum LiveReload {
    static let prefix = "/__bridgehead/"
    static let scriptPath = "/__bridgehead/live.js"
    static let eventsPath = "/__bridgehead/events"
    static let overlayID = "__bridgehead-overlay"

    /// Connects to the event stream with the build the page came from; the server answers a stale
    /// build with `reload` at once, so an edit that lands between page load and connection is not
    /// missed. `css` swaps same-origin stylesheets in place; `errors` shows the overlay. A hidden
    /// tab closes its stream (browsers allow few connections per host, and every open preview tab
    /// would hold one) and reconnects, catching up, when shown again.
    static let script = """
        (() => {
          const overlayID = "\(overlayID)";
          let build = document.currentScript ? document.currentScript.dataset.build : "";
          let source = null;
          const disconnect = () => {
            if (source) source.close();
            source = null;
          };
          const connect = () => {
            if (source || document.hidden) return;
            source = new EventSource("\(eventsPath)?build=" + encodeURIComponent(build));
            source.addEventListener("reload", () => location.reload());
            source.addEventListener("css", (event) => {
              build = JSON.parse(event.data).build;
              for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
                const url = new URL(link.href, location.href);
                if (url.origin !== location.origin) continue;
                url.searchParams.set("__bridgehead", build);
                const fresh = link.cloneNode();
                fresh.href = url.href;
                fresh.addEventListener("load", () => link.remove());
                fresh.addEventListener("error", () => fresh.remove());
                link.after(fresh);
              }
            });
            source.addEventListener("errors", (event) => {
              const data = JSON.parse(event.data);
              build = data.build;
              const old = document.getElementById(overlayID);
              if (old) old.remove();
              document.body.insertAdjacentHTML("beforeend", data.html);
            });
            source.onerror = () => {
              disconnect();
              setTimeout(connect, 1000);
            };
          };
          document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
          connect();
        })();

        """

    /// `html` with the overlay (when there are errors) and the script tag inserted before the last
    /// `</body>`, or appended when the page has none.
    static func inject(into html: Data, build: String, errors: [Diagnostic]) -> Data {
        var addition = ""
        if !errors.isEmpty { addition += overlay(for: errors) }
        addition += "<script src=\"\(scriptPath)\" data-build=\"\(build.xmlEscaped)\"></script>\n"
        var result = html
        let insertAt = lastBodyCloseTag(in: html) ?? html.endIndex
        result.insert(contentsOf: Data(addition.utf8), at: insertAt)
        return result
    }

    private static func lastBodyCloseTag(in html: Data) -> Data.Index? {
        let tag = Array("</body".utf8)
        guard html.count >= tag.count else { return nil }
        var index = html.endIndex - tag.count
        while index >= html.startIndex {
            var matches = true
            for offset in 0..<tag.count {
                let byte = html[index + offset]
                let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
                if lowered != tag[offset] {
                    matches = false
                    break
                }
            }
            if matches { return index }
            index -= 1
        }
        return nil
    }

    /// A fixed panel over the page listing every error as the terminal prints it (location,
    /// message, the quoted source line with its caret, hint, causes).
    static func overlay(for errors: [Diagnostic]) -> String {
        let count = errors.count == 1 ? "1 error" : "\(errors.count) errors"
        var html = """
            <div id="\(overlayID)" role="alert" style="position:fixed;inset:0;z-index:2147483647;\
            overflow:auto;background:rgba(20,20,24,.92);color:#f3f3f3;\
            font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:24px">
            <div style="max-width:960px;margin:0 auto">
            <p style="margin:0 0 16px;font-size:16px"><strong style="color:#ff6b6b">Build failed: \(count).</strong> \
            This is the last good build; the page reloads when the errors are fixed.
            <button type="button" onclick="this.closest('#\(overlayID)').remove()" \
            style="float:right;font:inherit;cursor:pointer">Dismiss</button></p>
            <ol style="margin:0;padding:0 0 0 24px">

            """
        for error in errors {
            html +=
                "<li><pre style=\"white-space:pre;overflow-x:auto;margin:0 0 16px\">\(error.description.xmlEscaped)</pre></li>\n"
        }
        html += "</ol>\n</div>\n</div>\n"
        return html
    }
}

/// A message to open pages, in server-sent events framing.
enum LiveEvent: Equatable, Sendable {
    /// A good build changed something other than stylesheets, or fixed the previous errors.
    case reload(build: String)
    /// A good build changed only stylesheets.
    case css(build: String)
    /// A build failed; `html` is the overlay to show over the last good page.
    case errors(build: String, html: String)

    var name: String {
        switch self {
        case .reload: "reload"
        case .css: "css"
        case .errors: "errors"
        }
    }

    var framed: String {
        struct Payload: Encodable {
            var build: String
            var html: String?
        }
        let payload: Payload
        switch self {
        case .reload(let build), .css(let build): payload = Payload(build: build)
        case .errors(let build, let html): payload = Payload(build: build, html: html)
        }
        // JSON escapes line breaks, so the data always fits the single `data:` line SSE needs.
        let json = (try? JSONEncoder().encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(name)\ndata: \(json)\n\n"
    }
}
