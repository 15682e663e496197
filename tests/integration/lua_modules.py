"""The Lua modules scripts use (cmsgpack, struct, cjson, bit), checked
against Redis itself: each script runs on Cairn and on Debian's
redis-server (the reference, started on a free loopback port with no
persistence) and both replies, or both errors, must be the same. Covers the
encodings, byte order and alignment, round trips, and hostile input
(truncated, deeply nested, oversized claims), which must be errors and
leave the server serving.

    /usr/bin/python3 tests/integration/lua_modules.py --binary build/cairn
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cairn_server import CairnServer  # noqa: E402
from checks import binary_arg, check, finish  # noqa: E402
from reference_redis import reference_redis  # noqa: E402

import redis  # noqa: E402

SCRIPTS = [
    # cmsgpack: every encoding width, both ways.
    "return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296)",
    "return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)",
    "return cmsgpack.pack(0.5, 0.1, -1.5e300, 1/0, -1/0)",
    "return cmsgpack.pack(true, false, nil, 'x', string.rep('y', 40), string.rep('z', 300), string.rep('w', 70000))",
    "return cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {[1] = 'a', [3] = 'c'}, {1, {2, {3, {4}}}})",
    "local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 70000 do t[i] = i % 7 end return #cmsgpack.pack(t)",
    "local a = {y = 5} local b = {x = a} a.x = b return cmsgpack.pack(a)",
    "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, true))}",
    "local t = cmsgpack.unpack(cmsgpack.pack({k = {1, 2, {z = 'deep'}}})) return t.k[3].z",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
    "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 0)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 2)}",
    "return cmsgpack.unpack(string.char(0xc4, 3) .. 'bin')",
    "return cmsgpack.unpack(string.char(0xca, 0x3f, 0xc0, 0, 0)) * 2",
    "return cmsgpack.pack()",
    "return cmsgpack.unpack(string.char(0xc1))",
    "return cmsgpack.unpack(string.char(0xdd, 0xff, 0xff, 0xff, 0xff))",
    "return cmsgpack.unpack(string.char(0xdb, 0x7f, 0xff, 0xff, 0xff) .. 'short')",
    "return cmsgpack.unpack(string.char(0xcf, 1, 2))",
    "return {cmsgpack.unpack_one('', 0)}",
    "return cmsgpack.unpack_one(cmsgpack.pack(1), 5)",
    "return cmsgpack.unpack_limit(cmsgpack.pack(1), -1, 0)",
    # struct: sizes, byte order, alignment, strings, errors.
    "return struct.pack('HH', 1, 2)",
    "return struct.pack('>i4 <h b B', -5, -2, -1, 255)",
    "return struct.pack('!4 b i d', 1, 2, 0.5)",
    "return struct.pack('!b d', 1, 2)",
    "return struct.pack('s c3 c0', 'ab', 'xyzw', 'qq')",
    "return struct.pack('f >d', 1.5, 2.25)",
    "return struct.pack('i8 I3 l L T x', -1, 70000, -7, 7, 9)",
    "return struct.pack('>i16', -2)",
    "return {struct.unpack('HH', struct.pack('HH', 1, 2))}",
    "return {struct.unpack('>i4 <h b B', struct.pack('>i4 <h b B', -5, -2, -1, 255))}",
    "return {struct.unpack('b c0 s', struct.pack('b', 3) .. 'abc' .. 'zz' .. string.char(0))}",
    "return {struct.unpack('!4 b i', struct.pack('!4 b i', 1, 2))}",
    "return {struct.unpack('b x x h', struct.pack('b x x h', 1, 2))}",
    "return {struct.unpack('f >d', struct.pack('f >d', 1.5, 2.25))}",
    "return {struct.unpack('h', 'abcd', 3)}",
    "return {struct.unpack('i16', string.rep(string.char(255), 16))}",
    "return {struct.unpack('>I9', string.rep(string.char(1), 9))}",
    "return struct.size('!8 b d i2 I3 x')",
    "return struct.size('s')",
    "return struct.size('c0')",
    "return struct.pack('q', 1)",
    "return struct.pack('i33', 1)",
    "return struct.pack('!3 i', 1)",
    "return struct.pack('c5', 'ab')",
    "return struct.pack('i', 'notanumber')",
    "return struct.unpack('i4', 'ab')",
    "return struct.unpack('c0', 'ab')",
    "return struct.unpack('b c0', string.char(100) .. 'ab')",
    "return struct.unpack('s', 'ab')",
    "return struct.unpack('h', 'abcd', 0)",
    "return {struct.unpack('c99999999999', 'ab')}",
    # cjson and bit, which come from Debian's packages.
    "return cjson.encode({a = {1, 2, 3}, b = 'x'})",
    "return cjson.decode('[1,2,{\"k\":\"v\"}]')[3].k",
    "return cjson.decode('{bad')",
    "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.bxor(3, 1), bit.lshift(1, 4), bit.tohex(255)}",
]

# Hostile inputs that Redis itself might not survive (its decoder recurses
# without bound), run on Cairn only: each must be an error reply.
CAIRN_ONLY_ERRORS = [
    "return cmsgpack.unpack(string.rep(string.char(0x91), 200000))",
    "return cmsgpack.unpack(string.rep(string.char(0x81, 0xc0), 200000))",
]


def outcome(client, script):
    try:
        return ("reply", client.eval(script, 0))
    except redis.ResponseError as e:
        # The error text up to the script's name, which is the same SHA1 on both.
        return ("error", str(e).split(" script:")[0])


def main():
    binary = binary_arg()
    with reference_redis("cairn-lua-modules-") as reference, CairnServer(binary) as srv:
        cairn = srv.client()
        for script in SCRIPTS:
            want, got = outcome(reference, script), outcome(cairn, script)
            check("same as Redis: " + script[:90], got == want, f"cairn {got!r:.300}, redis {want!r:.300}")
        for script in CAIRN_ONLY_ERRORS:
            kind, text = outcome(cairn, script)
            check("an error, not a crash: " + script[:70], kind == "error" and "Bad data format" in text,
                  f"{kind} {text!r:.200}")
        check("still serving after the hostile input", cairn.ping() is True)
    finish()


if __name__ == "__main__":
    main()
