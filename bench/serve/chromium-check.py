#!/usr/bin/env python3
"""Drives `bridgehead serve` with headless Chromium, as a site author would use it:

1. open a page;
2. edit the stylesheet: the new style shows without the page reloading;
3. edit the page's Markdown: the new text shows without a manual reload;
4. break the layout template: the error overlay shows, naming the template;
5. fix the template: the overlay goes and the page shows again.

Needs: apt-get install -y chromium chromium-driver; pip install selenium.
Usage: chromium-check.py [--bridgehead PATH] [--screenshots DIR]
Exit status 0 when every step passed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

LAYOUT = """<!doctype html>
<html lang="{{ page.lang }}"><head><meta charset="utf-8"><title>{{ page.title }}</title>
<link rel="stylesheet" href="{{ '/style.css' | relative_url }}"></head>
<body><h1 id="title">{{ page.title }}</h1><main id="content">{{ content }}</main></body></html>
"""
BROKEN_LAYOUT = LAYOUT.replace("{{ content }}", "{% if page.title %}{{ content }}")


def page(text):
    return f"---\ntitle: Hello\n---\n\n{text}\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Save as editors do: a temporary file renamed over the original.
    temporary = path + ".saving"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, path)


def make_site(root):
    write(os.path.join(root, "site.yml"), 'title: "Chromium check"\nlanguages:\n  - { code: en, name: English }\n')
    write(os.path.join(root, "content", "_index.md"), "---\ntitle: Home\n---\n\n[Hello](hello.md)\n")
    write(os.path.join(root, "content", "hello.md"), page("First version of the text."))
    write(os.path.join(root, "templates", "layouts", "default.liquid"), LAYOUT)
    write(os.path.join(root, "templates", "static", "style.css"), "h1 { color: rgb(0, 0, 128); }\n")


def default_binary():
    for candidate in (".build/debug/bridgehead", ".build/release/bridgehead"):
        if os.access(candidate, os.X_OK):
            return candidate
    return "bridgehead"


def start_server(binary, root):
    process = subprocess.Popen([binary, "serve", "--source", root, "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/\S*)", line)
    if not match:
        process.kill()
        sys.exit(f"chromium-check: bridgehead serve did not start: {line}{process.stderr.read()}")
    return process, match.group(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bridgehead", default=default_binary())
    parser.add_argument("--screenshots", default="bench-out/serve")
    args = parser.parse_args()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        sys.exit("chromium-check: needs selenium (pip install selenium)")
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        sys.exit("chromium-check: needs chromium and its driver (apt-get install -y chromium chromium-driver)")

    os.makedirs(args.screenshots, exist_ok=True)
    root = tempfile.mkdtemp(prefix="bridgehead-chromium-")
    make_site(root)
    server, url = start_server(args.bridgehead, root)
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,700"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    passed, failed = 0, 0

    def step(name, condition, shot):
        nonlocal passed, failed
        started = time.monotonic()
        try:
            # A reload between finding an element and reading it leaves a stale reference;
            # the condition is simply asked again on the new page.
            WebDriverWait(browser, 15, poll_frequency=0.05,
                          ignored_exceptions=(StaleElementReferenceException,)).until(lambda b: condition())
            print(f"ok   {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
            passed += 1
        except Exception as error:  # a timeout or a vanished element: report and go on
            print(f"FAIL {name}: {type(error).__name__}")
            failed += 1
        browser.save_screenshot(os.path.join(args.screenshots, shot))

    def text(element_id):
        found = browser.find_elements(By.ID, element_id)
        return found[0].text if found else ""

    def overlay():
        return text("__bridgehead-overlay")

    try:
        browser.get(url + "hello/")
        step("open the page", lambda: "First version" in text("content"), "1-open.png")
        browser.execute_script("window.bridgeheadCheckMarker = 'still the same page'")

        write(os.path.join(root, "templates", "static", "style.css"), "h1 { color: rgb(200, 0, 0); }\n")
        step("a stylesheet edit swaps the styles without a reload",
             lambda: browser.find_element(By.ID, "title").value_of_css_property("color") == "rgba(200, 0, 0, 1)"
             and browser.execute_script("return window.bridgeheadCheckMarker") == "still the same page",
             "2-css.png")

        write(os.path.join(root, "content", "hello.md"), page("Second version, edited in the Markdown."))
        step("a Markdown edit shows without a manual reload",
             lambda: "Second version" in text("content")
             and browser.execute_script("return window.bridgeheadCheckMarker") is None,
             "3-markdown.png")

        write(os.path.join(root, "templates", "layouts", "default.liquid"), BROKEN_LAYOUT)
        step("a broken template shows the overlay naming it",
             lambda: "templates/layouts/default.liquid:" in overlay(), "4-overlay.png")

        write(os.path.join(root, "templates", "layouts", "default.liquid"), LAYOUT)
        step("fixing the template clears the overlay",
             lambda: overlay() == "" and "Second version" in text("content"), "5-fixed.png")
    finally:
        browser.quit()
        server.send_signal(2)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(root, ignore_errors=True)
    print(f"chromium-check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
