// `npm run bench:grade`: grades a batch of 40 submissions (the reference, the
// starter and classic mistakes, repeated; examples/submissions/ when it
// exists) and prints the wall time, the time per submission, and where the
// time goes: CPU by stage (type check, the sandbox's engine start and calls
// across its boundary, the workers' tests, reports). `-- --reference 20`
// grades 20 copies of the reference instead (the sandbox's yardstick).
// A figure to read, not a test.

import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab, repoRoot } from "../labs/lab";
import { VARIANTS, writeSubmission } from "./_variants";
import { gradeBatch } from "./grade";
import { loadRubric } from "./rubric";
import type { SubmissionTiming } from "./model";

/** How many submissions, and whether all are the reference (`--reference N`). */
function batchShape(argv: readonly string[]): { count: number; referenceOnly: boolean } {
  const i = argv.indexOf("--reference");
  if (i < 0) return { count: 40, referenceOnly: false };
  const n = Number(argv[i + 1] ?? 20);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench:grade: --reference takes a count, not "${argv[i + 1]}"`);
  return { count: n, referenceOnly: true };
}

async function main(): Promise<void> {
  const { count: COUNT, referenceOnly } = batchShape(process.argv.slice(2));
  const root = repoRoot();
  const lab = loadLab("cow", root);
  const realRubric = labReady(lab.dir);
  const labDir = realRubric ? lab.dir : path.join(root, "grader", "test-fixtures", "cow");
  const files = ["src/kernel/uvmcopy.ts", "src/kernel/cow.ts", "src/kernel/uvmfree.ts"];
  const tmp = mkdtempSync(path.join(os.tmpdir(), "oslab-bench-"));
  const subs = path.join(tmp, "class");
  const examples = path.join(root, "examples", "submissions");
  const kinds: ((dest: string) => void)[] = [];
  const exampleDirs = existsSync(examples)
    ? readdirSync(examples, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith("."))
        .map((d) => d.name)
    : [];
  if (referenceOnly) {
    kinds.push((dest) => writeSubmission(lab.solution, files, dest));
  } else if (exampleDirs.length >= 3) {
    for (const d of exampleDirs) kinds.push((dest) => cpSync(path.join(examples, d), dest, { recursive: true }));
  } else {
    kinds.push((dest) => writeSubmission(lab.solution, files, dest));
    kinds.push((dest) => writeSubmission(lab.starter, files, dest));
    for (const v of VARIANTS) kinds.push((dest) => writeSubmission(lab.solution, files, dest, v.edits));
  }
  for (let i = 0; i < COUNT; i++) kinds[i % kinds.length]!(path.join(subs, `s${String(i).padStart(2, "0")}`));
  const jobs = os.availableParallelism();
  console.log(
    `bench:grade: ${COUNT} submissions (${referenceOnly ? "copies of the reference" : exampleDirs.length >= 3 ? "examples/submissions" : "reference, starter, " + VARIANTS.length + " mistakes"}), ` +
      `lab ${realRubric ? "labs/cow" : "grader/test-fixtures/cow (no labs/cow/rubric.json yet)"}, ${jobs} jobs`,
  );
  try {
    const cpu0 = cpuSeconds();
    const {
      timing: t,
      summary,
      results,
    } = await gradeBatch([subs], { lab: "cow", labDir, out: path.join(tmp, "out"), jobs });
    const cpu = cpuSeconds() - cpu0;
    if (summary.rows.length !== COUNT)
      throw new Error(`bench:grade: graded ${summary.rows.length} of ${COUNT} submissions`);
    const per = t.totalMs / COUNT;
    const graded = t.totalMs - t.prepareMs - t.baselineMs - t.reportsMs;
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    console.log(`total wall time            ${s(t.totalMs)}`);
    console.log(
      `per submission, amortized  ${(per / 1000).toFixed(3)} s (grading phase alone: ${(graded / COUNT / 1000).toFixed(3)} s)`,
    );
    console.log(`  prepare (compile cache)  ${s(t.prepareMs)}`);
    console.log(`  reference run (baseline) ${s(t.baselineMs)}`);
    console.log(`  HTML/Markdown reports    ${s(t.reportsMs)} (after grading)`);
    console.log(`  summed over submissions: waiting for a warm worker ${s(t.startupMs)}, running tests ${s(t.testMs)}`);
    console.log(`  workers forked           ${t.workersForked}`);
    printStages(
      results.map((r) => r.timing),
      t.reportsMs,
      s,
    );
    console.log(
      `CPU (grader + workers)     ${cpu.toFixed(2)} s, ${(cpu / COUNT).toFixed(3)} s per submission; ` +
        `on ${jobs} otherwise idle cores: ${(cpu / COUNT / jobs).toFixed(3)} s per submission`,
    );
    console.log(
      `machine load average       ${os.loadavg()[0]!.toFixed(1)} (other work on the machine inflates wall time)`,
    );
    const dominant = t.testMs >= t.startupMs ? "running the tests" : "starting workers";
    console.log(
      `dominates: ${dominant}; mean score ${(summary.rows.reduce((a, r) => a + r.score, 0) / COUNT).toFixed(1)} / ${summary.maxScore}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// CPU by stage, summed over the submissions: what the workers and the checker measured.
function printStages(timings: readonly SubmissionTiming[], reportsMs: number, s: (ms: number) => string): void {
  const sum = (f: (t: SubmissionTiming) => number | undefined): number => timings.reduce((n, t) => n + (f(t) ?? 0), 0);
  const calls = sum((t) => t.engine?.calls);
  const callbacks = sum((t) => t.engine?.callbacks);
  console.log("CPU by stage, summed over submissions:");
  console.log(`  type check               ${s(sum((t) => t.checkCpuMs))}`);
  console.log(`  worker, all of it        ${s(sum((t) => t.engine?.cpuMs))}`);
  console.log(
    `    engine start           ${s(sum((t) => t.engine?.buildMs))} (${sum((t) => t.engine?.builds)} engines)`,
  );
  console.log(
    `    in the engine          ${s(sum((t) => t.engine?.callMs) - sum((t) => t.engine?.callbackMs))} over ${calls} calls in, ` +
      `${callbacks} calls out (${((sum((t) => t.engine?.callMs) * 1000) / Math.max(1, calls + callbacks)).toFixed(1)} µs a call, kernel work included)`,
  );
  console.log(`    kernel called from it  ${s(sum((t) => t.engine?.callbackMs))}`);
  console.log(`  reports (wall)           ${s(reportsMs)}`);
}

// CPU seconds of this process and of its finished children (the workers), from /proc.
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1e6 + children;
}

// The real lab once its rubric and the scenarios it names exist.
function labReady(dir: string): boolean {
  try {
    return loadRubric(dir).thresholds.every((t) => existsSync(path.join(dir, t.scenario)));
  } catch {
    return false;
  }
}

void main();
