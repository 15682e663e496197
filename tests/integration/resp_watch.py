"""Watching over the RESP port: CAIRN.WATCH KEY|PREFIX [SINCE rev] pushes every
matching change, from RESP and HTTP writers alike, with the same revisions the
HTTP watch uses; SINCE replays exactly what a reconnecting client missed; an
explicit gap when the feed no longer holds it; watch mode admits only
CAIRN.UNWATCH / PING / QUIT / RESET; a watcher that falls out of the feed is
told it lagged and is closed, while other clients keep being served.

    /usr/bin/python3 tests/integration/resp_watch.py --binary build/cairn
"""

import argparse
import http.client
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, RespError, _encode, _read_reply  # noqa: E402
from checks import check, finish  # noqa: E402


class SocketReader:
    """readline()/read(n) over a socket that survive a timeout (socket.makefile does not)."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def readline(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class RespWatcher:
    """A raw RESP connection that reads replies and pushes one at a time."""

    def __init__(self, port, *command):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = SocketReader(self.sock)
        if command:
            self.send(*command)

    def send(self, *args):
        self.sock.sendall(_encode(args))

    def read(self, timeout=5.0):
        """The next reply or push; a RespError (returned) for an error reply; None on timeout or close.

        A timeout in the middle of a reply would lose its start: callers only
        time out where nothing more is expected."""
        self.sock.settimeout(timeout)
        try:
            return _read_reply(self.reader)
        except RespError as e:
            return e
        except (socket.timeout, TimeoutError, ConnectionError, OSError):
            return None

    def read_n(self, n, timeout=5.0):
        return [self.read(timeout) for _ in range(n)]

    def close(self):
        self.sock.close()


def http_put(port, key, value):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("PUT", "/v1/kv/" + key, body=value)
    res = conn.getresponse()
    res.read()
    conn.close()
    return res.status, int(res.getheader("X-KV-Revision", "0"))


def changes(pushes):
    """(kind, key, value) of each change push."""
    return [(p[2], p[3], p[4]) for p in pushes if isinstance(p, list) and p and p[0] == b"change"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with CairnServer(args.binary, extra_args=["--fsync", "everysec"]) as srv:
        # Live: writes over RESP and HTTP arrive as pushes, filtered by prefix.
        w = RespWatcher(srv.port, "CAIRN.WATCH", "PREFIX", "user:")
        ack = w.read()
        check("CAIRN.WATCH answers [watch, prefix, user:, revision]",
              isinstance(ack, list) and ack[:3] == [b"watch", b"prefix", b"user:"] and isinstance(ack[3], int), ack)
        srv.command("SET", "user:1", "alice")
        srv.command("SET", "other", "not under the prefix")
        status, rev2 = http_put(srv.http_port, "user:2", "bob")
        srv.command("DEL", "user:1")
        pushes = w.read_n(3)
        check("live changes in order, from RESP and HTTP writers",
              changes(pushes) == [(b"set", b"user:1", b"alice"), (b"set", b"user:2", b"bob"),
                                  (b"delete", b"user:1", None)], pushes)
        check("a push carries the revision HTTP reported", status == 200 and pushes[1][1] == rev2, (status, rev2, pushes))
        revs = [p[1] for p in pushes]
        check("revisions increase", revs == sorted(revs) and len(set(revs)) == 3, revs)

        # Watch mode admits only a few commands; others get an error, the stream goes on.
        w.send("GET", "user:2")
        r = w.read()
        check("GET while watching: an error naming the allowed commands",
              isinstance(r, RespError) and "CAIRN.UNWATCH" in str(r), r)
        w.send("PING")
        check("PING while watching", w.read() == b"PONG")
        w.send("CAIRN.UNWATCH")
        un = w.read()
        check("CAIRN.UNWATCH answers [unwatch, prefix, user:, last delivered revision]",
              isinstance(un, list) and un[:3] == [b"unwatch", b"prefix", b"user:"] and un[3] == revs[-1], un)
        w.send("GET", "user:2")
        check("after CAIRN.UNWATCH commands work again", w.read() == b"bob")
        srv.command("SET", "user:3", "carol")
        w.send("PING")
        check("after CAIRN.UNWATCH no more pushes", w.read() == b"PONG")
        w.close()

        # Disconnect, write more, reconnect with SINCE: exactly the missed changes, in order.
        w = RespWatcher(srv.port, "CAIRN.WATCH", "KEY", "counter")
        w.read()
        srv.command("INCR", "counter")
        first = w.read()
        check("one key: its change", changes([first]) == [(b"set", b"counter", b"1")], first)
        last_seen = first[1]
        w.close()
        for _ in range(3):
            srv.command("INCR", "counter")
        srv.command("SET", "unrelated", "x")
        srv.command("EXPIRE", "counter", "1000")
        w = RespWatcher(srv.port, "CAIRN.WATCH", "KEY", "counter", "SINCE", str(last_seen))
        ack = w.read()
        check("SINCE: the ack names the replay start", isinstance(ack, list) and ack[3] == last_seen, ack)
        missed = w.read_n(4)
        got = [(p[2], p[4]) for p in missed if isinstance(p, list)]
        # Each INCR was replaced by the next write (EXPIRE too makes a new
        # revision), so only the last change still carries the value.
        check("SINCE replays exactly the missed changes, in order",
              got == [(b"set", None), (b"set", None), (b"set", None), (b"expire", b"4")], missed)
        check("replayed revisions are after SINCE and increasing",
              all(isinstance(p, list) and p[1] > last_seen for p in missed)
              and [p[1] for p in missed] == sorted(p[1] for p in missed), missed)
        check("no extra pushes after the replay", w.read(timeout=0.5) is None)
        srv.command("SET", "counter", "10")
        check("then live", changes([w.read()]) == [(b"set", b"counter", b"10")])
        w.close()

        # RESP3: pushes use the push type; SELECT picks the namespace watched.
        w = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        w.sendall(_encode(["SELECT", "2"]))
        check("SELECT 2", w.recv(4096) == b"+OK\r\n")
        w.sendall(_encode(["HELLO", "3"]))
        check("HELLO 3", w.recv(65536).startswith(b"%"))
        w.sendall(_encode(["CAIRN.WATCH", "PREFIX", ""]))
        raw = w.recv(4096)
        check("RESP3: the ack is a push", raw.startswith(b">4\r\n$5\r\nwatch"), raw)
        srv.command("SET", "ns0-key", "not watched")
        c = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        c.sendall(_encode(["SELECT", "2"]) + _encode(["SET", "ns2-key", "watched"]))
        time.sleep(0.3)
        c.close()
        raw = w.recv(4096)
        check("RESP3 change push from the selected database only",
              raw.startswith(b">5\r\n$6\r\nchange\r\n") and b"ns2-key" in raw and b"ns0-key" not in raw, raw)
        w.close()

        # Not over HTTP (a request cannot hold a stream): a clear error pointing at /v1/watch.
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=5)
        conn.request("POST", "/", body='["CAIRN.WATCH", "KEY", "k"]')
        res = conn.getresponse()
        body = res.read().decode()
        conn.close()
        check("CAIRN.WATCH over HTTP: an error naming /v1/watch", "/v1/watch" in body, body)

        # Syntax errors.
        for bad in (["CAIRN.WATCH", "KEYS", "k"], ["CAIRN.WATCH", "KEY", "k", "SINCE"],
                    ["CAIRN.WATCH", "KEY", "k", "SINCE", "-1"], ["CAIRN.WATCH", "KEY", "k", "SINCE", "x"]):
            try:
                srv.command(*bad)
                check("syntax error: " + " ".join(bad), False)
            except RespError as e:
                check("syntax error: " + " ".join(bad), str(e).startswith("ERR"), str(e))

    # A feed that no longer holds the asked-for revisions: an explicit gap; a
    # watcher that stops reading while writers trim the feed past it: lagged.
    with CairnServer(args.binary, extra_args=["--fsync", "everysec", "--feed-retention", "10"]) as srv:
        for i in range(200):
            srv.command("SET", f"k{i}", str(i))
        w = RespWatcher(srv.port, "CAIRN.WATCH", "PREFIX", "k", "SINCE", "1")
        w.read()
        gap = w.read()
        check("SINCE older than the feed: a gap push first",
              isinstance(gap, list) and gap[0] == b"gap" and gap[1] == 2 and gap[2] >= 2, gap)
        rest = w.read_n(5)
        check("then the retained changes", all(isinstance(p, list) and p[0] == b"change" for p in rest), rest)
        w.close()

        w = RespWatcher(srv.port, "CAIRN.WATCH", "PREFIX", "big")
        w.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        w.read()
        big = b"v" * (512 * 1024)
        for i in range(40):  # ~20 MB of pushes: more than the socket buffers hold
            srv.command("SET", f"big{i}", big)
        for i in range(100):  # meanwhile the feed moves on past the stuck watcher
            srv.command("SET", f"small{i}", "x")
        check("other clients are served while a watcher is stuck", srv.command("GET", "small99") == b"x")
        seen, last = 0, None
        while True:
            p = w.read(timeout=10)
            if p is None:
                break
            last = p
            if isinstance(p, list) and p[0] == b"change":
                seen += 1
        check("the stuck watcher got what was queued, then a lagged push",
              seen >= 1 and isinstance(last, list) and last[0] == b"lagged", (seen, last and last[:3]))
        check("...and was closed", w.read(timeout=1) is None)
        w.close()
        check("the server still serves", srv.command("PING") == b"PONG")
    finish()


if __name__ == "__main__":
    main()
