#!/usr/bin/env python3
"""Break known links in a copy of a built site, and compare checkers' findings with them.

  break_links.py break SITE BROKEN EXPECTED.json [--links 100] [--fragments 100] [--seed 5]
      Copies SITE to BROKEN, then in as many pages (each page edited once, chosen with a fixed
      seed) points one cross link `../../sec-NN/page-NNNNN/#id` at a page that does not exist
      (`page-NNNNN-gone/`), or its fragment at an id that does not exist (`#id-gone`). Writes
      the edited places to EXPECTED.json: file, line, column (Unicode scalars, 1-based), url.

  break_links.py compare EXPECTED.json BRIDGEHEAD.json LYCHEE.json SITE_PREFIX
      Prints what each checker found against the expected places; exits 1 when bridgehead's
      findings are not exactly the expected ones.

  break_links.py count BRIDGEHEAD.json LYCHEE.json
      Prints the number of broken links each checker reported (for the unedited site).
"""
import json, os, random, re, shutil, sys

CROSS_LINK = re.compile(r'href="(\.\./\.\./sec-\d\d/page-\d{5})/#([^"]+)"')


def break_site(site, broken, expected_path, links, fragments, seed):
    if os.path.exists(broken):
        shutil.rmtree(broken)
    shutil.copytree(site, broken)
    pages = sorted(
        os.path.relpath(os.path.join(folder, "index.html"), broken)
        for folder, _, files in os.walk(broken)
        if "index.html" in files and re.search(r"sec-\d\d/page-\d{5}$", folder)
    )
    rng = random.Random(seed)
    chosen = rng.sample(pages, links + fragments)
    expected = []
    for number, page in enumerate(sorted(chosen[:links]) + sorted(chosen[links:])):
        breaks_file = number < links
        path = os.path.join(broken, page)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        matches = list(CROSS_LINK.finditer(text))
        match = rng.choice(matches)
        target, fragment = match.group(1), match.group(2)
        if breaks_file:
            url = f"{target}-gone/#{fragment}"
        else:
            url = f"{target}/#{fragment}-gone"
        start = match.start(1)
        text = text[:start] + url + text[match.end(2):]
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        expected.append({"file": page, "line": line, "column": column, "url": url,
                         "kind": "file" if breaks_file else "fragment"})
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
    print(f"broke {links} links and {fragments} fragments in {len(expected)} pages of {broken}")


def bridgehead_places(path, prefix):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    return {(x["file"][len(prefix):] if x["file"].startswith(prefix) else x["file"], x["line"], x["column"], x["url"])
            for x in report["findings"] if x["severity"] == "error"}


def lychee_errors(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    return [(os.path.normpath(source), entry) for source, entries in report.get("error_map", {}).items()
            for entry in entries]


def compare(expected_path, bridgehead_path, lychee_path, prefix):
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    wanted = {(x["file"], x["line"], x["column"], x["url"]) for x in expected}
    found = bridgehead_places(bridgehead_path, prefix)
    missed, extra = wanted - found, found - wanted
    print(f"bridgehead: {len(found)} broken reported; {len(wanted & found)} of the {len(wanted)} expected, "
          f"{len(missed)} missed, {len(extra)} unexpected")
    for place in sorted(missed)[:10]:
        print("  missed:", place)
    for place in sorted(extra)[:10]:
        print("  unexpected:", place)

    errors = lychee_errors(lychee_path)
    by_file = {}
    for x in expected:
        by_file[(os.path.normpath(x["file"]), x["kind"])] = x
    hit = {"file": 0, "fragment": 0}
    others = []
    for source, entry in errors:
        source = os.path.relpath(source, os.path.normpath(prefix))
        url = entry["url"]
        kind = "fragment" if url.endswith("-gone") else ("file" if "-gone" in url else None)
        if kind and (source, kind) in by_file:
            hit[kind] += 1
        else:
            others.append((source, url, entry["status"].get("text", "")))
    print(f"lychee: {len(errors)} broken reported; {hit['file']} of the {sum(1 for x in expected if x['kind'] == 'file')}"
          f" broken links, {hit['fragment']} of the {sum(1 for x in expected if x['kind'] == 'fragment')}"
          f" broken fragments, {len(others)} others")
    for other in others[:10]:
        print("  other:", other)
    return 0 if not missed and not extra else 1


def count(bridgehead_path, lychee_path):
    found = bridgehead_places(bridgehead_path, "")
    errors = lychee_errors(lychee_path)
    print(f"unedited site: bridgehead reports {len(found)} broken, lychee {len(errors)}")
    for source, entry in errors[:10]:
        print("  lychee:", source, entry["url"], entry["status"].get("text", ""))
    return 0 if not found and not errors else 1


def main(argv):
    if len(argv) >= 4 and argv[0] == "break":
        options = {"--links": 100, "--fragments": 100, "--seed": 5}
        rest = argv[4:]
        for name, value in zip(rest[::2], rest[1::2]):
            options[name] = int(value)
        break_site(argv[1], argv[2], argv[3], options["--links"], options["--fragments"], options["--seed"])
        return 0
    if len(argv) == 5 and argv[0] == "compare":
        return compare(*argv[1:])
    if len(argv) == 3 and argv[0] == "count":
        return count(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
