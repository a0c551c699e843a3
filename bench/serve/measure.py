#!/usr/bin/env python3
"""Measures `bridgehead serve` on a generated corpus: the time from saving a file to the
live-reload event reaching an open page.

Usage: measure.py BRIDGEHEAD CORPUS [--edits 20] [--full-edits 3]

Starts `BRIDGEHEAD serve --source CORPUS --port 0`, connects to its event stream as the page
script does, then edits one page's Markdown EDITS times (a different page each time) and touches
the layout FULL_EDITS times (a change that rebuilds everything), timing each save until the
`reload` event. Prints one line per measure and the medians.
"""
import argparse
import glob
import os
import re
import socket
import statistics
import subprocess
import sys
import time


class EventStream:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        self.sock.sendall(f"GET /__bridgehead/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.buffer = b""

    def wait_for(self, name):
        """Returns when an `event: NAME` line arrives after this call."""
        marker = f"event: {name}\n".encode()
        self.buffer = b""
        while marker not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                sys.exit("measure: the event stream ended")
            self.buffer += data
        return self.buffer


def save(path, text):
    temporary = path + ".saving"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, path)


def timed_save(stream, path, text, expected="reload"):
    started = time.monotonic()
    save(path, text)
    stream.wait_for(expected)
    return (time.monotonic() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bridgehead")
    parser.add_argument("corpus")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--full-edits", type=int, default=3)
    args = parser.parse_args()

    started = time.monotonic()
    server = subprocess.Popen([args.bridgehead, "serve", "--source", args.corpus, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    first_build = time.monotonic() - started
    match = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
    if not match or "build failed" in line:
        server.kill()
        sys.exit(f"measure: serve did not start cleanly: {line}{server.stderr.read()[:4000]}")
    print(f"serve: first build and listening after {first_build:.2f} s: {line.strip()}")
    stream = EventStream(int(match.group(1)))
    time.sleep(0.5)

    pages = sorted(glob.glob(os.path.join(args.corpus, "content", "sec-*", "page-*.md")))
    step = max(1, len(pages) // max(1, args.edits))
    page_times = []
    for index in range(args.edits):
        path = pages[(index * step) % len(pages)]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        page_times.append(timed_save(stream, path, text + f"\nEdited for the benchmark, round {index}.\n"))
        print(f"  page edit {index + 1:2d}: {page_times[-1]:8.1f} ms  ({os.path.relpath(path, args.corpus)})")
        time.sleep(0.2)

    layout = os.path.join(args.corpus, "templates", "layouts", "default.liquid")
    with open(layout, encoding="utf-8") as f:
        layout_text = f.read()
    full_times = []
    for index in range(args.full_edits):
        full_times.append(timed_save(stream, layout, layout_text + f"<!-- benchmark {index} -->\n"))
        print(f"  layout edit {index + 1}: {full_times[-1]:8.1f} ms")
        time.sleep(0.2)
    save(layout, layout_text)
    stream.wait_for("reload")

    server.send_signal(2)
    server.wait(timeout=30)
    page_median = statistics.median(page_times)
    print(f"page edit -> reload event: median {page_median:.1f} ms over {len(page_times)} edits "
          f"(min {min(page_times):.1f}, max {max(page_times):.1f}; goal < 50 ms)")
    if full_times:
        full_median = statistics.median(full_times)
        print(f"layout edit (full rebuild) -> reload event: median {full_median:.1f} ms over {len(full_times)} edits")
        print(f"ratio full rebuild / page edit: {full_median / page_median:.1f}x")


if __name__ == "__main__":
    main()
