#!/usr/bin/env bash
# Where a fuzz target's new coverage came from: runs TARGET over the inputs of CORPUS that
# existed at TIME and over all of CORPUS (`-runs=0 -print_coverage=1`, nothing is mutated) and
# prints, per function, the edges the later corpus covers beyond the earlier one, demangled,
# largest first. A count still rising in libFuzzer's `cov:` may be the standard library's
# generic code (sorting, hashing) reached by longer inputs rather than our own.
#
#   fuzz/coverage-diff.sh TARGET CORPUS "YYYY-MM-DD HH:MM"
#   e.g. fuzz/coverage-diff.sh .build/release/FuzzFrontMatter corpus/frontmatter "2026-12-04 02:00"
set -euo pipefail
target=${1:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
corpus=${2:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
time=${3:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/before" "$work/all"
# A running fuzzer replaces inputs as it reduces them: copies taken now, errors for files it
# removed meanwhile ignored.
find "$corpus" -type f ! -newermt "$time" -exec cp -p -t "$work/before" {} + 2>/dev/null || true
find "$corpus" -type f -exec cp -p -t "$work/all" {} + 2>/dev/null || true
for part in before all; do
    "$target" -runs=0 -print_coverage=1 -rss_limit_mb=4096 "$work/$part" >"$work/$part.txt" 2>&1
    echo "$part: $(ls "$work/$part" | wc -l) inputs, $(grep -a -o 'DONE *cov: [0-9]*' "$work/$part.txt" | grep -o '[0-9]*$') edges"
done
python3 - "$work/before.txt" "$work/all.txt" <<'PY'
import re, subprocess, sys
def covered(path):
    edges = {}
    for line in open(path, errors="replace"):
        m = re.match(r"(?:UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/\d+ (\S+) (.*)", line.strip())
        if m:
            edges[(m.group(2), m.group(3))] = int(m.group(1))
    return edges
before, after = covered(sys.argv[1]), covered(sys.argv[2])
rows = sorted(((after.get(k, 0) - before.get(k, 0), k) for k in set(before) | set(after)), reverse=True)
rows = [r for r in rows if r[0]]
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(k[0] for _, k in rows),
                       capture_output=True, text=True).stdout.split("\n")
print(f"{sum(r[0] for r in rows)} more edges by function:")
for (delta, (_, place)), name in zip(rows, names):
    print(f"{delta:6d}  {name[:90]}  {re.sub(r'^.*/(Shared|Sources|checkouts)/', '', place)}")
PY
