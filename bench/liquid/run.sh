#!/usr/bin/env bash
# Liquid render benchmark: the same page (nested loops, includes, ~20 filters) rendered N times
# by Bridgehead's engine and by python-liquid 2.3.6, measured in the same run.
#
#   bench/liquid/run.sh [ITERATIONS] [ROUNDS]
#
# The two engines take turns, ROUNDS times (default 3), and the median of each round's ratio is
# the result: on a shared machine a single pair of runs can swing by a third, and a change in
# load hits both engines of a round alike more often than it hits two runs minutes apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-10000}
rounds=${2:-3}
here=bench/liquid
if ! built=$(swift build -c release --static-swift-stdlib --product liquid-bench 2>&1); then
    echo "$built" >&2
    exit 1
fi
python3 -c 'import liquid, sys; sys.exit(0 if liquid.__version__ == "2.3.6" else 1)' 2>/dev/null \
    || pip install --quiet python-liquid==2.3.6
python_iterations=$(( iterations / 10 > 0 ? iterations / 10 : 1 ))
printf '%-7s %18s %22s %8s\n' "round" "bridgehead µs" "python-liquid µs" "ratio"
ratios=()
for round in $(seq 1 "$rounds"); do
    ours=$(.build/release/liquid-bench $here/templates/page.liquid $here/templates/includes $here/data.json "$iterations")
    theirs=$(python3 $here/python_liquid_bench.py $here/templates/page.liquid $here/templates/includes $here/data.json "$python_iterations")
    ours_us=${ours%% *}
    theirs_us=${theirs%% *}
    ratio=$(python3 -c "print(f'{float(\"$theirs_us\") / float(\"$ours_us\"):.1f}')")
    ratios+=("$ratio")
    printf '%-7s %18s %22s %7sx\n' "$round" "$ours_us" "$theirs_us" "$ratio"
done
echo "($iterations renders by bridgehead, $python_iterations by python-liquid 2.3.6, each round)"
python3 -c "import statistics, sys; print(f'bridgehead is {statistics.median(map(float, sys.argv[1:])):.1f}x faster than python-liquid (median of $rounds rounds)')" "${ratios[@]}"
