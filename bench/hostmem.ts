// Section 4: what a 1 GiB simulated machine costs the host. Measured in a
// fresh process (bench/_memprobe.ts), so that nothing this benchmark did
// before is in the figures.

import { MEMPROBE } from "./_paths";
import { timeProcess } from "./_time";
import type { MemorySample } from "./_memprobe";

/** The project's limit on the host memory of a 1 GiB machine with 50 MiB touched. */
export const LIMIT_MIB = 100;

export type HostMemory = Record<"beforeBoot" | "booted" | "touched" | "childWrote", MemorySample>;

/** Runs the probe and returns its samples. */
export function hostMemory(): HostMemory {
  const out = timeProcess(process.execPath, ["--expose-gc", MEMPROBE]).stdout;
  return JSON.parse(out) as HostMemory;
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** The section's table rows (header first) and verdict line. */
export function hostMemoryRows(h: HostMemory): { rows: string[][]; verdict: string } {
  const rows = [
    [
      "moment",
      "RSS MiB",
      "RSS increase",
      "heapUsed+external MiB",
      "of which arrayBuffers",
      "heapUsed+external increase",
      "backedFrames",
    ],
  ];
  const base = h.beforeBoot;
  const moments: [string, MemorySample][] = [
    ["before boot (modules loaded)", h.beforeBoot],
    ["booted, 262144 frames (1 GiB)", h.booted],
    ["50 MiB touched", h.touched],
    ["after fork, child wrote 50 MiB", h.childWrote],
  ];
  for (const [what, s] of moments) {
    rows.push([
      what,
      mib(s.rss),
      mib(s.rss - base.rss),
      mib(s.heapUsed + s.external),
      mib(s.arrayBuffers),
      mib(s.heapUsed + s.external - base.heapUsed - base.external),
      s.backedFrames === null ? "-" : String(s.backedFrames),
    ]);
  }
  const cost = h.touched.rss - base.rss;
  const verdict =
    `a 1 GiB machine with 50 MiB touched adds ${mib(cost)} MiB of RSS to the bare node process ` +
    `(limit < ${LIMIT_MIB} MiB: ${cost < LIMIT_MIB * 2 ** 20 ? "met" : "NOT met"}); ` +
    `the whole process is ${mib(h.touched.rss)} MiB, of which node itself ${mib(base.rss)} MiB`;
  return { rows, verdict };
}
