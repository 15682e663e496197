"""Soak: a mixed workload against one server for a while, sampling its RSS,
open file descriptors and disk use; then checks that memory stayed within the
configured budget plus a constant, descriptors returned to their baseline,
and the disk space of deleted data came back.

Workload (one thread each, pipelined in small batches):
  - strings: SET of 1 KiB values over 50,000 keys, GETs, DELs
  - TTL churn: SET ... PX 100..2000 over 20,000 keys, so keys keep expiring
  - collections: builds a hash, list, set or sorted set of 10,000-30,000
    members, reads part of it, then deletes it whole
  - HTTP: PUT/GET/DELETE on /v1/kv

    /usr/bin/python3 tests/soak/soak.py --binary build/cairn [--seconds 600]

At the end every key is deleted (FLUSHALL) and POST /v1/admin/compact runs:
the data directory must shrink to a fraction of its peak. Exit status 0 when
every check passed. Only loopback; the server is stopped by PID.
"""

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, _encode, rss_kb  # noqa: E402
from checks import check, finish  # noqa: E402

CACHE_MB = 64
# What a server holds beyond --cache-bytes: code and static data, RocksDB's
# table readers, index and filter blocks outside the cache, write buffers
# being flushed, per-connection and per-thread buffers, allocator slack.
# Measured peaks are in docs/robustness.md; this is the bound the test holds.
RSS_CONSTANT_MB = 160


def fd_count(pid, kind=None):
    """Open descriptors; kind "socket" counts sockets only, "file" the rest."""
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        is_socket = target.startswith("socket:")
        if kind is None or (kind == "socket") == is_socket:
            n += 1
    return n


def sst_count(path):
    return sum(1 for _, _, files in os.walk(path) for f in files if f.endswith(".sst"))


def disk_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.file = self.sock.makefile("rb")

    def pipeline(self, commands):
        self.sock.sendall(b"".join(_encode(c) for c in commands))
        return [self._reply() for _ in commands]

    def _reply(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return [self._reply() for _ in range(max(n, 0))]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest

    def close(self):
        self.sock.close()


def strings_worker(port, stop, stats):
    c, rng = Client(port), random.Random(1)
    value = b"s" * 1024
    while not stop.is_set():
        batch = []
        for _ in range(50):
            k = f"str:{rng.randrange(50000)}"
            r = rng.random()
            batch.append(["SET", k, value] if r < 0.5 else ["GET", k] if r < 0.9 else ["DEL", k])
        c.pipeline(batch)
        stats["strings"] += len(batch)
    c.close()


def ttl_worker(port, stop, stats):
    c, rng = Client(port), random.Random(2)
    while not stop.is_set():
        c.pipeline([["SET", f"ttl:{rng.randrange(20000)}", b"t" * 256, "PX", str(rng.randint(100, 2000))]
                    for _ in range(50)])
        stats["ttl"] += 50


def collections_worker(port, stop, stats):
    c, rng = Client(port), random.Random(3)
    n = 0
    while not stop.is_set():
        kind = ["hash", "list", "set", "zset"][n % 4]
        key = f"coll:{n}"
        size = rng.randint(10000, 30000)
        for start in range(0, size, 1000):
            ids = range(start, min(size, start + 1000))
            if kind == "hash":
                cmd = ["HSET", key] + [x for i in ids for x in (f"f{i}", f"value-{i}")]
            elif kind == "list":
                cmd = ["RPUSH", key] + [f"element-{i}" for i in ids]
            elif kind == "set":
                cmd = ["SADD", key] + [f"member-{i}" for i in ids]
            else:
                cmd = ["ZADD", key] + [x for i in ids for x in (str(i), f"member-{i}")]
            c.pipeline([cmd])
            if stop.is_set():
                break
        c.pipeline([["TYPE", key], ["DEL", key]])
        stats["collections"] += 1
        stats["members"] += size
        n += 1
    c.close()


def http_worker(http_port, stop, stats):
    rng = random.Random(4)
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=60)
    while not stop.is_set():
        k = f"/v1/kv/http:{rng.randrange(5000)}"
        r = rng.random()
        method, body = ("PUT", b"h" * 512) if r < 0.5 else ("GET", None) if r < 0.9 else ("DELETE", None)
        conn.request(method, k, body=body)
        conn.getresponse().read()
        stats["http"] += 1
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--sample-every", type=float, default=5)
    args = ap.parse_args()
    # A short change feed: it keeps --feed-retention revisions by design
    # (watchers replay from it), which would otherwise dominate what remains
    # on disk after the deletes.
    extra = ["--fsync", "everysec", "--cache-bytes", f"{CACHE_MB}mb", "--feed-retention", "10000"]
    with CairnServer(args.binary, extra_args=extra) as srv:
        pid = srv.pid
        base_fds = fd_count(pid)
        base_sockets = fd_count(pid, "socket")
        base_rss = rss_kb(pid)
        stop = threading.Event()
        stats = {"strings": 0, "ttl": 0, "collections": 0, "members": 0, "http": 0}
        workers = [threading.Thread(target=strings_worker, args=(srv.port, stop, stats)),
                   threading.Thread(target=ttl_worker, args=(srv.port, stop, stats)),
                   threading.Thread(target=collections_worker, args=(srv.port, stop, stats)),
                   threading.Thread(target=http_worker, args=(srv.http_port, stop, stats))]
        for w in workers:
            w.start()
        samples = []
        t0 = time.monotonic()
        while time.monotonic() - t0 < args.seconds:
            time.sleep(args.sample_every)
            s = (time.monotonic() - t0, rss_kb(pid), fd_count(pid), disk_bytes(srv.data_dir))
            samples.append(s)
            print("t=%5.0fs rss=%6.1f MiB fds=%4d disk=%7.1f MiB  ops: %s"
                  % (s[0], s[1] / 1024, s[2], s[3] / 2**20, stats), flush=True)
        stop.set()
        for w in workers:
            w.join(120)
        check("workers finished", not any(w.is_alive() for w in workers))

        peak_rss = max(s[1] for s in samples) / 1024
        peak_disk = max(s[3] for s in samples)
        print(f"baseline: rss={base_rss / 1024:.1f} MiB fds={base_fds}; peak rss={peak_rss:.1f} MiB, "
              f"peak disk={peak_disk / 2**20:.1f} MiB")
        check(f"RSS stayed within --cache-bytes ({CACHE_MB} MiB) + {RSS_CONSTANT_MB} MiB",
              peak_rss <= CACHE_MB + RSS_CONSTANT_MB, f"peak {peak_rss:.1f} MiB")
        time.sleep(1)
        sockets = fd_count(pid, "socket")
        check("socket descriptors back to the baseline once clients leave", sockets <= base_sockets,
              f"{sockets} now, {base_sockets} at start")
        # Other descriptors are RocksDB's: the WAL, logs, and every live table
        # file (its table cache keeps them open). They follow the table count.
        files, ssts = fd_count(pid, "file"), sst_count(srv.data_dir)
        check("file descriptors track the live table files", files <= ssts + (base_fds - base_sockets) + 8,
              f"{files} open, {ssts} tables, {base_fds - base_sockets} non-socket at start")

        # Delete everything, compact: the space must come back.
        srv.command("FLUSHALL", timeout=120)
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=60)
        conn.request("POST", "/v1/admin/compact")
        status = conn.getresponse().status
        conn.close()
        check("compact accepted", status in (202, 409), status)
        deadline = time.monotonic() + 120
        after = disk_bytes(srv.data_dir)
        while time.monotonic() < deadline and after > peak_disk * 0.5:
            time.sleep(2)
            after = disk_bytes(srv.data_dir)
        print(f"disk after FLUSHALL + compact: {after / 2**20:.1f} MiB (peak {peak_disk / 2**20:.1f} MiB); "
              f"fds {fd_count(pid)} ({sst_count(srv.data_dir)} tables)")
        check("disk use reclaimed after deletes (under half the peak)", after <= peak_disk * 0.5,
              f"{after / 2**20:.1f} MiB of {peak_disk / 2**20:.1f} MiB")
        print("totals:", stats)
    finish()


if __name__ == "__main__":
    main()
