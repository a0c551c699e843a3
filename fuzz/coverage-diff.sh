#!/usr/bin/env bash
# Where a fuzz target's new coverage came from: runs TARGET over the inputs of CORPUS that
# existed at TIME and over all of CORPUS (`-runs=0 -print_coverage=1`, nothing is mutated) and
# prints, per function, the edges the later corpus covers beyond the earlier one, demangled,
# largest first. A count still rising in libFuzzer's `cov:` may be the standard library's
# generic code (sorting, hashing) reached by longer inputs rather than our own.
#
#   fuzz/coverage-diff.sh TARGET CORPUS "YYYY-MM-DD HH:MM"   (or, for TIME, an earlier copy of CORPUS)
#   e.g. fuzz/coverage-diff.sh .build/release/FuzzFrontMatter corpus/frontmatter "2026-12-04 02:00"
set -euo pipefail
target=${1:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
corpus=${2:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
time=${3:?usage: fuzz/coverage-diff.sh TARGET CORPUS TIME}
source "$(dirname "$0")/split-corpus.sh"
for part in before all; do
    "$target" -runs=0 -print_coverage=1 -rss_limit_mb=4096 "$work/$part" >"$work/$part.txt" 2>&1
    echo "$part: $(ls "$work/$part" | wc -l) inputs, $(grep -a -o 'DONE *cov: [0-9]*' "$work/$part.txt" | grep -o '[0-9]*$') edges"
done
python3 - "$work/before.txt" "$work/all.txt" <<'PY'
import re, subprocess, sys
totals = {}
def covered(path):
    edges = {}
    for line in open(path, errors="replace"):
        m = re.match(r"(?:UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) (\S+) (.*)", line.strip())
        if m:
            edges[(m.group(3), m.group(4))] = int(m.group(1))
            totals[(m.group(3), m.group(4))] = int(m.group(2))
    return edges
before, after = covered(sys.argv[1]), covered(sys.argv[2])
rows = sorted(((after.get(k, 0) - before.get(k, 0), k) for k in set(before) | set(after)), reverse=True)
rows = [r for r in rows if r[0]]
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(k[0] for _, k in rows),
                       capture_output=True, text=True).stdout.split("\n")
print(f"{sum(r[0] for r in rows)} more edges by function (edges covered before -> after / in the function;"
      " 0 before means the function was first reached):")
for (delta, key), name in zip(rows, names):
    counts = f"{before.get(key, 0)}->{after.get(key, 0)}/{totals.get(key, 0)}"
    print(f"{delta:6d}  {counts:>12}  {name[:90]}  {re.sub(r'^.*/(Shared|Sources|checkouts)/', '', key[1])}")
PY
