// `npm run bench:student`: how long a student waits for `npm test`.
// Copies starter/ into a fresh temp folder with the solution's three files
// dropped in (so every test runs to the end), links node_modules, and times:
//   cold   the whole public suite with an empty Jest cache (first run of the evening)
//   warm   the whole suite again, cache filled
//   part   one part alone (`npm test -- partB`), warm
// Each is a whole process, Jest's start-up included. Prints figures only.

import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab, repoRoot } from "../labs/lab";
import { summarize, timeProcess } from "./_time";

const RUNS = 3;

// Seconds one Jest run of the student's suite takes, start-up included.
function timeJest(dir: string, cache: string, args: string[]): number {
  const jest = path.join(repoRoot(), "node_modules", "jest", "bin", "jest.js");
  const args_ = [jest, "--ci", "--silent", `--cacheDirectory=${cache}`, ...args];
  return timeProcess(process.execPath, args_, { cwd: dir }).ms / 1000;
}

function line(what: string, samples: number[], target: string): string {
  const t = summarize(samples);
  return `  ${what.padEnd(26)}median ${t.median.toFixed(2)} s   min ${t.min.toFixed(2)} s${target}`;
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
  console.log(line("cold (empty Jest cache)", cold, "   target < 10 s"));
  console.log(line("warm (cache filled)", warm, "   target < 5 s"));
  console.log(line("one part (partB), warm", part, ""));
}

main();
