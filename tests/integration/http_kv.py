"""The native REST API, /v1/kv/{key}: values, revisions shared with RESP,
TTLs, compare-and-set with If-Match, nx, return-old, namespaces, binary
keys and values, and its error answers.

    /usr/bin/python3 tests/integration/http_kv.py --binary build/cairn
"""

import argparse
import base64
import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import check, finish  # noqa: E402

TOKEN = "kv-token"


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def req(self, method, key, body=None, query="", headers=None, token=TOKEN, suffix=""):
        path = "/v1/kv/" + urllib.parse.quote(key, safe="") + suffix + (("?" + query) if query else "")
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def js(data):
    try:
        return json.loads(data)
    except ValueError:
        return {"unparsable": data}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with CairnServer(args.binary, extra_args=["--http-token", TOKEN, "--fsync", "everysec"]) as srv:
        c = Client(srv.http_port)

        st, _, body = c.req("GET", "k", token=None)
        check("a token is required", st == 401, st)
        st, _, body = c.req("GET", "nope")
        check("absent key: 404 with a code", st == 404 and js(body).get("code") == "not_found", (st, body))

        st, h, body = c.req("PUT", "k", body=b"value one")
        rev1 = js(body).get("revision")
        check("PUT answers the new revision", st == 200 and isinstance(rev1, int) and h.get("x-kv-revision") == str(rev1),
              (st, h, body))
        st, h, body = c.req("GET", "k")
        check("GET returns the raw value", st == 200 and body == b"value one", (st, body))
        check("GET carries X-KV-Revision and no TTL", h.get("x-kv-revision") == str(rev1) and "x-kv-ttl" not in h, h)
        check("same revision over RESP", srv.command("REVISION", "k") == rev1)
        st, h, body = c.req("HEAD", "k")
        check("HEAD: headers, no body", st == 200 and body == b"" and h.get("x-kv-revision") == str(rev1), (st, h))
        st, h, _ = c.req("HEAD", "nope")
        check("HEAD absent: 404", st == 404, st)

        # Binary keys and values, one store with RESP.
        bkey = "bin\x00\r\n/é"
        st, _, _ = c.req("PUT", bkey, body=bytes(range(256)))
        check("binary key and value", st == 200 and srv.command("GET", bkey.encode()) == bytes(range(256)))
        srv.command("SET", "from-resp", "resp value")
        st, h, body = c.req("GET", "from-resp")
        check("RESP write, HTTP read", body == b"resp value" and h.get("x-kv-revision") == str(srv.command("REVISION", "from-resp")))

        # TTLs.
        c.req("PUT", "t1", body=b"x", query="ttl=100")
        st, h, _ = c.req("GET", "t1")
        ttl = int(h.get("x-kv-ttl", "-1"))
        check("ttl= (seconds) sets X-KV-TTL in ms", 95000 < ttl <= 100000, h)
        c.req("PUT", "t2", body=b"x", query="ttl_ms=300")
        st, _, _ = c.req("GET", "t2")
        check("ttl_ms before expiry", st == 200)
        time.sleep(0.5)
        st, _, _ = c.req("GET", "t2")
        check("ttl_ms expires", st == 404, st)
        at = int(time.time()) + 1000
        c.req("PUT", "t3", body=b"x", query=f"ttl_at={at}")
        pttl = srv.command("PTTL", "t3")
        check("ttl_at (epoch seconds)", 990000 < pttl <= 1000000, pttl)
        for q in ["ttl=0", "ttl=-5", "ttl=abc", "ttl=1&ttl_ms=5", f"ttl_at={int(time.time()) - 10}"]:
            st, _, body = c.req("PUT", "badttl", body=b"x", query=q)
            check("bad TTL is 400: " + q, st == 400 and js(body).get("code") == "bad_ttl", (st, body))
        check("bad TTLs wrote nothing", srv.command("EXISTS", "badttl") == 0)

        # Compare-and-set.
        st, _, body = c.req("PUT", "k", body=b"v2", headers={"If-Match": str(rev1 + 1000)})
        check("If-Match mismatch: 412", st == 412 and js(body).get("code") == "revision_mismatch", (st, body))
        check("mismatch left the value", srv.command("GET", "k") == b"value one")
        st, _, body = c.req("PUT", "k", body=b"v2", headers={"If-Match": f'"{rev1}"'})
        rev2 = js(body).get("revision")
        check("If-Match match (quoted, ETag style)", st == 200 and rev2 > rev1, (st, body))
        st, _, body = c.req("PUT", "newkey", body=b"v", headers={"If-Match": "0"})
        check("If-Match: 0 creates an absent key", st == 200, (st, body))
        st, _, body = c.req("PUT", "newkey", body=b"v", headers={"If-Match": "0"})
        check("If-Match: 0 on an existing key: 412", st == 412, (st, body))
        st, _, body = c.req("PUT", "k", body=b"v", headers={"If-Match": "abc"})
        check("If-Match not a number: 400", st == 400, (st, body))
        st, _, body = c.req("PUT", "k", body=b"nx", query="nx=1")
        check("nx=1 on an existing key: 412 exists", st == 412 and js(body).get("code") == "exists", (st, body))
        st, _, body = c.req("PUT", "nxkey", body=b"nx", query="nx=1")
        check("nx=1 on an absent key writes", st == 200 and srv.command("GET", "nxkey") == b"nx", (st, body))

        # Return-old.
        st, _, body = c.req("PUT", "k", body=b"v3", headers={"X-KV-Return-Old": "1"})
        old = js(body).get("old") or {}
        check("X-KV-Return-Old on PUT", base64.b64decode(old.get("value_base64", "")) == b"v2"
              and old.get("revision") == rev2, body)
        st, _, body = c.req("PUT", "fresh", body=b"v", headers={"X-KV-Return-Old": "1"})
        check("Return-Old with no old value: null", js(body).get("old", "missing") is None, body)

        # Delete.
        rev = srv.command("REVISION", "k")
        st, _, body = c.req("DELETE", "k", headers={"If-Match": str(rev + 1)})
        check("DELETE If-Match mismatch: 412", st == 412 and srv.command("EXISTS", "k") == 1, (st, body))
        st, _, body = c.req("DELETE", "k", headers={"If-Match": str(rev), "X-KV-Return-Old": "1"})
        b = js(body)
        check("DELETE with If-Match and Return-Old", st == 200 and b.get("deleted") is True
              and base64.b64decode(b["old"]["value_base64"]) == b"v3" and b.get("revision", 0) > rev, (st, body))
        check("deleted over RESP too", srv.command("EXISTS", "k") == 0)
        st, _, _ = c.req("DELETE", "k")
        check("DELETE absent: 404", st == 404, st)

        # Namespaces are Redis databases.
        c.req("PUT", "nskey", body=b"in three", query="ns=3")
        st, _, body = c.req("GET", "nskey", query="ns=3")
        check("ns=3 round trip", body == b"in three")
        st, _, _ = c.req("GET", "nskey")
        check("ns=0 does not see ns=3", st == 404, st)
        check("ns=3 is database 3", srv.client(db=3).get("nskey") == b"in three")
        for q in ["ns=16", "ns=-1", "ns=x"]:
            st, _, body = c.req("GET", "nskey", query=q)
            check("bad namespace is 400: " + q, st == 400 and js(body).get("code") == "bad_ns", (st, body))

        # Metadata.
        meta = '{"owner":"ann","n":1}'
        st, _, body = c.req("PUT", "m", body=b"with meta", headers={"X-KV-Metadata": meta})
        st, h, _ = c.req("GET", "m")
        check("X-KV-Metadata round-trips", h.get("x-kv-metadata") == meta, h)
        c.req("PATCH", "m", query="ttl=100")
        st, h, _ = c.req("HEAD", "m")
        check("a TTL change keeps the metadata", h.get("x-kv-metadata") == meta and "x-kv-ttl" in h, h)
        srv.command("RENAME", "m", "m2")
        st, h, _ = c.req("GET", "m2")
        check("RENAME keeps the metadata", h.get("x-kv-metadata") == meta, h)
        srv.command("SET", "m2", "new value over RESP")
        st, h, _ = c.req("GET", "m2")
        check("a new value drops the metadata", "x-kv-metadata" not in h, h)
        st, _, body = c.req("PUT", "m3", body=b"x", headers={"X-KV-Metadata": "{not json"})
        check("metadata that is not JSON: 400", st == 400 and js(body).get("code") == "bad_metadata", (st, body))
        st, _, body = c.req("PUT", "m3", body=b"x", headers={"X-KV-Metadata": '"' + "a" * 1100 + '"'})
        check("metadata over 1024 bytes: 413", st == 413, (st, body))
        check("rejected metadata wrote nothing", srv.command("EXISTS", "m3") == 0)

        # PATCH: expiry only.
        c.req("PUT", "p", body=b"pv")
        rev_p = srv.command("REVISION", "p")
        st, h, body = c.req("PATCH", "p", query="ttl=50", headers={"X-KV-Return-Value": "1"})
        b = js(body)
        check("PATCH ttl= sets the TTL", st == 200 and 0 < srv.command("TTL", "p") <= 50 and b.get("revision", 0) > rev_p
              and base64.b64decode(b.get("value_base64", "")) == b"pv" and 45000 < b.get("ttl_ms", 0) <= 50000, (st, body))
        st, _, body = c.req("PATCH", "p", query="persist=1")
        check("PATCH persist=1 removes it", st == 200 and srv.command("TTL", "p") == -1
              and js(body).get("ttl_ms", "missing") is None, (st, body))
        rev_before = srv.command("REVISION", "p")
        st, _, body = c.req("PATCH", "p", query="persist=1")
        check("PERSIST of a key without TTL takes no revision", st == 200 and js(body).get("revision") == rev_before,
              (st, body))
        st, _, body = c.req("PATCH", "nope", query="ttl=5")
        check("PATCH absent key: 404", st == 404, (st, body))
        st, _, body = c.req("PATCH", "p")
        check("PATCH without a TTL: 400", st == 400 and js(body).get("code") == "bad_ttl", (st, body))

        # Increment.
        st, _, body = c.req("POST", "ctr", suffix="/incr")
        check("POST /incr from absent", st == 200 and js(body).get("value") == 1, (st, body))
        st, _, body = c.req("POST", "ctr", suffix="/incr", query="delta=-11")
        b = js(body)
        check("POST /incr?delta=-11", b.get("value") == -10 and b.get("revision") == srv.command("REVISION", "ctr"), body)
        c.req("PUT", "text", body=b"abc")
        st, _, body = c.req("POST", "text", suffix="/incr")
        check("incr of text: 409 not_integer", st == 409 and js(body).get("code") == "not_integer", (st, body))
        srv.command("SET", "big", str(2**63 - 1))
        st, _, body = c.req("POST", "big", suffix="/incr")
        check("incr overflow: 409", st == 409 and js(body).get("code") == "overflow", (st, body))
        st, _, body = c.req("POST", "ctr", suffix="/incr", query="delta=x")
        check("bad delta: 400", st == 400, (st, body))

        # Batch.
        def batch(payload):
            c.conn.request("POST", "/v1/kv/batch", body=json.dumps(payload),
                           headers={"Authorization": "Bearer " + TOKEN})
            r = c.conn.getresponse()
            return r.status, js(r.read())

        st, b = batch({"atomic": True, "ops": [{"op": "set", "key": "b1", "value": "one"},
                                               {"op": "set", "key": "b2", "value": "two", "ttl_ms": 60000},
                                               {"op": "get", "key": "b1"}, {"op": "delete", "key": "nxkey"}]})
        res = b.get("results", [])
        check("atomic batch: committed, one revision for every write", st == 200 and b.get("committed") is True
              and len(res) == 4 and res[0]["revision"] == res[1]["revision"] == res[3]["revision"] == b["revision"], (st, b))
        check("atomic batch: a get sees the batch's own write", res[2:3] and res[2].get("value") == "one", res)
        check("atomic batch landed", srv.command("GET", "b1") == b"one" and 0 < srv.command("TTL", "b2") <= 60
              and srv.command("EXISTS", "nxkey") == 0)
        rev_b1 = srv.command("REVISION", "b1")
        st, b = batch({"atomic": True, "ops": [{"op": "set", "key": "b1", "value": "changed", "if_revision": rev_b1},
                                               {"op": "set", "key": "b3", "value": "x", "if_revision": rev_b1 + 99}]})
        check("atomic batch with a failing check: 409, nothing written", st == 409 and b.get("committed") is False
              and srv.command("GET", "b1") == b"one" and srv.command("EXISTS", "b3") == 0, (st, b))
        check("the failing op is named", [r.get("code") for r in b.get("results", [])] == ["not_run", "revision_mismatch"], b)
        st, b = batch({"ops": [{"op": "set", "key": "b4", "value": "x", "nx": True},
                               {"op": "set", "key": "b1", "value": "y", "nx": True},
                               {"op": "delete", "key": "absent"}]})
        codes = [(r.get("ok"), r.get("code")) for r in b.get("results", [])]
        check("non-atomic batch: each op on its own", st == 200 and codes == [(True, None), (False, "exists"),
                                                                              (False, "not_found")], (st, b))
        st, b = batch({"encoding": "base64", "ops": [{"op": "set", "key": base64.b64encode(b"\x00k").decode(),
                                                      "value": base64.b64encode(b"\xff").decode()},
                                                     {"op": "get", "key": base64.b64encode(b"\x00k").decode()}]})
        check("base64 batch: binary keys and values", st == 200 and srv.command("GET", b"\x00k") == b"\xff"
              and base64.b64decode(b["results"][1]["value"]) == b"\xff", (st, b))
        for bad in [{"ops": []}, {"ops": [{"op": "put", "key": "k"}]}, {"ops": [{"op": "set", "key": "k"}]},
                    {"nope": 1}, {"ops": [{"op": "get", "key": "k", "if_revision": "x"}]}]:
            st, b = batch(bad)
            check("bad batch is 400: " + json.dumps(bad)[:40], st == 400 and b.get("code") == "bad_batch", (st, b))

        # Wrong type, bad routes and methods.
        srv.command("RPUSH", "alist", "a")
        st, _, body = c.req("GET", "alist")
        check("GET of a collection: 409 wrong_type", st == 409 and js(body).get("code") == "wrong_type", (st, body))
        st, _, body = c.req("PUT", "alist", body=b"now a string")
        check("PUT replaces any type (like SET)", st == 200 and srv.command("GET", "alist") == b"now a string")
        st, h, body = c.req("POST", "k")
        check("POST on a key: 405 with Allow", st == 405 and "PATCH" in h.get("allow", ""), (st, h))
        c.conn.request("GET", "/v1/kv/a/b", headers={"Authorization": "Bearer " + TOKEN})
        r = c.conn.getresponse()
        r.read()
        check("a key is one path segment: /v1/kv/a/b is 404", r.status == 404, r.status)
        srv.command("CONFIG", "SET", "cairn-max-key-bytes", "1024")
        st, _, body = c.req("GET", "x" * 2000)
        check("key over max-key-bytes: 400", st == 400 and js(body).get("code") == "bad_key", (st, body[:100]))
        st, _, body = c.req("GET", "x" * 70000)
        check("a path over the header limit: 431", st == 431, (st, body[:100]))

    listing(args.binary)
    finish()


def get_json(conn, path):
    conn.request("GET", path, headers={"Authorization": "Bearer " + TOKEN})
    r = conn.getresponse()
    return r.status, js(r.read())


def listing(binary):
    with CairnServer(binary, extra_args=["--http-token", TOKEN, "--fsync", "everysec"]) as srv:
        cl = srv.client()
        pipe = cl.pipeline(transaction=False)
        for i in range(10000):
            pipe.set(f"item:{i:05d}", str(i))
        pipe.set("other:1", "x")
        pipe.set("gone", "x", px=1)
        pipe.execute()
        time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30)
        names, cursor, pages = [], None, 0
        while True:
            q = "prefix=item%3A&limit=1000" + (f"&cursor={cursor}" if cursor else "")
            st, body = get_json(conn, "/v1/kv?" + q)
            if st != 200:
                break
            pages += 1
            names += [k["name"] for k in body["keys"]]
            cursor = body["cursor"]
            if cursor is None or pages > 20:
                break
        check("cursor pagination over 10,000 keys: every key once, in order",
              names == [f"item:{i:05d}" for i in range(10000)] and pages == 10, (st, len(names), pages))
        st, body = get_json(conn, "/v1/kv?prefix=item%3A&limit=2&count=1")
        check("listed keys carry metadata (null without)", body.get("keys", [{}])[0].get("metadata", "missing") is None, body)
        check("count=1 gives the exact count for a prefix", body.get("count") == 10000
              and len(body["keys"]) == 2 and body["keys"][0]["revision"] > 0, body)
        st, body = get_json(conn, "/v1/kv?count=1&limit=1")
        check("count=1 without a prefix: every live key", body.get("count") == 10001, body)
        st, body = get_json(conn, "/v1/kv?limit=1000&prefix=")
        check("expired keys are not listed", "gone" not in [k["name"] for k in body["keys"]], body.get("keys", [])[:3])
        st, body = get_json(conn, "/v1/kv?cursor=%21%21%21")
        check("a bad cursor: 400", st == 400 and body.get("code") == "bad_cursor", (st, body))
        st, body = get_json(conn, "/v1/kv?limit=0")
        check("limit 0: 400", st == 400, (st, body))
        conn.request("DELETE", "/v1/kv?ns=0", headers={"Authorization": "Bearer " + TOKEN})
        r = conn.getresponse()
        b = js(r.read())
        check("DELETE /v1/kv?ns=0 flushes the namespace", r.status == 200 and b.get("flushed") is True
              and srv.command("DBSIZE") == 0, (r.status, b))
        conn.request("POST", "/v1/admin/compact", headers={"Authorization": "Bearer " + TOKEN})
        r = conn.getresponse()
        b = js(r.read())
        check("POST /v1/admin/compact starts a compaction", r.status in (202, 409), (r.status, b))


if __name__ == "__main__":
    main()
