"""The reference: Debian's redis-server on a free loopback port with a
temporary directory, for tests that compare Cairn's answers with Redis's.

    with reference_redis("cairn-my-test-") as client: ...

stops it by PID and removes the directory afterwards; a missing redis-server
fails the test (exit 1) with the way to install it."""

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time

import redis

from cairn_server import find_free_port


def start_redis(workdir):
    port = find_free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=10)
    for _ in range(200):
        try:
            if client.ping():
                return proc, client
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


@contextlib.contextmanager
def reference_redis(prefix):
    if not shutil.which("redis-server"):
        print("redis-server not found (bash scripts/install-deps.sh installs it)")
        sys.exit(1)
    workdir = tempfile.mkdtemp(prefix=prefix)
    proc, client = start_redis(workdir)
    try:
        yield client
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
