"""The reference: Debian's redis-server on a free loopback port, for tests that
compare Cairn's answers with Redis's. The caller stops it by PID
(proc.terminate(); proc.wait())."""

import subprocess
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
