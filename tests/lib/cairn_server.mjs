// The Cairn server for the node test suites (tests/redis-clients,
// tests/bullmq): started, killed with SIGKILL and restarted on the same data
// dir and port, stopped with SIGTERM; everything by the child's PID. The run
// script (tests/redis-clients/run_redis_clients.sh) picks the port and the
// temporary data dir and sets CAIRN_BINARY, CAIRN_DATA_DIR, CAIRN_PORT,
// CAIRN_LOG and CAIRN_PID_FILE.
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import fs from "node:fs";

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set; run tests/redis-clients/run_redis_clients.sh path/to/cairn, which sets it`,
    );
  }
  return value;
}

export const BINARY = requireEnv("CAIRN_BINARY");
export const DATA_DIR = requireEnv("CAIRN_DATA_DIR");
export const PORT = Number(requireEnv("CAIRN_PORT"));
export const LOG = process.env.CAIRN_LOG || null;
export const PID_FILE = process.env.CAIRN_PID_FILE || null;
export const HOST = "127.0.0.1";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The server: started here, killed with SIGKILL and restarted by the crash
// tests, stopped (SIGTERM) at the end. Everything is by the child's PID.

export class CairnServer {
  constructor() {
    this.child = null;
    this.exited = null; // promise of {code, signal} for the running child
    this.starts = 0;
  }

  async start() {
    assert.equal(this.child, null, "server already running");
    this.starts += 1;
    const logFd = LOG ? fs.openSync(LOG, "a") : "ignore";
    if (LOG) fs.writeSync(logFd, `--- ${process.argv[1]}: starting cairn (start #${this.starts}) ---\n`);
    // Cairn reads CAIRN_* variables as options: pass only what is on the command line.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CAIRN_")));
    const args = ["serve", "--data-dir", DATA_DIR, "--port", String(PORT), "--bind", HOST,
      "--http-port", "0", "--fsync", "always"];
    const child = spawn(BINARY, args, { stdio: ["ignore", logFd, logFd], env });
    if (LOG) fs.closeSync(logFd);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    let spawnError = null;
    child.once("error", (err) => { spawnError = err; });
    if (PID_FILE && child.pid) fs.writeFileSync(PID_FILE, `${child.pid}\n`);
    await this.waitForPing(() => spawnError);
  }

  /** Polls `redis-cli -p PORT ping` until it answers PONG (20 s at most). */
  async waitForPing(spawnError) {
    const deadline = Date.now() + 20000;
    let exit = null;
    this.exited.then((e) => { exit = e; });
    for (;;) {
      if (spawnError()) throw new Error(`cannot start ${BINARY}: ${spawnError().message}`);
      if (exit) throw new Error(`cairn exited during start-up (code ${exit.code}, signal ${exit.signal}); see ${LOG}`);
      const out = await new Promise((resolve) => {
        execFile("redis-cli", ["-h", HOST, "-p", String(PORT), "ping"], { timeout: 2000 },
          (err, stdout) => resolve(err ? "" : String(stdout).trim()));
      });
      if (out === "PONG") return;
      if (Date.now() > deadline) throw new Error("redis-cli ping did not answer PONG within 20 s");
      await sleep(100);
    }
  }

  /** kill -9, and wait until the process is gone. */
  async kill9() {
    assert.ok(this.child, "server not running");
    this.child.kill("SIGKILL");
    const { signal } = await this.exited;
    assert.equal(signal, "SIGKILL");
    this.child = null;
  }

  /** SIGTERM, 10 s to shut down, then SIGKILL. Resolves to the exit. */
  async stop() {
    if (!this.child) return null;
    const child = this.child;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
    const exit = await this.exited;
    clearTimeout(timer);
    this.child = null;
    return exit;
  }

  async crashAndRestart() {
    await this.kill9();
    await this.start();
  }
}
