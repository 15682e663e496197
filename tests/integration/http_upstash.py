"""The HTTP port's Upstash-compatible REST dialect and its guards, with the
standard library only (the real npm clients are tests/http/): auth, single
commands as JSON or path, pipelines, transactions, base64 replies, the
sync token, one store shared with RESP, and malformed or oversized requests.

    /usr/bin/python3 tests/integration/http_upstash.py --binary build/cairn
"""

import argparse
import base64
import http.client
import json
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, read_to_close  # noqa: E402
from checks import check, finish  # noqa: E402

TOKEN = "s3cret-token"


class Http:
    """One keep-alive HTTP/1.1 connection to the server's HTTP port."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def request(self, method, path, body=None, headers=None, token=TOKEN):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (list, dict)):
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def json(self, method, path, body=None, headers=None, token=TOKEN):
        status, headers, data = self.request(method, path, body, headers, token)
        try:
            return status, headers, json.loads(data)
        except ValueError:
            return status, headers, {"unparsable": data.decode(errors="replace")}


def raw_http(port, payload, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and b"Content-Length" in out:
                    head, _, rest = out.partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            if len(rest) >= int(line.split(b":")[1]):
                                return out
        except socket.timeout:
            pass
        return out


def pairs(flat):
    """A map reply (a flat [k1, v1, k2, v2] array over HTTP) as a dict."""
    return dict(zip(flat[::2], flat[1::2])) if isinstance(flat, list) else None


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with CairnServer(args.binary, extra_args=["--http-token", TOKEN, "--fsync", "everysec"]) as srv:
        c = Http(srv.http_port)

        # Health and auth.
        st, _, body = c.json("GET", "/healthz", token=None)
        check("healthz needs no token", st == 200 and body == {"status": "ok"}, (st, body))
        st, h, body = c.json("POST", "/", ["PING"], token=None)
        check("no token: 401 Unauthorized", st == 401 and body == {"error": "Unauthorized"}, (st, body))
        check("401 says how to authenticate", h.get("www-authenticate") == "Bearer", h)
        st, _, body = c.json("POST", "/", ["PING"], token="wrong-token!")
        check("wrong token: 401", st == 401, (st, body))
        st, _, body = c.json("GET", "/ping?_token=" + TOKEN, token=None)
        check("?_token= authenticates", st == 200 and body == {"result": "PONG"}, (st, body))

        # Single commands, JSON body.
        st, h, body = c.json("POST", "/", ["SET", "greeting", "héllo wörld"])
        check("POST / SET", st == 200 and body == {"result": "OK"}, (st, body))
        rev1 = int(h.get("upstash-sync-token", "-1"))
        st, _, body = c.json("POST", "/", ["GET", "greeting"])
        check("POST / GET returns UTF-8 text", body == {"result": "héllo wörld"}, body)
        st, _, body = c.json("POST", "/", ["GET", "greeting"], headers={"Upstash-Encoding": "base64"})
        check("base64 encodes the value", body == {"result": b64("héllo wörld")}, body)
        st, _, body = c.json("POST", "/", ["GET", "missing"])
        check("nil is an explicit null result", st == 200 and body == {"result": None}, (st, body))
        st, _, body = c.json("POST", "/", ["SET", "n", 10, "EX", 100])
        st, _, body = c.json("POST", "/", ["INCRBYFLOAT", "n", 1.5])
        check("JSON numbers become arguments", body == {"result": "11.5"}, body)
        st, _, body = c.json("POST", "/", ["TTL", "n"])
        check("integers are JSON numbers", isinstance(body.get("result"), int) and 0 < body["result"] <= 100, body)
        st, _, body = c.json("POST", "/", ["INCR", "greeting"])
        check("command error: 400 with Redis's text",
              st == 400 and body == {"error": "ERR value is not an integer or out of range"}, (st, body))
        st, _, body = c.json("POST", "/", ["NOSUCHCOMMAND"])
        check("unknown command: 400", st == 400 and "unknown command" in body.get("error", ""), (st, body))
        st, h, body = c.json("POST", "/", ["SET", "rev", "x"])
        check("sync token grows after a write", int(h.get("upstash-sync-token", "-1")) > rev1, h)

        # One store with RESP.
        srv.command("SET", "from-resp", b"\x00\xffbinary")
        st, _, body = c.json("POST", "/", ["GET", "from-resp"], headers={"Upstash-Encoding": "base64"})
        check("RESP write, HTTP read (binary via base64)",
              base64.b64decode(body.get("result", "")) == b"\x00\xffbinary", body)
        st, _, body = c.json("POST", "/", ["GET", "from-resp"])
        check("without base64, invalid UTF-8 becomes U+FFFD", body == {"result": "\u0000\ufffdbinary"}, body)
        c.json("POST", "/", ["HSET", "from-http", "f", "v"])
        check("HTTP write, RESP read", srv.command("HGET", "from-http", "f") == b"v")

        # Path style.
        st, _, body = c.json("GET", "/set/path%2Fkey/a%20b")
        check("path style SET with percent-decoding", body == {"result": "OK"}, body)
        check("path arguments decoded", srv.command("GET", "path/key") == b"a b")
        st, _, body = c.json("POST", "/set/posted?EX=60", body="raw body value")
        check("POST body is the last path argument", body == {"result": "OK"}, body)
        check("query parameters follow the body",
              srv.command("GET", "posted") == b"raw body value" and 0 < srv.command("TTL", "posted") <= 60)
        st, _, body = c.json("GET", "/get/bad%zzescape")
        check("bad percent-encoding: 400", st == 400, (st, body))
        st, _, body = c.json("DELETE", "/get/x")
        check("DELETE on a command path: 405", st == 405 and "error" in body, (st, body))
        st, _, body = c.json("GET", "/")
        check("GET / (needs a JSON body): 405", st == 405, (st, body))

        # Pipelines.
        st, _, body = c.json("POST", "/pipeline", [["SET", "p", "1"], ["INCR", "p"], ["INCR", "greeting"],
                                                   ["MGET", "p", "nope"], ["HSET", "ph", "a", 1, "b", True],
                                                   ["HGETALL", "ph"], ["ZADD", "pz", 1.5, "m"],
                                                   ["ZRANGE", "pz", 0, -1, "WITHSCORES"], ["PING"]])
        check("pipeline: 200 and one item per command", st == 200 and isinstance(body, list) and len(body) == 9,
              (st, body))
        if isinstance(body, list) and len(body) == 9:
            check("pipeline items", body[:2] == [{"result": "OK"}, {"result": 2}]
                  and body[2] == {"error": "ERR value is not an integer or out of range"}
                  and body[3] == {"result": ["2", None]}
                  and pairs(body[5].get("result")) == {"a": "1", "b": "true"}
                  and body[7] == {"result": ["m", "1.5"]} and body[8] == {"result": "PONG"}, body)
        st, _, body = c.json("POST", "/pipeline", [["SET", "q", "v"], ["GET", "q"], ["PING"], ["MGET", "q", "z"]],
                             headers={"Upstash-Encoding": "base64"})
        check("pipeline base64: strings at every depth, top-level OK raw",
              body == [{"result": "OK"}, {"result": b64("v")}, {"result": b64("PONG")},
                       {"result": [b64("v"), None]}], body)
        st, _, body = c.json("POST", "/pipeline", [])
        check("empty pipeline: 400", st == 400 and "error" in body, (st, body))
        st, _, body = c.json("POST", "/pipeline", ["GET", "k"])
        check("pipeline of non-arrays: 400", st == 400, (st, body))

        # Transactions: no other write lands between the commands.
        srv.command("SET", "tx", "0")
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                srv.command("SET", "tx", "interloper")

        t = threading.Thread(target=writer)
        t.start()
        ok = True
        for _ in range(100):
            st, _, body = c.json("POST", "/multi-exec", [["SET", "tx", "mine"], ["GET", "tx"]])
            if st != 200 or body != [{"result": "OK"}, {"result": "mine"}]:
                ok = False
                break
        stop.set()
        t.join()
        check("multi-exec is atomic against concurrent writers", ok, (st, body))
        st, _, body = c.json("POST", "/multi-exec", [["SET", "tx2", "a"], ["INCR", "tx2"], ["GET", "tx2"]])
        check("multi-exec: a failing command does not stop the others",
              body == [{"result": "OK"}, {"error": "ERR value is not an integer or out of range"},
                       {"result": "a"}], body)

        # Malformed and hostile requests: JSON errors, the server keeps serving.
        for name, payload in [("invalid JSON", "[\"SET\", \"k\""), ("not an array", '{"a": 1}'),
                              ("empty command", "[]"), ("object argument", '["SET", "k", {"a": 1}]'),
                              ("null argument", '["SET", "k", null]'),
                              ("deep nesting", "[" * 10000 + "]" * 10000),
                              ("non-UTF-8 JSON", b'["SET", "k", "\xff\xfe"]')]:
            st, _, body = c.json("POST", "/", payload)
            check("400 for " + name, st == 400 and isinstance(body, dict) and "error" in body, (st, body))
        big = b"x" * (2 * 1024 * 1024)
        with CairnServer(args.binary, extra_args=["--http-token", TOKEN, "--http-max-body-bytes", "1mb"]) as small:
            # The server may answer 413 and close before the body is sent:
            # send what it takes, then read the answer.
            with socket.create_connection(("127.0.0.1", small.http_port), timeout=5) as s:
                s.sendall(b"POST /set/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
                          b"\r\nContent-Length: %d\r\n\r\n" % len(big))
                try:
                    s.sendall(big)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                reply = b""
                try:
                    while b"}" not in reply:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        reply += chunk
                except (ConnectionResetError, socket.timeout):
                    pass
            check("body over --http-max-body-bytes: 413", reply.startswith(b"HTTP/1.1 413") and b'"error"' in reply,
                  reply[:80])
            reply = raw_http(small.http_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 +
                             b"\r\n\r\n")
            check("oversized headers: 431", reply.startswith(b"HTTP/1.1 431"), reply[:60])
            reply = raw_http(small.http_port, b"GARBAGE\r\n\r\n")
            check("malformed request line: 400", reply.startswith(b"HTTP/1.1 400"), reply[:60])
            st, _, body = Http(small.http_port).json("GET", "/healthz", token=None)
            check("server still serves after hostile requests", st == 200, (st, body))

        # Prometheus metrics.
        st, _, body = c.request("GET", "/metrics", token=None)
        check("/metrics needs the token", st == 401, st)
        st, h, body = c.request("GET", "/metrics")
        text = body.decode()
        check("/metrics is Prometheus text", st == 200 and h.get("content-type", "").startswith("text/plain"), (st, h))
        sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eE]+$')
        bad = [ln for ln in text.splitlines() if ln and not ln.startswith("# ") and not sample.match(ln)]
        check("every sample line is well formed", not bad, bad[:3])
        values = {}
        for ln in text.splitlines():
            if ln and not ln.startswith("#"):
                k, _, v = ln.rpartition(" ")
                values[k] = float(v)
        check("per-command counters", values.get('cairn_commands_total{command="set"}', 0) >= 3, text[:300])
        check("per-door counters", values.get('cairn_door_commands_total{door="http"}', 0) > 0
              and values.get('cairn_door_commands_total{door="resp"}', 0) > 0)
        check("per-route HTTP counters", values.get('cairn_http_requests_total{route="upstash"}', 0) > 10
              and values.get('cairn_http_request_errors_total{route="upstash"}', 0) > 0)
        check("revision, keys, cache ratio, disk, fsync", values.get("cairn_revision", 0) > 0
              and values.get('cairn_keys{ns="0"}', 0) > 0 and 0 <= values.get("cairn_record_cache_hit_ratio", -1) <= 1
              and values.get("cairn_disk_bytes", 0) > 0 and "cairn_fsync_duration_seconds_count" in values)
        check("HTTP connections gauge", values.get('cairn_connections{door="http"}', 0) >= 1)
        windows = values.get("cairn_wal_unsynced_windows_total")
        check("everysec exposure gauges (a window, once counted, has a length and writes)",
              windows is not None and "cairn_wal_unsynced_window_last_seconds" in values
              and (windows == 0 or (values.get("cairn_wal_unsynced_window_max_seconds", 0) > 0
                                    and values.get("cairn_wal_unsynced_writes_max", 0) > 0)),
              {k: v for k, v in values.items() if k.startswith("cairn_wal_unsynced")})

        def buckets(name, labels):
            """The cumulative bucket counts of one histogram, in le order, and its count."""
            pre = name + "_bucket{" + (labels + "," if labels else "") + 'le="'
            rows = [(k[len(pre):-2], v) for k, v in values.items() if k.startswith(pre)]
            rows.sort(key=lambda kv: float("inf") if kv[0] == "+Inf" else float(kv[0]))
            count_key = name + "_count" + ("{" + labels + "}" if labels else "")
            return [v for _, v in rows], values.get(count_key), [le for le, _ in rows]

        # (Under --fsync everysec a quick test may finish before the first fsync.)
        for name, labels in (("cairn_command_duration_seconds", 'command="set"'),
                             ("cairn_door_command_duration_seconds", 'door="http"'),
                             ("cairn_http_request_duration_seconds", 'route="upstash"'),
                             ("cairn_fsync_duration_seconds", "")):
            counts, count, les = buckets(name, labels)
            check(f"histogram {name}{{{labels}}}: cumulative buckets ending in +Inf == _count",
                  len(counts) == 17 and les[-1] == "+Inf" and counts == sorted(counts) and counts[-1] == count
                  and (count > 0 or name == "cairn_fsync_duration_seconds"), (les, counts, count))
        check("command histogram counts every call",
              buckets("cairn_command_duration_seconds", 'command="set"')[1]
              == values.get('cairn_commands_total{command="set"}'))

        # Keep-alive: many requests on one connection.
        kc = Http(srv.http_port)
        ok = all(kc.json("POST", "/", ["INCR", "ka"])[2] == {"result": i} for i in range(1, 51))
        check("50 requests on one keep-alive connection", ok)

    # At most --http-max-connections connections: the next is answered 503
    # (JSON, Retry-After) and closed; a freed place is usable again.
    with CairnServer(args.binary, extra_args=["--http-max-connections", "2"]) as srv:
        held = [socket.create_connection(("127.0.0.1", srv.http_port), timeout=5) for _ in range(2)]
        for h in held:
            h.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            h.recv(4096)
        extra = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_to_close(extra)
        extra.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        check("over --http-max-connections: 503 with Retry-After",
              head.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in head, head)
        check("...and a JSON error code", json.loads(body or b"{}").get("code") == "too_many_connections", body)
        held[0].close()
        ok = False
        for _ in range(50):  # the server notices the close asynchronously
            st, _, _ = Http(srv.http_port).request("GET", "/healthz", token=None)
            if st == 200:
                ok = True
                break
            time.sleep(0.1)
        check("a freed place is usable again", ok)
        held[1].close()
        check("RESP is not affected by the HTTP cap", srv.command("PING") == b"PONG")

    finish()


if __name__ == "__main__":
    main()
