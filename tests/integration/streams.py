"""Streams over RESP at the default I/O threads: XREAD and XREADGROUP BLOCK
woken by an XADD from another connection, a Lua script, an EXEC and the
Upstash REST door; the cases Redis's own units race (they do not wait for
the client to block, see tests/CMakeLists.txt) checked with the waits: key
deleted, type changed by SET and by a transaction, FLUSHDB, XGROUP DESTROY,
RENAME; `$` meaning the last ID at the time of blocking; TYPE, SCAN TYPE,
COPY, RENAME, MOVE, expiry and DEL of a stream with a group; keyspace
notifications; and a stream with a consumer group that survives kill -9
(entries, pending entries, acknowledgements, the group's last ID).

    /usr/bin/python3 tests/integration/streams.py --binary build/cairn
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, RespError  # noqa: E402
from checks import binary_arg, check, error_of, finish  # noqa: E402
from raw_resp import Raw, wait_blocked, upstash  # noqa: E402

TOKEN = "streams-token"


def is_error(reply, prefix):
    return isinstance(reply, RespError) and str(reply).startswith(prefix)


def group_stream(c, key):
    c.delete(key)
    c.xadd(key, {"f": "v"}, id="666")
    c.xgroup_create(key, "g", id="$")


def main():
    args = ["--fsync", "always", "--http-token", TOKEN]
    with CairnServer(binary_arg(), extra_args=args) as srv:
        c = srv.client()
        rd = Raw(srv.port)

        # Woken by XADD from another connection; `$` is the last ID when it blocked.
        c.xadd("s1", {"a": "1"}, id="1-1")
        rd.send(("XREAD", "BLOCK", "0", "STREAMS", "s1", "$"))
        check("XREAD BLOCK $ blocks", wait_blocked(c, 1) and not rd.ready())
        c.xadd("s1", {"b": "2"}, id="2-1")
        check("XADD from another connection wakes it with the new entry only",
              rd.read() == [[b"s1", [[b"2-1", [b"b", b"2"]]]]])

        # From a script, from an EXEC.
        rd.send(("XREAD", "BLOCK", "0", "STREAMS", "s2", "0"))
        wait_blocked(c, 1)
        c.eval("redis.call('xadd', KEYS[1], '5-1', 'x', '1'); redis.call('xadd', KEYS[1], '6-1', 'y', '2')", 1, "s2")
        check("a script's XADDs wake XREAD after the whole script",
              rd.read() == [[b"s2", [[b"5-1", [b"x", b"1"]], [b"6-1", [b"y", b"2"]]]]])
        rd.send(("XREAD", "BLOCK", "0", "STREAMS", "s3", "$"))
        wait_blocked(c, 1)
        p = c.pipeline(transaction=True)
        p.xadd("s3", {"m": "1"}, id="1-1")
        p.xadd("s3", {"m": "2"}, id="1-2")
        p.execute()
        got = rd.read()
        check("an EXEC's XADDs wake XREAD $ once it is done (both entries)",
              got == [[b"s3", [[b"1-1", [b"m", b"1"]], [b"1-2", [b"m", b"2"]]]]], got)

        # From the Upstash REST door; and over it XREAD BLOCK does not wait.
        c.xgroup_create("s4", "hg", id="$", mkstream=True)
        rd.send(("XREADGROUP", "GROUP", "hg", "alice", "BLOCK", "0", "STREAMS", "s4", ">"))
        wait_blocked(c, 1)
        st, body = upstash(srv, ["XADD", "s4", "9-1", "from", "http"], TOKEN)
        check("XADD over Upstash REST answered", st == 200 and body == {"result": "9-1"}, (st, body))
        check("it wakes the RESP XREADGROUP", rd.read() == [[b"s4", [[b"9-1", [b"from", b"http"]]]]])
        st, body = upstash(srv, ["XREAD", "BLOCK", "5000", "STREAMS", "s4", "$"], TOKEN)
        check("XREAD BLOCK over HTTP answers nil at once", st == 200 and body == {"result": None}, (st, body))

        # What Redis's units race, with the waits.
        cases = [
            ("key deleted", lambda: c.delete("gs"), "UNBLOCKED"),
            ("type changed by SET", lambda: c.set("gs", "v1"), "UNBLOCKED"),
            ("type changed in a transaction",
             lambda: c.pipeline(transaction=True).delete("gs").sadd("gs", "e1").execute(), "UNBLOCKED"),
            ("FLUSHDB", lambda: c.flushdb(), "UNBLOCKED"),
            ("XGROUP DESTROY", lambda: c.xgroup_destroy("gs", "g"), "NOGROUP"),
        ]
        for name, act, code in cases:
            group_stream(c, "gs")
            rd.send(("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "gs", ">"))
            blocked = wait_blocked(c, 1)
            act()
            r = rd.read()
            check(f"XREADGROUP blocked, {name}: {code}", blocked and is_error(r, code), r)
        group_stream(c, "gs")
        rd.send(("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "gs", ">"))
        wait_blocked(c, 1)
        c.rename("gs", "gs2")
        r = rd.read()
        check("XREADGROUP blocked, RENAME away: UNBLOCKED", is_error(r, "UNBLOCKED"), r)
        c.delete("xs")
        c.xadd("xs", {"f": "v"}, id="666")
        rd.send(("XREAD", "BLOCK", "0", "STREAMS", "xs", "$"))
        wait_blocked(c, 1)
        c.set("xs", "val1")
        check("XREAD blocked, key made a string: still blocked", not rd.ready(0.3) and wait_blocked(c, 1))
        c.delete("xs")
        c.xadd("xs", {"f": "v"}, id="667")
        check("a new stream there serves it", rd.read() == [[b"xs", [[b"667-0", [b"f", b"v"]]]]])

        # The generic key commands on a stream with a group.
        c.delete("k1")
        c.xadd("k1", {"f": "v"}, id="1-1")
        c.xgroup_create("k1", "g", id="0")
        c.xreadgroup("g", "alice", {"k1": ">"})
        check("TYPE stream", c.type("k1") == b"stream")
        check("SCAN TYPE stream finds it", b"k1" in c.scan(0, count=1000, _type="stream")[1])
        check("COPY keeps entries and the group's pending entry",
              c.copy("k1", "k2") and c.xlen("k2") == 1 and c.xpending("k2", "g")["pending"] == 1)
        c.rename("k2", "k3")
        check("RENAME keeps the group", c.xinfo_groups("k3")[0]["name"] == b"g")
        check("MOVE to db 1", c.move("k3", 1) and srv.client(db=1).xlen("k3") == 1)
        c.pexpire("k1", 50)
        time.sleep(0.2)
        check("an expired stream is gone, and XREADGROUP says so",
              c.exists("k1") == 0 and "NOGROUP" in error_of(lambda: c.xreadgroup("g", "alice", {"k1": ">"})))
        check("DEL of the copy", srv.client(db=1).delete("k3") == 1)

        # Keyspace notifications.
        c.config_set("notify-keyspace-events", "KEt")
        sub = Raw(srv.port)
        sub.call("PSUBSCRIBE", "__keyspace@0__:ns")
        c.xadd("ns", {"f": "v"}, id="1-1")
        c.xgroup_create("ns", "g", id="0")
        c.xreadgroup("g", "bob", {"ns": ">"})
        c.xtrim("ns", maxlen=0)
        events = [sub.read()[3] for _ in range(4)]
        check("xadd, xgroup-create, xgroup-createconsumer, xtrim events",
              events == [b"xadd", b"xgroup-create", b"xgroup-createconsumer", b"xtrim"], events)
        sub.close()
        c.config_set("notify-keyspace-events", "")

        # kill -9: entries, the group's position, pending and acknowledged entries.
        c.delete("jobs")
        for i in range(1, 51):
            c.xadd("jobs", {"n": str(i)}, id=f"{i}-0")
        c.xgroup_create("jobs", "workers", id="0")
        first = c.xreadgroup("workers", "w1", {"jobs": ">"}, count=30)
        acked = c.xack("jobs", "workers", *[f"{i}-0" for i in range(1, 21)])
        check("30 delivered, 20 acknowledged", len(first[0][1]) == 30 and acked == 20)
        srv.restart(kill=True)
        c = srv.client()
        check("after kill -9: all 50 entries", c.xlen("jobs") == 50)
        pend = c.xpending("jobs", "workers")
        check("10 pending, 21-0 to 30-0, all w1",
              pend["pending"] == 10 and pend["min"] == b"21-0" and pend["max"] == b"30-0"
              and pend["consumers"] == [{"name": b"w1", "pending": 10}], pend)
        nxt = c.xreadgroup("workers", "w2", {"jobs": ">"}, count=100)
        ids = [e[0] for e in nxt[0][1]]
        check("'>' delivers only what was never delivered (31-0..50-0)",
              ids == [f"{i}-0".encode() for i in range(31, 51)], ids)
        info = c.xinfo_groups("jobs")[0]
        check("XINFO GROUPS: entries-read 50, lag 0, 2 consumers",
              info["entries-read"] == 50 and info["lag"] == 0 and info["consumers"] == 2, info)
        rd.close()
    finish()


if __name__ == "__main__":
    main()
