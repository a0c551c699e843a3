#!/usr/bin/env bash
# Bridgehead's search against Pagefind 1.5, in the same run: on the portal and on a generated
# corpus of N pages (default 10000): index size, indexing time, index bytes per query and
# whether 20 Korean partial-word queries find their page. Needs Chromium and chromedriver.
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-10000}
work=${BENCH_SEARCH_DIR:-/tmp/bridgehead-bench-search}
make --no-print-directory bridgehead >/dev/null 2>&1
python3 -m pagefind_bin --version 2>/dev/null | grep -q '^pagefind 1\.5\.' \
    || pip install --quiet 'pagefind-bin>=1.5,<1.6'
python3 -c 'import selenium' 2>/dev/null || pip install --quiet selenium
mkdir -p "$work"
python3 -m pagefind_bin --version
python3 bench/search/compare.py .build/release/bridgehead "$work" "$pages"
