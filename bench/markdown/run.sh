#!/usr/bin/env bash
# Markdown rendering benchmark: MarkdownRenderer against the cmark-gfm command on the bodies of
# a generated corpus, measured in the same run.
#   bench/markdown/run.sh [PAGES]   (default 2000)
# Needs python3 and the cmark-gfm command (apt-get install cmark-gfm).
set -euo pipefail
cd "$(dirname "$0")/../.."
PAGES="${1:-2000}"
WORK="${BENCH_DIR:-/tmp/bridgehead-bench-markdown}"
GEN="${GEN_CORPUS:-../shared/bench/gen-corpus.py}"
EXTENSIONS=(--extension table --extension strikethrough --extension autolink --extension tagfilter --extension tasklist)

command -v cmark-gfm >/dev/null || { echo "cmark-gfm not found: apt-get install -y cmark-gfm" >&2; exit 1; }
rm -rf "$WORK/corpus"
python3 "$GEN" "$WORK/corpus" "$PAGES" >/dev/null
swift build -c release --static-swift-stdlib --product MarkdownBench >/dev/null
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/MarkdownBench"
OUT="$("$BIN" "$WORK/corpus" "$WORK/bodies")"
echo "$OUT" | grep -v '^RESULT'
read -r OURS OURS_PARALLEL <<<"$(echo "$OUT" | sed -n 's/^RESULT //p')"

# The Debian cmark-gfm command (0.29.0.gfm.6) has no --footnotes flag; footnotes stay text there.
# One process reading every body measures parsing and rendering without process start-up;
# one process per body is what calling the command file by file costs.
best_of_3() {
    local best=""
    for _ in 1 2 3; do
        local start end took
        start=$(date +%s.%N)
        "$@" >/dev/null
        end=$(date +%s.%N)
        took=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
    done
    echo "$best"
}
one_process() { cmark-gfm "${EXTENSIONS[@]}" --table-prefer-style-attributes "$WORK"/bodies/*.md; }
per_file() { for f in "$WORK"/bodies/*.md; do cmark-gfm "${EXTENSIONS[@]}" --table-prefer-style-attributes "$f"; done; }
CMARK=$(best_of_3 one_process)
CMARK_PER_FILE=$(best_of_3 per_file)
printf 'cmark-gfm command, one process, all bodies: %.3f s (best of 3)\n' "$CMARK"
printf 'cmark-gfm command, one process per body:    %.3f s (best of 3)\n' "$CMARK_PER_FILE"
printf 'ratio MarkdownRenderer (1 thread) / cmark-gfm one process: %.2f\n' "$(echo "$OURS / $CMARK" | bc -l)"
printf 'ratio MarkdownRenderer (1 thread) / cmark-gfm per body:    %.2f\n' "$(echo "$OURS / $CMARK_PER_FILE" | bc -l)"
