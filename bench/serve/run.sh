#!/usr/bin/env bash
# Benchmark of `bridgehead serve` on a generated corpus (default 10,000 pages): the time from
# saving one page to the live-reload event (median of 20 edits; goal < 50 ms), beside the time
# of a full rebuild in the same server (a layout edit) and of a cold `bridgehead build`.
#
# Usage: bench/serve/run.sh [PAGES]     (from the repository root; writes under bench-out/serve)
set -euo pipefail
cd "$(dirname "$0")/../.."
PAGES="${1:-10000}"
OUT="bench-out/serve"
CORPUS="$OUT/corpus-$PAGES"
SHARED="${SHARED:-../shared}"

make --no-print-directory bridgehead >/dev/null
BIN=".build/release/bridgehead"

rm -rf "$CORPUS" "$OUT/build-output"
mkdir -p "$OUT"
python3 "$SHARED/bench/gen-corpus.py" "$CORPUS" "$PAGES" >/dev/null
# The corpus's base_url is https://example.org/ and its autolinks point at missing pages on that
# host, which the link check rightly rejects as internal; another host makes them external.
sed -i 's|^base_url: .*|base_url: "https://bench.invalid/"|' "$CORPUS/site.yml"
echo "corpus: $PAGES pages in $CORPUS"

start=$(date +%s%N)
"$BIN" build --source "$CORPUS" --output "$OUT/build-output" | tail -1
end=$(date +%s%N)
echo "bridgehead build (cold process, writes to disk): $(( (end - start) / 1000000 )) ms"
rm -rf "$OUT/build-output"

python3 bench/serve/measure.py "$BIN" "$CORPUS" --edits 20 --full-edits 3
