"""Hostile input over RESP: every case gets a Redis-style error (or, where the
stream cannot be resynchronised, a closed connection) and the server keeps
serving other clients.

    /usr/bin/python3 tests/integration/hostile_input.py --binary build/cairn
"""

import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, rss_kb  # noqa: E402

failures = []
passes = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if detail and not cond else ""))
    (passes if cond else failures).append(name)


def raw(port, payload, read_timeout=3.0, read_bytes=65536):
    """Sends raw bytes, returns (reply bytes, closed_by_server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        s.sendall(payload)
        data = b""
        closed = False
        deadline = time.time() + read_timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(read_bytes)
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            data += chunk
            if data.endswith(b"\r\n") and len(data) < read_bytes:
                # Give the server a moment to close if it is going to.
                s.settimeout(0.3)
        return data, closed
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with CairnServer(args.binary, extra_args=["--fsync", "everysec", "--max-value-bytes", "1mb"]) as srv:
        port = srv.port
        srv.command("SET", "canary", "alive")

        cases = [
            ("bad multibulk length", b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length"),
            ("negative bulk length", b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length"),
            ("huge bulk length", b"*1\r\n$99999999999999\r\n", b"-ERR Protocol error: invalid bulk length"),
            ("bad type byte", b"*1\r\n+PING\r\n", b"-ERR Protocol error: expected '$', got '+'"),
            ("unbalanced quotes", b'SET "a b\r\n', b"-ERR Protocol error: unbalanced quotes in request"),
        ]
        for name, payload, expected in cases:
            data, closed = raw(port, payload)
            check(name, data.startswith(expected) and closed, repr(data[:200]))

        # A bulk not followed by CRLF: like Redis, the parser skips the two
        # bytes after the declared length without checking them.
        data, _ = raw(port, b"*1\r\n$4\r\nPINGxx\r\n", read_timeout=1)
        check("missing CRLF after a bulk: read by its length, as Redis does", data == b"+PONG\r\n", repr(data))
        # Truncated frames: the server waits for the rest (no reply, no
        # allocation beyond what arrived); the client leaving frees it.
        for name, payload in [("truncated header", b"*2\r\n$3"), ("truncated bulk", b"*2\r\n$3\r\nGET\r\n$6\r\ncan"),
                              ("truncated count line", b"*2")]:
            data, closed = raw(port, payload, read_timeout=0.5)
            check(name + ": waits for the rest", data == b"" and not closed, repr(data))
        check("truncated frames: others served", srv.command("GET", "canary") == b"alive")

        # A 512 MB bulk header with no body: the server waits for the body
        # without allocating it; other clients are unaffected.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n")
        time.sleep(0.3)
        check("512MB header: others served", srv.command("GET", "canary") == b"alive")
        rss = rss_kb(srv.pid)
        check("512MB header: no 512MB allocation", rss < 400 * 1024, f"RSS {rss} kB")
        s.close()

        # Inline command line over 64 KiB without a newline.
        data, closed = raw(port, b"A" * (70 * 1024))
        check("too big inline request", data.startswith(b"-ERR Protocol error: too big inline request") and closed,
              repr(data[:100]))

        # Key over --max-key-bytes (64 KiB default).
        big_key = b"k" * (65 * 1024)
        data, _ = raw(port, b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(big_key), big_key))
        check("key over limit", data.startswith(b"-ERR key is too large"), repr(data[:100]))

        # NUL, CR and LF inside keys and values are just bytes.
        k = b"a\x00b\r\nc"
        srv.command("SET", k, b"v\r\n\x00")
        check("binary key and value", srv.command("GET", k) == b"v\r\n\x00")

        # A command with 1,000,000 arguments is executed (no limit hit, no crash).
        n = 1_000_000
        parts = [b"*%d\r\n$3\r\nDEL\r\n" % (n + 1)]
        parts += [b"$2\r\nk%d\r\n" % (i % 10) for i in range(n)]
        data, _ = raw(port, b"".join(parts), read_timeout=30)
        check("1,000,000 arguments", data.startswith(b":"), repr(data[:100]))

        # Wrong arity, wrong type of argument, integer overflow.
        try:
            srv.command("GET")
            check("wrong arity", False)
        except Exception as e:  # noqa: BLE001
            check("wrong arity", "wrong number of arguments for 'get' command" in str(e), str(e))
        srv.command("SET", "big", "9223372036854775807")
        try:
            srv.command("INCRBY", "big", "1")
            check("INCRBY overflow", False)
        except Exception as e:  # noqa: BLE001
            check("INCRBY overflow", "increment or decrement would overflow" in str(e), str(e))
        check("INCRBY overflow leaves value", srv.command("GET", "big") == b"9223372036854775807")
        try:
            srv.command("INCRBYFLOAT", "f", "nan")
            check("INCRBYFLOAT nan", False)
        except Exception as e:  # noqa: BLE001
            check("INCRBYFLOAT nan", "not a valid float" in str(e), str(e))

        def error_of(*cmd):
            try:
                srv.command(*cmd)
                return None
            except Exception as e:  # noqa: BLE001
                return str(e)

        srv.command("HSET", "h", "f", "9223372036854775807")
        check("HINCRBY overflow", "increment or decrement would overflow" in (error_of("HINCRBY", "h", "f", "1") or ""))
        check("HINCRBY overflow leaves value", srv.command("HGET", "h", "f") == b"9223372036854775807")
        check("HINCRBYFLOAT inf", (error_of("HINCRBYFLOAT", "h", "g", "inf") or "") == "ERR value is NaN or Infinity",
              error_of("HINCRBYFLOAT", "h", "g", "inf"))
        check("ZADD nan", "not a valid float" in (error_of("ZADD", "z", "nan", "m") or ""), error_of("ZADD", "z", "nan", "m"))
        srv.command("ZADD", "z", "inf", "top")
        check("ZINCRBY inf + -inf is NaN: refused", "NaN" in (error_of("ZINCRBY", "z", "-inf", "top") or ""),
              error_of("ZINCRBY", "z", "-inf", "top"))
        check("WRONGTYPE", (error_of("LPUSH", "h", "x") or "").startswith("WRONGTYPE"), error_of("LPUSH", "h", "x"))
        check("WRONGTYPE leaves the hash", srv.command("HGET", "h", "f") == b"9223372036854775807")
        # Like Redis's proto-max-bulk-len: refused at the length header, and
        # the connection closes (the body that follows cannot be skipped safely).
        # Only the header is sent: the server answers at once, before any body.
        data, closed = raw(port, b"*3\r\n$3\r\nSET\r\n$1\r\nv\r\n$%d\r\n" % (2 * 1024 * 1024))
        check("value over --max-value-bytes", data.startswith(b"-ERR Protocol error: invalid bulk length") and closed,
              repr(data[:100]))

        # A client that pipelines many commands and never reads: the server
        # stops reading from it (bounded output) and keeps serving others.
        hog = socket.create_connection(("127.0.0.1", port))
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hog.setblocking(False)
        get = b"*2\r\n$3\r\nGET\r\n$6\r\ncanary\r\n" * 1000
        sent = 0
        deadline = time.time() + 5
        while time.time() < deadline and sent < 200_000_000:
            try:
                # A send may take part of the buffer: carry on from where it
                # stopped, or the stream the server sees is corrupt.
                sent += hog.send(get[sent % len(get):])
            except BlockingIOError:
                time.sleep(0.01)
                if time.time() > deadline - 4:
                    break
        check("never-reading client: others served", srv.command("GET", "canary") == b"alive")
        rss = rss_kb(srv.pid)
        check("never-reading client: bounded memory", rss < 400 * 1024, f"RSS {rss} kB, sent {sent}")
        hog.close()

        # Many idle connections plus a working one.
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(500)]
        check("500 idle connections: others served", srv.command("GET", "canary") == b"alive")
        for c in idle:
            c.close()

        # Auth failures.
    with CairnServer(args.binary, extra_args=["--requirepass", "s3cret"]) as srv:
        data, _ = raw(srv.port, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        check("NOAUTH before AUTH", data.startswith(b"-NOAUTH Authentication required."), repr(data))
        data, _ = raw(srv.port, b"*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n")
        check("wrong password", data.startswith(b"-WRONGPASS"), repr(data))
        data, closed = raw(srv.port, b"*100\r\n")
        check("unauthenticated multibulk limit",
              data.startswith(b"-ERR Protocol error: unauthenticated multibulk length") and closed, repr(data))

    print(f"hostile_input: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
