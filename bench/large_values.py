#!/usr/bin/env python3
"""large_values.py — issue 13's "large values are not a denial of service".

Starts Cairn (--fsync always) and Redis 7 (appendonly yes, appendfsync always)
one after the other, each on a free loopback port with an empty data
directory, pinned with taskset to SERVER_CPU (default 0); this client runs on
CLIENT_CPU (default 1). For each server it times, while a second connection
sends SET after SET and records the slowest of them:

  SETRANGE big 536870911 x      (under 40 bytes on the wire)
  SETBIT bb 4294967295 1
  GET big                       (a 512 MB reply)
  SET huge <256 MB value>

and reads the server's RSS and peak RSS (VmRSS, VmHWM) after each. Prints a
Markdown table. Every process is started and stopped by PID.

    /usr/bin/python3 bench/large_values.py --cairn build-release/cairn
"""

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

SERVER_CPU = os.environ.get("SERVER_CPU", "0")
CLIENT_CPU = int(os.environ.get("CLIENT_CPU", "1"))
MAX = 512 * 1024 * 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def read_reply(f):
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        if n < 0:
            return None
        left, chunks = n + 2, []
        while left:
            c = f.read(min(left, 1 << 20))
            left -= len(c)
            chunks.append(c)
        return b"".join(chunks)[:-2]
    return line.strip()


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def cmd(self, *args):
        self.s.sendall(enc(*args))
        return read_reply(self.f)


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) // 1024
    return out


def while_others_write(port, op):
    """Runs op() while another connection SETs in a loop; (op seconds, slowest other SET)."""
    slowest = [0.0]
    stop = threading.Event()

    def writer():
        c = Conn(port)
        while not stop.is_set():
            t = time.perf_counter()
            c.cmd("SET", "other", "1")
            slowest[0] = max(slowest[0], time.perf_counter() - t)

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(0.3)
    t = time.perf_counter()
    op()
    took = time.perf_counter() - t
    time.sleep(0.3)
    stop.set()
    th.join()
    return took, slowest[0]


def start(kind, binary, port, data):
    if kind == "cairn":
        argv = [binary, "serve", "--data-dir", data, "--port", str(port), "--bind", "127.0.0.1",
                "--http-port", "0", "--fsync", "always"]
    else:
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
                "--appendfsync", "always", "--save", "", "--proto-max-bulk-len", str(MAX)]
    p = subprocess.Popen(["taskset", "-c", SERVER_CPU] + argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if Conn(port).cmd("PING") == b"+PONG":
                return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise SystemExit(f"{kind} did not start")


def run(kind, binary):
    data = tempfile.mkdtemp(prefix=f"cairn-large-{kind}-")
    port = free_port()
    p = start(kind, binary, port, data)
    rows = []
    try:
        c = Conn(port)
        rows.append(("start", 0.0, 0.0, memory(p.pid)))
        t, s = while_others_write(port, lambda: c.cmd("SETRANGE", "big", MAX - 1, "x"))
        rows.append(("SETRANGE big 536870911 x", t, s, memory(p.pid)))
        t, s = while_others_write(port, lambda: c.cmd("SETBIT", "bb", 2**32 - 1, 1))
        rows.append(("SETBIT bb 4294967295 1", t, s, memory(p.pid)))
        got = []
        t, s = while_others_write(port, lambda: got.append(len(c.cmd("GET", "big"))))
        assert got == [MAX], got
        rows.append(("GET big (512 MB)", t, s, memory(p.pid)))
        value = b"v" * (256 << 20)
        t, s = while_others_write(port, lambda: c.cmd("SET", "huge", value))
        rows.append(("SET huge (256 MB)", t, s, memory(p.pid)))
    finally:
        p.terminate()
        p.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", default="build-release/cairn")
    args = ap.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    results = {"cairn": run("cairn", args.cairn), "redis": run("redis", None)}
    print("| step | server | took (s) | slowest other SET meanwhile (s) | RSS after (MB) | peak RSS so far (MB) |")
    print("|---|---|---:|---:|---:|---:|")
    for i, (step, *_rest) in enumerate(results["cairn"]):
        for kind in ("cairn", "redis"):
            _, took, slowest, mem = results[kind][i]
            print(f"| {step} | {kind} | {took:.3f} | {slowest:.3f} | {mem['VmRSS']} | {mem['VmHWM']} |")


if __name__ == "__main__":
    main()
