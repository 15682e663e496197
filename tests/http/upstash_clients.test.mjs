// Runs the real npm clients @upstash/redis 1.39.0 and @vercel/kv 3.0.0
// against Cairn's Upstash-compatible REST endpoint (see
// tests/http/run_upstash_clients.sh, which starts the server and sets
// UPSTASH_REDIS_REST_URL/_TOKEN and KV_REST_API_URL/_TOKEN).
//
//   node --test tests/http/upstash_clients.test.mjs
//
// What the clients send (from their 1.39.0 source):
// - every request is POST with a JSON body; a single command goes to `POST /`
//   when auto-pipelining is off, and to `POST /pipeline` when it is on (the
//   default), except scan/hgetall/lrange/smembers/zrange/exec/..., which always
//   go to `POST /`;
// - `redis.pipeline().exec()` is `POST /pipeline`, `redis.multi().exec()` is
//   `POST /multi-exec`;
// - `Upstash-Encoding: base64` is sent unless `responseEncoding: false`;
// - results are JSON.parse'd per string unless `automaticDeserialization: false`.
// The data-type tests therefore run once per combination of
// {base64, plain JSON} x {auto-pipelining, single commands}.
// Every test uses its own key prefix, so tests are independent of each other
// and of whatever else is in the database.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import kvDefault, { createClient, kv, VercelKV } from "@vercel/kv";

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set; run tests/http/run_upstash_clients.sh path/to/cairn, which starts a server and sets it`,
    );
  }
  return value;
}

const UPSTASH_URL = requireEnv("UPSTASH_REDIS_REST_URL");
const UPSTASH_TOKEN = requireEnv("UPSTASH_REDIS_REST_TOKEN");
const KV_URL = requireEnv("KV_REST_API_URL");
const KV_TOKEN = requireEnv("KV_REST_API_TOKEN");

// No client-side retries on network errors in the matrix clients: a dropped
// connection should fail the test rather than be retried (a retry could
// silently run a non-idempotent command twice). Note the client's loop runs
// `retries + 1` attempts.
const NO_RETRY = { retries: 0 };

const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
let keySeq = 0;
/** A key prefix no other test (or earlier run) uses. */
function prefixFor(t) {
  const name = String(t?.name ?? "t").replace(/[^A-Za-z0-9]+/g, "_").slice(0, 40);
  keySeq += 1;
  return `cairn-http-test:${RUN_ID}:${keySeq}:${name}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asserts that `promise` rejects with an UpstashError whose message matches every regexp. */
async function assertRejects(promise, ...patterns) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.name, "UpstashError", `expected an UpstashError, got ${err.name}: ${err.message}`);
    for (const re of patterns) {
      assert.match(err.message, re);
    }
    return true;
  });
}

const CONFIGS = [
  { name: "base64 + auto-pipelining (client defaults)", opts: {} },
  { name: "base64, one command per request (POST /)", opts: { enableAutoPipelining: false } },
  { name: "plain JSON + auto-pipelining", opts: { responseEncoding: false } },
  {
    name: "plain JSON, one command per request (POST /)",
    opts: { responseEncoding: false, enableAutoPipelining: false },
  },
];

function makeRedis(opts = {}) {
  return new Redis({ url: UPSTASH_URL, token: UPSTASH_TOKEN, retry: NO_RETRY, ...opts });
}

// Strings that are hard to carry through JSON, base64 and the clients' decoders.
const TRICKY_VALUES = [
  "plain ascii",
  "héllo wörld — ünïcödé",
  "日本語のテキスト",
  "emoji 🎉🚀 and a ZWJ family 👩‍👩‍👧 and flags 🇫🇮",
  'tab\tnewline\ncarriage\rquote"backslash\\slash/',
  "nul\u0000in the middle\u0000",
  Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join(""), // U+0001..U+007F
  Array.from({ length: 128 }, (_, i) => String.fromCharCode(i + 128)).join(""), // U+0080..U+00FF
  "line sep \u2028 para sep \u2029",
  "bom \ufeff replacement \ufffd nonchar \uffff max \u{10ffff}",
  "OK", // the decoder keeps a top-level "OK" raw but base64-decodes it inside arrays
  "PONG",
  "QUEUED",
  "YmFy", // valid base64 of "bar": must come back as "YmFy"
  "T0s=",
  "null",
  "123",
  "1.0",
  "true",
  "",
  "  leading and trailing spaces  ",
  "%2F/and+plus?x=1&y=2#frag",
  '{"looks":"like json"}',
];

for (const cfg of CONFIGS) {
  const autoPipelining = cfg.opts.enableAutoPipelining !== false;

  describe(`@upstash/redis: ${cfg.name}`, () => {
    const redis = makeRedis(cfg.opts);
    // Same transport settings, but results are not JSON.parse'd: exact strings.
    const raw = makeRedis({ ...cfg.opts, automaticDeserialization: false });

    test("ping and echo", async () => {
      assert.equal(await redis.ping(), "PONG");
      assert.equal(await raw.echo("hello there"), "hello there");
    });

    test("strings: set/get/incr/incrby/decr/append/strlen/mget/mset/getdel", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.set(`${p}:s`, "hello"), "OK");
      assert.equal(await redis.get(`${p}:s`), "hello");
      assert.equal(await redis.get(`${p}:missing`), null);
      assert.equal(await redis.append(`${p}:s`, " world"), 11);
      assert.equal(await redis.get(`${p}:s`), "hello world");
      assert.equal(await redis.strlen(`${p}:s`), 11);

      assert.equal(await redis.set(`${p}:n`, 42), "OK");
      assert.equal(await redis.get(`${p}:n`), 42); // "42" deserialized to a number
      assert.equal(await raw.get(`${p}:n`), "42");
      assert.equal(await redis.incr(`${p}:n`), 43);
      assert.equal(await redis.incrby(`${p}:n`, 100), 143);
      assert.equal(await redis.incrby(`${p}:n`, -50), 93);
      assert.equal(await redis.decr(`${p}:n`), 92);
      assert.equal(await redis.decrby(`${p}:n`, 2), 90);
      assert.equal(await redis.incr(`${p}:fresh`), 1);

      assert.equal(await redis.set(`${p}:f`, 1.5), "OK");
      assert.equal(await redis.incrbyfloat(`${p}:f`, 0.25), 1.75);

      assert.equal(await redis.mset({ [`${p}:a`]: "alpha", [`${p}:b`]: { nested: [1, 2] }, [`${p}:c`]: 7 }), "OK");
      assert.deepEqual(await redis.mget(`${p}:a`, `${p}:b`, `${p}:missing`, `${p}:c`), [
        "alpha",
        { nested: [1, 2] },
        null,
        7,
      ]);
      assert.deepEqual(await redis.mget([`${p}:c`, `${p}:a`]), [7, "alpha"]);

      assert.equal(await redis.getdel(`${p}:a`), "alpha");
      assert.equal(await redis.get(`${p}:a`), null);
      assert.equal(await redis.getdel(`${p}:a`), null);
    });

    test("set options: ex, px, nx, xx, get, keepTtl", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.set(`${p}:ex`, "v", { ex: 100 }), "OK");
      const ttl = await redis.ttl(`${p}:ex`);
      assert.ok(ttl > 90 && ttl <= 100, `ttl after EX 100 was ${ttl}`);

      assert.equal(await redis.set(`${p}:px`, "v", { px: 100_000 }), "OK");
      const pttl = await redis.pttl(`${p}:px`);
      assert.ok(pttl > 90_000 && pttl <= 100_000, `pttl after PX 100000 was ${pttl}`);

      assert.equal(await redis.set(`${p}:nx`, "first", { nx: true }), "OK");
      assert.equal(await redis.set(`${p}:nx`, "second", { nx: true }), null);
      assert.equal(await redis.get(`${p}:nx`), "first");

      assert.equal(await redis.set(`${p}:xx`, "v", { xx: true }), null);
      assert.equal(await redis.exists(`${p}:xx`), 0);
      assert.equal(await redis.set(`${p}:nx`, "third", { xx: true }), "OK");
      assert.equal(await redis.get(`${p}:nx`), "third");

      assert.equal(await redis.set(`${p}:nx`, "fourth", { get: true }), "third");
      assert.equal(await redis.set(`${p}:getnew`, "x", { get: true }), null);

      assert.equal(await redis.set(`${p}:ex`, "w", { keepTtl: true }), "OK");
      const kept = await redis.ttl(`${p}:ex`);
      assert.ok(kept > 0 && kept <= 100, `ttl after KEEPTTL was ${kept}`);

      assert.equal(await redis.set(`${p}:short`, "v", { px: 100 }), "OK");
      await sleep(300);
      assert.equal(await redis.get(`${p}:short`), null);
      assert.equal(await redis.exists(`${p}:short`), 0);
    });

    test("objects, arrays, numbers and booleans round-trip through automatic deserialization", async (t) => {
      const p = prefixFor(t);
      const obj = { name: "Ann", age: 31, tags: ["a", "b"], nested: { ok: true, none: null }, pi: 3.25 };
      assert.equal(await redis.set(`${p}:obj`, obj), "OK");
      assert.deepEqual(await redis.get(`${p}:obj`), obj);
      assert.equal(await raw.get(`${p}:obj`), JSON.stringify(obj));

      assert.equal(await redis.set(`${p}:arr`, [1, "two", { three: 3 }]), "OK");
      assert.deepEqual(await redis.get(`${p}:arr`), [1, "two", { three: 3 }]);

      // Numbers go on the wire as JSON number tokens (JavaScript's own formatting,
      // shown here); the server must store exactly that text, or the client's
      // deserializer hands back a string instead of the number.
      const numbers = [
        0,
        -17,
        1.5,
        0.1 + 0.2, // 0.30000000000000004
        Number.MAX_SAFE_INTEGER, // 9007199254740991
        2 ** 60, // 1152921504606847000
        1e20, // 100000000000000000000 (beyond int64)
        1.2345678901234568e20, // 123456789012345680000
        1e21, // 1e+21
        1.5e300, // 1.5e+300
        1e-7, // 1e-7
        5e-324, // 5e-324
      ];
      for (const [i, n] of numbers.entries()) {
        assert.equal(await redis.set(`${p}:num${i}`, n), "OK");
      }
      const keys = numbers.map((_, i) => `${p}:num${i}`);
      assert.deepEqual(await raw.mget(...keys), numbers.map((n) => JSON.stringify(n)), "stored text of each number");
      assert.deepEqual(await redis.mget(...keys), numbers);

      assert.equal(await redis.set(`${p}:bool`, true), "OK");
      assert.equal(await raw.get(`${p}:bool`), "true");
      assert.equal(await redis.get(`${p}:bool`), true);
      assert.equal(await redis.set(`${p}:false`, false), "OK");
      assert.equal(await redis.get(`${p}:false`), false);

      // Integers beyond 2^53 and non-canonical numbers are kept as strings by the client.
      assert.equal(await redis.set(`${p}:big`, "12345678901234567890"), "OK");
      assert.equal(await redis.get(`${p}:big`), "12345678901234567890");
      assert.equal(await redis.set(`${p}:onepointzero`, "1.0"), "OK");
      assert.equal(await redis.get(`${p}:onepointzero`), "1.0");
    });

    test("expiry: expire/ttl/pttl/persist/pexpire", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.set(`${p}:k`, "v"), "OK");
      assert.equal(await redis.ttl(`${p}:k`), -1);
      assert.equal(await redis.pttl(`${p}:k`), -1);
      assert.equal(await redis.ttl(`${p}:missing`), -2);
      assert.equal(await redis.pttl(`${p}:missing`), -2);
      assert.equal(await redis.expire(`${p}:missing`, 100), 0);

      assert.equal(await redis.expire(`${p}:k`, 100), 1);
      const ttl = await redis.ttl(`${p}:k`);
      assert.ok(ttl > 90 && ttl <= 100, `ttl was ${ttl}`);
      const pttl = await redis.pttl(`${p}:k`);
      assert.ok(pttl > 90_000 && pttl <= 100_000, `pttl was ${pttl}`);

      assert.equal(await redis.persist(`${p}:k`), 1);
      assert.equal(await redis.ttl(`${p}:k`), -1);
      assert.equal(await redis.persist(`${p}:k`), 0);
      assert.equal(await redis.get(`${p}:k`), "v");

      assert.equal(await redis.pexpire(`${p}:k`, 150), 1);
      const short = await redis.pttl(`${p}:k`);
      assert.ok(short > 0 && short <= 150, `pttl after PEXPIRE 150 was ${short}`);
      await sleep(400);
      assert.equal(await redis.get(`${p}:k`), null);
      assert.equal(await redis.exists(`${p}:k`), 0);
      assert.equal(await redis.ttl(`${p}:k`), -2);
    });

    test("hashes: hset/hget/hgetall/hmget/hincrby/hdel/hlen/hexists", async (t) => {
      const p = prefixFor(t);
      const h = `${p}:h`;
      assert.equal(await redis.hset(h, { name: "ann", age: 30, meta: { x: 1 } }), 3);
      assert.equal(await redis.hset(h, { name: "ann" }), 0);
      assert.equal(await redis.hget(h, "name"), "ann");
      assert.equal(await redis.hget(h, "age"), 30);
      assert.deepEqual(await redis.hget(h, "meta"), { x: 1 });
      assert.equal(await redis.hget(h, "nope"), null);
      assert.deepEqual(await redis.hgetall(h), { name: "ann", age: 30, meta: { x: 1 } });
      assert.deepEqual(await redis.hmget(h, "name", "nope", "age"), { name: "ann", nope: null, age: 30 });
      assert.equal(await redis.hincrby(h, "age", 5), 35);
      assert.equal(await redis.hincrby(h, "visits", 1), 1);
      assert.equal(await redis.hexists(h, "visits"), 1);
      assert.equal(await redis.hexists(h, "nope"), 0);
      assert.equal(await redis.hdel(h, "meta", "nope"), 1);
      assert.equal(await redis.hlen(h), 3);
      assert.deepEqual(await redis.hgetall(h), { name: "ann", age: 35, visits: 1 });
      assert.equal(await redis.hgetall(`${p}:missing`), null);
      assert.equal(await redis.hlen(`${p}:missing`), 0);
      assert.equal(await redis.hdel(h, "name", "age", "visits"), 3);
      assert.equal(await redis.exists(h), 0);
    });

    test("lists: lpush/rpush/lrange/lpop/rpop/llen", async (t) => {
      const p = prefixFor(t);
      const l = `${p}:l`;
      assert.equal(await redis.rpush(l, "a", "b", "c"), 3);
      assert.equal(await redis.lpush(l, "z", "y"), 5);
      assert.deepEqual(await redis.lrange(l, 0, -1), ["y", "z", "a", "b", "c"]);
      assert.deepEqual(await redis.lrange(l, 1, 2), ["z", "a"]);
      assert.deepEqual(await redis.lrange(l, -2, -1), ["b", "c"]);
      assert.equal(await redis.llen(l), 5);
      assert.equal(await redis.lpop(l), "y");
      assert.equal(await redis.rpop(l), "c");
      assert.deepEqual(await redis.lpop(l, 2), ["z", "a"]);
      assert.equal(await redis.llen(l), 1);
      assert.equal(await redis.rpop(l), "b");
      assert.equal(await redis.lpop(l), null);
      assert.equal(await redis.llen(l), 0);
      assert.deepEqual(await redis.lrange(l, 0, -1), []);

      assert.equal(await redis.rpush(`${p}:nums`, 1, 2, { three: 3 }), 3);
      assert.deepEqual(await redis.lrange(`${p}:nums`, 0, -1), [1, 2, { three: 3 }]);
      assert.deepEqual(await raw.lrange(`${p}:nums`, 0, -1), ["1", "2", '{"three":3}']);
    });

    test("sets: sadd/smembers/sismember/srem/scard", async (t) => {
      const p = prefixFor(t);
      const s = `${p}:s`;
      assert.equal(await redis.sadd(s, "a", "b", "c"), 3);
      assert.equal(await redis.sadd(s, "a", "d"), 1);
      assert.deepEqual((await redis.smembers(s)).sort(), ["a", "b", "c", "d"]);
      assert.equal(await redis.sismember(s, "a"), 1);
      assert.equal(await redis.sismember(s, "zz"), 0);
      assert.equal(await redis.srem(s, "a", "zz"), 1);
      assert.equal(await redis.sismember(s, "a"), 0);
      assert.equal(await redis.scard(s), 3);
      assert.equal(await redis.scard(`${p}:missing`), 0);
      assert.deepEqual(await redis.smembers(`${p}:missing`), []);

      assert.equal(await redis.sadd(`${p}:nums`, 1, 2, 3), 3);
      assert.deepEqual((await redis.smembers(`${p}:nums`)).sort(), [1, 2, 3]);
    });

    test("sorted sets: zadd/zrange (withScores, rev, byScore)/zscore/zincrby/zrank/zrem/zcard", async (t) => {
      const p = prefixFor(t);
      const z = `${p}:z`;
      assert.equal(
        await redis.zadd(z, { score: 1, member: "one" }, { score: 2.5, member: "two" }, { score: 3, member: "three" }),
        3,
      );
      assert.equal(await redis.zadd(z, { score: 1, member: "one" }), 0);
      assert.deepEqual(await redis.zrange(z, 0, -1), ["one", "two", "three"]);
      assert.deepEqual(await redis.zrange(z, 0, -1, { withScores: true }), ["one", 1, "two", 2.5, "three", 3]);
      assert.deepEqual(await raw.zrange(z, 0, -1, { withScores: true }), ["one", "1", "two", "2.5", "three", "3"]);
      assert.equal(await redis.zscore(z, "two"), 2.5);
      assert.equal(await raw.zscore(z, "two"), "2.5");
      assert.equal(await redis.zscore(z, "nope"), null);
      assert.equal(await redis.zcard(z), 3);

      assert.equal(await redis.zincrby(z, 2, "one"), 3);
      assert.equal(await redis.zincrby(z, -0.5, "three"), 2.5);
      assert.equal(await redis.zincrby(z, 0.25, "three"), 2.75);
      // two=2.5, three=2.75, one=3
      assert.equal(await redis.zrank(z, "two"), 0);
      assert.equal(await redis.zrank(z, "three"), 1);
      assert.equal(await redis.zrank(z, "one"), 2);
      assert.equal(await redis.zrank(z, "nope"), null);
      assert.deepEqual(await redis.zrange(z, 0, -1, { rev: true }), ["one", "three", "two"]);
      assert.deepEqual(await redis.zrange(z, 2.6, 3, { byScore: true }), ["three", "one"]);
      assert.deepEqual(await redis.zrange(z, 0, 0, { withScores: true }), ["two", 2.5]);

      assert.equal(await redis.zrem(z, "two", "nope"), 1);
      assert.equal(await redis.zcard(z), 2);
      assert.deepEqual(await redis.zrange(z, 0, -1, { withScores: true }), ["three", 2.75, "one", 3]);
      assert.equal(await redis.zcard(`${p}:missing`), 0);
      assert.deepEqual(await redis.zrange(`${p}:missing`, 0, -1), []);
    });

    test("scan with match (and type)", async (t) => {
      const p = prefixFor(t);
      const expected = [];
      const entries = {};
      for (let i = 0; i < 25; i++) {
        expected.push(`${p}:m:${i}`);
        entries[`${p}:m:${i}`] = i;
      }
      entries[`${p}:other`] = "not matched";
      assert.equal(await redis.mset(entries), "OK");
      assert.equal(await redis.hset(`${p}:m:hash`, { f: 1 }), 1);

      const seen = [];
      let cursor = "0";
      let rounds = 0;
      do {
        const [next, keys] = await redis.scan(cursor, { match: `${p}:m:*`, count: 7 });
        assert.equal(typeof next, "string", `scan cursor should be a string, got ${typeof next}`);
        assert.ok(Array.isArray(keys));
        seen.push(...keys);
        cursor = next;
        rounds += 1;
        assert.ok(rounds < 10_000, "scan did not terminate");
      } while (cursor !== "0");
      const unique = [...new Set(seen)].sort();
      assert.deepEqual(unique, [...expected, `${p}:m:hash`].sort());

      const hashes = [];
      cursor = "0";
      rounds = 0;
      do {
        const [next, keys] = await redis.scan(cursor, { match: `${p}:*`, type: "hash", count: 50 });
        hashes.push(...keys);
        cursor = next;
        rounds += 1;
        assert.ok(rounds < 10_000, "scan did not terminate");
      } while (cursor !== "0");
      assert.deepEqual([...new Set(hashes)], [`${p}:m:hash`]);
    });

    test("del/exists/type", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.mset({ [`${p}:a`]: 1, [`${p}:b`]: 2, [`${p}:c`]: 3 }), "OK");
      assert.equal(await redis.exists(`${p}:a`, `${p}:b`, `${p}:c`, `${p}:missing`), 3);
      assert.equal(await redis.exists(`${p}:a`, `${p}:a`), 2);
      assert.equal(await redis.del(`${p}:a`, `${p}:b`, `${p}:missing`), 2);
      assert.equal(await redis.exists(`${p}:a`, `${p}:b`, `${p}:c`), 1);
      assert.equal(await redis.del(`${p}:a`), 0);

      assert.equal(await redis.rpush(`${p}:list`, "x"), 1);
      assert.equal(await redis.sadd(`${p}:set`, "x"), 1);
      assert.equal(await redis.zadd(`${p}:zset`, { score: 1, member: "x" }), 1);
      assert.equal(await redis.hset(`${p}:hash`, { x: 1 }), 1);
      assert.equal(await redis.type(`${p}:c`), "string");
      assert.equal(await redis.type(`${p}:list`), "list");
      assert.equal(await redis.type(`${p}:set`), "set");
      assert.equal(await redis.type(`${p}:zset`), "zset");
      assert.equal(await redis.type(`${p}:hash`), "hash");
      assert.equal(await redis.type(`${p}:missing`), "none");
    });

    test("generic exec of a raw command", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.exec(["SET", `${p}:k`, "v"]), "OK");
      assert.equal(await redis.exec(["get", `${p}:k`]), "v");
      assert.deepEqual(await redis.exec(["MGET", `${p}:k`, `${p}:missing`]), ["v", null]);
      assert.equal(await redis.exec(["StrLen", `${p}:k`]), 1);
    });

    test("pipeline: redis.pipeline()...exec()", async (t) => {
      const p = prefixFor(t);
      const results = await redis
        .pipeline()
        .set(`${p}:s`, "v")
        .get(`${p}:s`)
        .set(`${p}:o`, { a: [1, 2] })
        .get(`${p}:o`)
        .incr(`${p}:n`)
        .incrby(`${p}:n`, 9)
        .hset(`${p}:h`, { f: "x", g: 2 })
        .hgetall(`${p}:h`)
        .rpush(`${p}:l`, "a", "b")
        .lrange(`${p}:l`, 0, -1)
        .sadd(`${p}:set`, "m")
        .smembers(`${p}:set`)
        .zadd(`${p}:z`, { score: 1.5, member: "m" })
        .zrange(`${p}:z`, 0, -1, { withScores: true })
        .get(`${p}:missing`)
        .exists(`${p}:s`, `${p}:missing`)
        .ping()
        .type(`${p}:z`)
        .exec();
      assert.deepEqual(results, [
        "OK",
        "v",
        "OK",
        { a: [1, 2] },
        1,
        10,
        2,
        { f: "x", g: 2 },
        2,
        ["a", "b"],
        1,
        ["m"],
        1,
        ["m", 1.5],
        null,
        1,
        "PONG",
        "zset",
      ]);

      // A command that fails does not stop the others (pipelines are not atomic).
      await assertRejects(
        redis.pipeline().set(`${p}:bad`, "abc").incr(`${p}:bad`).get(`${p}:bad`).exec(),
        /Command 2 \[ incr \] failed: .*ERR/,
      );
      const kept = await redis
        .pipeline()
        .set(`${p}:bad2`, "abc")
        .incr(`${p}:bad2`)
        .append(`${p}:bad2`, "d")
        .get(`${p}:bad2`)
        .exec({ keepErrors: true });
      assert.equal(kept.length, 4);
      assert.deepEqual(kept[0], { error: undefined, result: "OK" });
      assert.match(kept[1].error, /ERR/);
      assert.equal(kept[1].result, undefined);
      assert.deepEqual(kept[2], { error: undefined, result: 4 });
      assert.deepEqual(kept[3], { error: undefined, result: "abcd" });
    });

    if (autoPipelining) {
      test("auto-pipelining batches concurrent calls into one request", async (t) => {
        const p = prefixFor(t);
        const client = makeRedis(cfg.opts); // fresh client: its own pipeline counter
        const before = client.pipelineCounter;
        const writes = await Promise.all([
          client.set(`${p}:a`, "1a"),
          client.set(`${p}:b`, { x: 1 }),
          client.incr(`${p}:c`),
          client.incrby(`${p}:c`, 4),
          client.hset(`${p}:h`, { f: "v" }),
          client.sadd(`${p}:s`, "m1", "m2"),
        ]);
        assert.deepEqual(writes, ["OK", "OK", 1, 5, 1, 2]);
        assert.equal(client.pipelineCounter - before, 1, "six concurrent writes should be one /pipeline request");

        const reads = await Promise.all([
          client.get(`${p}:a`),
          client.get(`${p}:b`),
          client.get(`${p}:c`),
          client.mget(`${p}:a`, `${p}:missing`),
          client.hget(`${p}:h`, "f"),
          client.scard(`${p}:s`),
          client.exists(`${p}:a`, `${p}:b`, `${p}:missing`),
        ]);
        assert.deepEqual(reads, ["1a", { x: 1 }, 5, ["1a", null], "v", 2, 2]);
        assert.equal(client.pipelineCounter - before, 2, "seven concurrent reads should be one /pipeline request");

        // An error fails only its own call.
        const settled = await Promise.allSettled([
          client.set(`${p}:bad`, "abc"),
          client.incr(`${p}:bad`),
          client.append(`${p}:bad`, "d"),
        ]);
        assert.equal(client.pipelineCounter - before, 3);
        assert.deepEqual(settled[0], { status: "fulfilled", value: "OK" });
        assert.equal(settled[1].status, "rejected");
        assert.equal(settled[1].reason.name, "UpstashError");
        assert.match(settled[1].reason.message, /^Command failed: .*ERR/);
        assert.deepEqual(settled[2], { status: "fulfilled", value: 4 });
        assert.equal(await client.get(`${p}:bad`), "abcd");
      });
    }

    test("multi-exec: redis.multi()...exec()", async (t) => {
      const p = prefixFor(t);
      const results = await redis
        .multi()
        .set(`${p}:n`, 1)
        .incr(`${p}:n`)
        .incrby(`${p}:n`, 5)
        .get(`${p}:n`)
        .hset(`${p}:h`, { a: "x" })
        .hget(`${p}:h`, "a")
        .zadd(`${p}:z`, { score: 2, member: "m" })
        .zscore(`${p}:z`, "m")
        .get(`${p}:missing`)
        .exec();
      assert.deepEqual(results, ["OK", 2, 7, 7, 1, "x", 1, 2, null]);
      assert.equal(await redis.get(`${p}:n`), 7);

      // A command that fails at run time yields an error in its slot; the others run (Redis semantics).
      await assertRejects(
        redis.multi().set(`${p}:bad`, "abc").incr(`${p}:bad`).exec(),
        /Command 2 \[ incr \] failed: .*ERR/,
      );
      const kept = await redis
        .multi()
        .set(`${p}:bad2`, "abc")
        .incr(`${p}:bad2`)
        .append(`${p}:bad2`, "!")
        .exec({ keepErrors: true });
      assert.equal(kept.length, 3);
      assert.deepEqual(kept[0], { error: undefined, result: "OK" });
      assert.match(kept[1].error, /ERR/);
      assert.deepEqual(kept[2], { error: undefined, result: 4 });
      assert.equal(await redis.get(`${p}:bad2`), "abc!");
    });

    test("unicode and binary-ish strings round-trip exactly (keys, values, fields, members)", async (t) => {
      const p = prefixFor(t);
      const keys = TRICKY_VALUES.map((_, i) => `${p}:ключ🔑:${i}`);
      for (const [i, value] of TRICKY_VALUES.entries()) {
        assert.equal(await raw.set(keys[i], value), "OK", `set #${i}`);
        assert.equal(await raw.get(keys[i]), value, `get #${i} ${JSON.stringify(value)}`);
      }
      assert.deepEqual(await raw.mget(...keys), TRICKY_VALUES);
      assert.deepEqual(
        await raw.exec(["STRLEN", keys[2]]),
        Buffer.byteLength(TRICKY_VALUES[2], "utf8"),
        "STRLEN counts UTF-8 bytes",
      );

      assert.equal(await raw.rpush(`${p}:list`, ...TRICKY_VALUES), TRICKY_VALUES.length);
      assert.deepEqual(await raw.lrange(`${p}:list`, 0, -1), TRICKY_VALUES);

      const distinct = [...new Set(TRICKY_VALUES)];
      assert.equal(await raw.sadd(`${p}:set`, ...distinct), distinct.length);
      assert.deepEqual((await raw.smembers(`${p}:set`)).sort(), [...distinct].sort());

      const fields = Object.fromEntries(distinct.map((v, i) => [`f${i}:${v}`, v]));
      assert.equal(await raw.hset(`${p}:hash`, fields), distinct.length);
      const flat = await raw.hgetall(`${p}:hash`); // raw: a flat [field, value, ...] array
      const got = {};
      for (let i = 0; i < flat.length; i += 2) got[flat[i]] = flat[i + 1];
      assert.deepEqual(got, fields);

      for (const [i, v] of distinct.entries()) {
        assert.equal(await raw.zadd(`${p}:zset`, { score: i, member: v }), 1);
      }
      assert.deepEqual(await raw.zrange(`${p}:zset`, 0, -1), distinct);

      // Through a pipeline and a transaction as well.
      const pipe = raw.pipeline();
      for (const k of keys) pipe.get(k);
      assert.deepEqual(await pipe.exec(), TRICKY_VALUES);
      const tx = raw.multi();
      for (const k of keys) tx.get(k);
      assert.deepEqual(await tx.exec(), TRICKY_VALUES);

      // The default (deserializing) client gets the same strings back where they are not JSON.
      assert.equal(await redis.get(keys[3]), TRICKY_VALUES[3]);
      assert.equal(await redis.get(keys[13]), "YmFy");
      assert.deepEqual(await redis.mget(keys[10], keys[11]), ["OK", "PONG"]);
    });

    test("a lone UTF-16 surrogate is stored as U+FFFD", async (t) => {
      const p = prefixFor(t);
      // JSON.stringify writes it as the escape \ud800, which has no UTF-8 form.
      assert.equal(await raw.set(`${p}:k`, "a\ud800b"), "OK");
      assert.equal(await raw.get(`${p}:k`), "a\ufffdb");
    });

    test("a 300 kB value", async (t) => {
      const p = prefixFor(t);
      let big = "";
      for (let i = 0; big.length < 300_000; i++) big += `${i}:ä€🎉;`;
      assert.equal(await raw.set(`${p}:big`, big), "OK");
      assert.equal(await raw.strlen(`${p}:big`), Buffer.byteLength(big, "utf8"));
      const back = await raw.get(`${p}:big`);
      assert.equal(back.length, big.length);
      assert.ok(back === big, "300 kB value differs after the round trip");
    });

    test("errors reject with the server's error text", async (t) => {
      const p = prefixFor(t);
      assert.equal(await redis.set(`${p}:s`, "not a number"), "OK");
      await assertRejects(redis.incr(`${p}:s`), /ERR/, /not an integer/);
      await assertRejects(redis.incrby(`${p}:s`, 2), /ERR/);
      assert.equal(await redis.get(`${p}:s`), "not a number");

      await assertRejects(redis.hset(`${p}:s`, { f: 1 }), /WRONGTYPE/);
      await assertRejects(redis.lpush(`${p}:s`, "x"), /WRONGTYPE/);
      await assertRejects(redis.exec(["NOSUCHCOMMAND", "x"]), /ERR/, /unknown command/i);
      await assertRejects(redis.exec(["GET"]), /ERR/, /wrong number of arguments/i);
      await assertRejects(redis.exec(["SET", `${p}:s`, "v", "EX", "notanumber"]), /ERR/);

      // The client (and the server's connection) still work afterwards.
      assert.equal(await redis.get(`${p}:s`), "not a number");
      assert.equal(await redis.ping(), "PONG");
    });
  });
}

describe("@upstash/redis: configuration", () => {
  test("Redis.fromEnv() reads UPSTASH_REDIS_REST_URL/TOKEN", async (t) => {
    const p = prefixFor(t);
    const redis = Redis.fromEnv();
    assert.equal(await redis.ping(), "PONG");
    assert.equal(await redis.set(`${p}:k`, { from: "env" }), "OK");
    assert.deepEqual(await redis.get(`${p}:k`), { from: "env" });
  });

  test("a URL with a trailing slash works", async (t) => {
    const p = prefixFor(t);
    const redis = new Redis({ url: `${UPSTASH_URL.replace(/\/$/, "")}/`, token: UPSTASH_TOKEN });
    assert.equal(await redis.set(`${p}:k`, "v"), "OK");
    assert.equal(await redis.get(`${p}:k`), "v");
  });

  test("readYourWrites off", async (t) => {
    const p = prefixFor(t);
    const redis = makeRedis({ readYourWrites: false });
    assert.equal(await redis.set(`${p}:k`, "v"), "OK");
    assert.equal(await redis.get(`${p}:k`), "v");
  });

  for (const cfg of CONFIGS) {
    test(`a wrong token is rejected with Unauthorized (${cfg.name})`, async (t) => {
      const p = prefixFor(t);
      const bad = new Redis({ url: UPSTASH_URL, token: "wrong-token", retry: NO_RETRY, ...cfg.opts });
      await assertRejects(bad.get(`${p}:k`), /Unauthorized/);
      await assertRejects(bad.set(`${p}:k`, "v"), /Unauthorized/);
      await assertRejects(bad.pipeline().set(`${p}:k`, "v").exec(), /Unauthorized/);
      await assertRejects(bad.multi().set(`${p}:k`, "v").exec(), /Unauthorized/);
      const good = makeRedis(cfg.opts);
      assert.equal(await good.exists(`${p}:k`), 0, "a rejected request must not have run");
    });
  }
});

describe("@vercel/kv", () => {
  test("createClient({url, token})", async (t) => {
    const p = prefixFor(t);
    const client = createClient({ url: KV_URL, token: KV_TOKEN });
    assert.ok(client instanceof VercelKV);
    assert.ok(client instanceof Redis);

    assert.equal(await client.set(`${p}:obj`, { user: "ann", roles: ["admin"] }), "OK");
    assert.deepEqual(await client.get(`${p}:obj`), { user: "ann", roles: ["admin"] });
    assert.equal(await client.set(`${p}:ttl`, "v", { ex: 60 }), "OK");
    const ttl = await client.ttl(`${p}:ttl`);
    assert.ok(ttl > 50 && ttl <= 60, `ttl was ${ttl}`);
    assert.equal(await client.incr(`${p}:n`), 1);
    assert.equal(await client.incrby(`${p}:n`, 10), 11);
    assert.equal(await client.hset(`${p}:h`, { a: 1, b: "two" }), 2);
    assert.deepEqual(await client.hgetall(`${p}:h`), { a: 1, b: "two" });
    assert.equal(await client.rpush(`${p}:l`, "x", "y"), 2);
    assert.deepEqual(await client.lrange(`${p}:l`, 0, -1), ["x", "y"]);
    assert.equal(await client.sadd(`${p}:s`, "m"), 1);
    assert.equal(await client.sismember(`${p}:s`, "m"), 1);
    assert.equal(await client.zadd(`${p}:z`, { score: 5, member: "m" }), 1);
    assert.deepEqual(await client.zrange(`${p}:z`, 0, -1, { withScores: true }), ["m", 5]);
    assert.deepEqual(await client.mget(`${p}:n`, `${p}:missing`), [11, null]);
    assert.equal(await client.del(`${p}:n`, `${p}:missing`), 1);
    assert.equal(await client.exists(`${p}:n`), 0);

    // Concurrent calls (KV turns auto-pipelining on).
    const values = await Promise.all([client.get(`${p}:obj`), client.get(`${p}:ttl`), client.scard(`${p}:s`)]);
    assert.deepEqual(values, [{ user: "ann", roles: ["admin"] }, "v", 1]);

    assert.deepEqual(await client.pipeline().set(`${p}:p`, 1).incr(`${p}:p`).get(`${p}:p`).exec(), ["OK", 2, 2]);
    assert.deepEqual(await client.multi().set(`${p}:m`, "a").append(`${p}:m`, "b").get(`${p}:m`).exec(), [
      "OK",
      2,
      "ab",
    ]);
    await assertRejects(client.incr(`${p}:m`), /ERR/);
  });

  test("scanIterator with match", async (t) => {
    const p = prefixFor(t);
    const client = createClient({ url: KV_URL, token: KV_TOKEN });
    const entries = {};
    for (let i = 0; i < 30; i++) entries[`${p}:it:${i}`] = i;
    entries[`${p}:skip`] = "x";
    assert.equal(await client.mset(entries), "OK");
    const seen = new Set();
    for await (const key of client.scanIterator({ match: `${p}:it:*`, count: 8 })) seen.add(key);
    assert.deepEqual([...seen].sort(), Object.keys(entries).filter((k) => k.includes(":it:")).sort());

    assert.equal(await client.hset(`${p}:h`, { f1: "a", f2: "b" }), 2);
    const fieldsAndValues = [];
    for await (const item of client.hscanIterator(`${p}:h`, { count: 1 })) fieldsAndValues.push(item);
    const asObject = {};
    for (let i = 0; i < fieldsAndValues.length; i += 2) asObject[fieldsAndValues[i]] = fieldsAndValues[i + 1];
    assert.deepEqual(asObject, { f1: "a", f2: "b" });
  });

  test("the `kv` export, configured from KV_REST_API_URL/TOKEN", async (t) => {
    const p = prefixFor(t);
    assert.equal(await kv.set(`${p}:k`, { hello: "kv" }), "OK");
    assert.deepEqual(await kv.get(`${p}:k`), { hello: "kv" });
    assert.equal(await kv.exists(`${p}:k`, `${p}:missing`), 1);
    assert.equal(await kv.expire(`${p}:k`, 30), 1);
    const ttl = await kv.ttl(`${p}:k`);
    assert.ok(ttl > 20 && ttl <= 30, `ttl was ${ttl}`);
    assert.equal(await kv.hset(`${p}:h`, { n: 1 }), 1);
    assert.equal(await kv.hincrby(`${p}:h`, "n", 2), 3);
    assert.equal(await kv.del(`${p}:k`, `${p}:h`), 2);
    assert.equal(await kv.get(`${p}:k`), null);
  });

  test("the deprecated default export", async (t) => {
    const p = prefixFor(t);
    assert.equal(await kvDefault.set(`${p}:k`, "default"), "OK");
    assert.equal(await kvDefault.get(`${p}:k`), "default");
    assert.equal(await kv.get(`${p}:k`), "default");
  });

  test("a wrong token is rejected with Unauthorized", async (t) => {
    const p = prefixFor(t);
    const bad = createClient({ url: KV_URL, token: "wrong-token", retry: NO_RETRY });
    await assertRejects(bad.set(`${p}:k`, "v"), /Unauthorized/);
    assert.equal(await kv.exists(`${p}:k`), 0);
  });
});
