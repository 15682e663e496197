"""MULTI / EXEC / DISCARD / WATCH / UNWATCH over RESP, with redis-py:
Redis's replies and errors, EXECABORT for queue-time errors, runtime errors
that do not undo the rest, one revision per EXEC, readers that never see
half of one, and WATCH failing the EXEC on a change from any client or door
(RESP, the native HTTP API, expiry, FLUSHDB, RENAME onto the key) but not on
keys it does not concern.

    /usr/bin/python3 tests/integration/transactions.py --binary build/cairn
"""

import http.client
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, RespError, _encode  # noqa: E402
from checks import binary_arg, check, error_of, finish  # noqa: E402

import redis  # noqa: E402


class Raw:
    """One RESP2 connection of our own: redis-py handles MULTI, EXEC and WATCH
    itself. Error replies come back as RespError values, nested ones too."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.sock.makefile("rb")

    def read(self):
        line = self.f.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError("unexpected reply %r" % line)

    def send(self, *commands):
        self.sock.sendall(b"".join(_encode(list(cmd)) for cmd in commands))
        return [self.read() for _ in commands]


def is_error(r, text):
    return isinstance(r, RespError) and text in str(r)


def raw_exec(raw, *commands):
    """MULTI, the commands and EXEC in one pipeline; every reply."""
    return raw.send(("MULTI",), *commands, ("EXEC",))


def main():
    with CairnServer(binary_arg(), extra_args=["--fsync", "always"]) as srv:
        c = srv.client()
        other = srv.client()
        raw = Raw(srv.port)

        # Replies and errors.
        replies = raw_exec(raw, ("SET", "a", "1"), ("INCR", "a"), ("GET", "a"))
        check("MULTI +OK, commands +QUEUED", replies[:4] == [b"OK", b"QUEUED", b"QUEUED", b"QUEUED"], replies)
        check("EXEC answers every reply", replies[4] == [b"OK", 2, b"2"], replies[4])
        check("EXEC without MULTI", error_of(lambda: c.execute_command("EXEC")) == "EXEC without MULTI")
        check("DISCARD without MULTI", error_of(lambda: c.execute_command("DISCARD")) == "DISCARD without MULTI")
        replies = raw_exec(raw, ("MULTI",))
        check("MULTI inside MULTI", is_error(replies[1], "ERR MULTI calls can not be nested") and replies[2] == [],
              replies)
        replies = raw_exec(raw, ("WATCH", "a"))
        check("WATCH inside MULTI", is_error(replies[1], "ERR WATCH inside MULTI is not allowed") and replies[2] == [],
              replies)
        replies = raw_exec(raw, ("SET", "x", "1"), ("NOSUCHCOMMAND",), ("GET",))
        check("queue-time errors: EXECABORT",
              is_error(replies[-1], "EXECABORT Transaction discarded because of previous errors.")
              and is_error(replies[2], "ERR unknown command") and is_error(replies[3], "wrong number of arguments"),
              replies)
        check("EXECABORT ran nothing", c.get("x") is None)
        c.set("s", "text")
        replies = raw_exec(raw, ("SET", "y", "1"), ("INCR", "s"), ("SET", "z", "2"))
        check("a runtime error does not undo the others",
              is_error(replies[-1][1], "not an integer") and c.get("y") == b"1" and c.get("z") == b"2", replies)
        check("DISCARD drops the queue",
              raw.send(("MULTI",), ("SET", "d", "1"), ("DISCARD",), ("GET", "d")) == [b"OK", b"QUEUED", b"OK", None])

        # One revision for the whole EXEC; the transaction API of redis-py.
        before = c.execute_command("REVISION", "a")
        tx = c.pipeline(transaction=True)
        tx.set("r1", "1").set("r2", "2").incr("a")
        tx.execute()
        r1, r2, ra = (c.execute_command("REVISION", k) for k in ("r1", "r2", "a"))
        check("one revision per EXEC", r1 == r2 == ra and ra > before, (before, r1, r2, ra))

        # Readers never see half an EXEC.
        c.mset({"p": 0, "q": 0})
        stop = threading.Event()
        torn = []

        def reader():
            r = srv.client()
            while not stop.is_set():
                p_, q_ = r.mget("p", "q")
                if p_ != q_:
                    torn.append((p_, q_))

        th = threading.Thread(target=reader)
        th.start()
        for _ in range(300):
            tx = c.pipeline(transaction=True)
            tx.incr("p").incr("q")
            tx.execute()
        stop.set()
        th.join()
        check("no reader saw half an EXEC", not torn and c.get("p") == b"300", torn[:3])

        # WATCH.
        def watched_exec(key, change):
            raw.send(("WATCH", key))
            change()
            return raw_exec(raw, ("SET", "w-result", "done"))[-1]

        c.set("w", "0")
        check("WATCH, no change: EXEC runs", watched_exec("w", lambda: None) == [b"OK"])
        check("WATCH, changed by another client: nil", watched_exec("w", lambda: other.set("w", "1")) is None)
        check("WATCH, changed by the same client: nil", watched_exec("w", lambda: c.set("w", "2")) is None)
        check("WATCH, another key changed: EXEC runs", watched_exec("w", lambda: other.set("unrelated", "1")) == [b"OK"])
        check("WATCH, deleted: nil", watched_exec("w", lambda: other.delete("w")) is None)
        check("WATCH, missing key created: nil", watched_exec("w", lambda: other.set("w", "3")) is None)
        other.set("w2", "x")
        check("WATCH, RENAME onto it: nil", watched_exec("w", lambda: other.rename("w2", "w")) is None)

        def http_put():
            conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
            conn.request("PUT", "/v1/kv/w", body=b"from-http")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            assert resp.status in (200, 201, 204), resp.status

        check("WATCH, changed over HTTP: nil", watched_exec("w", http_put) is None)
        check("the HTTP write landed", c.get("w") == b"from-http")
        c.set("ttl", "v", px=150)
        check("WATCH, expired since: nil", watched_exec("ttl", lambda: time.sleep(0.3)) is None)
        c.set("gone", "v", px=50)
        time.sleep(0.15)
        check("WATCH of a key already expired, then swept: EXEC runs",
              watched_exec("gone", lambda: time.sleep(1.5)) == [b"OK"])
        c.set("fl", "v")
        check("WATCH, FLUSHDB of an existing key: nil", watched_exec("fl", lambda: other.flushdb()) is None)
        check("WATCH, FLUSHDB of a missing key: EXEC runs",
              watched_exec("never", lambda: other.flushdb()) == [b"OK"])
        raw.send(("WATCH", "u"), ("UNWATCH",))
        other.set("u", "1")
        check("UNWATCH forgets", raw_exec(raw, ("GET", "u"))[-1] == [b"1"])
        raw.send(("WATCH", "u"))
        other.set("u", "2")
        check("EXEC after a failed WATCH forgets it", raw_exec(raw, ("GET", "u"))[-1] is None
              and raw_exec(raw, ("GET", "u"))[-1] == [b"2"])

        # FLUSHALL inside EXEC, then writes in the same EXEC: they stay.
        c.set("before", "1")
        replies = raw_exec(raw, ("FLUSHALL",), ("SET", "after", "1"), ("HSET", "h", "f", "v"), ("GET", "before"))
        check("FLUSHALL then writes in one EXEC", replies[-1] == [b"OK", b"OK", 1, None]
              and c.get("after") == b"1" and c.hgetall("h") == {b"f": b"v"} and c.get("before") is None, replies)
        check("DBSIZE after", c.dbsize() == 2)

        # The transaction survives a restart as a whole.
        tx = c.pipeline(transaction=True)
        tx.set("k1", "v1").set("k2", "v2")
        tx.execute()
        srv.restart(kill=True)
        c = srv.client()
        check("after kill -9: both writes of the EXEC", c.mget("k1", "k2") == [b"v1", b"v2"])

    finish()


if __name__ == "__main__":
    main()
