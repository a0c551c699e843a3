# Sourced by coverage-diff.sh and region-diff.sh with $corpus and $time set: copies the inputs
# of $corpus that existed at $time into $work/before and all of them into $work/all, in a
# temporary $work removed on exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/before" "$work/all"
# A running fuzzer replaces inputs as it reduces them: copies taken now, errors for files it
# removed meanwhile ignored.
find "$corpus" -type f ! -newermt "$time" -exec cp -p -t "$work/before" {} + 2>/dev/null || true
find "$corpus" -type f -exec cp -p -t "$work/all" {} + 2>/dev/null || true
