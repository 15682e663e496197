"""Issue 3, acceptance 2: a collection of N members (default 1,000,000) of each
type is created, read back with *SCAN, and deleted; DEL's server time is taken
from INFO commandstats and the on-disk size is sampled before and after
(with BGREWRITEAOF, which compacts, to reclaim the space).

    /usr/bin/python3 bench/collections_million.py --binary build/cairn [--members N]

Prints one line per type and a summary table (Markdown) for the note.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from cairn_server import CairnServer  # noqa: E402


def info_field(cli, section, field):
    value = cli.info(section).get(field)
    return None if value is None else str(value)


def del_usec(cli):
    stat = cli.info("commandstats").get("cmdstat_del")
    if not stat:
        return 0, 0
    return int(stat["usec"]), int(stat["calls"])


def fill(cli, kind, key, n, batch=1000):
    pipe = cli.pipeline(transaction=False)
    for start in range(0, n, batch):
        members = range(start, min(start + batch, n))
        if kind == "hash":
            pipe.hset(key, mapping={f"f{i}": f"v{i}" for i in members})
        elif kind == "set":
            pipe.sadd(key, *[f"m{i}" for i in members])
        elif kind == "zset":
            pipe.zadd(key, {f"m{i}": i for i in members})
        elif kind == "list":
            pipe.rpush(key, *[f"e{i}" for i in members])
        if len(pipe) >= 20:
            pipe.execute()
    pipe.execute()


def scan_count(cli, kind, key):
    seen = set()
    if kind == "list":
        total = 0
        for start in range(0, 10**9, 10000):
            chunk = cli.lrange(key, start, start + 9999)
            if not chunk:
                break
            total += len(chunk)
        return total
    cursor = 0
    while True:
        if kind == "hash":
            cursor, page = cli.hscan(key, cursor, count=1000)
            seen.update(page.keys())
        elif kind == "set":
            cursor, page = cli.sscan(key, cursor, count=1000)
            seen.update(page)
        else:
            cursor, page = cli.zscan(key, cursor, count=1000)
            seen.update(m for m, _ in page)
        if cursor == 0:
            return len(seen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--members", type=int, default=1_000_000)
    args = ap.parse_args()
    rows = []
    with CairnServer(args.binary, extra_args=["--fsync", "everysec"]) as srv:
        cli = srv.client()
        for kind in ("hash", "set", "zset", "list"):
            key = f"big:{kind}"
            t0 = time.time()
            fill(cli, kind, key, args.members)
            t_fill = time.time() - t0
            cli.execute_command("SAVE")
            disk_full = int(info_field(cli, "cairn", "disk_bytes") or 0)
            t0 = time.time()
            n = scan_count(cli, kind, key)
            t_scan = time.time() - t0
            usec0, calls0 = del_usec(cli)
            cli.delete(key)
            usec1, calls1 = del_usec(cli)
            del_us = usec1 - usec0
            cli.execute_command("BGREWRITEAOF")  # flush + compact: reclaims the members
            for _ in range(600):
                time.sleep(0.1)
                if info_field(cli, "persistence", "aof_rewrite_in_progress") == "0":
                    break
            disk_after = int(info_field(cli, "cairn", "disk_bytes") or 0)
            ok = n == args.members and cli.exists(key) == 0
            rows.append((kind, args.members, t_fill, n, t_scan, del_us, disk_full, disk_after, ok))
            print(f"{kind}: filled {args.members} in {t_fill:.1f}s, scanned {n} in {t_scan:.1f}s, "
                  f"DEL {del_us} us server time, disk {disk_full/1e6:.1f} MB -> {disk_after/1e6:.1f} MB, "
                  f"{'OK' if ok else 'MISMATCH'}", flush=True)
    print("\n| type | members | fill s | scanned | scan s | DEL server µs | disk before DEL | disk after DEL+compact |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, m, tf, n, ts, du, d0, d1, ok in rows:
        print(f"| {kind} | {m:,} | {tf:.1f} | {n:,} | {ts:.1f} | {du} | {d0/1e6:.1f} MB | {d1/1e6:.1f} MB |")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
