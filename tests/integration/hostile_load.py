"""Hostile clients that cost the server resources rather than parse errors:
5,000 idle connections while 50 others work; a client that pipelines without
ever reading (its output stays bounded, it is closed after --drain-timeout,
others are unaffected); slow-loris clients over RESP (served, slowly, without
blocking anyone) and HTTP (closed after --http-request-timeout).

    /usr/bin/python3 tests/integration/hostile_load.py --binary build/cairn
"""

import argparse
import os
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, read_to_close, resp_command, rss_kb  # noqa: E402
from checks import check, finish  # noqa: E402

IDLE = 5000
WORKERS = 50


def client_count(port):
    return len(resp_command(port, "CLIENT", "LIST").splitlines())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    # The server inherits the raised limit (and raises its own soft limit to
    # the hard one in any case); it gives about three quarters of it to
    # client connections (the rest to table files and a reserve), so 8,000
    # leaves room for 5,050 clients. The test holds 5,000 sockets too.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8000
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # root may raise the hard limit
        except (ValueError, OSError) as e:
            check(f"open files limit can be raised to {want} (hard limit {hard})", False, str(e))
            finish()
    elif soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else hard, hard))

    with CairnServer(args.binary, extra_args=["--fsync", "everysec", "--drain-timeout", "2",
                                              "--http-request-timeout", "2"]) as srv:
        port = srv.port
        srv.command("SET", "canary", "alive")

        # 5,000 idle connections, then 50 clients doing real work at once.
        idle = []
        for _ in range(IDLE):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            idle.append(s)
        check("5,000 idle connections accepted", client_count(port) >= IDLE, client_count(port))
        errors, done = [], []

        def work(n):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=30)
                f = s.makefile("rb")
                for i in range(200):
                    s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(f"w{n}:{i}"), f"w{n}:{i}".encode()))
                    if f.readline() != b"+OK\r\n":
                        errors.append(n)
                        return
                done.append(n)
                s.close()
            except OSError as e:
                errors.append(f"{n}: {e}")

        t0 = time.monotonic()
        threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        elapsed = time.monotonic() - t0
        check("50 working clients beside 5,000 idle ones: every write answered",
              len(done) == WORKERS and not errors, (len(done), errors[:5]))
        print(f"     (50 x 200 SETs beside 5,000 idle connections took {elapsed:.1f} s)")
        check("RSS with 5,000 idle connections stays modest", rss_kb(srv.pid) < 600 * 1024, rss_kb(srv.pid))
        for s in idle:
            s.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and client_count(port) > 10:
            time.sleep(0.1)
        check("idle connections are released when they close", client_count(port) <= 10, client_count(port))

        # A client that pipelines GETs and never reads. The server stops
        # reading from it once its replies back up (bounded memory), and
        # closes it after --drain-timeout; others are served throughout.
        hog = socket.create_connection(("127.0.0.1", port))
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hog.setblocking(False)
        command = b"*2\r\n$3\r\nGET\r\n$6\r\ncanary\r\n"
        chunk = memoryview(command * 10000)
        sent = 0
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and sent < 1_000_000 * len(command):
            try:
                # Whole frames only: the stream must stay valid RESP.
                sent += hog.send(chunk[sent % len(chunk):])
            except BlockingIOError:
                time.sleep(0.01)
        check("never-reading client: others served", srv.command("GET", "canary") == b"alive")
        check("never-reading client: bounded memory", rss_kb(srv.pid) < 400 * 1024, f"RSS {rss_kb(srv.pid)} kB")
        print(f"     (the never-reading client got {sent // len(command)} commands in before the server stopped reading)")
        closed = False
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not closed:
            time.sleep(0.5)
            closed = client_count(port) <= 1  # only the CLIENT LIST connection
        check("never-reading client: closed after --drain-timeout", closed)
        hog.close()
        check("after the hog: others served", srv.command("GET", "canary") == b"alive")

        # Slow loris over RESP: a command trickled a byte at a time is served,
        # and others are not held up meanwhile.
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        cmd = b"*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$5\r\nloris\r\n"
        served_meanwhile = True
        for i, b in enumerate(cmd):
            slow.sendall(bytes([b]))
            time.sleep(0.02)
            if i % 10 == 0:
                served_meanwhile &= srv.command("GET", "canary") == b"alive"
        check("slow-loris RESP: others served meanwhile", served_meanwhile)
        check("slow-loris RESP: its command completes", slow.recv(100) == b"+OK\r\n")
        slow.close()

        # Slow loris over HTTP: headers that never finish are cut off at
        # --http-request-timeout; the RESP and HTTP ports keep serving.
        loris = socket.create_connection(("127.0.0.1", srv.http_port), timeout=10)
        loris.sendall(b"GET /v1/kv/canary HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        ended = False
        try:
            while time.monotonic() - t0 < 8:
                loris.sendall(b"X-Drip: 1\r\n")
                time.sleep(0.5)
        except OSError:
            ended = True
        waited = time.monotonic() - t0
        check("slow-loris HTTP: closed after --http-request-timeout", ended and waited < 6, f"{waited:.1f} s")
        loris.close()
        s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
        s.sendall(b"GET /v1/kv/canary HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = read_to_close(s)
        s.close()
        check("slow-loris HTTP: others served", reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"alive"),
              reply[:100])
    finish()


if __name__ == "__main__":
    main()
