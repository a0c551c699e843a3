# Sourced by tools/load-test.sh and tools/reload-churn.sh: serves a copy of the portal with
# "$bridgehead serve" on a free loopback port and waits until it answers. Sets work (the copy),
# port, base and server (the PID; stopped, and the copy removed, when the script exits), and
# defines descriptors and resident_kb, the server's open descriptors and resident memory.
#
#   source tools/serve-portal.sh NAME    (NAME goes into the temporary folder's name)
work=$(mktemp -d "${TMPDIR:-/tmp}/bridgehead-$1.XXXXXX")
cp -R site.yml content templates "$work/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Made before the server starts, so the wait below never reads a file not yet created.
: >"$work/serve.log"
"$bridgehead" serve --source "$work" --port "$port" >>"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do
    grep -q "Serving " "$work/serve.log" && break
    sleep 0.1
done
base="http://127.0.0.1:$port"
curl -fsS "$base/" >/dev/null

descriptors() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 | wc -l; }
resident_kb() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
