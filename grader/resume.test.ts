// Losing nothing: the grader's command line killed outright (SIGKILL) in the
// middle of a batch leaves no file half written and no process behind; the
// same command again grades only what was not finished, and ends with the
// same files as a clean run, timings aside. What counts as finished is keyed
// on the submission's files and on the grader's and the lab's versions.

import { ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gradeBatch } from "./grade";
import { compiledCli } from "./test-support/cli";
import { FIXTURE_LAB, ROOT, labUnderTest, scratch, solutionSubmission } from "./test-support/fixtures";

jest.setTimeout(300_000);

const work = scratch("resume");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EXAMPLES = path.join(ROOT, "examples", "submissions");

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startCli(args: readonly string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [compiledCli(), ...args], {
    env: { ...process.env, CI: "1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** Processes whose parent is `pid`, and theirs, from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp !== p || out.includes(child)) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const finished = (out: string): string[] =>
  existsSync(out) ? readdirSync(out).filter((id) => existsSync(path.join(out, id, "details.json"))) : [];

/**
 * Every file of an output folder, timings removed, keyed by its path in the
 * folder. (A grader error's stack names the lane that met it, "Promise.all
 * (index 1)": a timing too.)
 */
function contents(out: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(out, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else {
        const text = readFileSync(path.join(out, r), "utf8").replace(/Promise\.all \(index \d+\)/g, "Promise.all");
        if (r.endsWith("results.json")) files[r] = { ...JSON.parse(text), execution_time: 0 };
        else if (r.endsWith("details.json")) files[r] = { ...JSON.parse(text), timing: null };
        else files[r] = text;
      }
    }
  };
  walk("");
  return files;
}

test("killed half way, the same command again grades only the rest, and ends as a clean run does", async () => {
  const klass = path.join(work, "class");
  // six submissions on two lanes, the command killed once two are finished: four are not. Each grades
  // the same way at any speed (no submission here meets a time limit), so the runs can be compared whole.
  const ids = [
    "reference",
    "starter",
    "parent-pte-left-writable",
    "cow-copy-leaks-old-frame",
    "teardown-leaks-pagetables",
    "no-sfence-after-cow-fault",
  ];
  for (const id of ids) cpSync(path.join(EXAMPLES, id), path.join(klass, id), { recursive: true });
  const lab = labUnderTest().labDir;
  const out = path.join(work, "out");
  const args = (o: string) => ["grade", klass, "--lab-dir", lab, "--out", o, "--jobs", "2"];
  // the report of "reference" fails (a grader bug made on purpose): told in its result, and the same every run
  const env = { OSLAB_GRADER_FAULT: "report:reference" };

  const first = startCli(args(out), env);
  while (finished(out).length < 2) {
    const ended = await Promise.race([first.done, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (ended !== null) throw new Error(`the first run ended before it was killed: ${JSON.stringify(ended)}`);
  }
  const children = descendants(first.child.pid!);
  first.child.kill("SIGKILL");
  expect((await first.done).signal).toBe("SIGKILL");
  const done = finished(out);
  expect(done.length).toBeLessThan(ids.length);
  // nothing half written: every file there is whole
  for (const id of readdirSync(out).filter((n) => !n.startsWith(".")))
    for (const f of ["results.json", "details.json"].filter((x) => existsSync(path.join(out, id, x))))
      expect(() => JSON.parse(readFileSync(path.join(out, id, f), "utf8"))).not.toThrow();
  // and no process left behind: the workers, the compiler and the reaper end with the grader
  expect(children.length).toBeGreaterThanOrEqual(3);
  for (let i = 0; i < 100 && children.some(running); i++) await new Promise((r) => setTimeout(r, 100));
  expect(children.filter(running)).toEqual([]);

  const second = await startCli(args(out), env).done;
  expect(second.code).toBe(0);
  const again = second.stderr.split("\n").filter((l) => l.endsWith(" (earlier run)"));
  expect(again.map((l) => l.split(" ")[2]!.replace(/:$/, "")).sort()).toEqual([...done].sort());
  expect(second.stderr).toMatch(
    new RegExp(
      `graded ${ids.length} submission\\(s\\) of lab cow in [\\d.]+ s into .* \\(${done.length} finished by an earlier run and not graded again; --force grades them again\\); the grader itself failed on 1 `,
    ),
  );
  expect(readdirSync(out).filter((n) => n.endsWith(".tmp") || n.startsWith("."))).toEqual([]);

  const clean = path.join(work, "clean");
  expect((await startCli(args(clean), env).done).code).toBe(0);
  expect(contents(out)).toEqual(contents(clean));
  const reference = JSON.parse(readFileSync(path.join(out, "reference", "results.json"), "utf8"));
  expect(reference.extra_data.status).toBe("grader-error");
  expect(reference.output).toContain(
    "Grader error: the grader failed while writing your report — this is not your fault; your instructor has been told. Your score above stands.",
  );
  expect(reference.score).toBe(reference.tests.reduce((s: number, t: { max_score: number }) => s + t.max_score, 0));
});

test("what counts as finished: the same files under the same grader and lab; a resubmission, a changed lab or --force grade again", async () => {
  const klass = path.join(work, "small");
  for (const id of ["ann", "ben", "cat"]) solutionSubmission(path.join(klass, id));
  const lab = path.join(work, "fixture-lab");
  cpSync(FIXTURE_LAB, lab, { recursive: true });
  const out = path.join(work, "small-out");
  const grade = (force = false) =>
    gradeBatch([klass], { lab: "cow", labDir: lab, out, jobs: 2, reports: false, ...(force ? { force } : {}) });

  expect((await grade()).resumed).toEqual([]);
  expect([...(await grade()).resumed].sort()).toEqual(["ann", "ben", "cat"]);
  expect((await grade(true)).resumed).toEqual([]);
  // a resubmission: only ben changed
  const cow = path.join(klass, "ben", "src/kernel/cow.ts");
  writeFileSync(cow, readFileSync(cow, "utf8") + "\n// resubmitted\n");
  expect([...(await grade()).resumed].sort()).toEqual(["ann", "cat"]);
  // a hidden test changed: everything again
  const suite = path.join(lab, "tests", "cow.test.ts");
  writeFileSync(suite, readFileSync(suite, "utf8") + "\n// a fixed hidden test\n");
  expect((await grade()).resumed).toEqual([]);
  // the rubric changed (a threshold's worst figure): everything again
  const rubric = JSON.parse(readFileSync(path.join(lab, "rubric.json"), "utf8"));
  rubric.thresholds[0].worst += 1;
  writeFileSync(path.join(lab, "rubric.json"), JSON.stringify(rubric));
  expect((await grade()).resumed).toEqual([]);
  // a grader error is never taken as finished
  process.env.OSLAB_GRADER_FAULT = "score:cat";
  try {
    const faulty = await grade(true);
    expect(faulty.results.find((r) => r.id === "cat")!.status).toBe("grader-error");
  } finally {
    delete process.env.OSLAB_GRADER_FAULT;
  }
  expect([...(await grade()).resumed].sort()).toEqual(["ann", "ben"]);
});
