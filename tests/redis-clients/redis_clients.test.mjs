// Runs real, unmodified npm Redis client libraries against Cairn's RESP port:
// ioredis 6.1.0, redis (node-redis) 4.7.1, redlock 5.0.0-beta.2,
// rate-limiter-flexible 11.4.0, connect-redis 8.1.0 + express-session 1.19.0
// (+ express 5.3.0 for one real HTTP round trip). See
// tests/redis-clients/run_redis_clients.sh, which picks a free port and a
// temporary data dir and sets CAIRN_BINARY, CAIRN_DATA_DIR, CAIRN_PORT,
// CAIRN_LOG and CAIRN_PID_FILE.
//
//   tests/redis-clients/run_redis_clients.sh build/cairn
//
// This file starts the server itself (`cairn serve --data-dir … --port …
// --bind 127.0.0.1 --http-port 0 --fsync always`, tests/lib/cairn_server.mjs), because the redlock and
// connect-redis tests kill it with SIGKILL and start it again on the same
// data dir and port, to check that a lock and a session survive a crash.
//
// What the clients send (from their source in node_modules):
// - ioredis 6 opens every connection with `HELLO 3` (RESP3; `protocol: 2`
//   falls back to RESP2) and `CLIENT SETINFO`; the ioredis checks run under
//   both protocols. A `defineCommand` script is sent as EVAL the first time
//   on a connection, then as EVALSHA; on NOSCRIPT ioredis resends it as EVAL.
// - redlock sends EVALSHA of its acquire/extend/release scripts and EVAL
//   after NOSCRIPT.
// - rate-limiter-flexible defines an ioredis command (EVAL/EVALSHA of a
//   SET NX + INCRBY + PTTL script); with node-redis (`useRedisPackage`) it
//   sends EVAL; `block` is MULTI SET EX + PTTL EXEC (ioredis) or a pipeline
//   (node-redis, `exec(true)`); `get` is MULTI GET PTTL EXEC.
// - connect-redis sends GET, SET … EX, EXPIRE, DEL.
// - the queue tests block in BRPOP / BLMOVE / BZPOPMIN on one connection
//   while another pushes (ioredis; node-redis with an isolated client).
// Every test uses its own key prefix, so tests are independent of each other
// and of whatever else is in the database.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";

import Redis from "ioredis";
import { createClient, WatchError } from "redis";
import Redlock, { ExecutionError, ResourceLockedError } from "redlock";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { RedisStore } from "connect-redis";
import session from "express-session";
import express from "express";

import { CairnServer, HOST, PORT, sleep } from "../lib/cairn_server.mjs";


const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
let keySeq = 0;
/** A key prefix no other test (or earlier run) uses. */
function prefixFor(t) {
  const name = String(t?.name ?? "t").replace(/[^A-Za-z0-9]+/g, "_").slice(0, 40);
  keySeq += 1;
  return `cairn-clients-test:${RUN_ID}:${keySeq}:${name}`;
}


/** Resolves when `predicate()` is true; fails after `timeoutMs`. */
async function waitFor(predicate, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves once INFO says `n` clients are blocked; fails after `timeoutMs`. */
async function waitBlocked(client, n, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await client.info("clients")).includes(`blocked_clients:${n}\r\n`)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${n} blocked clients`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------------------
const server = new CairnServer();
// Last resort if this process dies without running `after`: the run script
// also stops whatever PID is in CAIRN_PID_FILE.
process.on("exit", () => {
  if (server.child) server.child.kill("SIGKILL");
});

before(async () => {
  await server.start();
});

after(async () => {
  await closeAll();
  const exit = await server.stop();
  // A clean SIGTERM shutdown exits 0 (checked here so a crash at shutdown is seen).
  if (exit) assert.deepEqual(exit, { code: 0, signal: null }, "cairn did not shut down cleanly on SIGTERM");
});

// ---------------------------------------------------------------------------
// Clients. Every client made here is closed at the end of its test (or at the
// latest in `after`).

const openClients = new Set();

/** An ioredis client. Errors (while the server is being restarted) are expected and kept. */
function newIoredis(opts = {}) {
  const client = new Redis({ host: HOST, port: PORT, ...opts });
  client.errors = [];
  client.on("error", (err) => client.errors.push(err));
  openClients.add(client);
  return client;
}

/** A connected node-redis v4 client. */
async function newNodeRedis(opts = {}) {
  const client = createClient({ socket: { host: HOST, port: PORT }, ...opts });
  client.errors = [];
  client.on("error", (err) => client.errors.push(err));
  openClients.add(client);
  await client.connect();
  return client;
}

/**
 * QUIT when the client is connected, else drop it. A client from before a
 * server restart may still be reconnecting: node-redis v4's quit() then never
 * resolves (it stops reconnecting and waits for the QUIT reply), so only a
 * ready client gets QUIT, and QUIT gets 5 s before the connection is dropped.
 */
async function closeClient(client) {
  openClients.delete(client);
  const isIoredis = client instanceof Redis;
  const drop = async () => {
    if (isIoredis) client.disconnect();
    else if (client.isOpen) await client.disconnect().catch(() => {});
  };
  const ready = isIoredis ? client.status === "ready" : client.isReady;
  if (!ready) return drop();
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, 5000, "timeout"); });
  const quit = client.quit().catch(() => "error");
  const outcome = await Promise.race([quit, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout" || outcome === "error") await drop();
}

async function closeAll() {
  await Promise.all([...openClients].map(closeClient));
}

/** Closes every client opened by the test `t` when it ends. */
function closeAtEnd(t) {
  const existing = new Set(openClients);
  t.after(async () => {
    await Promise.all([...openClients].filter((c) => !existing.has(c)).map(closeClient));
  });
}

/** `fn(...args, callback)` as a promise (express-session's store API is callback-based). */
function callback(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

/** INFO commandstats as {name: {calls, failed_calls, rejected_calls}}. */
async function commandStats(redis) {
  const text = await redis.info("commandstats");
  const stats = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!m) continue;
    const fields = Object.fromEntries(m[2].split(",").map((kv) => kv.split("=")));
    stats[m[1]] = { calls: Number(fields.calls), failed: Number(fields.failed_calls ?? 0), rejected: Number(fields.rejected_calls ?? 0) };
  }
  return stats;
}
const statDelta = (a, b, cmd) => ({
  calls: (b[cmd]?.calls ?? 0) - (a[cmd]?.calls ?? 0),
  failed: (b[cmd]?.failed ?? 0) - (a[cmd]?.failed ?? 0),
  rejected: (b[cmd]?.rejected ?? 0) - (a[cmd]?.rejected ?? 0),
});

/** Waits (5 s at most) for `expected`: every message, in publish order, nothing extra. */
async function checkDelivery(t, got, expected) {
  // A subscriber on another I/O thread than the publisher once missed its
  // wake-up when a message came while it flushed the previous ones (fixed in
  // net/resp_pubsub.cc); this is the check that found it.
  await waitFor(() => got.length >= expected.length, "all messages", 5000).catch(() => {});
  await sleep(50); // nothing more may arrive
  assert.deepEqual([...got], expected);
}

// ---------------------------------------------------------------------------

describe("redlock 5 (ioredis)", () => {
  test("acquire, refuse a second holder, extend, release, re-acquire", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const resource = `${p}:lock`;
    const a = newIoredis();
    const b = newIoredis();
    const redlockA = new Redlock([a], { retryCount: 0 });
    const redlockB = new Redlock([b], { retryCount: 0 });

    const lock = await redlockA.acquire([resource], 2000);
    assert.equal(typeof lock.value, "string");
    assert.equal(await a.get(resource), lock.value);
    const pttl1 = await a.pttl(resource);
    assert.ok(pttl1 > 0 && pttl1 <= 2000, `PTTL after acquire: ${pttl1}`);

    // A second holder (another connection) is refused.
    const refusal = await redlockB.acquire([resource], 2000).then(
      (l) => assert.fail(`second acquire succeeded with value ${l.value}`),
      (err) => err,
    );
    assert.ok(refusal instanceof ExecutionError, `expected ExecutionError, got ${refusal}`);
    assert.equal(refusal.attempts.length, 1); // retryCount: 0
    const stats = await refusal.attempts[0];
    assert.equal(stats.votesFor.size, 0);
    const [reason] = [...stats.votesAgainst.values()];
    assert.ok(reason instanceof ResourceLockedError, `vote against: ${reason}`);
    // The refused attempt did not touch the holder's key.
    assert.equal(await a.get(resource), lock.value);

    // extend: same value, PTTL grows.
    const extended = await lock.extend(30000);
    assert.equal(extended.value, lock.value);
    assert.equal(await a.get(resource), lock.value);
    const pttl2 = await a.pttl(resource);
    assert.ok(pttl2 > 2000 && pttl2 <= 30000, `PTTL after extend: ${pttl2} (was ${pttl1})`);
    // extending an invalidated lock object is refused client-side
    await assert.rejects(lock.extend(1000), ExecutionError);

    // release frees the resource; a new acquire succeeds.
    await extended.release();
    assert.equal(await a.exists(resource), 0);
    const lockB = await redlockB.acquire([resource], 2000);
    assert.notEqual(lockB.value, lock.value);
    assert.equal(await b.get(resource), lockB.value);
    // A's released lock cannot release B's.
    await assert.rejects(redlockA.release(extended), ExecutionError);
    assert.equal(await b.get(resource), lockB.value);
    await lockB.release();
    assert.equal(await b.exists(resource), 0);
  });

  test("a lock survives kill -9 and a restart on the same data dir", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const resource = `${p}:lock`;
    const holder = newIoredis();
    const redlock = new Redlock([holder], { retryCount: 0 });
    const lock = await redlock.acquire([resource], 60000);
    assert.equal(await holder.get(resource), lock.value);

    // --fsync always: the acquire was acknowledged after fsync.
    await server.crashAndRestart();

    const fresh = newIoredis();
    assert.equal(await fresh.get(resource), lock.value, "lock value after restart");
    const pttl = await fresh.pttl(resource);
    assert.ok(pttl > 40000 && pttl <= 60000, `PTTL after restart: ${pttl}`);

    // Still held: a second holder is refused.
    const other = new Redlock([newIoredis()], { retryCount: 0 });
    await assert.rejects(other.acquire([resource], 1000), ExecutionError);
    assert.equal(await fresh.get(resource), lock.value);

    // The holder's own ioredis connection reconnects by itself and releases.
    await lock.release();
    assert.equal(await fresh.exists(resource), 0);
    const again = await other.acquire([resource], 1000);
    await again.release();
  });
});

// ---------------------------------------------------------------------------

describe("rate-limiter-flexible RateLimiterRedis", () => {
  const CLIENTS = [
    { name: "ioredis", make: async () => ({ storeClient: newIoredis() }) },
    // rate-limiter-flexible supports node-redis v4+ with `useRedisPackage: true`
    // (it then calls eval(script, {keys, arguments}), multi().pTTL(), …).
    { name: "node-redis v4 (useRedisPackage)", make: async () => ({ storeClient: await newNodeRedis(), useRedisPackage: true }) },
  ];

  for (const { name, make } of CLIENTS) {
    test(`${name}: consume, reject, get, reward, penalty, block, delete`, async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const opts = await make();
      const raw = newIoredis();
      const limiter = new RateLimiterRedis({ ...opts, keyPrefix: p, points: 5, duration: 10 });
      const key = "user-1";
      const redisKey = `${p}:${key}`;

      assert.equal(await limiter.get(key), null, "get before any consume");

      for (let i = 1; i <= 5; i += 1) {
        const res = await limiter.consume(key);
        assert.ok(res instanceof RateLimiterRes);
        assert.equal(res.consumedPoints, i);
        assert.equal(res.remainingPoints, 5 - i);
        assert.equal(res.isFirstInDuration, i === 1);
        assert.ok(res.msBeforeNext > 0 && res.msBeforeNext <= 10000, `msBeforeNext ${res.msBeforeNext}`);
      }
      assert.equal(await raw.get(redisKey), "5");
      const pttl = await raw.pttl(redisKey);
      assert.ok(pttl > 0 && pttl <= 10000, `PTTL ${pttl}`);

      // The sixth is refused with a RateLimiterRes (not an Error).
      await assert.rejects(limiter.consume(key), (res) => {
        assert.ok(res instanceof RateLimiterRes, `rejected with ${res}`);
        assert.equal(res.remainingPoints, 0);
        assert.equal(res.consumedPoints, 6);
        assert.ok(res.msBeforeNext > 0 && res.msBeforeNext <= 10000, `msBeforeNext ${res.msBeforeNext}`);
        return true;
      });

      let state = await limiter.get(key);
      assert.equal(state.consumedPoints, 6);
      assert.equal(state.remainingPoints, 0);
      assert.ok(state.msBeforeNext > 0 && state.msBeforeNext <= 10000);

      // reward gives points back: 6 - 3 = 3 consumed.
      state = await limiter.reward(key, 3);
      assert.equal(state.consumedPoints, 3);
      assert.equal(state.remainingPoints, 2);
      const res = await limiter.consume(key);
      assert.equal(res.consumedPoints, 4);
      assert.equal(res.remainingPoints, 1);
      // penalty takes points: 4 + 1 = 5 consumed, the next consume is refused.
      state = await limiter.penalty(key, 1);
      assert.equal(state.consumedPoints, 5);
      assert.equal(state.remainingPoints, 0);
      await assert.rejects(limiter.consume(key), RateLimiterRes);
      assert.equal(await raw.get(redisKey), "6");
      // The window did not restart: still within the first 10 s.
      assert.ok((await raw.pttl(redisKey)) <= 10000);

      // block(key, 30): points + 1 consumed for 30 s (longer than the duration).
      const blockKey = "user-2";
      const blocked = await limiter.block(blockKey, 30);
      assert.equal(blocked.msBeforeNext, 30000);
      const blockPttl = await raw.pttl(`${p}:${blockKey}`);
      assert.ok(blockPttl > 20000 && blockPttl <= 30000, `PTTL after block: ${blockPttl}`);
      await assert.rejects(limiter.consume(blockKey), (r) => {
        assert.ok(r instanceof RateLimiterRes, `rejected with ${r}`);
        assert.equal(r.remainingPoints, 0);
        assert.ok(r.msBeforeNext > 10000, `msBeforeNext ${r.msBeforeNext} is the block's, not the duration's`);
        return true;
      });
      state = await limiter.get(blockKey);
      assert.equal(state.consumedPoints, 7); // 6 from block + 1 from the refused consume
      assert.equal(state.remainingPoints, 0);

      // delete removes the key.
      assert.equal(await limiter.delete(blockKey), true);
      assert.equal(await limiter.get(blockKey), null);
      assert.equal(await limiter.delete(blockKey), false);
      const fresh = await limiter.consume(blockKey, 2);
      assert.equal(fresh.consumedPoints, 2);
      assert.equal(fresh.remainingPoints, 3);
      assert.equal(fresh.isFirstInDuration, true);
    });
  }
});

// ---------------------------------------------------------------------------

describe("connect-redis 8 + express-session", () => {
  const HOUR = 3600 * 1000;
  const makeSession = (maxAge, data) => ({
    cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge).toISOString(), httpOnly: true, path: "/" },
    ...data,
  });

  for (const clientName of ["node-redis v4", "ioredis"]) {
    test(`${clientName}: set, get, touch, survives kill -9, destroy`, async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const makeClient = async () => (clientName === "ioredis" ? newIoredis() : await newNodeRedis());
      const raw = newIoredis();
      const store = new RedisStore({ client: await makeClient(), prefix: `${p}:sess:` });
      const sid = "sid-abc123";
      const key = `${p}:sess:${sid}`;

      const sess = makeSession(HOUR, { user: "alice", cart: [1, 2, 3], nested: { a: "ü€" } });
      await callback(store.set.bind(store), sid, sess);
      assert.deepEqual(await callback(store.get.bind(store), sid), sess);
      assert.deepEqual(JSON.parse(await raw.get(key)), sess);
      let ttl = await raw.ttl(key);
      assert.ok(ttl > 3500 && ttl <= 3600, `TTL after set: ${ttl}`);

      // touch resets the TTL from the (new) cookie expiry.
      const touched = makeSession(2 * HOUR, { user: "alice", cart: [1, 2, 3], nested: { a: "ü€" } });
      await callback(store.touch.bind(store), sid, touched);
      ttl = await raw.ttl(key);
      assert.ok(ttl > 7100 && ttl <= 7200, `TTL after touch: ${ttl}`);
      // touch does not rewrite the data
      assert.deepEqual(await callback(store.get.bind(store), sid), sess);

      // A session without cookie expiry uses the store's ttl (default one day).
      await callback(store.set.bind(store), "no-expiry", { cookie: { originalMaxAge: null, path: "/" }, n: 1 });
      ttl = await raw.ttl(`${p}:sess:no-expiry`);
      assert.ok(ttl > 86000 && ttl <= 86400, `TTL with the default ttl: ${ttl}`);
      assert.equal(await callback(store.length.bind(store)), 2);
      assert.deepEqual((await callback(store.ids.bind(store))).sort(), ["no-expiry", sid]);

      // kill -9 and restart: the session (and its TTL) is still there, read with a fresh client.
      await server.crashAndRestart();
      const store2 = new RedisStore({ client: await makeClient(), prefix: `${p}:sess:` });
      assert.deepEqual(await callback(store2.get.bind(store2), sid), sess, "session after restart");
      const raw2 = newIoredis();
      ttl = await raw2.ttl(key);
      assert.ok(ttl > 7000 && ttl <= 7200, `TTL after restart: ${ttl}`);

      // destroy: gone.
      await callback(store2.destroy.bind(store2), sid);
      assert.equal(await callback(store2.get.bind(store2), sid), null);
      assert.equal(await raw2.exists(key), 0);
      await callback(store2.clear.bind(store2));
      assert.equal(await callback(store2.length.bind(store2)), 0);
      // Unknown sessions read as null.
      assert.equal(await callback(store2.get.bind(store2), "never-set"), null);
    });
  }

  test("express round trip: the session cookie finds its data in Cairn", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const raw = newIoredis();
    const store = new RedisStore({ client: await newNodeRedis(), prefix: `${p}:sess:` });
    const app = express();
    app.use(session({
      store, secret: "keyboard cat", resave: false, saveUninitialized: false,
      cookie: { maxAge: 60000 },
    }));
    app.get("/inc", (req, res) => {
      req.session.count = (req.session.count ?? 0) + 1;
      res.json({ count: req.session.count });
    });
    app.get("/logout", (req, res, next) => {
      req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
    });
    const http = app.listen(0, HOST);
    await once(http, "listening");
    t.after(() => new Promise((resolve) => http.close(resolve)));
    const base = `http://${HOST}:${http.address().port}`;

    let r = await fetch(`${base}/inc`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { count: 1 });
    const setCookie = r.headers.get("set-cookie");
    assert.ok(setCookie, "no Set-Cookie");
    const cookie = setCookie.split(";")[0];
    const sid = decodeURIComponent(cookie.split("=")[1]).replace(/^s:/, "").replace(/\.[^.]*$/, "");

    r = await fetch(`${base}/inc`, { headers: { cookie } });
    assert.deepEqual(await r.json(), { count: 2 });
    r = await fetch(`${base}/inc`, { headers: { cookie } });
    assert.deepEqual(await r.json(), { count: 3 });
    const stored = JSON.parse(await raw.get(`${p}:sess:${sid}`));
    assert.equal(stored.count, 3);
    const ttl = await raw.ttl(`${p}:sess:${sid}`);
    assert.ok(ttl > 50 && ttl <= 60, `TTL ${ttl}`);
    // Without the cookie it is a new session.
    r = await fetch(`${base}/inc`);
    assert.deepEqual(await r.json(), { count: 1 });

    r = await fetch(`${base}/logout`, { headers: { cookie } });
    assert.deepEqual(await r.json(), { ok: true });
    assert.equal(await raw.exists(`${p}:sess:${sid}`), 0);
    r = await fetch(`${base}/inc`, { headers: { cookie } });
    assert.deepEqual(await r.json(), { count: 1 });
  });
});

// ---------------------------------------------------------------------------

for (const protocol of [3, 2]) {
  describe(`ioredis 6 (RESP${protocol})`, () => {
    test("MULTI/EXEC result array", async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const redis = newIoredis({ protocol });
      const res = await redis.multi().set(`${p}:n`, "41").incr(`${p}:n`).get(`${p}:n`).exec();
      assert.deepEqual(res, [[null, "OK"], [null, 42], [null, "42"]]);
      // An error inside EXEC is reported in place, the rest still runs.
      await redis.set(`${p}:s`, "text");
      const res2 = await redis.multi().incr(`${p}:s`).set(`${p}:t`, "x").exec();
      assert.equal(res2.length, 2);
      assert.ok(res2[0][0] instanceof Error);
      assert.match(res2[0][0].message, /^ERR value is not an integer or out of range/);
      assert.deepEqual(res2[1], [null, "OK"]);
      // A queue-time error aborts the whole transaction (EXECABORT).
      await assert.rejects(redis.multi().set(`${p}:u`, "1").call("nosuchcommand").exec(), /EXECABORT/);
      assert.equal(await redis.exists(`${p}:u`), 0);
    });

    test("WATCH: a key changed by another connection makes EXEC return null", async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const redis = newIoredis({ protocol });
      const other = newIoredis({ protocol });
      const k = `${p}:watched`;
      await redis.set(k, "1");

      assert.equal(await redis.watch(k), "OK");
      await other.set(k, "changed");
      assert.equal(await redis.multi().set(k, "mine").exec(), null);
      assert.equal(await redis.get(k), "changed");

      // Control: unchanged watched key → EXEC runs.
      assert.equal(await redis.watch(k), "OK");
      assert.deepEqual(await redis.multi().set(k, "mine").exec(), [[null, "OK"]]);
      assert.equal(await other.get(k), "mine");
    });

    test("defineCommand: EVAL, then EVALSHA, then NOSCRIPT → EVAL again", async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const redis = newIoredis({ protocol });
      const admin = newIoredis({ protocol });
      const lua = "local old = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1]); return {old or false, redis.call('GET', KEYS[1])}";
      const sha = createHash("sha1").update(lua).digest("hex");
      redis.defineCommand("swapValue", { numberOfKeys: 1, lua });
      const k = `${p}:v`;

      const s0 = await commandStats(admin);
      // First use on this connection: ioredis sends EVAL.
      assert.deepEqual(await redis.swapValue(k, "a"), [null, "a"]);
      const s1 = await commandStats(admin);
      assert.equal(statDelta(s0, s1, "eval").calls, 1);
      assert.equal(statDelta(s0, s1, "evalsha").calls, 0);
      assert.deepEqual(await admin.script("EXISTS", sha), [1]);

      // Second use: EVALSHA.
      assert.deepEqual(await redis.swapValue(k, "b"), ["a", "b"]);
      const s2 = await commandStats(admin);
      assert.equal(statDelta(s1, s2, "eval").calls, 0);
      assert.deepEqual(statDelta(s1, s2, "evalsha"), { calls: 1, failed: 0, rejected: 0 });
      assert.equal(await admin.get(k), "b");

      // After SCRIPT FLUSH (another connection), EVALSHA gets NOSCRIPT and
      // ioredis resends the script as EVAL.
      assert.equal(await admin.script("FLUSH"), "OK");
      assert.deepEqual(await admin.script("EXISTS", sha), [0]);
      assert.deepEqual(await redis.swapValue(k, "c"), ["b", "c"]);
      const s3 = await commandStats(admin);
      const evalsha3 = statDelta(s2, s3, "evalsha");
      assert.equal(evalsha3.calls + evalsha3.rejected, 1, `evalsha stats delta ${JSON.stringify(evalsha3)}`);
      assert.equal(statDelta(s2, s3, "eval").calls, 1);
      assert.deepEqual(await admin.script("EXISTS", sha), [1]);

      // In a pipeline and in MULTI too.
      const piped = await redis.pipeline().swapValue(k, "d").swapValue(k, "e").exec();
      assert.deepEqual(piped, [[null, ["c", "d"]], [null, ["d", "e"]]]);
      const multi = await redis.multi().swapValue(k, "f").get(k).exec();
      assert.deepEqual(multi, [[null, ["e", "f"]], [null, "f"]]);
    });

    test("a work queue: BRPOP, BLMOVE and BZPOPMIN woken by another connection", async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const worker = newIoredis({ protocol });
      const producer = newIoredis({ protocol });
      // Blocked before the push: the reply comes when the job arrives.
      const popped = worker.brpop(`${p}:jobs`, 5);
      await waitBlocked(producer, 1);
      await producer.lpush(`${p}:jobs`, "job-1");
      assert.deepEqual(await popped, [`${p}:jobs`, "job-1"]);
      // Reliable-queue move: the job lands in the processing list.
      const moved = worker.blmove(`${p}:jobs`, `${p}:processing`, "RIGHT", "LEFT", 5);
      await waitBlocked(producer, 1);
      await producer.lpush(`${p}:jobs`, "job-2");
      assert.equal(await moved, "job-2");
      assert.deepEqual(await producer.lrange(`${p}:processing`, 0, -1), ["job-2"]);
      // Priority queue: the lowest score first.
      const zpopped = worker.bzpopmin(`${p}:prio`, 5);
      await waitBlocked(producer, 1);
      await producer.zadd(`${p}:prio`, 5, "low", 1, "urgent");
      assert.deepEqual(await zpopped, [`${p}:prio`, "urgent", "1"]);
      // A fractional timeout with nothing there: null.
      assert.equal(await worker.blpop(`${p}:empty`, 0.1), null);
    });

    test("pub/sub across two connections: message and pmessage, in order", async (t) => {
      closeAtEnd(t);
      const p = prefixFor(t);
      const sub = newIoredis({ protocol });
      const pub = newIoredis({ protocol });
      const channel = `${p}:chan`;
      const pattern = `${p}:news.*`;
      const got = [];
      sub.on("message", (ch, message) => got.push(["message", ch, message]));
      sub.on("pmessage", (pat, ch, message) => got.push(["pmessage", pat, ch, message]));

      assert.equal(await sub.subscribe(channel), 1);
      assert.equal(await sub.psubscribe(pattern), 2);

      const expected = [];
      for (let i = 1; i <= 20; i += 1) {
        assert.equal(await pub.publish(channel, `m${i}`), 1);
        expected.push(["message", channel, `m${i}`]);
      }
      assert.equal(await pub.publish(`${p}:news.sports`, "goal"), 1);
      expected.push(["pmessage", pattern, `${p}:news.sports`, "goal"]);
      assert.equal(await pub.publish(`${p}:other`, "nobody"), 0);
      assert.equal(await pub.publish(`${p}:news.weather`, "rain"), 1);
      expected.push(["pmessage", pattern, `${p}:news.weather`, "rain"]);
      // Pipelined publishes arrive in order too.
      const pl = pub.pipeline();
      for (let i = 21; i <= 40; i += 1) {
        pl.publish(channel, `m${i}`);
        expected.push(["message", channel, `m${i}`]);
      }
      assert.deepEqual(await pl.exec(), Array.from({ length: 20 }, () => [null, 1]));

      await checkDelivery(t, got, expected);

      assert.deepEqual(await pub.pubsub("NUMSUB", channel), [channel, 1]);
      assert.equal(await pub.pubsub("NUMPAT"), 1);

      await sub.unsubscribe(channel);
      await sub.punsubscribe(pattern);
      assert.equal(await pub.publish(channel, "after"), 0);
      // Out of subscribed state, normal commands work again.
      assert.equal(await sub.ping(), "PONG");
      await sub.set(`${p}:k`, "v");
      assert.equal(await sub.get(`${p}:k`), "v");
    });
  });
}

// ---------------------------------------------------------------------------

describe("node-redis 4", () => {
  test("connect, MULTI/EXEC, WATCH", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const client = await newNodeRedis();
    assert.equal(await client.ping(), "PONG");
    assert.deepEqual(
      await client.multi().set(`${p}:a`, "1").incr(`${p}:a`).get(`${p}:a`).exec(),
      ["OK", 2, "2"],
    );
    assert.deepEqual(await client.multi().set(`${p}:b`, "x", { EX: 100 }).get(`${p}:b`).ttl(`${p}:b`).exec(), ["OK", "x", 100]);

    // WATCH on an isolated connection; another connection changes the key.
    const other = await newNodeRedis();
    await client.set(`${p}:w`, "1");
    await client.executeIsolated(async (iso) => {
      assert.equal(await iso.watch(`${p}:w`), "OK");
      await other.set(`${p}:w`, "changed");
      await assert.rejects(iso.multi().set(`${p}:w`, "mine").exec(), WatchError);
    });
    assert.equal(await client.get(`${p}:w`), "changed");
  });

  test("EVAL, SCRIPT LOAD + EVALSHA, NOSCRIPT", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const client = await newNodeRedis();
    const lua = "local old = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1]); return {old or false, redis.call('GET', KEYS[1])}";
    const k = `${p}:v`;
    assert.deepEqual(await client.eval(lua, { keys: [k], arguments: ["a"] }), [null, "a"]);
    const sha = await client.scriptLoad(lua);
    assert.equal(sha, createHash("sha1").update(lua).digest("hex"));
    assert.deepEqual(await client.scriptExists(sha), [true]);
    assert.deepEqual(await client.evalSha(sha, { keys: [k], arguments: ["b"] }), ["a", "b"]);
    assert.deepEqual(await client.evalSha(sha, { keys: [k], arguments: ["c"] }), ["b", "c"]);
    assert.equal(await client.get(k), "c");
    await assert.rejects(
      client.evalSha("0".repeat(40), { keys: [k], arguments: [] }),
      (err) => { assert.match(err.message, /^NOSCRIPT /); return true; },
    );
    assert.equal(await client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", { keys: [`${p}:n`], arguments: ["5"] }), 5);
  });

  test("BLPOP on an isolated connection woken by a push", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const client = await newNodeRedis();
    const popped = client.executeIsolated((isolated) => isolated.blPop(`${p}:q`, 5));
    await waitBlocked(client, 1);
    assert.equal(await client.rPush(`${p}:q`, ["a", "b"]), 2);
    assert.deepEqual(await popped, { key: `${p}:q`, element: "a" });
    assert.deepEqual(await client.lRange(`${p}:q`, 0, -1), ["b"]);
  });

  test("pub/sub with a duplicate() subscriber", async (t) => {
    closeAtEnd(t);
    const p = prefixFor(t);
    const client = await newNodeRedis();
    const sub = client.duplicate();
    sub.errors = [];
    sub.on("error", (err) => sub.errors.push(err));
    openClients.add(sub);
    await sub.connect();

    const channel = `${p}:chan`;
    const pattern = `${p}:news.*`;
    const got = [];
    await sub.subscribe(channel, (message, ch) => got.push(["message", ch, message]));
    await sub.pSubscribe(pattern, (message, ch) => got.push(["pmessage", ch, message]));

    const expected = [];
    for (let i = 1; i <= 10; i += 1) {
      assert.equal(await client.publish(channel, `m${i}`), 1);
      expected.push(["message", channel, `m${i}`]);
    }
    assert.equal(await client.publish(`${p}:news.x`, "px"), 1);
    expected.push(["pmessage", `${p}:news.x`, "px"]);
    assert.equal(await client.publish(`${p}:nomatch`, "no"), 0);
    await checkDelivery(t, got, expected);

    await sub.unsubscribe(channel);
    await sub.pUnsubscribe(pattern);
    assert.equal(await client.publish(channel, "after"), 0);
    await sub.quit();
    openClients.delete(sub);
  });
});
