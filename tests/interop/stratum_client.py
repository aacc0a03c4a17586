#!/usr/bin/env python3
"""A Stratum miner that shares no code with minemeter's client.

It speaks Monero's Stratum dialect from the protocol alone (login, job,
submit), puts nonces into the job's blob itself, hashes through the
`minemeter hash` command (one process, one input per line) and submits the
hashes under the target. It exits 0 once --shares shares were accepted,
1 on any rejection or protocol surprise. On the way it checks two of the
pool's refusals: a right hash above the target is a "Low difficulty
share", and an accepted share sent again is a "Duplicate share". The lab pool's interoperability
test (tests/cli/test_cli_pool.c) runs it; it only ever connects to
127.0.0.1.
"""
import argparse
import json
import socket
import subprocess
import sys

NONCE_OFFSET = 39


def target_of(hex_target):
    """The 64-bit target a share's top 8 hash bytes must be under."""
    raw = bytes.fromhex(hex_target)
    if len(raw) == 4:
        compact = int.from_bytes(raw, "little")
        return 0xFFFFFFFFFFFFFFFF // (0xFFFFFFFF // compact)
    if len(raw) == 8:
        return int.from_bytes(raw, "little")
    raise ValueError("a target of %d hex digits" % len(hex_target))


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.reader = self.sock.makefile("r", encoding="utf-8")
        self.next_id = 1

    def call(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        line = json.dumps({"id": request_id, "jsonrpc": "2.0", "method": method,
                           "params": params})
        self.sock.sendall(line.encode() + b"\n")
        while True:
            text = self.reader.readline()
            if not text:
                raise RuntimeError("the pool closed the connection")
            message = json.loads(text)
            if message.get("id") == request_id:
                return message
            # A job notification between request and reply: keep the newest.
            if message.get("method") == "job":
                self.pending_job = message["params"]


def hashes(minemeter, job, blobs):
    """One hash per blob, from `minemeter hash` with the job's algorithm."""
    args = [minemeter, "hash", "--algo", job["algo"], "--height", str(job.get("height", 0))]
    if "seed_hash" in job:
        args += ["--key-hex", job["seed_hash"]]
    text = "".join(blob.hex() + "\n" for blob in blobs)
    out = subprocess.run(args, input=text, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return [bytes.fromhex(line) for line in out.split()]


def refused_as(pool, params, expected):
    """Submits params and checks the pool refuses it with the expected words."""
    reply = pool.call("submit", params)
    message = (reply.get("error") or {}).get("message")
    if message == "Block expired":
        return True  # the job was replaced meanwhile: nothing to conclude, nothing wrong
    if message != expected:
        print("expected \"%s\", got %s" % (expected, reply), file=sys.stderr)
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--minemeter", required=True)
    parser.add_argument("--shares", type=int, default=3)
    parser.add_argument("--login", default="python-client")
    options = parser.parse_args()

    pool = Connection(options.port)
    pool.pending_job = None
    reply = pool.call("login", {"login": options.login, "pass": "x",
                                "agent": "python-interop/1", "algo": ["cn/r"]})
    if reply.get("error"):
        print("login refused:", reply["error"], file=sys.stderr)
        return 1
    session = reply["result"]["id"]
    job = reply["result"]["job"]
    accepted = 0
    nonce = 0
    low_checked = False
    last_accepted = None
    # Until enough shares and one hash above the target to check: at difficulty 4
    # the first shares alone come before any such hash in one run of 64.
    while accepted < options.shares or not low_checked:
        if pool.pending_job is not None:
            job, pool.pending_job = pool.pending_job, None
        blob = bytearray.fromhex(job["blob"])
        target = target_of(job["target"])
        batch = []
        for _ in range(16):
            blob[NONCE_OFFSET:NONCE_OFFSET + 4] = nonce.to_bytes(4, "little")
            batch.append((nonce, bytes(blob)))
            nonce += 1
        for (n, _), digest in zip(batch, hashes(options.minemeter, job, [b for _, b in batch])):
            params = {"id": session, "job_id": job["job_id"],
                      "nonce": n.to_bytes(4, "little").hex(), "result": digest.hex()}
            if int.from_bytes(digest[24:32], "little") >= target:
                if not low_checked:
                    low_checked = True
                    if not refused_as(pool, params, "Low difficulty share"):
                        return 1
                continue
            reply = pool.call("submit", params)
            if reply.get("error"):
                message = reply["error"].get("message", "")
                if message == "Block expired":
                    break  # the job was replaced: the next batch takes the new one
                print("share refused:", message, file=sys.stderr)
                return 1
            if reply["result"].get("status") != "OK":
                print("unexpected reply:", reply, file=sys.stderr)
                return 1
            accepted += 1
            last_accepted = params
            if accepted >= options.shares and low_checked:
                break
    if not low_checked:
        print("no hash above the target came up to check \"Low difficulty share\"",
              file=sys.stderr)
        return 1
    if not refused_as(pool, last_accepted, "Duplicate share"):
        return 1
    print("%d shares accepted; a low one and a duplicate refused" % accepted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
