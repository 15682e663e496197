// BullMQ throughput against one server (Redis or Cairn), for bench/semantics.sh:
// JOBS jobs added with Queue.addBulk in batches of 50 by PRODUCERS concurrent
// producers, then processed by one Worker with CONCURRENCY, each job an empty
// async function. Prints "ADDED_PER_S PROCESSED_PER_S" and checks that every
// job completed.
//
//   NODE_PATH=tests/bullmq/node_modules node bench/bullmq_throughput.cjs PORT [JOBS] [CONCURRENCY] [PRODUCERS]
// (bullmq and ioredis come from tests/bullmq's lock file: bash scripts/test.sh, or npm ci there.)
const { Queue, Worker } = require("bullmq");

async function main() {
  const [port, jobs = "20000", concurrency = "50", producers = "4"] = process.argv.slice(2);
  const total = Number(jobs);
  const connection = { host: "127.0.0.1", port: Number(port), maxRetriesPerRequest: null };
  const name = `bench${Date.now()}`;
  const queue = new Queue(name, { connection });
  const perProducer = Math.ceil(total / Number(producers));
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Number(producers) }, async (_, p) => {
    for (let i = 0; i < perProducer && p * perProducer + i < total; i += 50) {
      const n = Math.min(50, perProducer - i, total - p * perProducer - i);
      await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: "job", data: { i: p * perProducer + i + k } })));
    }
  }));
  const t1 = process.hrtime.bigint();
  let done = 0;
  let finished;
  const allDone = new Promise((resolve) => { finished = resolve; });
  const worker = new Worker(name, async () => {}, { connection, concurrency: Number(concurrency) });
  worker.on("completed", () => {
    if (++done === total) finished();
  });
  worker.on("error", (e) => console.error("worker error:", e.message));
  await allDone;
  const t2 = process.hrtime.bigint();
  const counts = await queue.getJobCounts("completed", "wait", "active", "failed");
  if (counts.completed !== total) throw new Error(`completed ${JSON.stringify(counts)} of ${total}`);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  // Last: the caller stops the server once this line is read.
  const s = (a, b) => Number(b - a) / 1e9;
  console.log(`${(total / s(t0, t1)).toFixed(2)} ${(total / s(t1, t2)).toFixed(2)}`);
}

main().then(
  () => process.exit(0), // ioredis may still be reconnecting a closed blocking connection
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
