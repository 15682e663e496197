#!/usr/bin/python3
"""Crash test: kill -9 the server under write load, restart it, verify every acknowledged write.

Cairn promises that with `--fsync always` a write is answered only once it is durable, so a
crash (kill -9) must never lose an acknowledged write. This script checks that promise:

  1. Start the server on a free loopback port with a fresh temporary data directory.
  2. Run several writer threads (default 8). Each has its own connection and its own keys
     (50 string keys, a counter, a hash and a list) and does a mix of SET (values that encode
     writer and sequence number), APPEND, DEL, INCR, INCRBY, HSET, HDEL, LPUSH and RPOP, one
     request at a time (no pipelining), plus an occasional GET that checks the server agrees
     with what was acknowledged, and now and then a MULTI / SET a / SET b / EXEC that sets two
     keys of its own to one value, and as often an EVALSHA of a script that does the same:
     after any crash both must hold the same value. HTTP writers (default 2) do the same over the HTTP port with
     PUT, DELETE and GET on /v1/kv/{key}, and Upstash /multi-exec transactions that set two
     keys to one value: after any crash both keys must hold the same value. Stream writers
     (default 2, tests/crash/stream_ledger.py) run a job queue on one stream: XADD, XREADGROUP
     of new entries for a consumer group, XACK; after any crash every acknowledged entry
     exists, every delivered and unacknowledged entry is pending, no acknowledgement is
     undone, and no entry is ever delivered as new twice.
     Each writer keeps the last acknowledged state of each of its keys, and the one request
     it had sent without receiving the reply when the server died (the in-flight write).
  3. After a random delay, kill -9 the server by PID, restart it on the same data directory
     and port, and read every key back. Each key must hold its last acknowledged value, or,
     for the key with an in-flight write, the value that write would have produced.
     Counters must equal the acknowledged increments (plus the in-flight one, if any).
     Deleted keys must be absent (unless a write to them was in flight).
     Every third round the restarted server is killed again during start-up (after a random
     0-150 ms) before the real restart; every fourth round a compaction (POST
     /v1/admin/compact) starts halfway through, so the kill lands during or just after it.
  4. Repeat for --rounds rounds on the same data directory: state carries over, so later
     rounds also check that earlier rounds' data survives more crashes. At the end, stop the
     server with SIGTERM, restart it once more and verify again (a clean shutdown must not
     lose anything either).

Exit status 0 when nothing was lost or wrong; 1 otherwise, with details (a server that fails
to start or restart also fails the test, and its log is printed); 2 on usage errors.

Usage:
  /usr/bin/python3 tests/crash/crash_test.py --binary build/cairn [--rounds N] [--seconds-per-round S]

Development against Redis (before build/cairn exists):
  /usr/bin/python3 tests/crash/crash_test.py --server-cmd \
    "redis-server --port {port} --bind 127.0.0.1 --dir {data_dir} --appendonly yes --appendfsync always --save ''"

Standard library only, so it runs on a bare /usr/bin/python3. Only loopback addresses are used,
and only processes this script started are signalled, always by PID.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stream_ledger import StreamLedger, StreamWriter  # noqa: E402

HOST = "127.0.0.1"

DEFAULT_SERVER_CMD = ("{binary} serve --data-dir {data_dir} --port {port} "
                      "--bind 127.0.0.1 --http-port {http_port} --fsync {fsync}")


# ----------------------------------------------------------------------------------------
# A tiny RESP2 client: one request, then its reply. Nothing else.
# ----------------------------------------------------------------------------------------

class RespError(Exception):
    """The connection broke or the server sent something that is not RESP."""


class ErrorReply:
    """A `-ERR ...` reply. Returned, not raised: the caller decides what it means."""

    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return "ErrorReply(%r)" % self.message


class RespConnection:
    def __init__(self, port, timeout):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def encode(args):
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            if isinstance(arg, int):
                arg = str(arg).encode()
            elif isinstance(arg, str):
                arg = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
        return b"".join(parts)

    def send(self, *args):
        try:
            self.sock.sendall(self.encode(args))
        except OSError as e:
            raise RespError("send failed: %s" % e) from e

    def call(self, *args):
        self.send(*args)
        return self.read_reply()

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except OSError as e:  # includes socket.timeout
            raise RespError("recv failed: %s" % e) from e
        if not chunk:
            raise RespError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end])
                del self.buf[:end + 2]
                return line
            self._fill()

    def _exactly(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data = bytes(self.buf[:n])
        if self.buf[n:n + 2] != b"\r\n":
            raise RespError("bulk string not terminated by CRLF")
        del self.buf[:n + 2]
        return data

    def read_reply(self):
        line = self._line()
        if not line:
            raise RespError("empty reply line")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "replace")
        if kind == b"-":
            return ErrorReply(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exactly(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise RespError("unexpected reply type byte %r in %r" % (kind, line[:80]))


# ----------------------------------------------------------------------------------------
# The server process.
# ----------------------------------------------------------------------------------------

# The Lua writer's script: two SETs that must commit together.
LUA_PAIR_SCRIPT = b"redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return 'OK'"
LUA_PAIR_SHA = hashlib.sha1(LUA_PAIR_SCRIPT).hexdigest().encode()


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """Starts, kills and stops the server under test; only ever signals its own PID."""

    def __init__(self, argv, workdir, port):
        self.argv = argv
        self.workdir = workdir
        self.port = port
        self.proc = None
        self.log_path = None
        self.starts = 0
        self.last_exit_code = None

    def start(self, timeout):
        self.starts += 1
        self.log_path = os.path.join(self.workdir, "server-%03d.log" % self.starts)
        with open(self.log_path, "wb") as log:
            # A new session: Ctrl-C on the test does not reach the server directly; the
            # finally block in main() stops it by PID instead.
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError("server (start #%d) exited with status %s during start-up"
                                 % (self.starts, self.proc.returncode), self)
            try:
                conn = RespConnection(self.port, timeout=2)
                try:
                    reply = conn.call("PING")
                finally:
                    conn.close()
                if reply == "PONG":
                    return
                last_problem = "PING answered %r" % (reply,)
            except (OSError, RespError) as e:
                last_problem = str(e)
            time.sleep(0.05)
        raise StartError("server (start #%d) did not answer PING within %.0f s (%s)"
                         % (self.starts, timeout, last_problem), self)

    def start_and_kill(self, delay):
        """Start, then kill -9 after `delay` seconds, while it is still opening or recovering."""
        self.starts += 1
        self.log_path = os.path.join(self.workdir, "server-%03d.log" % self.starts)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        time.sleep(delay)
        self.kill9()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self, grace):
        """SIGTERM, wait up to `grace` seconds, then SIGKILL. Returns True on a clean exit."""
        if self.proc is None:
            return True
        clean = True
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                clean = False
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.last_exit_code = self.proc.returncode
        self.proc = None
        return clean

    def log_tail(self, max_bytes=8000):
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no log)"
        with open(self.log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            text = f.read().decode("utf-8", "replace")
        prefix = "...(log truncated)...\n" if size > max_bytes else ""
        return prefix + (text if text.strip() else "(log is empty)")


class StartError(Exception):
    def __init__(self, message, server):
        super().__init__(message)
        self.server = server


# ----------------------------------------------------------------------------------------
# The model: what each key may hold after a crash.
# ----------------------------------------------------------------------------------------

def apply_op(op, value):
    """The value a key holds after `op`, given it held `value` (None = absent) before.

    Strings are bytes; a hash is a sorted tuple of (field, value) pairs and a
    list a tuple of elements (None when empty: Redis removes empty collections)."""
    kind = op[0]
    if kind == "HSET":
        fields = dict(value or ())
        fields[op[1]] = op[2]
        return tuple(sorted(fields.items()))
    if kind == "HDEL":
        fields = dict(value or ())
        fields.pop(op[1], None)
        return tuple(sorted(fields.items())) or None
    if kind == "LPUSH":
        return (op[1],) + (value or ())
    if kind == "RPOP":
        return (value or ())[:-1] or None
    if kind == "SET":
        return op[1]
    if kind == "APPEND":
        return (value or b"") + op[1]
    if kind == "DEL":
        return None
    if kind == "INCR":
        return str(int(value or b"0") + 1).encode()
    if kind == "INCRBY":
        return str(int(value or b"0") + op[1]).encode()
    raise ValueError(kind)


def show(value, limit=120):
    if value is None:
        return "<absent>"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(%d bytes)" % len(value)


class Writer(threading.Thread):
    """One connection, one key space, one request at a time."""

    def __init__(self, index, port, keys_per_writer, state, rng_seed, round_no, timeout):
        super().__init__(name="writer-%d" % index, daemon=True)
        self.index = index
        self.port = port
        self.string_keys = ["crash:w%d:k%02d" % (index, i) for i in range(keys_per_writer)]
        self.counter_key = "crash:counter:w%d" % index
        self.hash_key = "crash:hash:w%d" % index
        self.list_key = "crash:list:w%d" % index
        self.pair = ("crash:mpair:w%d:a" % index, "crash:mpair:w%d:b" % index)  # MULTI/EXEC sets both
        self.lua_pair = ("crash:lpair:w%d:a" % index, "crash:lpair:w%d:b" % index)  # one script sets both
        self.state = state          # key -> last acknowledged value (bytes) or None; shared
        self.rng = random.Random(rng_seed)
        self.round_no = round_no
        self.timeout = timeout
        self.seq = 0
        self.acked = 0              # acknowledged writes this round
        self.reads = 0
        self.in_flight = None       # (key, op) sent but not answered when the connection died
        self.connection_error = None
        self.problems = []          # wrong replies seen while the server was up
        self.stop_flag = threading.Event()

    def next_op(self):
        r = self.rng.random()
        self.seq += 1
        tag = b"w%d:r%d:s%d" % (self.index, self.round_no, self.seq)
        if r < 0.04:
            return None, ("MULTI-PAIR", tag)
        if r < 0.08:
            return None, ("LUA-PAIR", tag)
        if r < 0.20:
            return self.counter_key, ("INCR",)
        if r < 0.25:
            return self.counter_key, ("INCRBY", self.rng.randint(-5, 1000))
        if r < 0.45:
            return self.collection_op(tag)
        key = self.rng.choice(self.string_keys)
        current = self.state[key]
        if r < 0.50:
            return key, ("GET",)
        if r < 0.58:
            return key, ("DEL",)
        if r < 0.70 and (current is None or len(current) < 4096):
            return key, ("APPEND", b"|" + tag)
        # Mostly small values; now and then an empty one or a few kilobytes.
        size_roll = self.rng.random()
        if size_roll < 0.01:
            value = b""
        elif size_roll < 0.05:
            value = tag + b":" + b"x" * self.rng.randint(1000, 8000)
        else:
            value = tag + b":" + b"v" * self.rng.randint(0, 100)
        return key, ("SET", value)

    def collection_op(self, tag):
        """HSET/HDEL on the writer's hash, LPUSH/RPOP on its list, now and then DEL of one."""
        r = self.rng.random()
        if r < 0.40:
            return self.hash_key, ("HSET", b"f%d" % self.rng.randrange(20), tag)
        if r < 0.50:
            return self.hash_key, ("HDEL", b"f%d" % self.rng.randrange(20))
        if r < 0.85:
            return self.list_key, ("LPUSH", tag)
        if r < 0.97:
            return self.list_key, ("RPOP",)
        return self.rng.choice([self.hash_key, self.list_key]), ("DEL",)

    def expected_reply(self, key, op, before):
        kind = op[0]
        after = apply_op(op, before)
        if kind == "HSET":
            return 0 if op[1] in dict(before or ()) else 1
        if kind == "HDEL":
            return 1 if op[1] in dict(before or ()) else 0
        if kind == "LPUSH":
            return len(after)
        if kind == "RPOP":
            return before[-1] if before else None
        if kind == "SET":
            return "OK"
        if kind == "APPEND":
            return len(after)
        if kind == "DEL":
            return 0 if before is None else 1
        return int(after)  # INCR / INCRBY

    def run(self):
        conn = None
        try:
            conn = RespConnection(self.port, timeout=self.timeout)
            while not self.stop_flag.is_set():
                key, op = self.next_op()
                if op[0] == "MULTI-PAIR":
                    # One transaction sets both keys: after any crash both or neither.
                    a, b = self.pair
                    tag = op[1]
                    self.in_flight = [(a, ("SET", tag)), (b, ("SET", tag))]
                    replies = [conn.call("MULTI"), conn.call("SET", a, tag), conn.call("SET", b, tag),
                               conn.call("EXEC")]
                    self.in_flight = None
                    if replies != ["OK", "QUEUED", "QUEUED", ["OK", "OK"]]:
                        self.problems.append("MULTI/SET/SET/EXEC answered %r" % (replies,))
                        return
                    self.state[a] = self.state[b] = tag
                    self.acked += 1
                    continue
                if op[0] == "LUA-PAIR":
                    # One script sets both keys: EVALSHA, loaded by EVAL after a restart
                    # (the script cache is not durable, as in Redis).
                    a, b = self.lua_pair
                    tag = op[1]
                    self.in_flight = [(a, ("SET", tag)), (b, ("SET", tag))]
                    reply = conn.call("EVALSHA", LUA_PAIR_SHA, 2, a, b, tag)
                    if isinstance(reply, ErrorReply) and reply.message.startswith("NOSCRIPT"):
                        reply = conn.call("EVAL", LUA_PAIR_SCRIPT, 2, a, b, tag)
                    self.in_flight = None
                    if reply != b"OK":  # a Lua string comes back as a bulk string
                        self.problems.append("the pair script answered %r" % (reply,))
                        return
                    self.state[a] = self.state[b] = tag
                    self.acked += 1
                    continue
                before = self.state[key]
                if op[0] == "GET":
                    reply = conn.call("GET", key)
                    self.reads += 1
                    if reply != before:
                        self.problems.append("GET %s returned %s, but the last acknowledged "
                                             "value is %s" % (key, show(reply), show(before)))
                        return
                    continue
                self.in_flight = (key, op)
                reply = conn.call(op[0], key, *op[1:])
                # The reply arrived: the write is acknowledged and must survive any crash.
                self.in_flight = None
                want = self.expected_reply(key, op, before)
                if reply != want:
                    self.problems.append("%s %s answered %r, expected %r (value before: %s)"
                                         % (op[0], key, reply, want, show(before)))
                    return
                self.state[key] = apply_op(op, before)
                self.acked += 1
        except (OSError, RespError) as e:
            # Expected once the server is killed; in_flight (if set) may or may not be applied.
            self.connection_error = str(e)
        finally:
            if conn is not None:
                conn.close()


class HttpWriter(threading.Thread):
    """Writes over the HTTP port: PUT and DELETE of its own keys, and Upstash
    /multi-exec transactions that set two keys to the same value, which after
    any crash must hold the same value (both writes or neither)."""

    def __init__(self, index, http_port, keys, pair, state, rng_seed, round_no, timeout):
        super().__init__(name="http-writer-%d" % index, daemon=True)
        self.index = index
        self.http_port = http_port
        self.keys = keys
        self.pair = pair
        self.state = state
        self.rng = random.Random(rng_seed)
        self.round_no = round_no
        self.timeout = timeout
        self.seq = 0
        self.acked = 0
        self.reads = 0
        self.in_flight = None   # (key, op), or a list of them for a transaction
        self.connection_error = None
        self.problems = []
        self.stop_flag = threading.Event()

    def request(self, conn, method, path, body=None):
        conn.request(method, path, body=body)
        res = conn.getresponse()
        return res.status, res.read()

    def run(self):
        conn = None
        try:
            conn = http.client.HTTPConnection(HOST, self.http_port, timeout=self.timeout)
            while not self.stop_flag.is_set():
                self.seq += 1
                tag = b"h%d:r%d:s%d" % (self.index, self.round_no, self.seq)
                r = self.rng.random()
                if r < 0.25:
                    a, b = self.pair
                    self.in_flight = [(a, ("SET", tag)), (b, ("SET", tag))]
                    body = json.dumps([["SET", a, tag.decode()], ["SET", b, tag.decode()]])
                    status, data = self.request(conn, "POST", "/multi-exec", body)
                    self.in_flight = None
                    if status != 200 or json.loads(data) != [{"result": "OK"}, {"result": "OK"}]:
                        self.problems.append("multi-exec answered %d %r" % (status, data[:200]))
                        return
                    self.state[a] = self.state[b] = tag
                    self.acked += 1
                    continue
                key = self.rng.choice(self.keys)
                if r < 0.35:
                    status, data = self.request(conn, "GET", "/v1/kv/" + key)
                    self.reads += 1
                    got = data if status == 200 else None
                    if status not in (200, 404) or got != self.state[key]:
                        self.problems.append("GET /v1/kv/%s answered %d %s, last acknowledged %s"
                                             % (key, status, show(data), show(self.state[key])))
                        return
                    continue
                if r < 0.45:
                    op = ("DEL",)
                    self.in_flight = (key, op)
                    status, data = self.request(conn, "DELETE", "/v1/kv/" + key)
                    ok = status in (200, 204, 404)
                else:
                    value = tag + b":" + b"p" * self.rng.randint(0, 200)
                    op = ("SET", value)
                    self.in_flight = (key, op)
                    status, data = self.request(conn, "PUT", "/v1/kv/" + key, value)
                    ok = status == 200
                self.in_flight = None
                if not ok:
                    self.problems.append("%s /v1/kv/%s answered %d %r" % (op[0], key, status, data[:200]))
                    return
                self.state[key] = apply_op(op, self.state[key])
                self.acked += 1
        except (OSError, http.client.HTTPException) as e:
            self.connection_error = str(e)
        finally:
            if conn is not None:
                conn.close()


def start_compaction(http_port, timeout):
    """POST /v1/admin/compact; 1 if a compaction started (202), 0 if one was running (409)."""
    conn = http.client.HTTPConnection(HOST, http_port, timeout=timeout)
    try:
        conn.request("POST", "/v1/admin/compact")
        res = conn.getresponse()
        res.read()
        if res.status not in (202, 409):
            raise RespError("POST /v1/admin/compact answered %d" % res.status)
        return 1 if res.status == 202 else 0
    finally:
        conn.close()


def unsynced_window_metrics(http_port, timeout):
    """The --fsync everysec window gauges from GET /metrics: {name: value}."""
    conn = http.client.HTTPConnection(HOST, http_port, timeout=timeout)
    try:
        conn.request("GET", "/metrics")
        res = conn.getresponse()
        body = res.read().decode()
        if res.status != 200:
            raise RespError("GET /metrics answered %d" % res.status)
    finally:
        conn.close()
    found = {}
    for line in body.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith("cairn_wal_unsynced_"):
            found[name] = float(value)
    return found


def read_back(port, keys, timeout):
    """Read every key (one request at a time) and DBSIZE. Returns (values, dbsize-or-None).

    Hashes come back as sorted (field, value) tuples, lists as tuples, as apply_op models them."""
    conn = RespConnection(port, timeout=timeout)
    try:
        values = {}
        for key in keys:
            if key.startswith("crash:hash:"):
                reply = conn.call("HGETALL", key)
                if isinstance(reply, list):
                    reply = tuple(sorted(zip(reply[0::2], reply[1::2]))) or None
            elif key.startswith("crash:list:"):
                reply = conn.call("LRANGE", key, 0, -1)
                if isinstance(reply, list):
                    reply = tuple(reply) or None
            else:
                reply = conn.call("GET", key)
            if isinstance(reply, ErrorReply):
                raise RespError("reading %s failed: %s" % (key, reply.message))
            values[key] = reply
        dbsize = conn.call("DBSIZE")
        return values, (dbsize if isinstance(dbsize, int) else None)
    finally:
        conn.close()


def verify_stream(ledger, port, in_flight, timeout):
    conn = RespConnection(port, timeout=timeout)
    try:
        return ledger.verify(conn, in_flight)
    finally:
        conn.close()


def verify(state, in_flight, observed, dbsize, other_keys=0):
    """Compare what the server holds with what was acknowledged.

    Returns a list of problems. On success the caller adopts `observed` as the new state:
    an in-flight write either happened or it did not, and both are correct."""
    problems = []
    for key, acked_value in state.items():
        allowed = [acked_value]
        op = in_flight.get(key)
        if op is not None:
            allowed.append(apply_op(op, acked_value))
        got = observed[key]
        if got in allowed:
            continue
        why = "LOST" if acked_value is not None and got is None else "WRONG"
        detail = "%s %s: server has %s, last acknowledged %s" % (
            why, key, show(got), show(acked_value))
        if op is not None:
            detail += "; in-flight %s would give %s" % (op[0], show(allowed[1]))
        problems.append(detail)
    present = sum(1 for v in observed.values() if v is not None) + other_keys
    if dbsize is not None and dbsize != present:
        problems.append("DBSIZE is %d but %d of the test's keys are present (the test writes "
                        "no other keys)" % (dbsize, present))
    return problems


# ----------------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", help="path to the cairn binary (e.g. build/cairn)")
    p.add_argument("--server-cmd", help="full server command line instead of the cairn one; "
                   "placeholders {binary} {data_dir} {port} (e.g. a redis-server command "
                   "for developing this script)")
    p.add_argument("--threads", type=int, help="pass --threads N to cairn")
    p.add_argument("--fsync", choices=["always", "everysec"], default="always",
                   help="the server's --fsync (default always)")
    p.add_argument("--http-writers", type=int, default=2,
                   help="writer threads on the HTTP port: PUT/DELETE and /multi-exec (default 2)")
    p.add_argument("--stream-writers", type=int, default=2,
                   help="writer threads on one stream with a consumer group: XADD, XREADGROUP, "
                        "XACK (default 2)")
    p.add_argument("--rounds", type=int, default=20, help="crash/restart rounds (default 20)")
    p.add_argument("--seconds-per-round", type=float, default=0.75,
                   help="mean write time before the kill; each round kills after a random "
                        "0.5x-1.5x of this (default 0.75)")
    p.add_argument("--writers", type=int, default=8, help="writer threads (default 8)")
    p.add_argument("--keys-per-writer", type=int, default=50,
                   help="string keys per writer, few so that overwrites happen (default 50)")
    p.add_argument("--seed", type=int, help="random seed (printed; timing still varies)")
    p.add_argument("--start-timeout", type=float, default=30.0,
                   help="seconds to wait for the server to answer PING (default 30)")
    p.add_argument("--reply-timeout", type=float, default=30.0,
                   help="seconds a live server may take to answer one request (default 30)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory (data and server logs) on failure")
    args = p.parse_args()
    if not args.binary and not args.server_cmd:
        p.error("give --binary (or --server-cmd)")
    if args.rounds < 1 or args.writers < 1 or args.keys_per_writer < 1:
        p.error("--rounds, --writers and --keys-per-writer must be at least 1")
    if args.seconds_per_round <= 0:
        p.error("--seconds-per-round must be positive")
    if args.binary and not args.server_cmd and not os.access(args.binary, os.X_OK):
        p.error("%s is not an executable file" % args.binary)
    return args


def main():
    args = parse_args()
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so the finally block below still stops
    # the server and removes the temporary directory.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)

    workdir = tempfile.mkdtemp(prefix="cairn-crash-")
    data_dir = os.path.join(workdir, "data")
    os.mkdir(data_dir)
    port = free_loopback_port()
    http_port = free_loopback_port()
    template = args.server_cmd or DEFAULT_SERVER_CMD
    binary = os.path.abspath(args.binary) if args.binary else ""
    argv = [part.format(binary=binary, data_dir=data_dir, port=port, http_port=http_port, fsync=args.fsync)
            for part in shlex.split(template)]
    if args.threads and not args.server_cmd:
        argv += ["--threads", str(args.threads)]
    print("crash test: seed %d, %d rounds, %d writers x %d keys, port %d, data dir %s"
          % (seed, args.rounds, args.writers, args.keys_per_writer, port, data_dir))
    print("server: %s" % " ".join(shlex.quote(a) for a in argv))
    sys.stdout.flush()

    state = {}
    for w in range(args.writers):
        for i in range(args.keys_per_writer):
            state["crash:w%d:k%02d" % (w, i)] = None
        state["crash:counter:w%d" % w] = None
        state["crash:hash:w%d" % w] = None
        state["crash:list:w%d" % w] = None
    http_keys, pairs = [], []
    for w in range(args.writers):
        pairs.append(("crash:mpair:w%d:a" % w, "crash:mpair:w%d:b" % w))
        state.update({key: None for key in pairs[-1]})
        pairs.append(("crash:lpair:w%d:a" % w, "crash:lpair:w%d:b" % w))
        state.update({key: None for key in pairs[-1]})
    # pairs: each RESP writer's MULTI pair and Lua pair, then each HTTP writer's.
    for h in range(args.http_writers):
        http_keys.append(["crash:http:h%d:k%02d" % (h, i) for i in range(10)])
        pairs.append(("crash:pair:h%d:a" % h, "crash:pair:h%d:b" % h))
        for key in http_keys[-1] + list(pairs[-1]):
            state[key] = None

    server = Server(argv, workdir, port)
    ledger = StreamLedger()
    failures = []
    total_acked = 0
    total_in_flight = 0
    in_flight_applied = 0
    rounds_done = 0
    startup_kills = 0
    compactions = 0
    windows = 0           # everysec: WAL syncs that covered acknowledged writes
    window_max_s = 0.0    # ... the longest an acknowledged write waited for one
    window_ops_max = 0    # ... the most writes acknowledged in one window
    ok = False
    try:
        server.start(args.start_timeout)
        for round_no in range(1, args.rounds + 1):
            writers = [Writer(w, port, args.keys_per_writer, state, rng.randrange(1 << 31),
                              round_no, args.reply_timeout) for w in range(args.writers)]
            writers += [HttpWriter(h, http_port, http_keys[h], pairs[2 * args.writers + h], state, rng.randrange(1 << 31),
                                   round_no, args.reply_timeout) for h in range(args.http_writers)]
            stream_writers = [StreamWriter(s, lambda: RespConnection(port, timeout=args.reply_timeout),
                                           (OSError, RespError), ledger, rng.randrange(1 << 31), round_no)
                              for s in range(args.stream_writers)]
            writers += stream_writers
            for t in writers:
                t.start()
            delay = rng.uniform(0.5, 1.5) * args.seconds_per_round
            if round_no % 4 == 0:
                # Every fourth round the kill lands while a compaction (flush
                # of every memtable, then a full compaction) runs or just ran.
                time.sleep(delay / 2)
                compactions += start_compaction(http_port, args.reply_timeout)
                time.sleep(delay / 2)
            else:
                time.sleep(delay)
            if args.fsync == "everysec" and server.alive():
                # Read just before the kill: what an OS crash at that moment
                # (rather than a process kill) could have lost.
                m = unsynced_window_metrics(http_port, args.reply_timeout)
                windows += int(m.get("cairn_wal_unsynced_windows_total", 0))
                window_max_s = max(window_max_s, m.get("cairn_wal_unsynced_window_max_seconds", 0.0))
                window_ops_max = max(window_ops_max, int(m.get("cairn_wal_unsynced_writes_max", 0)))
            crashed_by_itself = not server.alive()
            crash_log = server.log_tail() if crashed_by_itself else None
            server.kill9()
            for t in writers:
                t.join(timeout=args.reply_timeout + 5)
            stuck = [t.name for t in writers if t.is_alive()]
            if stuck:
                failures.append("round %d: writers %s did not stop after the kill"
                                % (round_no, ", ".join(stuck)))
                break
            if crashed_by_itself:
                failures.append("round %d: the server exited on its own before the kill; "
                                "its log:\n%s" % (round_no, crash_log))
            for t in writers:
                failures.extend("round %d: %s: %s" % (round_no, t.name, p) for p in t.problems)
            failures.extend("round %d: %s" % (round_no, p) for p in ledger.problems)
            if failures:
                break

            in_flight = {}
            stream_in_flight = [t.in_flight for t in stream_writers if t.in_flight]
            for t in writers:
                if t in stream_writers:
                    continue
                if isinstance(t.in_flight, list):
                    in_flight.update(dict(t.in_flight))
                elif t.in_flight:
                    in_flight[t.in_flight[0]] = t.in_flight[1]
            acked = sum(t.acked for t in writers)
            if acked == 0:
                failures.append("round %d: no write was acknowledged in %.2f s; is the server "
                                "working? last connection errors: %s" % (
                                    round_no, delay,
                                    "; ".join(sorted({str(t.connection_error)
                                                      for t in writers}))))
                break

            if round_no % 3 == 0:
                # Every third round: crash it again while it starts up.
                server.start_and_kill(rng.uniform(0.0, 0.15))
                startup_kills += 1
            server.start(args.start_timeout)
            observed, dbsize = read_back(port, list(state), args.reply_timeout)
            problems = verify(state, in_flight, observed, dbsize, ledger.key_count())
            problems += verify_stream(ledger, port, stream_in_flight, args.reply_timeout)
            problems += ["HALF-APPLIED transaction: %s holds %s but %s holds %s"
                         % (a, show(observed[a]), b, show(observed[b]))
                         for a, b in pairs if observed[a] != observed[b]]
            # In-flight writes that visibly took effect (a no-op such as DEL of an absent key
            # cannot be told apart and is not counted).
            applied = sum(1 for k, op in in_flight.items()
                          if observed[k] != state[k] and observed[k] == apply_op(op, state[k]))
            print("round %2d: killed after %.2f s, %5d writes acknowledged, %d in flight "
                  "(%d applied), %d reads checked, %s"
                  % (round_no, delay, acked, len(in_flight), applied,
                     sum(t.reads for t in writers),
                     "OK" if not problems else "%d PROBLEMS" % len(problems)))
            sys.stdout.flush()
            if problems:
                failures.extend("round %d: %s" % (round_no, p) for p in problems)
                break
            total_acked += acked
            total_in_flight += len(in_flight)
            in_flight_applied += applied
            rounds_done = round_no
            state.update(observed)  # in-flight writes are now settled one way or the other

        if not failures:
            # A clean shutdown and restart must keep everything too.
            code = server.proc.poll() if server.proc else None
            clean = server.stop(grace=15)
            if server.last_exit_code not in (0, None) and code is None:
                failures.append("the server exited with status %s on SIGTERM; its log:\n%s"
                                % (server.last_exit_code, server.log_tail()))
            server.start(args.start_timeout)
            observed, dbsize = read_back(port, list(state), args.reply_timeout)
            problems = verify(state, {}, observed, dbsize, ledger.key_count())
            problems += verify_stream(ledger, port, [], args.reply_timeout)
            print("final: %s, restarted, %s"
                  % ("stopped with SIGTERM" if clean
                     else "did not stop within 15 s of SIGTERM (killed)",
                     "OK" if not problems else "%d PROBLEMS" % len(problems)))
            failures.extend("after clean restart: %s" % p for p in problems)
        if args.fsync == "everysec" and rounds_done and windows == 0:
            failures.append("--fsync everysec: /metrics counted no WAL sync covering "
                            "acknowledged writes (cairn_wal_unsynced_windows_total)")
        ok = not failures
    except StartError as e:
        failures.append("%s\ncommand: %s\nserver log (%s):\n%s"
                        % (e, " ".join(argv), e.server.log_path, e.server.log_tail()))
    except (OSError, RespError) as e:
        failures.append("talking to the restarted server failed: %s\nserver log (%s):\n%s"
                        % (e, server.log_path, server.log_tail()))
    finally:
        server.stop(grace=15)
        if ok or not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    lost = sum(1 for f in failures if " LOST " in f)
    print("summary (--fsync %s): %d rounds passed, %d acknowledged writes verified, %d in flight "
          "at a kill (%d applied), %d kills during start-up, %d compactions started before a "
          "kill, %d lost writes (keys), %d other problems"
          % (args.fsync, rounds_done, total_acked, total_in_flight, in_flight_applied, startup_kills,
             compactions, lost, len(failures) - lost))
    print("streams: %s" % ledger.summary())
    if args.fsync == "everysec":
        print("everysec exposure (what an OS crash rather than kill -9 could lose): %d WAL syncs "
              "covered acknowledged writes; the longest an acknowledged write waited for its sync "
              "was %.0f ms; at most %d writes were acknowledged in one window"
              % (windows, window_max_s * 1000, window_ops_max))
    if failures:
        print("\nFAILED (seed %d):" % seed)
        for f in failures[:50]:
            print("  " + f)
        if len(failures) > 50:
            print("  ... and %d more" % (len(failures) - 50))
        if args.keep:
            print("kept %s (data/ and server-*.log)" % workdir)
        else:
            print("rerun with --keep (and --seed %d) to keep the data directory and server logs"
                  % seed)
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
