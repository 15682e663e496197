"""Large strings over RESP: SETRANGE and SETBIT far past the end cost the
chunk they touch, not the value's size (RSS stays low, other clients are
served), long values read back exactly (GET, GETRANGE, STRLEN, GETBIT,
BITCOUNT, APPEND, COPY, RENAME, EXPIRE) across a restart, and DEL or an
overwrite removes them.

    /usr/bin/python3 tests/integration/large_values.py --binary build/cairn
"""

import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer, rss_kb  # noqa: E402
from checks import binary_arg, check, finish  # noqa: E402

MAX = 512 * 1024 * 1024


def main():
    with CairnServer(binary_arg(), extra_args=["--fsync", "always"]) as srv:
        c = srv.client()
        c.set("canary", "alive")
        rss_before = rss_kb(srv.pid)

        # Far past the end: Redis would allocate 512 MB for each.
        check("SETRANGE at 512 MB - 1", c.setrange("big", MAX - 1, "x") == MAX)
        check("SETBIT at 2^32 - 1", c.setbit("bits", 2**32 - 1, 1) == 0)
        rss = rss_kb(srv.pid)
        check("sparse writes: RSS stays low", rss < rss_before + 64 * 1024, f"RSS {rss_before} -> {rss} kB")
        check("others served", c.get("canary") == b"alive")
        check("STRLEN", c.strlen("big") == MAX and c.strlen("bits") == MAX)
        check("GETRANGE tail", c.getrange("big", -3, -1) == b"\0\0x")
        check("GETRANGE past the tail is clamped", c.getrange("big", MAX - 2, MAX + 100) == b"\0x")
        check("GETRANGE in the zeros", c.getrange("big", 1000, 1003) == b"\0" * 4)
        check("GETBIT set", c.getbit("bits", 2**32 - 1) == 1)
        check("GETBIT unset", c.getbit("bits", 2**32 - 2) == 0)
        check("BITCOUNT over the last byte", c.bitcount("bits", MAX - 1, -1) == 1)
        check("OBJECT ENCODING raw", c.object("encoding", "big") == b"raw")
        check("APPEND past the limit refused", "string exceeds maximum allowed size" in _error_of(lambda: c.append("big", "y")))
        check("SETBIT clears", c.setbit("bits", 2**32 - 1, 0) == 1 and c.bitcount("bits", MAX - 1, -1) == 0)
        check("DEL", c.delete("big", "bits") == 2 and c.exists("big") == 0)

        # A value across the inline/chunked boundary, edited in place.
        rng = random.Random(5)
        model = bytearray(os.urandom(200_000))
        c.set("v", bytes(model))
        check("GET of a long value", c.get("v") == bytes(model))
        for _ in range(200):
            off = rng.randrange(0, len(model) + 50_000)
            data = os.urandom(rng.randrange(1, 40_000))
            if rng.random() < 0.5:
                n = c.setrange("v", off, data)
                if len(model) < off + len(data):
                    model.extend(b"\0" * (off + len(data) - len(model)))
                model[off:off + len(data)] = data
            else:
                n = c.append("v", data)
                model.extend(data)
            if n != len(model):
                break
        check("SETRANGE/APPEND lengths", n == len(model), f"{n} != {len(model)}")
        check("GET after edits", c.get("v") == bytes(model))
        start, end = 65_000, 140_000
        check("GETRANGE across chunks", c.getrange("v", start, end) == bytes(model[start:end + 1]))
        check("GETBIT inside", c.getbit("v", 8 * 100_000 + 3) == (model[100_000] >> 4) & 1)
        check("BITCOUNT whole", c.bitcount("v") == sum(bin(b).count("1") for b in model))

        check("COPY", c.copy("v", "v2") and c.get("v2") == bytes(model))
        c.setrange("v", 10, "changed")
        check("COPY is independent", c.getrange("v2", 10, 16) == bytes(model[10:17]))
        check("RENAME", c.rename("v2", "v3") and c.get("v3") == bytes(model) and not c.exists("v2"))
        check("EXPIRE keeps the value", c.expire("v3", 1000) and c.get("v3") == bytes(model) and c.ttl("v3") > 0)
        check("GETSET returns the long value", c.getset("v3", "short") == bytes(model) and c.get("v3") == b"short")
        model[10:17] = b"changed"

        srv.restart()
        c = srv.client()
        check("after restart: GET", c.get("v") == bytes(model))
        check("after restart: STRLEN", c.strlen("v") == len(model))
        c.set("v", "small")
        check("overwrite with a short value", c.get("v") == b"small" and c.strlen("v") == 5)
        check("others still served", c.get("canary") == b"alive")

    finish()


def _error_of(fn):
    try:
        fn()
        return ""
    except Exception as e:  # noqa: BLE001
        return str(e)


if __name__ == "__main__":
    main()
