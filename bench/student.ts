// `npm run bench:student`: how long a student waits for `npm test`.
// Copies starter/ into a fresh temp folder with the solution's three files
// dropped in (so every test runs to the end), links node_modules, and times:
//   cold   the whole public suite with an empty Jest cache (first run of the evening)
//   warm   the whole suite again, cache filled
//   part   one part alone (`npm test -- partB`), warm
// Each is a whole process, Jest's start-up included, and its type check
// (the student reporter's child process). Prints figures only: wall time,
// and on Linux the CPU time of the run and its children (steadier than wall
// time on a busy machine), with the load average at the start and the end.

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab, repoRoot } from "../labs/lab";
import { summarize, timeProcess } from "./_time";

const RUNS = 3;

interface Sample {
  wall: number;
  cpu: number | null;
}

// Seconds one Jest run of the student's suite takes, start-up included: wall, and CPU of it and its children.
function timeJest(dir: string, cache: string, args: string[]): Sample {
  const jest = path.join(repoRoot(), "node_modules", "jest", "bin", "jest.js");
  const args_ = [jest, ...npmTestArgs(dir), "--ci", "--silent", `--cacheDirectory=${cache}`, ...args];
  const cpu0 = childrenCpu();
  const wall = timeProcess(process.execPath, args_, { cwd: dir }).ms / 1000;
  const cpu1 = childrenCpu();
  return { wall, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

// The arguments `npm test` gives Jest in the project at `dir` (its package.json's "test": "jest ...").
function npmTestArgs(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: { test: string } };
  const [command, ...args] = pkg.scripts.test.split(/\s+/);
  if (command !== "jest")
    throw new Error(`Cannot time npm test: ${dir}/package.json's "test" does not start with jest`);
  return args;
}

// CPU seconds (user + system) of this process's finished children, from /proc (Linux); null elsewhere.
function childrenCpu(): number | null {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is stat's 3rd field (state): cutime and cstime are its 16th and 17th
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

function line(what: string, samples: Sample[], target: string): string {
  const t = summarize(samples.map((s) => s.wall));
  const cpus = samples.map((s) => s.cpu).filter((c): c is number => c !== null);
  const cpu = cpus.length === samples.length ? `   CPU median ${summarize(cpus).median.toFixed(2)} s` : "";
  return `  ${what.padEnd(26)}median ${t.median.toFixed(2)} s   min ${t.min.toFixed(2)} s${cpu}${target}`;
}

function load(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

function main(): void {
  const lab = loadLab("cow");
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-student-bench-"));
  cpSync(lab.starter, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  symlinkSync(path.join(repoRoot(), "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const e of lab.editPoints) cpSync(path.join(lab.solution, e.file), path.join(dir, e.file));
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  const part: Sample[] = [];
  const loadBefore = load();
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
  console.log(`  load average (1, 5, 15 min): ${loadBefore} at the start, ${load()} at the end`);
  console.log(line("cold (empty Jest cache)", cold, "   target < 4 s"));
  console.log(line("warm (cache filled)", warm, "   target < 2 s"));
  console.log(line("one part (partB), warm", part, ""));
}

main();
