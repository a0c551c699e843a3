#!/usr/bin/env python3
"""make search-check: builds the portal under the base path /portal/ (base URL
https://example.org/portal/), serves it on 127.0.0.1,
and types queries into the search box of the Korean and the English search page in headless
Chromium (Selenium). Every organisation and person of content/_data/organizations.yml and
people.yml must be found by a partial Korean query on the Korean page and a partial English
query on the English page: its taxonomy term page (titled with the name) must be among the
results. Prints a table; exits 1 on any miss.

Usage: tools/search-check.py [BRIDGEHEAD_BINARY]   (default .build/release/bridgehead)
"""
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from search_browser import StaticServer, chromium  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
HANGUL = re.compile(r"[\uac00-\ud7a3]+")
WORD = re.compile(r"[A-Za-z0-9]+")


def english_partial(name):
    """All words of the name, the last cut short: 'Lab Central' -> 'Lab Centr'."""
    words = WORD.findall(name)
    last = words[-1]
    words[-1] = last[: max(2, len(last) - 2)]
    return " ".join(words)


def korean_partial(name):
    """A piece from inside the longest Hangul run: '랩센트럴' -> '센트럴', '대덕연구단지' -> '덕연구단'."""
    runs = HANGUL.findall(name)
    if not runs:
        return english_partial(name)
    run = max(runs, key=len)
    if len(run) < 3:
        return run
    return run[1:5]


def search(driver, page_url, query):
    """Types `query` into the search box of `page_url`; the result links as (text, href)."""
    driver.get(page_url)
    box = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-bridgehead-search]:not([hidden]) input[type=search]"))
    box.send_keys(query)
    status = driver.find_element(By.CSS_SELECTOR, "[data-status]")
    WebDriverWait(driver, 10).until(lambda d: status.text.strip() != "")
    time.sleep(0.3)  # a later keystroke's search may still replace the list
    links = driver.find_elements(By.CSS_SELECTOR, "[data-results] li > a")
    return [(link.text.strip(), link.get_attribute("href")) for link in links], status.text.strip()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/release/bridgehead")
    with tempfile.TemporaryDirectory() as temporary:
        output = pathlib.Path(temporary) / "portal"
        subprocess.run(
            [binary, "build", "--source", str(ROOT), "--output", str(output), "--base-url", "https://example.org/portal/"], check=True)
        server = StaticServer(temporary)
        driver = chromium()
        rows = []
        try:
            for kind in ["organizations", "people"]:
                for entry in yaml.safe_load((ROOT / "content/_data" / f"{kind}.yml").read_text()):
                    for lang, prefix, partial in [("ko", "", korean_partial), ("en", "/en", english_partial)]:
                        name = entry[lang]
                        query = partial(name)
                        results, status = search(driver, f"{server.url}/portal{prefix}/search/", query)
                        titles = [title for title, _ in results]
                        rank = titles.index(name) + 1 if name in titles else 0
                        rows.append((kind, lang, name, query, len(results), rank, status))
        finally:
            driver.quit()
            server.close()
    width = max(len(row[2]) for row in rows)
    print(f"{'kind':<13} {'lang':<4} {'name':<{width}}  {'query':<22} {'shown':>5} {'rank':>4}  result")
    for kind, lang, name, query, shown, rank, status in rows:
        verdict = "found" if rank else f"MISSED ({status})"
        print(f"{kind:<13} {lang:<4} {name:<{width}}  {query:<22} {shown:>5} {rank or '-':>4}  {verdict}")
    misses = [row for row in rows if not row[5]]
    print(f"\n{len(rows) - len(misses)} of {len(rows)} queries found their page")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
