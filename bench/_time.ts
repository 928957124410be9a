// Timing whole child processes: wall time from spawn to exit, start-up
// included, as `time` would measure it.

import { spawnSync } from "node:child_process";

/** What one timed run printed and how long it took. */
export interface TimedProcess {
  ms: number;
  stdout: string;
  stderr: string;
}

/** Samples of one measurement, in milliseconds, with their median and minimum. */
export interface Timing {
  samples: number[];
  median: number;
  min: number;
}

/**
 * Runs `file` with `args` to completion and returns its wall time.
 * Throws when it cannot start or exits with a status other than 0.
 */
export function timeProcess(file: string, args: readonly string[], options: { cwd?: string } = {}): TimedProcess {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: options.cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const command = [file, ...args].join(" ");
  if (r.error !== undefined) throw new Error(`Cannot run "${command}": ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`Command "${command}" exited with ${r.signal ?? `status ${r.status}`}: ${r.stderr.trim()}`);
  }
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** The median and minimum of `samples` (at least one). */
export function summarize(samples: readonly number[]): Timing {
  if (samples.length === 0) throw new RangeError("Cannot summarize no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { samples: [...samples], median, min: sorted[0]! };
}
