#!/usr/bin/env python3
"""Bridgehead's search against Pagefind, measured in the same run (bench/search/run.sh).

For the portal and for a generated corpus: total index size, indexing time (ours: the build's
`search` stage, which works on the rendered pages in memory; Pagefind: the whole `pagefind
--site` run, which reads the written HTML), and for each query in headless Chromium the index
bytes it downloads (the files a search and the data of its first 10 results fetch, as stored and
gzip-compressed the way a host would send them; the script/WASM code is counted apart, once) and
whether it finds the expected page, and at which rank.

Usage: compare.py BRIDGEHEAD_BINARY WORK_FOLDER CORPUS_PAGES
"""
import gzip
import pathlib
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from search_browser import StaticServer, chromium  # noqa: E402

# Korean partial words from the portal's text: the query, and the compound word it stands inside.
PORTAL_QUERIES = [
    ("클러스터", "바이오클러스터"), ("보스턴", "보스턴시"), ("헬스케어", "바이오헬스케어협회"),
    ("한인", "재미한인바이오산업협회"), ("비즈니스", "국제과학비즈니스벨트"), ("바이오로직스", "와이바이오로직스"),
    ("연구단지", "대덕연구단지"), ("스타트업", "바이오스타트업"), ("시스템", "교육시스템"),
    ("창업가", "예비창업가"), ("잠재력", "성장잠재력"), ("연구소", "국가연구소"), ("동력", "핵심동력"),
    ("펀드", "자체펀드투자"), ("생태계", "산업생태계"), ("인프라", "지원인프라"), ("센트럴", "랩센트럴"),
    ("노스코", "제노스코"), ("파크", "테크노파크"), ("특구", "대덕특구"),
]
# The corpus's vocabulary (gen-corpus.py) has these compounds.
CORPUS_QUERIES = [
    ("센트럴", "랩센트럴"), ("특구", "대덕특구"), ("개발", "연구개발"), ("교류", "인적교류"), ("대회", "학술대회"),
    ("업", "스타트업"), ("cluster", None), ("incub", None), ("biotech startup", None), ("보스턴 진출", None),
]
# The results of a first screen: our search page shows BridgeheadSearch.screen (10) and a button
# for more; Pagefind's data is loaded for as many.
TOP = 10

# A search as the page makes it: the index files the query needs and the data of the results
# its first screen shows, nothing more, so the bytes counted are those the page downloads.
FETCH_AND_SEARCH = r"""
const [engine, base, lang, query, top, done] = arguments;
(async () => {
  if (engine === "pagefind") {
    const pagefind = await import(base + "pagefind/pagefind.js");
    await pagefind.init();
    const found = await pagefind.search(query);
    await Promise.all(found.results.slice(0, top).map((r) => r.data()));
    window.resultCount = found.results.length;
    window.resultUrls = async (from, to) => (await Promise.all(found.results.slice(from, to).map((r) => r.data()))).map((d) => d.url);
  } else {
    await new Promise((ok, fail) => {
      const script = document.createElement("script");
      script.src = base + "search/search.js"; script.onload = ok; script.onerror = fail;
      document.head.appendChild(script);
    });
    if (BridgeheadSearch.screen !== top) throw new Error(`the script shows ${BridgeheadSearch.screen} results first, not ${top}`);
    const index = BridgeheadSearch.engine((path) => fetch(base + "search/" + lang + "/" + path).then((r) => r.json()));
    const { docs } = await index.search(query);
    await Promise.all(docs.slice(0, top).map(index.document));
    window.resultCount = docs.length;
    window.resultUrls = async (from, to) => (await Promise.all(docs.slice(from, to).map(index.document))).map((d) => d.u);
  }
  done({});
})().catch((error) => done({ error: String(error) }));
"""
# After the bytes were counted: the rank of the expected URL, the results' data read 100 at a time
# until it turns up (all at once, 10,000 fetches failed in Chromium).
FIND_RANK = r"""
const [want, done] = arguments;
(async () => {
  let rank = 0;
  for (let from = 0; want && !rank && from < window.resultCount; from += 100) {
    const at = (await window.resultUrls(from, from + 100)).indexOf(want);
    if (at >= 0) rank = from + at + 1;
  }
  done({ count: window.resultCount, rank });
})().catch((error) => done({ error: String(error) }));
"""


def sizes(path):
    data = path.read_bytes()
    return len(data), min(len(data), len(gzip.compress(data, 9)))


def folder_size(folder, keep=lambda p: True):
    raw = packed = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and keep(path):
            a, b = sizes(path)
            raw += a
            packed += b
    return raw, packed


def build(binary, source, output):
    started = time.perf_counter()
    run = subprocess.run(
        # The corpus links to https://example.org/… pages that do not exist; with a base path only,
        # the link checker leaves them alone, as the generator means.
        [binary, "build", "--verbose", "--source", str(source), "--output", str(output), "--base-url", "/"],
        check=True, capture_output=True, text=True)
    total = time.perf_counter() - started
    stage = re.search(r"^\s+search\s+([0-9.]+) s", run.stdout, re.M)
    return float(stage.group(1)) if stage else float("nan"), total


def pagefind(site):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind_bin", "--site", str(site)], check=True, capture_output=True)
    return time.perf_counter() - started


def content_url(content, path):
    relative = path.relative_to(content).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] in ("_index", "index"):
        parts.pop()
    return "/" + "".join(part + "/" for part in parts)


def expected_pages(content, queries):
    """For each query with a compound, the first Korean page (in path order) whose text holds it."""
    files = sorted(p for p in content.rglob("*.md") if not re.search(r"\.[a-z]{2}\.md$", p.name))
    texts = [(path, path.read_text(encoding="utf-8").split("---", 2)[-1]) for path in files]
    expected = {}
    for query, word in queries:
        if word:
            hit = next((path for path, text in texts if word in text), None)
            expected[query] = content_url(content, hit) if hit else None
    return expected


def run_queries(driver, server, site, queries, expected):
    rows = []
    for engine in ["bridgehead", "pagefind"]:
        for query, word in queries:
            # The cache is off for the page, but not for Pagefind's worker: emptied before each
            # query, or the worker's index and WASM of an earlier query go uncounted.
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.get(server.url + "/")
            server.httpd.requested.clear()
            answer = driver.execute_async_script(FETCH_AND_SEARCH, engine, "/", "ko", query, TOP)
            fetched = list(server.httpd.requested)
            want = expected.get(query)
            if "error" not in answer:
                answer = driver.execute_async_script(FIND_RANK, want)
            if "error" in answer:
                raise SystemExit(f"{engine} failed on {query!r}: {answer['error']}")
            raw = packed = 0
            for url in dict.fromkeys(fetched):
                path = site / urllib.parse.unquote(urllib.parse.urlparse(url).path).lstrip("/")
                if not path.is_file() or path.suffix in (".js", ".wasm") or path.name.startswith("wasm."):
                    continue
                a, b = sizes(path)
                raw += a
                packed += b
            found = answer["rank"] > 0 if want else answer["count"] > 0
            rows.append({"engine": engine, "query": query, "word": word, "results": answer["count"],
                         "rank": answer["rank"], "found": found, "raw": raw, "packed": packed})
    return rows


def code_size(site, engine):
    if engine == "bridgehead":
        return sizes(site / "search/search.js")
    raw = packed = 0
    for path in [site / "pagefind/pagefind.js", *sorted((site / "pagefind").glob("wasm.*.pagefind"))[:1]]:
        a, b = sizes(path)
        raw += a
        packed += b
    return raw, packed


def report(name, site, timings, rows):
    print(f"\n== {name} ==")
    ours_index = folder_size(site / "search", lambda p: p.suffix != ".js")
    theirs_index = folder_size(site / "pagefind", lambda p: p.suffix not in (".js", ".css") and "wasm." not in p.name)
    print(f"{'':34}{'Bridgehead':>16}{'Pagefind 1.5':>16}{'ratio':>8}")

    def line(label, ours, theirs, unit=""):
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        print(f"{label:34}{ours:>14,.0f}{unit:2}{theirs:>14,.0f}{unit:2}{ratio:>8}")

    line("total index, bytes stored", ours_index[0], theirs_index[0])
    line("total index, bytes gzipped", ours_index[1], theirs_index[1])
    print(f"{'indexing time, s':34}{timings['ours']:>14.3f}  {timings['pagefind']:>14.3f}  "
          f"{timings['ours'] / timings['pagefind']:>8.2f}")
    print(f"{'  (our whole build, s)':34}{timings['build']:>14.3f}")
    ours_code, theirs_code = code_size(site, "bridgehead"), code_size(site, "pagefind")
    line("script/WASM once, gzipped", ours_code[1], theirs_code[1])
    by = {(r["engine"], r["query"]): r for r in rows}
    queries = list(dict.fromkeys(r["query"] for r in rows))
    print(f"\n{'query':16}{'inside':22}{'ours: gz B':>11}{'hits':>6}{'found':>7}   "
          f"{'Pagefind: gz B':>14}{'hits':>6}{'found':>7}")

    def verdict(row):
        return f"#{row['rank']}" if row["rank"] else "yes" if row["found"] else "NO"

    for query in queries:
        a, b = by[("bridgehead", query)], by[("pagefind", query)]
        print(f"{query:16}{a['word'] or '':22}{a['packed']:>11,}{a['results']:>6}{verdict(a):>7}   "
              f"{b['packed']:>14,}{b['results']:>6}{verdict(b):>7}")
    for engine in ["bridgehead", "pagefind"]:
        mine = [r for r in rows if r["engine"] == engine]
        print(f"{engine:11} found {sum(r['found'] for r in mine)}/{len(mine)}; index bytes per query: "
              f"median {statistics.median(r['packed'] for r in mine):,.0f} gzipped "
              f"({statistics.median(r['raw'] for r in mine):,.0f} stored), "
              f"mean {statistics.mean(r['packed'] for r in mine):,.0f} gzipped")


def measure(name, binary, source, output, queries, driver):
    ours, total = build(binary, source, output)
    theirs = pagefind(output)
    expected = expected_pages(source / "content", queries)
    server = StaticServer(output)
    try:
        rows = run_queries(driver, server, output, queries, expected)
    finally:
        server.close()
    report(name, output, {"ours": ours, "pagefind": theirs, "build": total}, rows)


def main():
    binary, work, pages = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
    corpus = work / "corpus"
    if not (corpus / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT.parent / "shared/bench/gen-corpus.py"), str(corpus), str(pages)], check=True,
                       capture_output=True)
    driver = chromium()
    # Finding the rank of a page far down 10,000 results reads them all.
    driver.set_script_timeout(600)
    try:
        measure("portal (Korean pages)", binary, ROOT, work / "portal", PORTAL_QUERIES, driver)
        measure(f"corpus, {pages} pages", binary, corpus, work / "corpus-public", CORPUS_QUERIES, driver)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
