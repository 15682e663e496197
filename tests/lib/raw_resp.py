"""Helpers for integration tests of blocking commands: a raw RESP connection
whose replies are read when the test wants, waiting for clients to block, and
one Upstash REST call."""

import http.client
import json
import socket
import time

from cairn_server import RespError, _encode, _read_reply


class Raw:
    """One RESP connection whose replies are read when the test wants."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.sock.makefile("rb")

    def send(self, *commands):
        self.sock.sendall(b"".join(_encode(list(cmd)) for cmd in commands))

    def read(self):
        try:
            return _read_reply(self.f)
        except RespError as e:
            return e

    def call(self, *args):
        self.send(args)
        return self.read()

    def ready(self, wait=0.2):
        """Whether a reply has arrived within `wait` seconds (not consumed)."""
        self.sock.settimeout(wait)
        try:
            return len(self.sock.recv(1, socket.MSG_PEEK)) > 0
        except (socket.timeout, BlockingIOError):
            return False
        finally:
            self.sock.settimeout(30)

    def close(self):
        self.f.close()
        self.sock.close()


def blocked_clients(c):
    return int(c.info("clients")["blocked_clients"])


def wait_blocked(c, n):
    for _ in range(500):
        if blocked_clients(c) == n:
            return True
        time.sleep(0.01)
    return False


def upstash(srv, command, token):
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    conn.request("POST", "/", body=json.dumps(command), headers={"Authorization": "Bearer " + token})
    resp = conn.getresponse()
    body = json.loads(resp.read())
    conn.close()
    return resp.status, body
