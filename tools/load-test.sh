#!/usr/bin/env bash
# Load on the preview server: `bridgehead serve` on a copy of the portal, three wrk runs at once
# (a page, a static file, a 404) for DURATION seconds while a content file is edited every two
# seconds (each edit is a rebuild and a reload event); then open file descriptors and resident
# memory before and after, and the requests/s, p99 latency and errors of each run. Resident
# memory is measured again after one more edit (the server hands freed memory back to the
# system after each rebuild, so the slack the requests left goes), and with gdb installed the
# heap in use (glibc's malloc_stats, called in the server) before and after.
#
# Memory held in caches that fill under load and are never handed back would read as growth:
# so "before" is measured after a warm-up of the same load and edits for WARMUP seconds
# (libdispatch keeps up to 1,024 freed task continuations of 64 bytes on each worker thread),
# and the server runs without glibc's per-thread cache of freed chunks, which malloc_stats
# counts as in use and which went on filling well past the warm-up (with it: +83 KB over 60
# rebuilds after a 60 s warm-up; without: +3 KB; requests/s about 6% lower without it). The
# edits alternate between two markers of one length, so the site keeps its size.
#
#   tools/load-test.sh [BRIDGEHEAD] [DURATION] [WARMUP]    (defaults: .build/release/bridgehead, 30, 30)
#
# Needs wrk (apt-get install -y wrk). Bounded: wrk stops after DURATION, the server is stopped
# by its PID when the script ends.
set -euo pipefail
bridgehead=$(realpath "${1:-.build/release/bridgehead}")
duration=${2:-30}
warmup=${3:-30}
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0
source "$(dirname "$0")/serve-portal.sh" load
page_source="$work/content/boston/labcentral.md"
original_page=$(cat "$page_source")

# load SECONDS PREFIX: the three wrk runs, their reports in $work/PREFIX-NAME.txt, while the page
# is edited every two seconds; the number of edits in $work/PREFIX-edits.
load() {
    local seconds=$1 prefix=$2
    (
        end=$((SECONDS + seconds))
        n=0
        while [ "$SECONDS" -lt "$end" ]; do
            n=$((n + 1))
            printf '%s\n<!-- edit %d -->\n' "$original_page" "$((n % 2))" >"$page_source"
            sleep 2
        done
        echo "$n" >"$work/$prefix-edits"
    ) &
    local editor=$! pids=()
    for target in page:/boston/labcentral/ static:/css/site.css missing:/no/such/page/; do
        wrk -t1 -c32 -d"${seconds}s" --latency "$base${target#*:}" >"$work/$prefix-${target%%:*}.txt" &
        pids+=($!)
    done
    wait "${pids[@]}"
    wait "$editor"
}

load "$warmup" warmup
sleep 3 # the last edit's rebuild done, the connections closed on the server side too
fd_before=$(descriptors)
threads_before=$(threads)
rss_before=$(resident_kb)
heap_before=$(heap_in_use)

load "$duration" run
sleep 3
fd_after=$(descriptors)
threads_after=$(threads)
rss_after=$(resident_kb)
rebuilds_before=$(grep -c " changed: " "$work/serve.log")
# A marker of the same length as the run's two, and unlike both: a change, the site the same size.
printf '%s\n<!-- edit 2 -->\n' "$original_page" >"$page_source"
for _ in $(seq 100); do
    [ "$(grep -c " changed: " "$work/serve.log")" -gt "$rebuilds_before" ] && break
    sleep 0.1
done
sleep 1
rss_rebuilt=$(resident_kb)
heap_after=$(heap_in_use)

summary() { # summary NAME FILE
    local rps p99 errors non2xx
    rps=$(awk '/Requests\/sec/ { print $2 }' "$2")
    p99=$(awk '$1 == "99%" { print $2 }' "$2")
    errors=$(grep -o 'Socket errors:.*' "$2" || echo "Socket errors: none")
    non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$2" || echo "Non-2xx or 3xx responses: 0")
    printf '%-8s %10s req/s   p99 %8s   %s; %s\n' "$1" "$rps" "$p99" "$errors" "$non2xx"
}
echo "bridgehead serve under load: ${duration} s after a ${warmup} s warm-up, 3 × wrk -c32, glibc tcache off, $(cat "$work/run-edits") edits (rebuilds) during the run"
summary page "$work/run-page.txt"
summary static "$work/run-static.txt"
summary 404 "$work/run-missing.txt"
echo "open descriptors: before $fd_before, after $fd_after"
echo "threads:          before $threads_before, after $threads_after"
echo "resident memory:  before $((rss_before / 1024)) MB, after $((rss_after / 1024)) MB, after one more rebuild $((rss_rebuilt / 1024)) MB"
if [ -n "$heap_before" ]; then echo "heap in use:      before $heap_before bytes, after $heap_after bytes"; fi
echo "rebuilds reported by the server: $rebuilds_before, then one more"
