"""Watching over Server-Sent Events: writes over RESP arrive as events with
their revisions; a reconnect with Last-Event-ID (or ?since=) replays exactly
the missed events in order; key, prefix and namespace filters; base64; an
explicit gap event when the feed no longer holds what was asked for.

    /usr/bin/python3 tests/integration/http_watch.py --binary build/cairn
"""

import argparse
import base64
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import check, finish  # noqa: E402


class Watch:
    """An SSE stream read line by line from a raw socket."""

    def __init__(self, port, target, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.buf = b""
        self.status = self.readline(5).decode().strip()
        self.headers = {}
        while True:
            line = self.readline(5).decode().strip()
            if not line:
                break
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()

    def readline(self, timeout):
        """One line (without CRLF/LF), or None on timeout/close; a timeout loses nothing."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r")

    def next_event(self, timeout=5.0):
        """The next event as (id, type, data dict); comments are skipped; None on timeout."""
        deadline = time.monotonic() + timeout
        ev = {"id": None, "event": "message", "data": ""}
        try:
            while True:
                line = self.readline(max(deadline - time.monotonic(), 0))
                if line is None:
                    return None
                line = line.decode()
                if line == "":
                    if ev["data"]:
                        return ev["id"], ev["event"], json.loads(ev["data"])
                    continue
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(": ")
                ev[field] = value if field != "data" else ev["data"] + value
        except (socket.timeout, TimeoutError):
            return None

    def events(self, n, timeout=5.0):
        out = []
        for _ in range(n):
            e = self.next_event(timeout)
            if e is None:
                break
            out.append(e)
        return out

    def close(self):
        self.sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with CairnServer(args.binary, extra_args=["--fsync", "everysec"]) as srv:
        port = srv.http_port

        # Live: RESP writes arrive over SSE.
        w = Watch(port, "/v1/watch?prefix=user:")
        check("200 text/event-stream", w.status.startswith("HTTP/1.1 200")
              and w.headers.get("content-type") == "text/event-stream", (w.status, w.headers))
        srv.command("SET", "user:1", "alice")
        srv.command("SET", "other", "ignored by the prefix")
        srv.command("SET", "user:2", "bob")
        srv.command("DEL", "user:1")
        evs = w.events(3)
        kinds = [(e[2]["key"], e[2]["kind"]) for e in evs]
        check("live events in order, filtered by prefix",
              kinds == [("user:1", "set"), ("user:2", "set"), ("user:1", "delete")], evs)
        check("event id is the revision", all(int(e[0]) == e[2]["revision"] for e in evs), evs)
        check("ids match RESP's revisions", evs[1][2]["revision"] == srv.command("REVISION", "user:2"), evs)
        check("set events carry the value", evs[0][2].get("value") == "alice" and evs[1][2].get("value") == "bob", evs)
        last_id = evs[-1][0]
        w.close()

        # Disconnected: more writes; the reconnect replays exactly those.
        srv.command("SET", "user:3", "carol")
        srv.command("SET", "other", "still ignored")
        srv.command("INCR", "user:4")
        srv.command("EXPIRE", "user:3", "100")
        w = Watch(port, "/v1/watch?prefix=user:", headers={"Last-Event-ID": last_id})
        evs = w.events(3)
        got = [(e[2]["key"], e[2]["kind"]) for e in evs]
        check("Last-Event-ID replays exactly the missed events, in order",
              got == [("user:3", "set"), ("user:4", "set"), ("user:3", "expire")], evs)
        check("a replayed event whose write was replaced says so",
              evs[0][2].get("superseded") is True and "value" not in evs[0][2], evs[0])
        check("nothing more was replayed", w.next_event(timeout=0.5) is None)
        srv.command("SET", "user:5", "live again")
        e = w.next_event()
        check("then live again", e is not None and e[2]["key"] == "user:5", e)
        w.close()

        # ?since= works the same; a key watch sees only its key.
        rev = srv.command("REVISION", "user:5")
        w = Watch(port, f"/v1/watch/user%3A5?since={rev - 1}")
        e = w.next_event()
        check("?since= and a single-key watch", e is not None and e[2]["key"] == "user:5" and e[2]["revision"] == rev, e)
        srv.command("SET", "user:6", "x")
        srv.command("APPEND", "user:5", "!")
        e = w.next_event()
        check("the key watch skips other keys", e is not None and e[2]["key"] == "user:5"
              and e[2].get("value") == "live again!", e)
        w.close()

        # Namespaces and base64.
        w = Watch(port, "/v1/watch?ns=2&encoding=base64")
        srv.command("SET", "in-zero", "x")
        c2 = srv.client(db=2)
        c2.set(b"bin\x00key", b"\xff\x00value")
        e = w.next_event()
        check("ns filter and base64 key/value", e is not None and e[2]["ns"] == 2
              and base64.b64decode(e[2]["key"]) == b"bin\x00key"
              and base64.b64decode(e[2]["value"]) == b"\xff\x00value", e)
        c2.flushdb()
        e = w.next_event()
        check("FLUSHDB is one flush event", e is not None and e[2]["kind"] == "flush", e)
        w.close()

        # Bad parameters are plain JSON errors.
        for target in ["/v1/watch?since=abc", "/v1/watch?ns=99", "/v1/watch/a/b"]:
            w = Watch(port, target)
            check("400 for " + target, w.status.startswith("HTTP/1.1 400"), w.status)
            w.close()

    # A bounded number of watch streams: the next one gets 429.
    with CairnServer(args.binary, extra_args=["--http-max-watchers", "2"]) as srv:
        a, b = Watch(srv.http_port, "/v1/watch"), Watch(srv.http_port, "/v1/watch")
        c = Watch(srv.http_port, "/v1/watch")
        check("watchers over --http-max-watchers: 429", c.status.startswith("HTTP/1.1 429")
              and c.headers.get("retry-after") == "5", (c.status, c.headers))
        c.close()
        a.close()
        ok = False
        for _ in range(50):
            d = Watch(srv.http_port, "/v1/watch")
            ok = d.status.startswith("HTTP/1.1 200")
            d.close()
            if ok:
                break
            time.sleep(0.1)
        check("a client that hangs up frees its place at once", ok)
        srv.command("SET", "still", "serving")
        e = b.next_event()
        check("open streams keep working", e is not None and e[2]["key"] == "still", e)
        b.close()

    # A feed that no longer holds the asked-for revisions: an explicit gap.
    with CairnServer(args.binary, extra_args=["--fsync", "everysec", "--feed-retention", "10"]) as srv:
        for i in range(200):
            srv.command("SET", f"k{i}", str(i))
        w = Watch(srv.http_port, "/v1/watch?since=1")
        e = w.next_event()
        check("a since older than the feed: an explicit gap event first",
              e is not None and e[1] == "gap" and e[2]["from"] == 2 and e[2]["to"] >= 2, e)
        rest = w.events(5, timeout=2)
        check("then the retained events", len(rest) >= 5 and all(x[1] == "change" for x in rest), rest)
        w.close()
        t0 = time.monotonic()
        w = Watch(srv.http_port, "/v1/watch")
        srv.command("SET", "after", "1")
        e = w.next_event()
        check("a fresh watch starts at the head", e is not None and e[2]["key"] == "after"
              and time.monotonic() - t0 < 5, e)
        w.close()
    finish()


if __name__ == "__main__":
    main()
