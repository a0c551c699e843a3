#!/usr/bin/env bash
# Which regions of our own source a fuzz corpus's later inputs executed that its earlier ones
# never did. libFuzzer's `cov:` (and `coverage-diff.sh`) count edges of the compiled code, which
# include the standard library's code inlined into ours (Unicode decoding, integer parsing), so
# they keep rising after our own branches have all been taken; source regions (llvm-cov) do
# not. libFuzzer writes a reduced input as a new file and removes the old one, so a region an
# input found before TIME shows here again once that input is reduced after it. TIME may
# instead be a copy of the corpus taken earlier (`cp -r`), which a reduction cannot reach: the
# regions listed are then exactly those the corpus gained since. TARGET is a build with profile
# instrumentation and without AddressSanitizer:
#
#   cd fuzz && swift build -c release --scratch-path .build-cov -Xswiftc -enable-testing \
#       -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
#       -Xswiftc -profile-generate -Xswiftc -profile-coverage-mapping --product FuzzLiquid
#   ./region-diff.sh .build-cov/release/FuzzLiquid corpus/liquid-min "2026-12-05 08:40"
#   ./region-diff.sh .build-cov/release/FuzzLiquid corpus/liquid-min corpus/liquid-at-load
set -euo pipefail
target=${1:?usage: fuzz/region-diff.sh TARGET CORPUS TIME|EARLIER-COPY}
corpus=${2:?usage: fuzz/region-diff.sh TARGET CORPUS TIME|EARLIER-COPY}
time=${3:?usage: fuzz/region-diff.sh TARGET CORPUS TIME|EARLIER-COPY}
tools=$(dirname "$(readlink -f "$(command -v swift)")")
source "$(dirname "$0")/split-corpus.sh"
for part in before all; do
    LLVM_PROFILE_FILE="$work/$part.profraw" "$target" -runs=0 -rss_limit_mb=4096 "$work/$part" >/dev/null 2>&1
    "$tools/llvm-profdata" merge -sparse "$work/$part.profraw" -o "$work/$part.profdata"
    "$tools/llvm-cov" export -format=text -skip-expansions "$target" -instr-profile="$work/$part.profdata" \
        >"$work/$part.json"
    echo "$part: $(ls "$work/$part" | wc -l) inputs"
done
python3 - "$work/before.json" "$work/all.json" <<'PY'
import json, re, sys
def executed(path):
    """Source regions (file, start line:col, end line:col) of our code, with whether any
    instantiation of their function ran them."""
    regions = {}
    for function in json.load(open(path))["data"][0]["functions"]:
        for start, start_col, end, end_col, count, file_id, _, kind in function["regions"]:
            name = function["filenames"][file_id]
            # kind 0 is code; skipped (1), expansion and gap regions say nothing of what ran.
            # Packages' checkouts (Yams) have a Sources folder too but are not our code.
            if kind != 0 or "/checkouts/" in name or not re.search(r"/(Shared|Sources)/", name):
                continue
            key = (re.sub(r"^.*/(Shared|Sources)/", "", name), start, start_col, end, end_col)
            regions[key] = regions.get(key, False) or count > 0
    return regions
before, after = executed(sys.argv[1]), executed(sys.argv[2])
new = sorted(k for k, ran in after.items() if ran and not before.get(k, False))
ran_before = sum(before.values())
print(f"regions of our code executed: {ran_before} before, {sum(after.values())} after, of {len(after)}")
print(f"{len(new)} executed only by the later inputs:")
for file, line, col, end, end_col in new:
    print(f"  {file}:{line}:{col}-{end}:{end_col}")
PY
