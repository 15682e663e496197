"""docs/openapi.json against the routes: the server serves exactly that
document at /v1/openapi.json, every path and method it lists is answered by
its own route (not by the Upstash path-style fallback, not 405), and every
native route the server has is in it.

    /usr/bin/python3 tests/integration/http_openapi.py --binary build/cairn
"""

import argparse
import http.client
import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import check, finish  # noqa: E402

TOKEN = "openapi-token"
DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json")

# The native routes the server implements (src/net/http_connection.cc and
# http_kv*.cc, http_watch.cc, http_metrics.cc): each must be documented.
SERVED = {
    "/healthz": {"get"},
    "/metrics": {"get"},
    "/v1/openapi.json": {"get"},
    "/v1/kv/{key}": {"get", "head", "put", "patch", "delete"},
    "/v1/kv/{key}/incr": {"post"},
    "/v1/kv/batch": {"post"},
    "/v1/kv": {"get", "delete"},
    "/v1/admin/compact": {"post"},
    "/v1/watch/{key}": {"get"},
    "/v1/watch": {"get"},
}
METHODS = {"get", "head", "put", "patch", "delete", "post"}


def probe(port, method, path):
    """(status, content-type, first bytes of the body); streams are cut short."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        body = b"probe" if method in ("PUT", "POST") else b""
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else 0
        ctype = next((ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("content-type:")), "")
        if "event-stream" not in ctype and method != "HEAD":
            length = next((int(ln.split(":", 1)[1]) for ln in lines[1:] if ln.lower().startswith("content-length:")), 0)
            while len(rest) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
        return status, ctype, rest[:300]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    with open(DOC) as f:
        doc = json.load(f)
    documented = {p: {m for m in ops if m in METHODS} for p, ops in doc["paths"].items()}
    for path, methods in SERVED.items():
        check(f"{path} {sorted(methods)} is documented", methods <= documented.get(path, set()),
              documented.get(path))
    for path, methods in documented.items():
        check(f"{path} documents only served methods", methods <= SERVED.get(path, set()), methods)

    with CairnServer(args.binary, extra_args=["--http-token", TOKEN]) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
        conn.request("GET", "/v1/openapi.json", headers={"Authorization": "Bearer " + TOKEN})
        r = conn.getresponse()
        served = json.loads(r.read())
        check("/v1/openapi.json serves docs/openapi.json", r.status == 200 and served == doc)
        srv.command("SET", "probe", "1")
        for path, methods in documented.items():
            concrete = path.replace("{key}", "probe")
            for m in sorted(methods):
                status, ctype, body = probe(srv.http_port, m.upper(), concrete)
                fallback = b"unknown command" in body or b"no such route" in body
                check(f"{m.upper()} {path} is answered by its route", status not in (0, 405) and not fallback,
                      (status, ctype, body))
    finish()


if __name__ == "__main__":
    main()
