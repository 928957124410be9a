// Where the benchmark finds the kit: this file runs as dist/bench/_paths.js.

import path from "node:path";
import { EXAMPLES_DIR } from "../cli/examples";
import { repoRoot } from "../labs/lab";

/** The repository's root. */
export const ROOT = repoRoot();

/** The benchmark's C programs. */
export const C_DIR = path.join(ROOT, "bench", "c");

/** The command line's start script (builds if stale, then runs dist/cli/oslab.js). */
export const OSLAB = path.join(ROOT, "bin", "oslab.js");

/** The compiled probe that bench/hostmem.ts starts in a fresh process. */
export const MEMPROBE = path.join(__dirname, "_memprobe.js");

/** examples/scenarios/NAME.json. */
export function example(name: string): string {
  return path.join(EXAMPLES_DIR, `${name}.json`);
}
