#!/usr/bin/env python3
"""Asks a running minemeter's HTTP API for its figures at a fixed rate.

    api_hammer.py PORT RATE SECONDS [TOKEN]

Over one keep-alive connection it sends RATE requests a second (0: none)
for SECONDS, cycling through /1/summary, /api/summary, /metrics and
/api/history, and prints one JSON line: the requests sent and answered, the
rate achieved, and the miner's own hash count and clock over the window
(from /api/summary, read before and after), so the hash rate is the
miner's, over exactly the hammered window. scripts/http-api-bench.sh runs
it beside a quiet control.
"""
import http.client
import json
import sys
import time

PATHS = ["/1/summary", "/api/summary", "/metrics", "/api/history"]


def main():
    port, rate, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    headers = {"Authorization": "Bearer " + sys.argv[4]} if len(sys.argv) > 4 else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get(path):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, body

    status, body = get("/api/summary")
    if status != 200:
        sys.exit("api_hammer: /api/summary answered %d" % status)
    before = json.loads(body)
    sent = bad = 0
    start = time.monotonic()
    if rate > 0:
        due = start
        while time.monotonic() - start < seconds:
            status, _ = get(PATHS[sent % len(PATHS)])
            sent += 1
            bad += status != 200
            due += 1.0 / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    else:
        time.sleep(seconds)
    elapsed = time.monotonic() - start
    # The status is published once a second: wait for one taken after the window.
    time.sleep(1.05)
    conn.close()  # an idle connection may have met the server's 10 s timeout: a fresh one
    status, body = get("/api/summary")
    after = json.loads(body)
    span = after["uptime_s"] - before["uptime_s"]
    hashes = after["hashes_total"] - before["hashes_total"]
    print(json.dumps({
        "requests": sent,
        "not_200": bad,
        "requests_per_s": round(sent / elapsed, 1),
        "hashes": hashes,
        "seconds": round(span, 3),
        "hashes_per_s": round(hashes / span, 3),
    }))


if __name__ == "__main__":
    main()
