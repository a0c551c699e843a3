# Sourced by coverage-diff.sh and region-diff.sh with $corpus and $time set: copies the inputs
# of $corpus that existed at $time (or, when $time is a folder, that folder's inputs: a copy of
# the corpus taken earlier) into $work/before and all of $corpus into $work/all, in a temporary
# $work removed on exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/before" "$work/all"
# A running fuzzer replaces inputs as it reduces them: copies taken now, errors for files it
# removed meanwhile ignored.
if [ -d "$time" ]; then
    find "$time" -type f -exec cp -p -t "$work/before" {} +
else
    find "$corpus" -type f ! -newermt "$time" -exec cp -p -t "$work/before" {} + 2>/dev/null || true
fi
find "$corpus" -type f -exec cp -p -t "$work/all" {} + 2>/dev/null || true
