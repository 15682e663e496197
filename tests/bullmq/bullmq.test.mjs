// A real BullMQ queue (bullmq 6.7.6 with ioredis 5.9.3, unmodified, from
// tests/bullmq/package-lock.json) against Cairn's RESP port with --fsync
// always (tests/lib/cairn_server.mjs starts it):
//
//   tests/redis-clients/run_redis_clients.sh build/cairn tests/bullmq/bullmq.test.mjs
//
// BullMQ runs nearly everything as Lua scripts (EVALSHA, cmsgpack, keys the
// scripts did not declare), waits for work with BZPOPMIN on a marker key,
// and publishes its events on a stream (XADD … MAXLEN ~, read by QueueEvents
// with XREAD BLOCK). Checked here: jobs added and processed, QueueEvents'
// completed and failed events, retries with exponential backoff, delayed
// jobs, priorities, a job scheduler (repeatable job), a flow (parent and
// children), rate limiting, a worker killed with SIGKILL mid-job whose job is
// recovered as stalled, and a kill -9 of Cairn under load after which every
// job added before, during and after the crash completes (BullMQ is
// at-least-once: a job active at the crash may run twice, none is lost), and
// stays completed across one more crash. Prints the jobs per second reached.
// Every test uses its own queue.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { FlowProducer, Queue, QueueEvents, Worker } from "bullmq";

import { CairnServer, HOST, PORT, sleep } from "../lib/cairn_server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const connection = { host: HOST, port: PORT, maxRetriesPerRequest: null };
const server = new CairnServer();
process.on("exit", () => {
  if (server.child) server.child.kill("SIGKILL");
});

const closers = [];
let queueSeq = 0;
/** A queue (and its QueueEvents, ready) of a name no other test uses. */
async function newQueue() {
  const name = `q${process.pid}-${++queueSeq}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on("error", () => {});
  events.on("error", () => {});
  closers.push(() => events.close(), () => queue.close());
  await events.waitUntilReady();
  return { name, queue, events };
}
function newWorker(name, processor, opts = {}) {
  const worker = new Worker(name, processor, { connection, ...opts });
  worker.on("error", () => {}); // connection errors while Cairn restarts
  closers.push(() => worker.close(true));
  return worker;
}
async function waitFor(predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

before(async () => {
  await server.start();
});

after(async () => {
  // Bounded: a client left reconnecting must not hold up the server's stop.
  for (const close of closers.reverse()) await Promise.race([close().catch(() => {}), sleep(5000)]);
  const exit = await server.stop();
  if (exit) assert.deepEqual(exit, { code: 0, signal: null }, "cairn did not shut down cleanly on SIGTERM");
});

test("jobs are processed; QueueEvents receives completed and failed", async () => {
  const { name, queue, events } = await newQueue();
  const completed = new Map();
  const failed = new Map();
  events.on("completed", ({ jobId, returnvalue }) => completed.set(jobId, returnvalue));
  events.on("failed", ({ jobId, failedReason }) => failed.set(jobId, failedReason));
  newWorker(name, async (job) => {
    if (job.data.n === 3) throw new Error("three is not allowed");
    return job.data.n * 2;
  });
  const jobs = [];
  for (let n = 0; n < 6; n++) jobs.push(await queue.add("double", { n }));
  await waitFor(() => completed.size === 5 && failed.size === 1, "5 completed and 1 failed event");
  for (const job of jobs) {
    if (job.data.n === 3) assert.equal(failed.get(job.id), "three is not allowed");
    else assert.equal(String(completed.get(job.id)), String(job.data.n * 2));
  }
  const done = await queue.getJob(jobs[5].id);
  assert.equal(done.returnvalue, 10);
  assert.deepEqual(await queue.getJobCounts("completed", "failed"), { completed: 5, failed: 1 });
});

test("retries with exponential backoff", async () => {
  const { name, queue, events } = await newQueue();
  const attempts = [];
  newWorker(name, async (job) => {
    attempts.push(Date.now());
    if (job.attemptsMade < 2) throw new Error(`attempt ${job.attemptsMade + 1} fails`);
    return "third time lucky";
  });
  const job = await queue.add("flaky", {}, { attempts: 3, backoff: { type: "exponential", delay: 200 } });
  await job.waitUntilFinished(events, 15000);
  assert.equal(attempts.length, 3);
  const gaps = [attempts[1] - attempts[0], attempts[2] - attempts[1]];
  // 200 ms, then 400 ms (delay * 2^(attempt - 1)); a little early is timer granularity.
  assert.ok(gaps[0] >= 190 && gaps[1] >= 390, `gaps ${gaps}`);
  const after = await queue.getJob(job.id);
  assert.equal(after.attemptsMade, 3);
  assert.equal(after.returnvalue, "third time lucky");
});

test("a delayed job waits its delay", async () => {
  const { name, queue, events } = await newQueue();
  let ranAt = 0;
  newWorker(name, async () => {
    ranAt = Date.now();
  });
  const added = Date.now();
  const job = await queue.add("later", {}, { delay: 700 });
  assert.equal(await job.getState(), "delayed");
  await job.waitUntilFinished(events, 15000);
  assert.ok(ranAt - added >= 690, `ran ${ranAt - added} ms after it was added`);
});

test("priorities: lower numbers first", async () => {
  const { name, queue, events } = await newQueue();
  const order = [];
  const last = [];
  for (const priority of [5, 3, 9, 1, 7]) last.push(await queue.add(`p${priority}`, { priority }, { priority }));
  newWorker(name, async (job) => {
    order.push(job.data.priority);
  });
  await Promise.all(last.map((job) => job.waitUntilFinished(events, 15000)));
  assert.deepEqual(order, [1, 3, 5, 7, 9]);
});

test("a job scheduler repeats its job", async () => {
  const { name, queue } = await newQueue();
  const ticks = [];
  newWorker(name, async (job) => {
    ticks.push(job.name);
  });
  await queue.upsertJobScheduler("every-300ms", { every: 300 }, { name: "tick", data: {} });
  await waitFor(() => ticks.length >= 3, "three ticks", 15000);
  assert.ok(ticks.every((t) => t === "tick"));
  assert.equal((await queue.getJobSchedulers()).length, 1);
  await queue.removeJobScheduler("every-300ms");
  assert.equal((await queue.getJobSchedulers()).length, 0);
});

test("a flow: the parent runs after its children, with their results", async () => {
  const { name, queue, events } = await newQueue();
  newWorker(name, async (job) => {
    if (job.name === "child") return job.data.v * 10;
    const values = await job.getChildrenValues();
    return Object.values(values).reduce((a, b) => a + b, 0);
  });
  const flows = new FlowProducer({ connection });
  flows.on("error", () => {});
  closers.push(() => flows.close());
  const tree = await flows.add({
    name: "parent",
    queueName: name,
    children: [1, 2, 3].map((v) => ({ name: "child", queueName: name, data: { v } })),
  });
  assert.equal(await tree.job.getState(), "waiting-children");
  const result = await tree.job.waitUntilFinished(events, 15000);
  assert.equal(result, 60);
  for (const child of tree.children) assert.equal(await child.job.getState(), "completed");
});

test("rate limiting: at most 2 jobs per 500 ms", async () => {
  const { name, queue, events } = await newQueue();
  const starts = [];
  newWorker(name, async () => {
    starts.push(Date.now());
  }, { concurrency: 4, limiter: { max: 2, duration: 500 } });
  const jobs = [];
  for (let i = 0; i < 6; i++) jobs.push(await queue.add("limited", { i }));
  await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 20000)));
  starts.sort((a, b) => a - b);
  // Six jobs at two per window take at least two more windows after the first.
  assert.ok(starts[5] - starts[0] >= 950, `six jobs in ${starts[5] - starts[0]} ms`);
  for (let i = 2; i < 6; i++) assert.ok(starts[i] - starts[i - 2] >= 450, `starts ${starts}`);
});

test("a worker killed mid-job: its job is recovered as stalled", async () => {
  const { name, queue, events } = await newQueue();
  const stalled = [];
  events.on("stalled", ({ jobId }) => stalled.push(jobId));
  const job = await queue.add("long", {});
  const child = fork(path.join(HERE, "stall_worker.mjs"), [name, String(PORT)], { stdio: "ignore" });
  const started = await new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m.started));
    child.once("exit", (code) => reject(new Error(`stall_worker exited (${code}) before taking the job`)));
  });
  assert.equal(started, job.id);
  assert.equal(await job.getState(), "active");
  child.kill("SIGKILL");
  let ranHere = 0;
  newWorker(name, async () => {
    ranHere += 1;
    return "recovered";
  }, { stalledInterval: 500, lockDuration: 1000 });
  assert.equal(await job.waitUntilFinished(events, 20000), "recovered");
  assert.equal(ranHere, 1);
  assert.deepEqual(stalled, [job.id]);
});

test("kill -9 of Cairn under load: every job added completes", { timeout: 180000 }, async () => {
  const { name, queue } = await newQueue();
  const runs = new Map(); // job id -> times processed
  const worker = newWorker(name, async (job) => {
    runs.set(job.id, (runs.get(job.id) || 0) + 1);
    return job.data.i;
  }, { concurrency: 8, stalledInterval: 1000, lockDuration: 2000 });
  const added = [];
  let stop = false;
  const producer = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        added.push((await queue.add("load", { i }, { removeOnComplete: false })).id);
      } catch {
        await sleep(50); // refused while Cairn is down: the add is not acknowledged
      }
    }
  })();
  const t0 = Date.now();
  await sleep(2000);
  const beforeCrash = added.length;
  await server.crashAndRestart();
  await sleep(1500);
  stop = true;
  await producer;
  const total = added.length;
  assert.ok(beforeCrash > 0 && total > beforeCrash, `added ${beforeCrash} before the crash, ${total} in all`);
  const missing = async () => {
    const states = await Promise.all(added.map((id) => queue.getJobState(id)));
    return added.filter((id, i) => states[i] !== "completed");
  };
  await waitFor(async () => (await missing()).length === 0, "every added job to complete", 120000)
    .catch(async (e) => {
      const left = await missing();
      throw new Error(`${e.message}: ${left.length} of ${total} not completed, e.g. ${left.slice(0, 5)}`);
    });
  const seconds = (Date.now() - t0) / 1000;
  const twice = added.filter((id) => (runs.get(id) || 0) > 1).length;
  console.log(`# BullMQ: ${total} jobs added (${beforeCrash} before the kill -9), all completed, ` +
    `${twice} run twice (active at the crash), ${(total / seconds).toFixed(0)} jobs/s end to end ` +
    `over ${seconds.toFixed(1)} s with --fsync always, crash and recovery included`);
  assert.ok(added.every((id) => runs.get(id) >= 1));
  await worker.close();
  // Completion is durable too: after another kill -9, a new Queue finds every
  // job completed. (Not active === 0: a duplicate of an add that was in flight
  // at the first crash may be taken by the closing worker and left for a
  // stalled check, as BullMQ does.)
  await server.crashAndRestart();
  const again = new Queue(name, { connection });
  again.on("error", () => {});
  closers.push(() => again.close());
  const states = await Promise.all(added.map((id) => again.getJobState(id)));
  const notDone = added.filter((id, i) => states[i] !== "completed");
  assert.deepEqual(notDone, [], `not completed after the second kill -9: ${notDone.slice(0, 5)}`);
});
