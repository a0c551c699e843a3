#!/usr/bin/env bash
# Appends the last coverage line of each fuzz log to SAMPLES every INTERVAL seconds, so that a
# long run's edges over time can be read afterwards (libFuzzer prints them only as it finds
# them). Stop it with kill when the runs end.
#
#   fuzz/sample.sh LOG_FOLDER [INTERVAL]      (writes LOG_FOLDER/samples.txt; default 300 s)
set -uo pipefail
logs=${1:?usage: fuzz/sample.sh LOG_FOLDER [INTERVAL]}
interval=${2:-300}
while true; do
    for log in "$logs"/*.log; do
        [ -f "$log" ] || continue
        line=$(grep -a -E '^#[0-9]+.*cov:' "$log" | tail -1)
        [ -n "$line" ] && echo "$(date -u +%H:%M) $(basename "$log" .log) $line" >>"$logs/samples.txt"
    done
    sleep "$interval"
done
