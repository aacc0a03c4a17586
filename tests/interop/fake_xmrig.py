#!/usr/bin/env python3
"""A stand-in for XMRig, for bench --xmrig's tests: it answers --version as
XMRig does, serves /1/summary with a fixed hash rate on the --http-port it is
given, and logs in to the --url pool, where it sends shares that are wrong
(FAKE_XMRIG_SHARES=wrong, the default) or none (FAKE_XMRIG_SHARES=none). It
never computes a hash: the point is that bench refuses its figure. With
FAKE_XMRIG_PAUSES=FILE it counts the times it was stopped for a second or
more (its clock jumps between two short sleeps) into FILE."""
import http.server
import json
import os
import signal
import socket
import sys
import threading
import time


def option(name, default=None):
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


class Summary(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"hashrate": {"total": [123.0, None, None]}}).encode()
        self.send_response(200 if self.path == "/1/summary" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def count_pauses(path):
    pauses, last = 0, time.monotonic()
    while True:
        time.sleep(0.1)
        now = time.monotonic()
        if now - last > 1.0:
            pauses += 1
            with open(path, "w") as f:
                f.write("%d\n" % pauses)
        last = now


def main():
    if "--version" in sys.argv:
        print("XMRig 6.26.0\n built by minemeter's tests (a stand-in)")
        return 0
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = http.server.HTTPServer(("127.0.0.1", int(option("--http-port"))), Summary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if os.environ.get("FAKE_XMRIG_PAUSES"):
        threading.Thread(target=count_pauses, args=(os.environ["FAKE_XMRIG_PAUSES"],),
                         daemon=True).start()
    host, port = option("--url").rsplit(":", 1)
    pool = socket.create_connection((host, int(port)))
    reader = pool.makefile("r")
    login = {"id": 1, "method": "login",
             "params": {"login": "fake", "pass": "x", "agent": "XMRig/6.26.0 (stand-in)",
                        "algo": [option("--algo")]}}
    pool.sendall((json.dumps(login) + "\n").encode())
    reply = json.loads(reader.readline())
    session, job = reply["result"]["id"], reply["result"]["job"]
    for n in range(1000):
        time.sleep(1)
        if os.environ.get("FAKE_XMRIG_SHARES", "wrong") == "wrong":
            share = {"id": 2 + n, "method": "submit",
                     "params": {"id": session, "job_id": job["job_id"],
                                "nonce": "%08x" % n, "result": "00" * 32}}
            pool.sendall((json.dumps(share) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
