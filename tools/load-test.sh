#!/usr/bin/env bash
# Load on the preview server: `bridgehead serve` on a copy of the portal, three wrk runs at once
# (a page, a static file, a 404) for DURATION seconds while a content file is edited every two
# seconds (each edit is a rebuild and a reload event); then open file descriptors and resident
# memory before and after, and the requests/s, p99 latency and errors of each run. Resident
# memory is measured again after one more edit (the server hands freed memory back to the
# system after each rebuild, so the slack the requests left goes), and with gdb installed the
# heap in use (glibc's malloc_stats, called in the server) before and after.
#
#   tools/load-test.sh [BRIDGEHEAD] [DURATION]    (defaults: .build/release/bridgehead, 30)
#
# Needs wrk (apt-get install -y wrk). Bounded: wrk stops after DURATION, the server is stopped
# by its PID when the script ends.
set -euo pipefail
bridgehead=$(realpath "${1:-.build/release/bridgehead}")
duration=${2:-30}
source "$(dirname "$0")/serve-portal.sh" load
# Settle: the first requests allocate the server's pools; measure from there.
wrk -t1 -c8 -d2s "$base/boston/labcentral/" >/dev/null
sleep 1 # its connections closed on the server side too
fd_before=$(descriptors)
rss_before=$(resident_kb)
heap_before=$(heap_in_use)

edits() {
    local end=$((SECONDS + duration))
    local n=0
    while [ "$SECONDS" -lt "$end" ]; do
        n=$((n + 1))
        printf '\n<!-- edit %d -->\n' "$n" >>"$work/content/boston/labcentral.md"
        sleep 2
    done
    echo "$n"
}
edits >"$work/edits" &
editor=$!
pids=()
for target in page:/boston/labcentral/ static:/css/site.css missing:/no/such/page/; do
    wrk -t1 -c32 -d"${duration}s" --latency "$base${target#*:}" >"$work/${target%%:*}.txt" &
    pids+=($!)
done
wait "${pids[@]}"
wait "$editor"
sleep 3
fd_after=$(descriptors)
rss_after=$(resident_kb)
rebuilds_before=$(grep -c " changed: " "$work/serve.log")
printf '\n<!-- one more edit -->\n' >>"$work/content/boston/labcentral.md"
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
echo "bridgehead serve under load: ${duration} s, 3 × wrk -c32, $(cat "$work/edits") edits (rebuilds) during the run"
summary page "$work/page.txt"
summary static "$work/static.txt"
summary 404 "$work/missing.txt"
echo "open descriptors: before $fd_before, after $fd_after"
echo "resident memory:  before $((rss_before / 1024)) MB, after $((rss_after / 1024)) MB, after one more rebuild $((rss_rebuilt / 1024)) MB"
if [ -n "$heap_before" ]; then echo "heap in use:      before $heap_before bytes, after $heap_after bytes"; fi
echo "rebuilds reported by the server: $rebuilds_before, then one more"
