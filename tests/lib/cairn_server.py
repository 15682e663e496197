"""Start and stop a real Cairn server for integration tests.

Each CairnServer runs `cairn serve` on a free loopback port with its own
temporary directory (data dir + log file), waits until it answers PING, and
stops it by PID only -- never by process name. Standard library only; use it
with /usr/bin/python3 (Debian's python3-redis works on top of it).

    from cairn_server import CairnServer
    with CairnServer(binary) as srv:
        srv.command("SET", "k", "v")      # -> b"OK"
        srv.kill9()
        srv.start()                        # same data dir and port
        assert srv.command("GET", "k") == b"v"

Set CAIRN_KEEP_TMP=1 to keep the temporary directory after the test.
The server gets SIGKILL if the thread that started it exits (PR_SET_PDEATHSIG),
so nothing outlives a killed test: call start() from the main thread.
"""

import ctypes
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

__all__ = ["find_free_port", "resp_command", "CairnServer", "RespError", "rss_kb", "read_to_close"]

# Sanitizer builds run several times slower; scripts/test-sanitizers.sh sets
# CAIRN_TEST_SLOWDOWN so that start and stop get more patience (and
# resp_command's default timeout with them).
SLOWDOWN = float(os.environ.get("CAIRN_TEST_SLOWDOWN", "1"))
START_TIMEOUT = 20.0 * SLOWDOWN
STOP_TIMEOUT = 15.0 * SLOWDOWN


def find_free_port():
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    """Resident set size of a process, in KiB (VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0])


def read_to_close(sock):
    """Everything a socket receives until the peer closes it."""
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+",):
        return rest
    if kind == b"-":
        raise RespError(rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if kind in (b"*", b">"):  # arrays; RESP3 pushes read the same way
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    if kind == b"_":
        return None
    raise ConnectionError("unexpected reply %r" % line)


def resp_command(port, *args, password=None, timeout=5.0 * SLOWDOWN):
    """Send one command over a fresh RESP2 connection and return the reply.

    Simple strings and bulk strings come back as bytes, integers as int,
    arrays as lists; an error reply raises RespError.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = s.makefile("rb")
        if password is not None:
            s.sendall(_encode(["AUTH", password]))
            _read_reply(f)
        s.sendall(_encode(args))
        return _read_reply(f)


def _die_with_parent():
    # Runs in the child before exec: if the test process dies (e.g. ctest
    # timeout), the kernel kills the server too, so no server is left behind.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class CairnServer:
    """One `cairn serve` process with a data dir that survives restarts."""

    def __init__(self, binary, data_dir=None, extra_args=(), port=None, open_files=None):
        self.binary = os.path.abspath(binary)
        self.open_files = open_files  # RLIMIT_NOFILE (soft and hard) for the server, if set
        self.tmp_dir = tempfile.mkdtemp(prefix="cairn-test-")
        self.data_dir = data_dir or os.path.join(self.tmp_dir, "data")
        self.extra_args = list(extra_args)
        self.port = port
        # Every server gets its own free HTTP port (the default, 4869, would
        # collide between tests running in parallel) unless the test set one.
        self.http_port = None
        if "--http-port" in self.extra_args:
            self.http_port = int(self.extra_args[self.extra_args.index("--http-port") + 1])
        self.log_path = os.path.join(self.tmp_dir, "server.log")
        self.proc = None
        self.password = None
        if "--requirepass" in self.extra_args:
            self.password = self.extra_args[self.extra_args.index("--requirepass") + 1]

    # -- lifecycle -----------------------------------------------------------

    def start(self):
        """Launch the server and wait until it answers PING."""
        if self.running():
            raise RuntimeError("server already running (pid %d)" % self.proc.pid)
        if self.port is None:
            self.port = find_free_port()
        http_args = []
        if "--http-port" not in self.extra_args:
            if self.http_port is None:
                self.http_port = find_free_port()
            http_args = ["--http-port", str(self.http_port)]
        os.makedirs(self.data_dir, exist_ok=True)
        cmd = [self.binary, "serve", "--data-dir", self.data_dir,
               "--port", str(self.port), "--bind", "127.0.0.1"] + http_args + self.extra_args
        with open(self.log_path, "ab") as log:
            log.write(("\n=== %s\n" % " ".join(cmd)).encode())
            log.flush()
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT,
                                         preexec_fn=self._preexec)
        self._wait_ready()
        return self

    def _preexec(self):
        _die_with_parent()
        if self.open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM by PID, wait; SIGKILL by PID if it does not exit. Returns exit code.

        A server must exit 0 on SIGTERM; one that did not (a crash before the
        stop, a sanitizer or leak report at exit, a hang) fails the test."""
        if self.proc is None:
            return None
        died_before = self.proc.poll() is not None
        if not died_before:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                print("cairn_server: pid %d ignored SIGTERM for %.0fs; SIGKILL"
                      % (self.proc.pid, timeout), file=sys.stderr)
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        pid = self.proc.pid
        self.proc = None
        if code != 0:
            from checks import check
            check("server pid %d exits 0 on SIGTERM" % pid, False,
                  "%s with status %s; log tail:\n%s" % ("it had already exited" if died_before else "it exited",
                                                        code, self.log_tail(4000)))
        return code

    def kill9(self):
        """Crash the server: SIGKILL by PID, no chance to flush anything."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self, kill=False):
        """Stop (or kill -9 when kill=True) and start again on the same dir and port."""
        self.kill9() if kill else self.stop()
        return self.start()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def cleanup(self):
        """Stop the server and remove the temporary directory."""
        self.stop()
        if os.environ.get("CAIRN_KEEP_TMP"):
            print("cairn_server: keeping %s" % self.tmp_dir, file=sys.stderr)
        else:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            sys.stderr.write("--- server log (%s) ---\n%s\n" % (self.log_path, self.log_tail()))
        self.cleanup()
        return False

    # -- talking to it ---------------------------------------------------------

    def command(self, *args, timeout=5.0 * SLOWDOWN):
        """Run one command over a fresh raw RESP connection (see resp_command)."""
        return resp_command(self.port, *args, password=self.password, timeout=timeout)

    def client(self, **kwargs):
        """A redis-py client for this server (needs Debian's python3-redis)."""
        import redis
        kwargs.setdefault("password", self.password)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def log_tail(self, max_bytes=8000):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - max_bytes))
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise RuntimeError("cairn exited with %s during start-up; log:\n%s"
                                   % (code, self.log_tail()))
            try:
                if self.command("PING", timeout=1.0) == b"PONG":
                    return
            except (OSError, ConnectionError, RespError):
                pass
            time.sleep(0.05)
        pid = self.proc.pid
        self.kill9()
        raise RuntimeError("cairn (pid %d) did not answer PING within %.0fs; log:\n%s"
                           % (pid, START_TIMEOUT, self.log_tail()))
