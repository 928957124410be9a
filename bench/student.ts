// `npm run bench:student`: how long a student waits for `npm test`.
// Copies starter/ into a fresh temp folder with the solution's three files
// dropped in (so every test runs to the end), links node_modules, and times:
//   cold   the whole public suite with an empty Jest cache (first run of the evening)
//   warm   the whole suite again, cache filled
//   part   one part alone (`npm test -- partB`), warm
// Each is a whole process, Jest's start-up included. Prints figures only.

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab, repoRoot } from "../labs/lab";

const RUNS = 3;

function timeJest(dir: string, cache: string, args: string[]): number {
  const jest = path.join(repoRoot(), "node_modules", "jest", "bin", "jest.js");
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [jest, "--ci", "--silent", `--cacheDirectory=${cache}`, ...args], {
    cwd: dir,
    stdio: "pipe",
  });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const lab = loadLab("cow");
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-student-bench-"));
  cpSync(lab.starter, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  symlinkSync(path.join(repoRoot(), "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const e of lab.editPoints) cpSync(path.join(lab.solution, e.file), path.join(dir, e.file));
  const cold: number[] = [];
  const warm: number[] = [];
  const part: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cache = mkdtempSync(path.join(os.tmpdir(), "oslab-jest-cache-"));
    cold.push(timeJest(dir, cache, []));
    warm.push(timeJest(dir, cache, []));
    part.push(timeJest(dir, cache, ["partB"]));
    rmSync(cache, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `Student npm test, starter copy with the solution's three files, ${os.cpus().length} cores, ${RUNS} runs each`,
  );
  console.log(
    `  cold (empty Jest cache)   median ${median(cold).toFixed(2)} s   min ${Math.min(...cold).toFixed(2)} s   target < 10 s`,
  );
  console.log(
    `  warm (cache filled)       median ${median(warm).toFixed(2)} s   min ${Math.min(...warm).toFixed(2)} s   target < 5 s`,
  );
  console.log(
    `  one part (partB), warm    median ${median(part).toFixed(2)} s   min ${Math.min(...part).toFixed(2)} s`,
  );
}

main();
