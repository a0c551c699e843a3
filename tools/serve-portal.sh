# Sourced by tools/load-test.sh and tools/reload-churn.sh: serves a copy of the portal with
# "$bridgehead serve" on a free loopback port and waits until it answers. Sets work (the copy),
# port, base and server (the PID; stopped, and the copy removed, when the script exits), and
# defines descriptors, resident_kb and threads, the server's open descriptors, resident memory
# and threads, and heap_in_use.
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
threads() { awk '/^Threads/ { print $2 }' "/proc/$server/status"; }

# The bytes glibc's allocator has handed out and not had back, summed over its arenas: the
# server's live heap, which resident memory shows only together with the allocator's free pages.
# malloc_stats prints to the server's standard error, which goes to its log. Empty without gdb.
heap_in_use() {
    command -v gdb >/dev/null || return 0
    gdb -p "$server" -batch -ex 'call (void)malloc_stats()' >/dev/null 2>&1
    sleep 0.5
    awk '/^Total/ { total = 1 } total && /in use bytes/ { bytes = $NF; total = 0 } END { print bytes }' "$work/serve.log"
}
