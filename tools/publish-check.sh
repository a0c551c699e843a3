#!/usr/bin/env bash
# Publishes the portal as the Pages workflow does, without deploying, and proves three things:
# every internal link resolves and carries the base path (the link checker, run on the written
# files), the feeds and the sitemap point under the base URL, and two publishes of a copy of
# the sources, into other folders and a second later, are byte-identical, manifest included.
# With VALIDATE_HTML=1 it also runs every page through the W3C checker (tools/validate-html.sh).
#
#   tools/publish-check.sh BRIDGEHEAD [BASE_URL]     (default: https://example.org/portal/)
set -euo pipefail

bridgehead=$1
base_url=${2:-https://example.org/portal/}
work=$(mktemp -d "${TMPDIR:-/tmp}/bridgehead-publish-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bridgehead" publish --base-url "$base_url" --output "$work/first"
"$bridgehead" check "$work/first" --base-url "$base_url" >/dev/null

for file in "$work/first/sitemap.xml" "$work/first/feed.xml" "$work/first/en/feed.xml"; do
    if grep -oE '(<loc>|href=")[^"<]*' "$file" | sed -E 's/^(<loc>|href=")//' | grep -v "^${base_url%/}/" ; then
        echo "publish-check: the URLs above in ${file#"$work"/} are not under $base_url" >&2
        exit 1
    fi
done

if [ "${VALIDATE_HTML:-0}" = 1 ]; then
    tools/validate-html.sh "$work/first"
else
    echo "publish-check: HTML not validated (set VALIDATE_HTML=1 to run the W3C checker)"
fi

# The same sources from another folder, into another folder, at another second.
mkdir -p "$work/copy"
cp -R site.yml content templates "$work/copy/"
sleep 1
"$bridgehead" publish --base-url "$base_url" --source "$work/copy" --output "$work/second/site" >/dev/null

cmp "$work/first/build-manifest.json" "$work/second/site/build-manifest.json"
diff -r "$work/first" "$work/second/site"
files=$(grep -c '"sha256"' "$work/first/build-manifest.json")
echo "publish-check: $files files under $base_url, links checked, two publishes byte-identical"
