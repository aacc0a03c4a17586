#!/usr/bin/env python3
"""Simulated miners for measuring minemeter pool: many Stratum connections
from one process, on loopback only.

Each client logs in, then every --share-interval seconds (0: as fast as the
replies come) submits a share for its current job with a made-up result.
The pool hashes every share before it compares the result, so a made-up
share costs it what a real one does; it is refused as "Invalid result"
(run the pool with a large --max-invalid). With --share-interval -1 the
clients only log in and send keepalived every 60 s: connections held.

Prints one JSON object: clients logged in, shares answered, errors, and
the pool's CPU seconds over the run (from /proc, with --pool-pid).
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time


def pool_cpu_seconds(pid):
    """utime + stime of a process, in seconds (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Totals:
    def __init__(self):
        self.logged_in = 0
        self.answered = 0
        self.errors = 0


async def client(index, options, totals, stop_at):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", options.port, limit=1 << 20)
    except OSError:
        totals.errors += 1
        return
    login = {"id": 1, "jsonrpc": "2.0", "method": "login",
             "params": {"login": "sim-%d" % index, "pass": "x", "agent": "pool-clients/1"}}
    writer.write((json.dumps(login) + "\n").encode())
    try:
        reply = json.loads(await reader.readline())
        session = reply["result"]["id"]
        job = reply["result"]["job"]
    except (ValueError, KeyError, TypeError):
        totals.errors += 1
        writer.close()
        return
    totals.logged_in += 1
    request_id = 2
    nonce = random.getrandbits(24)
    try:
        while time.monotonic() < stop_at:
            if options.share_interval < 0:
                await asyncio.sleep(min(60, max(0.1, stop_at - time.monotonic())))
                message = {"id": request_id, "method": "keepalived", "params": {"id": session}}
            else:
                if options.share_interval > 0:
                    wait = random.expovariate(1 / options.share_interval)
                    left = stop_at - time.monotonic()
                    await asyncio.sleep(max(0.0, min(wait, left)))
                    if wait >= left:
                        break
                nonce = (nonce + 1) & 0xFFFFFFFF
                message = {"id": request_id, "method": "submit",
                           "params": {"id": session, "job_id": job["job_id"],
                                      "nonce": nonce.to_bytes(4, "little").hex(),
                                      "result": "%064x" % random.getrandbits(256)}}
            request_id += 1
            writer.write((json.dumps(message) + "\n").encode())
            # Replies and job notifications: read until this request's reply.
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("closed by the pool")
                m = json.loads(line)
                if m.get("method") == "job":
                    job = m["params"]
                    continue
                totals.answered += 1
                break
    except (ConnectionError, ValueError):
        totals.errors += 1
    finally:
        writer.close()


async def run(options):
    totals = Totals()
    start = time.monotonic()
    stop_at = start + options.duration
    tasks = []
    for i in range(options.clients):
        tasks.append(asyncio.create_task(client(i, options, totals, stop_at)))
        if i % 100 == 99:
            await asyncio.sleep(0.1)  # a burst of connects is not what is measured
    # The pool's CPU over the steady part: after every client had a chance to log in.
    await asyncio.sleep(min(2.0, options.duration / 4))
    cpu0 = pool_cpu_seconds(options.pool_pid) if options.pool_pid else None
    t0 = time.monotonic()
    answered0 = totals.answered
    await asyncio.gather(*tasks)
    t1 = time.monotonic()
    cpu1 = pool_cpu_seconds(options.pool_pid) if options.pool_pid else None
    result = {"clients": options.clients, "logged_in": totals.logged_in,
              "answered": totals.answered, "errors": totals.errors,
              "seconds": round(t1 - t0, 3),
              "answered_per_s": round((totals.answered - answered0) / (t1 - t0), 2)}
    if cpu0 is not None:
        result["pool_cpu_s"] = round(cpu1 - cpu0, 3)
        result["pool_cpu_percent"] = round(100 * (cpu1 - cpu0) / (t1 - t0), 2)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--share-interval", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--pool-pid", type=int, default=0)
    options = parser.parse_args()
    asyncio.run(run(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
