// Run by bench/hostmem.ts in a fresh `node --expose-gc` process: what a
// 1 GiB simulated machine (262144 frames) costs the host, before boot,
// after boot, with 50 MiB touched, and after a fork whose child writes all
// 50 MiB (100 MiB live). Prints one JSON object of samples on stdout.

import { runScenario } from "../solution/src/scenario/run";
import { parseScenario } from "../solution/src/scenario/parse";
import { Machine } from "../solution/src/hw/machine";

const FRAMES = 262144; // 1 GiB
const REGION = 50 * 1024 * 1024;

/** One reading of the host's memory, after a full collection. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number; // includes arrayBuffers
  arrayBuffers: number;
  backedFrames: number | null; // the machine's frames holding host memory; null before boot
}

function sample(machine: Machine | null): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("The memory probe needs node --expose-gc");
  gc();
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    backedFrames: machine === null ? null : machine.backedFrames,
  };
}

const scenario = parseScenario(
  {
    version: 1,
    name: "hostmem-1gib-50mib",
    machine: { frames: FRAMES },
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "malloc", proc: "P", bytes: REGION, label: "buf" },
      { op: "memset", proc: "P", addr: "buf", value: 88, bytes: REGION },
      { op: "fork", proc: "P", as: "C" },
      { op: "memset", proc: "C", addr: "buf", value: 89, bytes: REGION },
    ],
  },
  "hostmem",
);

// the hook runs at "start" (after boot) and after each step, by path
const moments: Record<string, string> = {
  start: "booted",
  "steps[2]": "touched",
  "steps[4]": "childWrote",
};
const samples: Record<string, MemorySample> = { beforeBoot: sample(null) };
const result = runScenario(scenario, {
  onStep: (ctx) => {
    const moment = moments[ctx.path];
    if (moment !== undefined) samples[moment] = sample(ctx.machine);
  },
});
if (!result.ok) throw new Error(`The memory probe's scenario failed: ${result.failures.join("; ")}`);
process.stdout.write(JSON.stringify(samples) + "\n");
