#!/usr/bin/env bash
# Live-reload churn on the preview server: `bridgehead serve` on a copy of the portal, then ROUNDS
# rounds of CLIENTS event-stream connections opened at once, each waited on until the stream's
# first bytes arrive, then all reset (SO_LINGER 0, so the server sees an abrupt drop, not a
# polite close). Right after the last drop one more page connects and a content file is edited:
# that page must get the `reload` event, so broadcasting while the dropped streams are being torn
# down neither stalls nor crashes. Open descriptors, established connections and resident memory
# before and after.
#
#   tools/reload-churn.sh [BRIDGEHEAD] [ROUNDS] [CLIENTS]   (defaults: .build/release/bridgehead, 10, 100)
#
# Bounded: every socket read times out after 10 s, the server is stopped by its PID at the end.
set -euo pipefail
bridgehead=$(realpath "${1:-.build/release/bridgehead}")
rounds=${2:-10}
clients=${3:-100}
source "$(dirname "$0")/serve-portal.sh" churn
connections() { ss -Htn state established "( sport = :$port )" | wc -l; }
fd_before=$(descriptors)
rss_before=$(resident_kb)
heap_before=$(heap_in_use)
connections_before=$(connections)

python3 - "$port" "$rounds" "$clients" "$work/content/boston/labcentral.md" <<'PYTHON'
import socket, struct, sys, time

port, rounds, clients, edited = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
request = f"GET /__bridgehead/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(request)
    return s

def read_until(s, marker):
    data = b""
    while marker not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"stream ended before {marker!r}; got {data!r}")
        data += chunk
    return data

def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

churn_started = time.monotonic()
for round in range(rounds):
    streams = [connect() for _ in range(clients)]
    for s in streams:
        read_until(s, b": connected")
    for s in streams:
        reset(s)
print(f"{rounds} rounds of {clients} event streams opened, read and reset in {time.monotonic() - churn_started:.2f} s")

watcher = connect()
read_until(watcher, b": connected")
with open(edited, "a") as f:
    f.write("\n<!-- churn edit -->\n")
started = time.monotonic()
read_until(watcher, b"event: reload")
print(f"a page connected after the churn got 'reload' {time.monotonic() - started:.2f} s after the edit")
reset(watcher)
PYTHON
sleep 3
fd_after=$(descriptors)
rss_after=$(resident_kb)
heap_after=$(heap_in_use)
connections_after=$(connections)
curl -fsS "http://127.0.0.1:$port/" >/dev/null
echo "the server still answers"
echo "open descriptors:        before $fd_before, after $fd_after"
echo "established connections: before $connections_before, after $connections_after"
echo "resident memory:         before $((rss_before / 1024)) MB, after $((rss_after / 1024)) MB"
if [ -n "$heap_before" ]; then echo "heap in use:             before $heap_before bytes, after $heap_after bytes"; fi
