"""The reference: Debian's redis-server on a free loopback port with a
temporary directory, for tests and benchmarks that compare Cairn with Redis.

    with RedisServer(["--appendonly", "yes"]) as srv: srv.client(), srv.pid, srv.data_dir
    with reference_redis("cairn-my-test-") as client: ...

RedisServer has CairnServer's client()/pid/data_dir; both stop the server by
PID and remove the directory afterwards. reference_redis fails the test
(exit 1) with the way to install redis-server if it is missing."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import redis

from cairn_server import find_free_port


class RedisServer:
    def __init__(self, extra_args=(), prefix="cairn-redis-"):
        self.extra_args = list(extra_args)
        self.prefix = prefix

    def __enter__(self):
        self.tmp_dir = tempfile.mkdtemp(prefix=self.prefix)
        self.data_dir = os.path.join(self.tmp_dir, "data")
        os.makedirs(self.data_dir)
        self.port = find_free_port()
        # Later arguments win, so extra_args may turn the AOF on.
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.data_dir, "--logfile", os.path.join(self.tmp_dir, "redis.log")] + self.extra_args,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        for _ in range(200):
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("redis-server did not answer PING")

    def __exit__(self, *exc):
        self.proc.terminate()  # by PID
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        return False

    def client(self, **kwargs):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10, **kwargs)


@contextlib.contextmanager
def reference_redis(prefix):
    if not shutil.which("redis-server"):
        print("redis-server not found (bash scripts/install-deps.sh installs it)")
        sys.exit(1)
    with RedisServer(prefix=prefix) as srv:
        yield srv.client()
