"""Disk full: the server runs on a small tmpfs the test mounts. When free
space falls below --disk-reserve, writes over RESP fail with `-ERR disk full
...` and over HTTP with 507, reads keep working, nothing stored is damaged,
and writes succeed again once space is freed; everything acknowledged also
survives a restart.

Needs root and permission to mount (CAP_SYS_ADMIN). Where mounting is not
allowed (an unprivileged container) it exits 77, which ctest reports as
skipped, with the reason printed.

    /usr/bin/python3 tests/integration/disk_full.py --binary build/cairn
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, RespError  # noqa: E402
from checks import check, finish  # noqa: E402

SKIP = 77
FS_MB = 128
RESERVE_MB = 16


def http_request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def free_mb(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 2**20


def fill(path, leave_mb):
    """Writes a filler file until about `leave_mb` MiB stay free."""
    with open(os.path.join(path, "filler"), "ab") as f:
        block = b"\0" * (1 << 20)
        while free_mb(path) > leave_mb + 1:
            try:
                f.write(block)
                f.flush()
            except OSError:
                break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    mount_point = tempfile.mkdtemp(prefix="cairn-diskfull-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_MB}m", "tmpfs", mount_point],
                       capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(mount_point)
        print(f"SKIPPED: cannot mount a {FS_MB} MiB tmpfs here ({r.stderr.strip() or 'mount failed'}); "
              "the disk-full test needs root with CAP_SYS_ADMIN")
        sys.exit(SKIP)
    try:
        data_dir = os.path.join(mount_point, "data")
        extra = ["--disk-reserve", f"{RESERVE_MB}mb", "--cache-bytes", "16mb", "--fsync", "always"]
        with CairnServer(args.binary, data_dir=data_dir, extra_args=extra) as srv:
            stored = {}
            for i in range(200):
                k, v = f"before:{i}", os.urandom(200)
                srv.command("SET", k, v)
                stored[k] = v
            for i in range(20):
                k, v = f"http:{i}", b"h" * 500
                st, _ = http_request(srv.http_port, "PUT", "/v1/kv/" + k, v)
                check(f"PUT {k} before the disk fills", st == 200, st)
                stored[k] = v

            # Fill the disk to just above the reserve, then write until refused.
            fill(mount_point, RESERVE_MB + 8)
            big = os.urandom(256 * 1024)
            refused = None
            for i in range(200):
                try:
                    srv.command("SET", f"big:{i}", big)
                    stored[f"big:{i}"] = big
                except RespError as e:
                    refused = str(e)
                    break
            check("RESP write refused once free space falls below --disk-reserve",
                  refused is not None and refused.startswith("ERR disk full"), refused)
            print(f"     ({len([k for k in stored if k.startswith('big:')])} 256 KiB values were stored "
                  f"before the refusal; {free_mb(mount_point):.1f} MiB free)")
            try:
                srv.command("DEL", "before:0")
                check("DEL is a write too: refused", False)
            except RespError as e:
                check("DEL is a write too: refused", str(e).startswith("ERR disk full"), str(e))
            st, body = http_request(srv.http_port, "PUT", "/v1/kv/http:new", b"x")
            check("HTTP PUT refused with 507", st == 507 and json.loads(body).get("code") == "insufficient_storage",
                  (st, body))
            st, body = http_request(srv.http_port, "POST", "/", b'["SET", "upstash", "x"]')
            check("Upstash SET refused with 507 and Redis's error text",
                  st == 507 and json.loads(body).get("error", "").startswith("ERR disk full"), (st, body))

            # Reads keep working, and every acknowledged value is intact.
            wrong = [k for k, v in stored.items() if srv.command("GET", k) != v]
            check("reads work while full; every stored value intact", not wrong, wrong[:5])
            st, body = http_request(srv.http_port, "GET", "/v1/kv/http:3")
            check("HTTP reads work while full", st == 200 and body == stored["http:3"], st)
            check("the refused writes wrote nothing", srv.command("GET", "upstash") is None
                  and srv.command("GET", "before:0") == stored["before:0"])

            # Free space: writes succeed again (the check runs at most every 100 ms).
            os.remove(os.path.join(mount_point, "filler"))
            ok = False
            for _ in range(50):
                try:
                    ok = srv.command("SET", "after", "freed") == b"OK"
                    break
                except RespError:
                    time.sleep(0.1)
            check("writes succeed again once space is freed", ok)
            stored["after"] = b"freed"
            st, _ = http_request(srv.http_port, "PUT", "/v1/kv/http:after", b"y")
            check("HTTP PUT succeeds again", st == 200, st)
            stored["http:after"] = b"y"
            wrong = [k for k, v in stored.items() if srv.command("GET", k) != v]
            check("after recovery every acknowledged value is intact", not wrong, wrong[:5])

            srv.restart()
            wrong = [k for k, v in stored.items() if srv.command("GET", k) != v]
            check("after a restart every acknowledged value is intact", not wrong, wrong[:5])
    finally:
        subprocess.run(["umount", mount_point], check=False)
        os.rmdir(mount_point)
    finish()


if __name__ == "__main__":
    main()
