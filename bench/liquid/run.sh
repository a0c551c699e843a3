#!/usr/bin/env bash
# Liquid render benchmark: the same page (nested loops, includes, ~20 filters) rendered N times
# by Bridgehead's engine and by python-liquid 2.3.6, measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-10000}
here=bench/liquid
swift build -c release --product liquid-bench >/dev/null
python3 -c 'import liquid, sys; sys.exit(0 if liquid.__version__ == "2.3.6" else 1)' 2>/dev/null \
    || pip install --quiet python-liquid==2.3.6
ours=$(.build/release/liquid-bench $here/templates/page.liquid $here/templates/includes $here/data.json "$iterations")
python_iterations=$(( iterations / 10 > 0 ? iterations / 10 : 1 ))
theirs=$(python3 $here/python_liquid_bench.py $here/templates/page.liquid $here/templates/includes $here/data.json "$python_iterations")
ours_us=${ours%% *}
theirs_us=${theirs%% *}
printf '%-28s %12s\n' "engine" "µs/render"
printf '%-28s %12s  (%s renders)\n' "bridgehead Liquid" "$ours_us" "$iterations"
printf '%-28s %12s  (%s renders)\n' "python-liquid 2.3.6" "$theirs_us" "$python_iterations"
python3 -c "print(f'bridgehead is {float(\"$theirs_us\") / float(\"$ours_us\"):.1f}x faster than python-liquid')"
