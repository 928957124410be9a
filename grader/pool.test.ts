// The pool of warm workers, against a stand-in worker that says ready and
// waits: how many it forks, and that every take gets a worker.

import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PoolOptions, Worker, WorkerPool } from "./pool";
import { scratch } from "./test-support/fixtures";

jest.setTimeout(60_000);

const work = scratch("pool");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entry = path.join(work, "ready.js");
writeFileSync(entry, `process.on("disconnect", () => process.exit(0)); process.send({ type: "ready" });`);

/** Takes `n` workers one after the other from a pool made with `options`; returns how many it forked. */
async function forkedFor(n: number, options: Partial<PoolOptions>): Promise<number> {
  const pool = new WorkerPool({ entry, memoryMb: 64, warm: 2, ...options });
  const taken: Worker[] = [];
  try {
    for (let i = 0; i < n; i++) taken.push(await pool.take());
    return pool.forked;
  } finally {
    taken.forEach((w) => w.kill());
    pool.close();
  }
}

test("a pool keeps its spares ready: each take forks a replacement", async () => {
  expect(await forkedFor(3, {})).toBe(5);
});

test("a pool told how many workers it will be asked for forks no spare past them", async () => {
  expect(await forkedFor(3, { expected: 3 })).toBe(3);
});

test("a take past what the pool was told to expect still gets a worker", async () => {
  expect(await forkedFor(4, { expected: 2 })).toBe(4);
});
