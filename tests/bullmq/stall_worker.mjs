// A BullMQ worker in a process of its own, for bullmq.test.mjs's stalled-job
// test: it takes one job, tells the parent (IPC) which, and never finishes
// it; the parent then kills this process with SIGKILL. Its stalled-job
// check runs as often as the parent's: the first check of any worker holds
// the others off for its own interval.
//   node stall_worker.mjs QUEUE_NAME PORT
import { Worker } from "bullmq";

const [queueName, port] = process.argv.slice(2);
const worker = new Worker(
  queueName,
  async (job) => {
    process.send({ started: job.id });
    await new Promise(() => {}); // holds the job (and renews its lock) until killed
  },
  { connection: { host: "127.0.0.1", port: Number(port), maxRetriesPerRequest: null }, lockDuration: 1000, stalledInterval: 500 },
);
worker.on("error", () => {});
