"""Streams, Cairn against Redis: the same random sequence of stream commands
(XADD with MAXLEN/MINID ~ and =, XDEL, XTRIM with LIMIT, XREADGROUP new and
history, NOACK, XACK, XCLAIM with JUSTID/FORCE/RETRYCOUNT, XAUTOCLAIM, XGROUP
CREATE/DESTROY/SETID/CREATECONSUMER/DELCONSUMER, XSETID, XRANGE, XREVRANGE,
XPENDING) goes to Debian's redis-server and to Cairn, and every reply must be
the same; after every command both servers' pending entries (ID, consumer,
delivery count) must be the same, and every few commands the whole stream,
XLEN, XINFO STREAM (with the number of nodes, not radix-tree-nodes) and XINFO GROUPS (entries-read,
lag, counts) too. IDs are given (ms-*),
so both servers assign the same; idle times are not compared. Half the seeds
run with stream-node-max-entries 4 on both, so approximate trimming removes
whole nodes often.

    /usr/bin/python3 tests/integration/streams_vs_redis.py --binary build/cairn
"""

import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import binary_arg, check, finish  # noqa: E402
from reference_redis import reference_redis  # noqa: E402

import redis  # noqa: E402

SEEDS = (1, 2, 3, 4, 5, 6)
OPS = 2500


def outcome(client, args):
    try:
        return client.execute_command(*args)
    except redis.ResponseError as e:
        return ("error", str(e).split()[0])


def pending(client, group):
    r = outcome(client, ["XPENDING", "s", group, "-", "+", "100000"])
    return r if isinstance(r, tuple) else [[p[0], p[1], p[3]] for p in r]


def stream_info(client):
    """XINFO STREAM without radix-tree-nodes (Cairn's nodes are not in a radix tree;
    radix-tree-keys, the number of nodes, is compared)."""
    r = outcome(client, ["XINFO", "STREAM", "s"])
    if isinstance(r, tuple):
        return r
    fields = dict(zip(r[0::2], r[1::2]))
    return {k: v for k, v in fields.items() if k != b"radix-tree-nodes"}


def random_command(rng, state):
    group, consumer = rng.choice(["g1", "g2"]), rng.choice(["c1", "c2", "c3"])

    def some_ids(n):
        return ["%d-%d" % (rng.randint(0, state["ms"]), rng.randint(0, 2)) for _ in range(rng.randint(1, n))]

    op = rng.random()
    if op < 0.30:
        state["ms"] += rng.randint(0, 2)
        args = ["XADD", "s"]
        if rng.random() < 0.2:
            args += ["MAXLEN", rng.choice(["~", "="]), str(rng.randint(0, 50))]
        elif rng.random() < 0.1:
            args += ["MINID", rng.choice(["~", "="]), "%d-0" % max(0, state["ms"] - rng.randint(0, 40))]
        return args + ["%d-*" % state["ms"], "f", str(rng.randint(0, 999))]
    if op < 0.36:
        return ["XDEL", "s"] + some_ids(3)
    if op < 0.40:
        limit = ["LIMIT", str(rng.randint(0, 300))] if rng.random() < 0.3 else []
        return ["XTRIM", "s", "MAXLEN", rng.choice(["~", "="]), str(rng.randint(0, 60))] + limit
    if op < 0.55:
        noack = ["NOACK"] if rng.random() < 0.1 else []
        return (["XREADGROUP", "GROUP", group, consumer, "COUNT", str(rng.randint(1, 5))] + noack
                + ["STREAMS", "s", rng.choice([">", ">", ">", "0"])])
    if op < 0.65:
        return ["XACK", "s", group] + some_ids(4)
    if op < 0.72:
        return ["XCLAIM", "s", group, consumer, "0"] + some_ids(3) + rng.choice(
            [[], ["JUSTID"], ["FORCE"], ["FORCE", "JUSTID"], ["RETRYCOUNT", "5"]])
    if op < 0.77:
        return (["XAUTOCLAIM", "s", group, consumer, "0", "%d-0" % rng.randint(0, state["ms"]), "COUNT",
                 str(rng.randint(1, 5))] + (["JUSTID"] if rng.random() < 0.3 else []))
    if op < 0.80:
        return ["XGROUP", "CREATE", "s", group, rng.choice(["0", "$"]), "MKSTREAM"]
    if op < 0.82:
        return ["XGROUP", "DESTROY", "s", group]
    if op < 0.85:
        return ["XGROUP", "DELCONSUMER", "s", group, consumer]
    if op < 0.87:
        return ["XGROUP", "CREATECONSUMER", "s", group, consumer]
    if op < 0.89:
        return ["XGROUP", "SETID", "s", group, rng.choice(["0", "$", "%d-0" % rng.randint(0, state["ms"])])]
    if op < 0.91:
        state["ms"] += 3
        return ["XSETID", "s", "%d-5" % (state["ms"] - rng.randint(0, 3))]
    if op < 0.95:
        return ["XRANGE", "s", rng.choice(["-", "(%d-0" % rng.randint(0, state["ms"])]), "+", "COUNT",
                str(rng.randint(1, 10))]
    if op < 0.975:
        return ["XREVRANGE", "s", "+", "-", "COUNT", str(rng.randint(1, 10))]
    return ["XPENDING", "s", group]


def run_seed(reference, cairn, seed):
    rng = random.Random(seed)
    reference.flushall()
    cairn.flushall()
    state = {"ms": 1}
    for i in range(OPS):
        args = random_command(rng, state)
        want, got = outcome(reference, args), outcome(cairn, args)
        if got != want:
            return f"command {i} {args}: redis {want!r:.300}, cairn {got!r:.300}"
        for group in ("g1", "g2"):
            want, got = pending(reference, group), pending(cairn, group)
            if got != want:
                return f"after command {i} {args}: pending of {group}: redis {want!r:.300}, cairn {got!r:.300}"
        if i % 20 == 0:
            for whole in (["XLEN", "s"], ["XRANGE", "s", "-", "+"], ["XINFO", "GROUPS", "s"]):
                want, got = outcome(reference, whole), outcome(cairn, whole)
                if got != want:
                    return f"after command {i} {args}: {whole}: redis {want!r:.300}, cairn {got!r:.300}"
            want, got = stream_info(reference), stream_info(cairn)
            if got != want:
                return f"after command {i} {args}: XINFO STREAM: redis {want!r:.400}, cairn {got!r:.400}"
    return None


def main():
    binary = binary_arg()
    with reference_redis("cairn-streams-vs-redis-") as reference, \
            CairnServer(binary, extra_args=["--fsync", "everysec"]) as srv:
        cairn = srv.client()
        # Raw replies on both: redis-py's parsers would hide differences.
        reference.response_callbacks.clear()
        cairn.response_callbacks.clear()
        for seed in SEEDS:
            # Even seeds with nodes of 4 entries, so that approximate trims remove nodes often.
            node = "4" if seed % 2 == 0 else "100"
            for client in (reference, cairn):
                client.config_set("stream-node-max-entries", node)
            problem = run_seed(reference, cairn, seed)
            check(f"seed {seed}, nodes of {node}: {OPS} stream commands answered as Redis answers them",
                  problem is None, problem)
    finish()


if __name__ == "__main__":
    main()
