#!/usr/bin/env bash
# Screenshots of the built portal with headless Chromium, for looking at the design:
# the home, a Boston page, a Daejeon page and the directory, in Korean and English, at
# 1280 px and 390 px wide, in the light scheme, plus the dark scheme at 390 px.
#
#   tools/screenshots.sh [SITE_DIR] [OUT_DIR]     (defaults: public, screenshots)
#
# Environment: CHROMIUM (browser binary), HEIGHT_WIDE / HEIGHT_NARROW (window heights,
# default 900 / 844; raise them to see whole pages), PAGES (space-separated site paths).
# SITE_DIR is served on 127.0.0.1 by python3's http.server for the duration of the run
# (file:// URLs would not resolve the site's root-relative links).
set -euo pipefail

site_dir=${1:-public}
out_dir=${2:-screenshots}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
height_wide=${HEIGHT_WIDE:-900}
height_narrow=${HEIGHT_NARROW:-844}
pages=${PAGES:-"/ /boston/labcentral/ /daejeon/ /directory/ /en/ /en/boston/labcentral/ /en/daejeon/ /en/directory/"}

if [ -z "$chromium" ]; then
    echo "screenshots: no Chromium found; install it (apt-get install -y chromium) or set CHROMIUM" >&2
    exit 1
fi
# Without a CJK font every Korean character is drawn as a box: the pictures would say nothing
# about Korean typography.
if command -v fc-list >/dev/null && ! fc-list :lang=ko | grep -q .; then
    echo "screenshots: no Korean font; install one (apt-get install -y fonts-noto-cjk)" >&2
    exit 1
fi
if [ ! -f "$site_dir/index.html" ]; then
    echo "screenshots: $site_dir/index.html is missing; build the site first (make site)" >&2
    exit 1
fi
mkdir -p "$out_dir"

# A free port, then the server; it is stopped by its own PID when the script ends.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site_dir" >/dev/null 2>&1 &
server_pid=$!
profile=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$profile"' EXIT
for _ in $(seq 50); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then break; fi
    sleep 0.1
done

# shot NAME URL WIDTH HEIGHT [extra chromium flags...]
shot() {
    local name=$1 url=$2 width=$3 height=$4
    shift 4
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$profile" --virtual-time-budget=3000 \
        --window-size="$width,$height" --screenshot="$out_dir/$name.png" "$@" "$url" >/dev/null 2>&1
    echo "$out_dir/$name.png"
}

count=0
for path in $pages; do
    # /en/boston/labcentral/ -> en-boston-labcentral; / -> home
    name=$(printf '%s' "$path" | sed -e 's#^/##' -e 's#/$##' -e 's#/#-#g')
    name=${name:-home}
    [ "$name" = en ] && name=en-home
    url="http://127.0.0.1:$port$path"
    shot "$name-1280" "$url" 1280 "$height_wide"
    shot "$name-390" "$url" 390 "$height_narrow"
    shot "$name-390-dark" "$url" 390 "$height_narrow" --force-dark-mode
    count=$((count + 3))
done
echo "screenshots: $count PNGs in $out_dir/"
