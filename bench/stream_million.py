"""Issue 15, acceptance 3: a stream of N entries (default 1,000,000): XADD
throughput, XRANGE of the last 100 entries and XREADGROUP/XACK latency
independent of length, RSS bounded, space reclaimed after DEL.

    /usr/bin/python3 bench/stream_million.py --binary build/cairn [--entries N] [--redis]

Cairn runs with --fsync everysec --cache-bytes 64mb (--cache-bytes, and
--cairn-args for more options); --redis also runs Debian's redis-server (AOF
everysec, no RDB). Servers are pinned to one CPU and this script to another
(--no-pin to turn off).

The stream is filled with pipelined XADD (batches of 1000, one field/value
each); throughput is reported per tenth of the fill. At checkpoints (1k, 10k,
..., N entries) 200 calls each (client median/p99, and the server's mean from
INFO commandstats) of: single XADD, XREVRANGE + - COUNT 100, XRANGE from the
100th newest ID to +, XRANGE - + COUNT 100 (oldest), XLEN, and XREADGROUP
COUNT 10 > then XACK of the 10 IDs. The group is created at $ and, before each
checkpoint, moved with XGROUP SETID to just before the newest 2000 entries, so
the reads deliver the newest entries, as a consumer that keeps up does (a group
left at 0 would read the oldest entries only, and run dry on small streams);
each read is acknowledged, so the pending list stays empty. RSS, peak RSS and
the data directory's size are sampled at each checkpoint. At the end: compact
(BGREWRITEAOF), DEL (timed), compact again, disk size before and after.
Cairn's change feed keeps --feed-retention revisions (1,000,000 by default, one
per XADD) after the DEL; --cairn-args "--feed-retention 10000" shows the rest.
"""

import argparse
import os
import shlex
import shutil
import sys
import time

import redis

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from cairn_server import CairnServer, rss_kb  # noqa: E402
from reference_redis import RedisServer  # noqa: E402

KEY = "big:stream"
CALLS = 200


def du(path):
    return sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files)


def hwm_kb(pid):  # peak RSS
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmHWM:")[1].split()[0])


def settle(pid, limit=60.0):
    """Wait until the server uses < 5% of a CPU (flushes and compactions done); returns seconds waited."""
    def cpu():  # utime + stime, all threads
        with open(f"/proc/{pid}/stat") as f:
            return sum(map(int, f.read().rsplit(")", 1)[1].split()[11:13])) / os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        c0 = cpu()
        time.sleep(0.5)
        if cpu() - c0 < 0.025:
            break
    return time.monotonic() - t0


def cmdstat(cli, name):
    s = cli.info("commandstats").get(f"cmdstat_{name}") or {}
    return int(s.get("usec", 0)), int(s.get("calls", 0))


def stats(xs, s0, s1):
    xs = sorted(xs)
    srv = (s1[0] - s0[0]) / max(1, s1[1] - s0[1])
    return xs[len(xs) // 2], xs[min(len(xs) - 1, int(len(xs) * 0.99))], srv


def timed(cli, name, fn, n=CALLS):
    s0, xs = cmdstat(cli, name), []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1e6)
    return stats(xs, s0, cmdstat(cli, name))


def xadd_batch(conn, start, n):
    """n XADDs in one write, then n replies; returns seconds."""
    buf = b"".join(b"*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$1\r\n*\r\n$1\r\nf\r\n$%d\r\n%d\r\n"
                   % (len(KEY), KEY.encode(), len(str(i)), i) for i in range(start, start + n))
    t = time.perf_counter()
    conn.send_packed_command([buf])
    for _ in range(n):
        conn.read_response()  # raises on an error reply
    return time.perf_counter() - t


def wait_rewrite(cli):
    cli.execute_command("BGREWRITEAOF")
    for _ in range(6000):
        time.sleep(0.1)
        p = cli.info("persistence")
        if str(p.get("aof_rewrite_in_progress")) == "0" and str(p.get("aof_rewrite_scheduled", 0)) == "0":
            return


def checkpoint(cli, n):
    """Latencies at length n: {op: (p50 µs, p99 µs, server µs/call)}."""
    r = {"XADD": timed(cli, "xadd", lambda: cli.xadd(KEY, {"f": "v"}))}  # these CALLS entries count towards n
    r["XREVRANGE + - COUNT 100"] = timed(cli, "xrevrange", lambda: cli.xrevrange(KEY, count=100))
    last100 = cli.xrevrange(KEY, count=100)[-1][0]
    r["XRANGE last 100"] = timed(cli, "xrange", lambda: cli.xrange(KEY, min=last100))
    r["XRANGE - + COUNT 100"] = timed(cli, "xrange", lambda: cli.xrange(KEY, count=100))
    r["XLEN"] = timed(cli, "xlen", lambda: cli.xlen(KEY))
    rounds = min(CALLS, n // 10)
    older = cli.xrevrange(KEY, count=10 * rounds + 1)
    cli.xgroup_setid(KEY, "g", older[-1][0] if len(older) > 10 * rounds else "0")
    rs0, as0, rx, ax, got = cmdstat(cli, "xreadgroup"), cmdstat(cli, "xack"), [], [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        reply = cli.xreadgroup("g", "c", {KEY: ">"}, count=10)
        t1 = time.perf_counter()
        ids = [e[0] for e in reply[0][1]] if reply else []
        got += cli.xack(KEY, "g", *ids) if ids else 0
        ax.append((time.perf_counter() - t1) * 1e6)
        rx.append((t1 - t) * 1e6)
    r["XREADGROUP COUNT 10 >"] = stats(rx, rs0, cmdstat(cli, "xreadgroup"))
    r["XACK 10"] = stats(ax, as0, cmdstat(cli, "xack"))
    return r, got == 10 * rounds


def run(name, srv, n):
    cli = srv.client()
    conn = cli.connection_pool.get_connection("XADD")
    cli.xgroup_create(KEY, "g", "$", mkstream=True)
    cps = sorted({10 ** k for k in range(3, 10) if 10 ** k < n} | {n})
    batches, cp_rows, added, ok = [], [], 0, True
    for cp in cps:
        while added < cp - CALLS:
            b = min(1000, cp - CALLS - added)
            batches.append((added, b, xadd_batch(conn, added, b)))
            added += b
        wait = settle(srv.pid)
        (lat, acked), added, xlen = checkpoint(cli, cp), cp, cli.xlen(KEY)
        ok = ok and acked and xlen == cp
        cp_rows.append((cp, xlen, lat, rss_kb(srv.pid), hwm_kb(srv.pid), du(srv.data_dir), wait))
        print(f"{name} {cp:,}: XLEN {xlen:,}, RSS {cp_rows[-1][3]/1024:.0f} MB, " +
              ", ".join(f"{k} {v[0]:.0f} µs" for k, v in lat.items()), flush=True)
    cli.connection_pool.release(conn)
    tput = []
    for lo, hi in [(0, min(10000, n))] + [(n * k // 10, n * (k + 1) // 10) for k in range(10)] + [(max(0, n - 10000), n)]:
        sel = [(c, s) for start, c, s in batches if lo <= start < hi]
        tput.append((lo, hi, sum(c for c, _ in sel) / max(1e-9, sum(s for _, s in sel))))
    wait_rewrite(cli)  # compact first, so "before" is the data, not the WAL
    disk_before = du(srv.data_dir)
    u0, t0 = cmdstat(cli, "del"), time.perf_counter()
    deleted = cli.delete(KEY)
    del_ms, u1, disk_del = (time.perf_counter() - t0) * 1e3, cmdstat(cli, "del"), du(srv.data_dir)
    t0 = time.perf_counter()
    wait_rewrite(cli)
    compact_s, disk_after = time.perf_counter() - t0, du(srv.data_dir)
    ok = ok and deleted == 1 and cli.exists(KEY) == 0
    end = dict(del_ms=del_ms, del_us=u1[0] - u0[0], before=disk_before, after_del=disk_del,
               after=disk_after, compact_s=compact_s, rss=rss_kb(srv.pid), hwm=hwm_kb(srv.pid))
    print(f"{name}: DEL {del_ms:.1f} ms, disk {disk_before/1e6:.1f} MB -> {disk_after/1e6:.1f} MB, "
          f"{'OK' if ok else 'MISMATCH'}", flush=True)
    return dict(name=name, cps=cp_rows, tput=tput, end=end, ok=ok)


def report(results):
    print("\n| server | entries | op | p50 µs | p99 µs | server µs/call |")
    print("|---|---:|---|---:|---:|---:|")
    for r in results:
        for cp, _, lat, *_ in r["cps"]:
            for op, (p50, p99, srv) in lat.items():
                print(f"| {r['name']} | {cp:,} | {op} | {p50:.0f} | {p99:.0f} | {srv:.1f} |")
    print("\n| server | entries | XLEN | idle after s | RSS MB | peak RSS MB | disk MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for cp, xlen, _, rss, hwm, disk, wait in r["cps"]:
            print(f"| {r['name']} | {cp:,} | {xlen:,} | {wait:.1f} | {rss/1024:.0f} | {hwm/1024:.0f} | {disk/1e6:.1f} |")
    names = [r["name"] for r in results]
    print("\n| XADD pipelined, entries | " + " | ".join(f"{n} entries/s" for n in names) + " |")
    print("|---|" + "---:|" * len(names))
    labels = ["first 10k"] + [f"{k*10}–{k*10+10}%" for k in range(10)] + ["last 10k"]
    for i, label in enumerate(labels):
        lo, hi, _ = results[0]["tput"][i]
        print(f"| {label} ({lo:,}–{hi:,}) | " + " | ".join(f"{r['tput'][i][2]:,.0f}" for r in results) + " |")
    print("\n| server | DEL ms | DEL server µs | disk before DEL | after DEL | after DEL+compact | "
          "compact s | RSS after MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        e = r["end"]
        print(f"| {r['name']} | {e['del_ms']:.1f} | {e['del_us']} | {e['before']/1e6:.1f} MB | "
              f"{e['after_del']/1e6:.1f} MB | {e['after']/1e6:.1f} MB | {e['compact_s']:.1f} | "
              f"{e['rss']/1024:.0f} | {e['hwm']/1024:.0f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--cache-bytes", default="64mb")
    ap.add_argument("--cairn-args", default="", help="more cairn serve options, e.g. '--feed-retention 10000'")
    ap.add_argument("--redis", action="store_true", help="also run Debian's redis-server")
    ap.add_argument("--no-pin", action="store_true")
    args = ap.parse_args()
    if args.entries < 1000:
        ap.error("--entries must be at least 1000")
    cpus = sorted(os.sched_getaffinity(0))
    pin = not args.no_pin and len(cpus) >= 2
    affinity = (lambda c: os.sched_setaffinity(0, c)) if pin else (lambda c: None)
    cairn_args = ["--fsync", "everysec", "--cache-bytes", args.cache_bytes] + shlex.split(args.cairn_args)
    print(f"entries {args.entries:,}; Cairn {' '.join(cairn_args)}"
          + ("; Redis --appendonly yes --appendfsync everysec --save ''" if args.redis else "")
          + (f"; server pinned to CPU {cpus[0]}, script to CPU {cpus[1]}" if pin else "; not pinned"), flush=True)
    servers = [("Cairn", lambda: CairnServer(args.binary, extra_args=cairn_args))]
    if args.redis and shutil.which("redis-server"):
        servers.append(("Redis", lambda: RedisServer(["--appendonly", "yes", "--appendfsync", "everysec"],
                                                     prefix="redis-bench-")))
    elif args.redis:
        print("redis-server not installed: skipping Redis")
    results = []
    for name, make in servers:
        affinity({cpus[0]})  # the server inherits this
        with make() as srv:
            affinity({cpus[1]})
            results.append(run(name, srv, args.entries))
        affinity(cpus)
    report(results)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
