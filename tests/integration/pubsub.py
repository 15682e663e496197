"""Pub/sub over RESP with redis-py and raw sockets: subscribe confirmations
and counts, delivery across connections (which the server spreads over its
I/O threads) in publish order, patterns, RESP2's subscribed-mode rules and
PING form, RESP3 pushes with ordinary commands in between, PUBSUB's
introspection, CLIENT REPLY OFF still delivering messages, a subscriber that
stops reading being disconnected at the output limit while the server keeps
serving, PUBLISH through the Upstash REST door, and keyspace notifications
from every door (RESP, native HTTP, Upstash), EXEC and expiry.

    /usr/bin/python3 tests/integration/pubsub.py --binary build/cairn
"""

import json
import os
import socket
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, _encode  # noqa: E402
from checks import binary_arg, check, error_of, finish  # noqa: E402

import redis  # noqa: E402


class Raw:
    """A raw RESP connection that parses arrays, pushes and errors."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.f = self.sock.makefile("rb")

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b"-"):
            return (kind + rest).decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode()
        if kind in (b"*", b">"):
            n = int(rest)
            items = [self.read() for _ in range(n)]
            return ["push"] + items if kind == b">" else items
        if kind == b"%":
            n = int(rest)
            return dict((self.read(), self.read()) for _ in range(n))
        if kind == b"_":
            return None
        raise ConnectionError("unexpected reply %r" % line)

    def send(self, *args):
        self.sock.sendall(_encode(list(args)))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def close(self):
        self.sock.close()


def main():
    with CairnServer(binary_arg()) as srv:
        port = srv.port
        pub = redis.Redis(port=port)

        # Confirmations: one per channel, with the running count.
        sub = Raw(port)
        sub.send("SUBSCRIBE", "news", "sport", "news")
        got = [sub.read() for _ in range(3)]
        check("SUBSCRIBE confirms each channel with the count",
              got == [["subscribe", "news", 1], ["subscribe", "sport", 2], ["subscribe", "news", 2]], got)
        check("PUBLISH counts the receivers", pub.publish("news", "hello") == 1)
        check("the subscriber receives the message", sub.read() == ["message", "news", "hello"])
        check("a channel nobody listens on has no receivers", pub.publish("weather", "x") == 0)

        # RESP2 subscribed mode allows only the pub/sub commands, PING, QUIT, RESET.
        err = sub.call("GET", "k")
        check("RESP2 refuses GET while subscribed", err.startswith("-ERR Can't execute 'get'"), err)
        check("PING while subscribed answers [pong, '']", sub.call("PING") == ["pong", ""])
        check("PING msg while subscribed", sub.call("PING", "m") == ["pong", "m"])

        # Order: many messages from a publisher on another connection arrive in order.
        n = 2000
        pipe = pub.pipeline(transaction=False)
        for i in range(n):
            pipe.publish("sport", str(i))
        pipe.execute()
        seq = [sub.read()[2] for _ in range(n)]
        check("2000 messages arrive in publish order", seq == [str(i) for i in range(n)])

        # Several publishers at once: each one's messages stay in its order.
        def publish_many(tag):
            c = redis.Redis(port=port)
            for i in range(300):
                c.publish("sport", "%s:%d" % (tag, i))
        threads = [threading.Thread(target=publish_many, args=(t,)) for t in "abc"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seen = {"a": [], "b": [], "c": []}
        for _ in range(900):
            tag, i = sub.read()[2].split(":")
            seen[tag].append(int(i))
        check("three concurrent publishers: each arrives whole and in order",
              all(v == list(range(300)) for v in seen.values()), {k: len(v) for k, v in seen.items()})

        # Patterns.
        psub = Raw(port)
        check("PSUBSCRIBE confirms", psub.call("PSUBSCRIBE", "sp*") == ["psubscribe", "sp*", 1])
        check("a channel and a pattern both receive", pub.publish("sport", "goal") == 2)
        check("pmessage carries the pattern", psub.read() == ["pmessage", "sp*", "sport", "goal"])
        check("message to the channel subscriber", sub.read() == ["message", "sport", "goal"])

        # Introspection.
        check("PUBSUB CHANNELS", sorted(pub.pubsub_channels()) == [b"news", b"sport"])
        check("PUBSUB CHANNELS pattern", pub.pubsub_channels("n*") == [b"news"])
        check("PUBSUB NUMSUB", pub.pubsub_numsub("news", "nope") == [(b"news", 1), (b"nope", 0)])
        check("PUBSUB NUMPAT", pub.pubsub_numpat() == 1)
        info = pub.info("stats")
        check("INFO counts channels and patterns", (info["pubsub_channels"], info["pubsub_patterns"]) == (2, 1))
        subscribed = pub.client_list(_type="pubsub")
        check("CLIENT LIST TYPE pubsub lists the two subscribers", len(subscribed) == 2, subscribed)
        check("with their sub/psub counts and flag P",
              sorted((c["sub"], c["psub"], c["flags"]) for c in subscribed) == [("0", "1", "P"), ("2", "0", "P")],
              subscribed)

        # UNSUBSCRIBE without arguments: one reply per channel, then normal mode.
        sub.send("UNSUBSCRIBE")
        got = sorted(tuple(sub.read()) for _ in range(2))
        check("UNSUBSCRIBE all confirms each channel",
              got == [("unsubscribe", "news", 0), ("unsubscribe", "sport", 1)] or
              got == [("unsubscribe", "news", 1), ("unsubscribe", "sport", 0)], got)
        check("after unsubscribing, GET works again", sub.call("GET", "k") is None)
        check("and nothing is delivered", pub.publish("news", "late") == 0)
        sub.close()

        # RESP3: pushes, and ordinary commands while subscribed.
        r3 = Raw(port)
        r3.call("HELLO", "3")
        check("RESP3 SUBSCRIBE is a push", r3.call("SUBSCRIBE", "c3") == ["push", "subscribe", "c3", 1])
        check("RESP3 allows SET while subscribed", r3.call("SET", "k3", "v") == "+OK")
        pub.publish("c3", "m1")
        check("RESP3 message push", r3.read() == ["push", "message", "c3", "m1"])
        check("RESP3 PING is the normal reply", r3.call("PING") == "+PONG")
        check("RESET leaves subscribed mode", r3.call("RESET") == "+RESET")
        check("no subscriber after RESET", pub.publish("c3", "m2") == 0)
        r3.close()

        # CLIENT REPLY OFF: replies dropped, messages still delivered.
        quiet = Raw(port)
        quiet.send("CLIENT", "REPLY", "OFF")
        quiet.send("SET", "quiet", "1")
        quiet.send("SUBSCRIBE", "q")
        check("CLIENT REPLY OFF still confirms SUBSCRIBE", quiet.read() == ["subscribe", "q", 1])
        check("the silenced SET was applied", pub.get("quiet") == b"1")
        pub.publish("q", "still")
        check("and messages still arrive", quiet.read() == ["message", "q", "still"])
        quiet.close()
        skip = Raw(port)
        skip.send("CLIENT", "REPLY", "SKIP")
        skip.send("SET", "skipped", "1")
        check("CLIENT REPLY SKIP drops only the next reply", skip.call("GET", "skipped") == "1")
        skip.close()

        # A subscriber that never reads: disconnected at the output limit; the
        # server keeps serving and its memory stays bounded.
        hog = socket.create_connection(("127.0.0.1", port))
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        hog.sendall(_encode(["SUBSCRIBE", "flood"]))
        time.sleep(0.2)
        payload = "x" * 65536
        deadline = time.time() + 60
        closed = False
        pipe = pub.pipeline(transaction=False)
        while time.time() < deadline:
            for _ in range(100):
                pipe.publish("flood", payload)
            counts = pipe.execute()
            if counts[-1] == 0:
                closed = True
                break
        check("a subscriber that stops reading is disconnected past the limit", closed)
        check("the server still answers", pub.ping() is True)
        hog.close()

        # PUBLISH through the Upstash REST door reaches a RESP subscriber.
        up = Raw(port)
        up.call("SUBSCRIBE", "rest")
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
        conn.request("POST", "/", body=json.dumps(["PUBLISH", "rest", "from-http"]))
        resp = conn.getresponse()
        body = json.loads(resp.read())
        check("Upstash PUBLISH counts the RESP subscriber", body == {"result": 1}, body)
        check("and the subscriber receives it", up.read() == ["message", "rest", "from-http"])
        conn.request("POST", "/", body=json.dumps(["SUBSCRIBE", "x"]))
        body = json.loads(conn.getresponse().read())
        check("SUBSCRIBE over HTTP is a clear error", "error" in body and "RESP" in body["error"], body)
        up.close()

        # Keyspace notifications: from RESP, both HTTP doors, MULTI/EXEC and
        # expiry; published after the commit, so the key already reads new.
        pub.config_set("notify-keyspace-events", "KEA")
        check("CONFIG GET spells the flags as Redis", pub.config_get("notify-keyspace-events") ==
              {"notify-keyspace-events": "AKE"})
        ks = Raw(port)
        ks.call("PSUBSCRIBE", "__key*@0__:*")
        reader = redis.Redis(port=port)

        def events(n):
            out = []
            for _ in range(n):
                m = ks.read()
                out.append((m[2], m[3]))
            return out
        pub.set("n1", "v")
        check("SET notifies keyspace and keyevent",
              events(2) == [("__keyspace@0__:n1", "set"), ("__keyevent@0__:set", "n1")])
        conn.request("PUT", "/v1/kv/n2", body=b"x")
        conn.getresponse().read()
        got = events(2)
        check("a native HTTP PUT notifies set", got == [("__keyspace@0__:n2", "set"), ("__keyevent@0__:set", "n2")],
              got)
        check("and the key reads new when the event arrives", reader.get("n2") == b"x")
        conn.request("POST", "/", body=json.dumps(["LPUSH", "n3", "a"]))
        conn.getresponse().read()
        check("an Upstash LPUSH notifies lpush",
              events(2) == [("__keyspace@0__:n3", "lpush"), ("__keyevent@0__:lpush", "n3")])
        tx = pub.pipeline(transaction=True)
        tx.hset("n4", "f", "1").rpop("n3").execute()
        got = events(6)
        check("EXEC's commands notify in order, an emptied list with del",
              [e for c, e in got if c.startswith("__keyspace")] == ["hset", "rpop", "del"], got)
        check("a failed command notifies nothing",
              error_of(lambda: pub.incr("n4")) != "" and pub.set("n5", "z") and
              events(1) == [("__keyspace@0__:n5", "set")])
        events(1)
        pub.set("n6", "v", px=50)
        check("SET PX notifies set then expire",
              [e for c, e in events(4) if c.startswith("__keyspace")] == ["set", "expire"])
        check("the key's expiry notifies expired", events(2) == [("__keyspace@0__:n6", "expired"),
                                                                ("__keyevent@0__:expired", "n6")])
        pub.config_set("notify-keyspace-events", "")
        pub.set("n7", "v")
        check("with notifications off nothing is sent", pub.publish("__keyspace@0__:probe", "p") == 1 and
              ks.read()[3] == "p")
        ks.close()
    finish()


if __name__ == "__main__":
    main()
