"""SWAPDB: two databases trade their data at once, whatever they hold; the
swap survives kill -9; connections stay in their database; WATCH is touched
as in Redis; a client blocked in one of them is served by what the swap
brought; keyspace notifications, INFO keyspace, DBSIZE, MOVE and FLUSHDB
follow the databases, not where their data lives.

    /usr/bin/python3 tests/integration/swapdb.py --binary build/cairn
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import binary_arg, check, error_of, finish  # noqa: E402

import redis  # noqa: E402


def main():
    with CairnServer(binary_arg(), extra_args=["--fsync", "always"]) as srv:
        db0 = srv.client(db=0)
        db1 = srv.client(db=1)
        db2 = srv.client(db=2)
        db0.set("s", "zero")
        db0.rpush("l", "a", "b")
        db0.hset("h", mapping={"f": "v"})
        db0.zadd("z", {"m": 1})
        db0.set("ttl", "x", ex=1000)
        db1.set("s", "one")
        for i in range(1000):
            db1.set("many:%d" % i, i)

        check("SWAPDB answers OK", db0.swapdb(0, 1) is True)
        check("db 0 now holds db 1's string", db0.get("s") == b"one")
        check("and its 1000 keys", db0.dbsize() == 1001 and db0.get("many:999") == b"999")
        check("db 1 holds db 0's string", db1.get("s") == b"zero")
        check("collections move with it", db1.lrange("l", 0, -1) == [b"a", b"b"] and db1.hgetall("h") == {b"f": b"v"}
              and db1.zscore("z", "m") == 1.0)
        check("TTLs move with it", 990 < db1.ttl("ttl") <= 1000)
        info = db0.info("keyspace")
        check("INFO keyspace shows the databases as swapped",
              info.get("db0", {}).get("keys") == 1001 and info.get("db1", {}).get("keys") == 5, info)
        check("SWAPDB of a database with itself", db0.swapdb(2, 2) is True and db2.dbsize() == 0)
        check("invalid first index", error_of(lambda: db0.execute_command("SWAPDB", "x", "1")) ==
              "invalid first DB index")
        check("invalid second index", error_of(lambda: db0.execute_command("SWAPDB", "1", "y")) ==
              "invalid second DB index")
        check("out of range", error_of(lambda: db0.execute_command("SWAPDB", "0", "16")) == "DB index is out of range")

        # Writes after the swap land in the database the client is in.
        db1.set("after", "1")
        check("a write after the swap is in db 1", db1.get("after") == b"1" and db0.get("after") is None)
        check("MOVE to a swapped database", db1.move("after", 2) and db2.get("after") == b"1")
        db2.swapdb(2, 3)
        db3 = srv.client(db=3)
        check("MOVE's key went along with db 2", db3.get("after") == b"1" and db2.dbsize() == 0)

        # WATCH: touched by a swap that changes the key, either way.
        w = srv.client(db=0)
        p = w.pipeline(transaction=True)
        p.watch("s")
        db0.swapdb(0, 1)
        p.multi()
        p.ping()
        try:
            p.execute()
            touched = False
        except redis.WatchError:
            touched = True
        check("a swap that replaces a watched key fails the EXEC", touched)
        p.reset()
        p.watch("nowhere")
        db0.swapdb(0, 1)
        p.multi()
        p.ping()
        check("a swap where the watched key is in neither database does not", p.execute() == [True])
        p.reset()

        # Keyspace notifications name the database.
        db0.config_set("notify-keyspace-events", "KEA")
        sub = srv.client(db=0).pubsub()
        sub.psubscribe("__keyspace@1__:*")
        time.sleep(0.2)
        db1.set("notified", "v")
        msg = None
        deadline = time.time() + 5
        while time.time() < deadline and msg is None:
            m = sub.get_message(timeout=0.5)
            if m and m["type"] == "pmessage":
                msg = m
        check("a write in db 1 (swapped) is notified as db 1",
              msg is not None and msg["channel"] == b"__keyspace@1__:notified", msg)
        sub.close()
        db0.config_set("notify-keyspace-events", "")

        # A blocked client is served by what the swap brings.
        db0.flushall()
        db5 = srv.client(db=5)
        db5.rpush("k", "hello")
        result = {}

        def pop():
            result["r"] = srv.client(db=9).brpop("k", 10)

        t = threading.Thread(target=pop)
        t.start()
        for _ in range(200):
            if int(db0.info("clients")["blocked_clients"]) == 1:
                break
            time.sleep(0.02)
        db0.swapdb(5, 9)
        t.join(15)
        check("SWAPDB wakes a client blocked in db 9", result.get("r") == (b"k", b"hello"), result)
        check("FLUSHDB after a swap empties the database the client is in",
              db5.set("f", "1") and db5.flushdb() and db5.dbsize() == 0)

        # Durable.
        db0.set("mark", "db0")
        db0.swapdb(0, 7)
        srv.kill9()
        srv.start()
        check("after kill -9 the swap holds", srv.client(db=7).get("mark") == b"db0" and
              srv.client(db=0).get("mark") is None)
    finish()


if __name__ == "__main__":
    main()
