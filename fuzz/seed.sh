#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, git-ignored) from the repository's fixtures and
# content and, for FuzzLiquid, from fuzz/seeds/liquid (templates written for the paths that
# source-region coverage showed 40 instance-hours of fuzzing never took: the harness's
# partials, loops over hashes, the filter shortcuts) and the templates of the golden-liquid suite in
# ../shared/conformance (read from there, not copied into the repository; skipped when absent).
# Files already in a corpus stay: running it again only adds.
#
#   fuzz/seed.sh [CORPUS_FOLDER]      (default: fuzz/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-fuzz/corpus}
mkdir -p "$corpus"/{liquid,frontmatter,html,markdown}

# seed TARGET PATTERN FOLDER...: files matching PATTERN under the folders, at most 64 KB each,
# into corpus/TARGET, each named after its path.
seed() {
    local target=$1 pattern=$2
    shift 2
    find "$@" -name "$pattern" -size -64k -print0 | while IFS= read -r -d '' file; do
        cp "$file" "$corpus/$target/$(echo "$file" | tr / _)"
    done
}
seed liquid '*.liquid' templates Tests/Fixtures bench/liquid fuzz/seeds/liquid
seed frontmatter '*.md' content Tests/Fixtures
seed markdown '*.md' content Tests/Fixtures
seed html '*.html' Tests/Fixtures

golden=${GOLDEN_LIQUID:-../shared/conformance/golden-liquid/golden_liquid.json}
if [ -f "$golden" ]; then
    python3 - "$golden" "$corpus/liquid" <<'PY'
import json, os, sys
suite = json.load(open(sys.argv[1], encoding="utf-8"))
tests = suite["tests"] if isinstance(suite, dict) else suite
written = 0
for number, test in enumerate(tests):
    if isinstance(test.get("template"), str):
        with open(os.path.join(sys.argv[2], f"golden_{number}.liquid"), "w", encoding="utf-8") as out:
            out.write(test["template"])
        written += 1
print(f"{written} golden-liquid templates")
PY
else
    echo "no $golden: FuzzLiquid is seeded from the fixtures only"
fi
for target in liquid frontmatter html markdown; do
    echo "$target: $(find "$corpus/$target" -type f | wc -l) inputs"
done
