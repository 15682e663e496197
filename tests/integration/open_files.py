"""The open-files limit: clients cannot starve the store of descriptors, and
the store recovers when it does run out.

Every connection is a descriptor, and so is every RocksDB table file, WAL and
MANIFEST. The server splits its limit between table files and connections
and refuses clients past their share ("max number of clients reached" over
RESP, 503 over HTTP), so a flush or a new WAL never meets EMFILE because of
them. If the store runs out anyway (here: the test lowers the running
server's limit under it), writes fail with a clear error, reads go on, and
once descriptors are free again writes resume, by themselves where RocksDB
allows it and after a restart where it does not, with nothing lost.

    /usr/bin/python3 tests/integration/open_files.py --binary build/cairn
"""

import argparse
import http.client
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import SLOWDOWN, CairnServer  # noqa: E402
from checks import check, finish  # noqa: E402

LIMIT = 400     # the server's RLIMIT_NOFILE
FLOOD = 400     # connections the test opens against it


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def first_reply(sock):
    """What the server says first on a fresh connection, within a moment ('' if nothing)."""
    sock.settimeout(0.5 * SLOWDOWN)
    try:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        return sock.recv(200).decode(errors="replace")
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < FLOOD + 200:  # the test's own sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, FLOOD + 1000) if hard != resource.RLIM_INFINITY
                                                    else FLOOD + 1000, hard))

    with CairnServer(args.binary, extra_args=["--maxclients", "5"]) as srv:
        held = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(5)]
        check("--maxclients 5: five clients served", all(first_reply(s) == "+PONG\r\n" for s in held))
        extra = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        check("...the sixth refused with Redis's error",
              first_reply(extra).startswith("-ERR max number of clients reached"))
        extra.close()
        held.pop().close()
        deadline, again = time.time() + 5 * SLOWDOWN, ""
        while time.time() < deadline and again != "+PONG\r\n":
            with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
                again = first_reply(s)
            time.sleep(0.05)
        check("...and served once a place is free", again == "+PONG\r\n", again)
        for s in held:
            s.close()

    with CairnServer(args.binary, extra_args=["--fsync", "always"], open_files=LIMIT) as srv:
        check("the start-up log states the split of the open-files limit",
              "room for" in srv.log_tail() and "client connections" in srv.log_tail(), srv.log_tail()[-600:])
        work = srv.client(single_connection_client=True, socket_timeout=10 * SLOWDOWN)
        work.set("before", "flood")
        for i in range(200):
            work.set(f"k{i}", "v" * 100)

        # A flood of clients: some are served, the rest refused at once.
        flood = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(FLOOD)]
        replies = [first_reply(s) for s in flood]
        served = sum(1 for r in replies if r.startswith("+PONG"))
        refused = sum(1 for r in replies if r.startswith("-ERR max number of clients reached"))
        check("a flood past the limit: some clients served", served > 0, (served, refused))
        check("...the rest refused with Redis's error, none left hanging",
              refused > 0 and served + refused == FLOOD,
              (served, refused, [r for r in replies if not r.startswith(("+PONG", "-ERR max"))][:3]))
        check("...and the server stays below its limit", open_fds(srv.pid) < LIMIT, open_fds(srv.pid))

        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
        try:
            conn.request("GET", "/v1/kv/before")
            res = conn.getresponse()
            body = res.read()
            check("HTTP at the limit: 503 too_many_connections with Retry-After",
                  res.status == 503 and b"too_many_connections" in body and res.getheader("Retry-After"),
                  (res.status, body[:200]))
        except OSError as e:
            check("HTTP at the limit: 503 too_many_connections with Retry-After", False, str(e))
        finally:
            conn.close()

        # The store still has its descriptors: a flush and compaction (new
        # table files, a new WAL) and more writes succeed during the flood.
        check("during the flood: SAVE (flush and compaction) succeeds", work.save() is True)
        ok = all(work.set(f"during{i}", "x" * 1000) for i in range(500))
        check("during the flood: writes succeed", ok and work.get("during499") == b"x" * 1000)

        for s in flood:
            s.close()
        deadline, again = time.time() + 10 * SLOWDOWN, ""
        while time.time() < deadline and again != "+PONG\r\n":
            with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
                again = first_reply(s)
            time.sleep(0.05)
        check("after the flood: new clients are served", again == "+PONG\r\n"
              and srv.command("GET", "before") == b"flood", again)

        # Starve the store itself: lower the running server's soft limit to
        # what it has open, so RocksDB cannot open a new WAL or table file.
        have = open_fds(srv.pid)
        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (have + 2, LIMIT))
        try:
            work.save()
            saved = True
        except Exception as e:  # redis.ResponseError
            saved = False
            save_error = str(e)
        check("out of descriptors: SAVE fails with a clear error",
              not saved and "Too many open files" in save_error, None if saved else save_error)
        try:
            work.set("starved", "1")
            write_error = ""
        except Exception as e:
            write_error = str(e)
        check("out of descriptors: writes fail with a clear error", "storage error" in write_error
              or "Too many open files" in write_error, write_error)
        check("out of descriptors: reads keep working",
              work.get("before") == b"flood" and work.get("during499") == b"x" * 1000)

        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (LIMIT, LIMIT))
        # RocksDB resumes by itself after some failures (a WAL write, a full
        # disk) but holds a failed flush fatal until the store is reopened;
        # either way the server must say what to do, and a restart must bring
        # everything back.
        resumed, last = False, ""
        deadline = time.time() + 3 * SLOWDOWN
        while time.time() < deadline and not resumed:
            try:
                resumed = work.set("resumed", "yes") is True
            except Exception as e:
                last = str(e)
                time.sleep(0.2)
        check("descriptors back: writes resume, or the log says to restart",
              resumed or "writes cannot resume yet" in srv.log_tail(), (last, srv.log_tail()[-800:]))
        work.close()
        srv.restart()
        work = srv.client(single_connection_client=True, socket_timeout=10 * SLOWDOWN)
        check("after a restart: writes work", work.set("after", "restart") is True and work.save() is True)
        check("...and nothing stored was lost, no refused write appeared",
              work.get("before") == b"flood" and work.get("k199") == b"v" * 100
              and work.get("during499") == b"x" * 1000 and work.get("starved") is None,
              [work.get(k) for k in ("before", "k199", "starved")])
        work.close()
    finish()


if __name__ == "__main__":
    main()
