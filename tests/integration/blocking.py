"""Blocking pops over RESP (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN
BZPOPMAX BZMPOP): woken by a write from any door (RESP, a Lua script, an
EXEC, the Upstash REST endpoint), served first-come first-served, fractional
timeouts, CLIENT UNBLOCK, CLIENT LIST / INFO, the commands pipelined after a
blocked one waiting for it, --timeout not closing a blocked client, a client
that leaves while blocked, non-blocking inside MULTI and over HTTP, and a
served pop that survives kill -9 (it was acknowledged only once durable).

    /usr/bin/python3 tests/integration/blocking.py --binary build/cairn
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, RespError  # noqa: E402
from checks import binary_arg, check, finish  # noqa: E402
from raw_resp import Raw, blocked_clients, wait_blocked, upstash as upstash_with  # noqa: E402

TOKEN = "blocking-token"


def upstash(srv, command):
    return upstash_with(srv, command, TOKEN)


def main():
    args = ["--fsync", "always", "--http-token", TOKEN]
    with CairnServer(binary_arg(), extra_args=args) as srv:
        c = srv.client()

        # Woken by a push from another RESP connection; multiple keys.
        rd = Raw(srv.port)
        rd.send(("BLPOP", "l1", "l2", "0"))
        check("BLPOP on empty lists blocks", wait_blocked(c, 1) and not rd.ready())
        flags = [line for line in c.execute_command("CLIENT", "LIST").decode().splitlines() if "cmd=blpop" in line]
        check("CLIENT LIST shows the blocked client with flag b", len(flags) == 1 and "flags=b" in flags[0], flags)
        c.rpush("l2", "a", "b")
        check("RPUSH on the second key wakes it", rd.read() == [b"l2", b"a"])
        check("what it did not take stays", c.lrange("l2", 0, -1) == [b"b"])
        check("INFO blocked_clients back to 0", blocked_clients(c) == 0)

        # From a Lua script, from an EXEC (served after it, with its last push).
        rd.send(("BRPOP", "ls", "0"))
        wait_blocked(c, 1)
        c.eval("redis.call('rpush', KEYS[1], 'x'); redis.call('rpush', KEYS[1], 'y')", 1, "ls")
        check("a script's push wakes BRPOP, after the whole script", rd.read() == [b"ls", b"y"])
        rd.send(("BLPOP", "lm", "0"))
        wait_blocked(c, 1)
        p = c.pipeline(transaction=True)
        p.lpush("lm", "a")
        p.lpush("lm", "b")
        p.lpush("lm", "c")
        p.execute()
        check("an EXEC's pushes wake BLPOP once it is done", rd.read() == [b"lm", b"c"])

        # From the Upstash REST door.
        rd.send(("BLPOP", "lu", "0"))
        wait_blocked(c, 1)
        st, body = upstash(srv, ["LPUSH", "lu", "from-http"])
        check("LPUSH over Upstash REST answered", st == 200 and body == {"result": 1}, (st, body))
        check("a push over HTTP wakes the RESP client", rd.read() == [b"lu", b"from-http"])
        st, body = upstash(srv, ["BLPOP", "nothing-here", "5"])
        check("BLPOP over HTTP does not block: nil at once", st == 200 and body == {"result": None}, (st, body))

        # First come, first served.
        waiters = []
        for i in range(5):
            w = Raw(srv.port)
            w.send(("BLPOP", "fifo", "0"))
            check("waiter %d blocked" % i, wait_blocked(c, i + 1))
            waiters.append(w)
        c.rpush("fifo", "e0", "e1", "e2", "e3", "e4")
        got = [w.read() for w in waiters]
        check("served in the order they blocked", got == [[b"fifo", ("e%d" % i).encode()] for i in range(5)], got)
        for w in waiters:
            w.close()

        # A client whose destination is of the wrong type gets WRONGTYPE, and
        # the element goes to the next one.
        c.set("wrongdst", "string")
        r1, r2 = Raw(srv.port), Raw(srv.port)
        r1.send(("BRPOPLPUSH", "src", "wrongdst", "0"))
        wait_blocked(c, 1)
        r2.send(("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"))
        wait_blocked(c, 2)
        c.lpush("src", "item")
        e = r1.read()
        check("first waiter: WRONGTYPE", isinstance(e, RespError) and str(e).startswith("WRONGTYPE"), e)
        check("second waiter: the element", r2.read() == b"item")
        check("it is in the second one's destination", c.lrange("dst", 0, -1) == [b"item"])
        r1.close()
        r2.close()

        # A chain: a served BLMOVE's push serves a client blocked on its destination.
        a, b = Raw(srv.port), Raw(srv.port)
        b.send(("BLPOP", "chain2", "0"))
        wait_blocked(c, 1)
        a.send(("BLMOVE", "chain1", "chain2", "LEFT", "LEFT", "0"))
        wait_blocked(c, 2)
        c.rpush("chain1", "link")
        check("BLMOVE served", a.read() == b"link")
        check("its push served the BLPOP on the destination", b.read() == [b"chain2", b"link"])
        check("nothing left", c.exists("chain1", "chain2") == 0)
        a.close()
        b.close()

        # Sorted sets.
        rd.send(("BZPOPMIN", "z1", "z2", "0"))
        wait_blocked(c, 1)
        c.zadd("z2", {"m": 1.5, "n": 3})
        check("ZADD wakes BZPOPMIN with [key, member, score]", rd.read() == [b"z2", b"m", b"1.5"])
        rd.send(("BZMPOP", "0", "1", "z3", "MAX", "COUNT", "5"))
        wait_blocked(c, 1)
        c.zadd("z3", {"a": 1, "b": 2})
        check("BZMPOP MAX COUNT", rd.read() == [b"z3", [[b"b", b"2"], [b"a", b"1"]]])
        rd.send(("BZPOPMAX", "zt", "0"))
        wait_blocked(c, 1)
        c.rpush("zt", "not-a-zset")
        check("a list on the key does not serve BZPOPMAX", not rd.ready(0.3) and blocked_clients(c) == 1)
        c.delete("zt")
        c.zadd("zt", {"q": 7})
        check("a sorted set later does", rd.read() == [b"zt", b"q", b"7"])

        # Timeouts: fractional seconds, and --timeout 1 does not close a blocked client.
        t0 = time.monotonic()
        r = rd.call("BLPOP", "never", "0.25")
        took = time.monotonic() - t0
        check("BLPOP 0.25 times out with a nil array", r is None and took >= 0.2, (r, took))
        c.config_set("timeout", 1)
        r = rd.call("BLMOVE", "never", "x", "LEFT", "LEFT", "2.5")
        check("a client blocked past --timeout is not closed: nil after its own timeout", r is None, r)
        check("and the connection still works", rd.call("PING") == b"PONG")
        c = srv.client()  # the idle one may have been closed meanwhile
        c.config_set("timeout", 0)

        # A client blocked with BRPOPLPUSH does not touch its destination
        # while still blocked: a transaction watching it commits.
        blocked, watcher = Raw(srv.port), Raw(srv.port)
        c.set("somekey", "somevalue")
        blocked.send(("BRPOPLPUSH", "wsrc", "wdst", "0"))
        wait_blocked(c, 1)
        replies = [watcher.call("WATCH", "wdst"), watcher.call("MULTI"), watcher.call("GET", "somekey"),
                   watcher.call("EXEC")]
        check("WATCH on a blocked BRPOPLPUSH's destination: EXEC commits",
              replies == [b"OK", b"OK", b"QUEUED", [b"somevalue"]], replies)
        c.lpush("wsrc", "element")
        check("then the push serves it", blocked.read() == b"element")
        blocked.close()
        watcher.close()

        # CLIENT UNBLOCK.
        cid = rd.call("CLIENT", "ID")
        rd.send(("BLPOP", "ub", "0"))
        wait_blocked(c, 1)
        check("CLIENT UNBLOCK a blocked client: 1", c.execute_command("CLIENT", "UNBLOCK", cid) == 1)
        check("it answers as on timeout", rd.read() is None)
        check("CLIENT UNBLOCK a client that is not blocked: 0", c.execute_command("CLIENT", "UNBLOCK", cid) == 0)
        rd.send(("BLMPOP", "0", "1", "ub", "LEFT"))
        wait_blocked(c, 1)
        c.execute_command("CLIENT", "UNBLOCK", cid, "ERROR")
        e = rd.read()
        check("CLIENT UNBLOCK ERROR", str(e) == "UNBLOCKED client unblocked via CLIENT UNBLOCK", e)

        # Commands pipelined after a blocked one wait for it.
        rd.send(("BLPOP", "pipe", "0"), ("SET", "after", "1"), ("GET", "after"))
        wait_blocked(c, 1)
        check("the SET after a blocked BLPOP has not run", c.get("after") is None)
        c.lpush("pipe", "v")
        replies = [rd.read(), rd.read(), rd.read()]
        check("then all three answer in order", replies == [[b"pipe", b"v"], b"OK", b"1"], replies)

        # Inside MULTI: no blocking, nil.
        rd.send(("MULTI",), ("BLPOP", "empty", "0"), ("BZPOPMIN", "empty", "0"), ("BRPOPLPUSH", "e1", "e2", "0"),
                ("EXEC",))
        replies = [rd.read() for _ in range(5)]
        check("blocking pops inside MULTI answer nil at once", replies[4] == [None, None, None], replies)

        # A client that leaves while blocked is forgotten; a push after it stays.
        gone = Raw(srv.port)
        gone.send(("BLPOP", "left", "0"))
        wait_blocked(c, 1)
        gone.close()
        check("a closed blocked client is no longer blocked", wait_blocked(c, 0))
        c.rpush("left", "kept")
        check("the push is not taken by it", c.lrange("left", 0, -1) == [b"kept"])

        # Wrong arguments.
        for cmd, text in [(("BLPOP", "k", "-1"), "ERR timeout is negative"),
                          (("BLPOP", "k", "abc"), "ERR timeout is not a float or out of range"),
                          (("BLMPOP", "0", "0", "k", "LEFT"), "ERR numkeys should be greater than 0"),
                          (("BZMPOP", "1", "1", "k", "MIDDLE"), "ERR syntax error")]:
            r = rd.call(*cmd)
            check("%s: %s" % (" ".join(cmd), text), isinstance(r, RespError) and str(r) == text, r)

        # Durable: a served pop is acknowledged once on disk.
        rd.send(("BLMOVE", "dsrc", "ddst", "LEFT", "RIGHT", "0"))
        wait_blocked(c, 1)
        c.rpush("dsrc", "durable")
        check("served before the crash", rd.read() == b"durable")
        rd.close()
        srv.kill9()
        srv.start()
        c = srv.client()
        check("after kill -9: the move happened", c.lrange("ddst", 0, -1) == [b"durable"] and c.exists("dsrc") == 0)
    finish()


if __name__ == "__main__":
    main()
