// One batch of the fixture lab holding one submission of each kind the
// grader must survive: a good one in a nested folder, a zip, a tar.gz, a
// bug, a hang, process.exit, a killed process, a type error, a syntax error,
// a missing file. Then the same submissions again, for identical results.

import { createWriteStream, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import yazl from "yazl";
import { VARIANTS } from "./_variants";
import { BatchOutcome, gradeBatch } from "./grade";
import { GradescopeResults } from "./results";
import { SubmissionResult } from "./model";
import {
  FIXTURE_LAB,
  STUDENT_FILES,
  readJson,
  scratch,
  solutionSubmission,
  solutionText,
  starterSubmission,
  writeFiles,
} from "./test-support/fixtures";

jest.setTimeout(180_000);

const work = scratch("grade");
const klass = path.join(work, "class");
let batch: BatchOutcome;

/** A submission folder made of the solution with one file's text changed. */
function edited(id: string, file: string, from: string, to: string): void {
  solutionSubmission(path.join(klass, id), [{ file, from, to }]);
}

async function zipFolder(dir: string, prefix: string, zipFile: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const f of STUDENT_FILES) zip.addBuffer(readFileSync(path.join(dir, f)), `${prefix}/${f}`);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
}

function result(id: string): SubmissionResult {
  const r = batch.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}`);
  return r;
}

function item(id: string, itemId: string) {
  return result(id).items.find((i) => i.id === itemId)!;
}

function lost(id: string): string[] {
  return result(id)
    .items.filter((i) => !i.passed)
    .map((i) => i.id);
}

beforeAll(async () => {
  solutionSubmission(path.join(klass, "alice", "cow-lab"));
  const bob = starterSubmission(path.join(work, "bob-src"));
  await zipFolder(bob, "bob-lab", path.join(klass, "bob.zip"));
  const carol = solutionSubmission(
    path.join(work, "carol", "lab"),
    VARIANTS.find((v) => v.name === "parent-pte-left-writable")!.edits,
  );
  await tar.c({ gzip: true, file: path.join(klass, "carol.tar.gz"), cwd: path.dirname(carol) }, ["lab"]);
  edited(
    "dave",
    "src/kernel/cow.ts",
    "const page = PGROUNDDOWN(va);",
    "const page = PGROUNDDOWN(va);\n  if (page === 0x15000) while (page > 0) {}",
  );
  edited("erin", "src/kernel/uvmfree.ts", "  // BEGIN SOLUTION", "  process.exit(3);\n  // BEGIN SOLUTION");
  edited(
    "frank",
    "src/kernel/uvmfree.ts",
    "  // BEGIN SOLUTION",
    "  const hoard: Uint8Array[] = [];\n  for (;;) hoard.push(new Uint8Array(32 << 20).fill(1));\n  // BEGIN SOLUTION",
  );
  edited(
    "gina",
    "src/kernel/uvmfree.ts",
    "export function uvmfree",
    'export const pages: number = "none";\n\nexport function uvmfree',
  );
  edited("hank", "src/kernel/cow.ts", "const page = PGROUNDDOWN(va);", "const page = = PGROUNDDOWN(va);");
  writeFiles(path.join(klass, "ivy"), {
    "uvmcopy.ts": solutionText("src/kernel/uvmcopy.ts"),
    "uvmfree.ts": solutionText("src/kernel/uvmfree.ts"),
    "notes.txt": "I did not finish part B",
  });
  writeFiles(klass, { "README.txt": "not a submission" });
  batch = await gradeBatch([klass], { lab: "cow", labDir: FIXTURE_LAB, out: path.join(work, "out"), jobs: 2 });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("every submission of a class folder is graded under the name of its folder or archive", () => {
  expect(batch.results.map((r) => r.id).sort()).toEqual([
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "gina",
    "hank",
    "ivy",
  ]);
  expect(batch.results.every((r) => r.status === "graded")).toBe(true);
});

test("the reference, in a project folder inside the submission, gets full marks on every test and threshold", () => {
  expect(lost("alice")).toEqual([]);
  expect(result("alice").score).toBe(result("alice").maxScore);
});

test("the starter, from a zip with a top-level folder, scores 0 on every test", () => {
  const bob = result("bob");
  expect(bob.items.filter((i) => i.kind === "test" && i.score > 0)).toEqual([]);
  expect(item("bob", "A1").output).toContain("NotImplemented: uvmcopy: see handout, part A");
  expect(item("bob", "A2").output).toBe("depends on A1");
});

test("a bug from a .tar.gz loses the test named for it and keeps the others", () => {
  expect(lost("carol")).toContain("A2");
  expect(lost("carol")).not.toContain("A1");
  expect(lost("carol")).not.toContain("C1");
});

test("an endless loop is stopped by the engine's step budget, reported as a time-out on its test, and the other tests still run", () => {
  expect(lost("dave")).toEqual(["B1"]);
  expect(item("dave", "B1").output).toContain("ran for more than 10,000 engine steps without returning");
});

test("process.exit in student code fails the tests that reach it and nothing else, saying the engine has no process", () => {
  expect(lost("erin")).toEqual(["C1", "T1", "T2"]);
  expect(item("erin", "C1").output).toContain(
    "process is not defined: the grader runs your code in an engine without Node.js's globals",
  );
});

test("allocating without end fails the test it was in at the engine's memory limit; the rest still run", () => {
  expect(lost("frank")).toEqual(["C1", "T1", "T2"]);
  expect(item("frank", "C1").output).toContain("used more than 32 MiB of memory in the engine and was stopped");
});

test("a type error is reported with file:line and the tests run anyway", () => {
  const gina = result("gina");
  const line =
    solutionText("src/kernel/uvmfree.ts")
      .split("\n")
      .findIndex((l) => l.startsWith("export function uvmfree")) + 1;
  expect(gina.typeErrors).toEqual([
    expect.objectContaining({ file: "src/kernel/uvmfree.ts", line, column: 14, code: 2322 }),
  ]);
  expect(gina.problems.join("\n")).toContain(`src/kernel/uvmfree.ts:${line}:14 - error TS2322`);
  expect(lost("gina")).toEqual([]);
});

test("a syntax error, in a lab whose suites have no reference copy of the edit points, fails every test with the compiler's message", () => {
  expect(result("hank").score).toBe(0);
  expect(item("hank", "A1").output).toMatch(
    /^Not graded: cow\.ts does not compile\.\nsrc\/kernel\/cow\.ts:\d+:\d+ - error TS1109: Expression expected\./,
  );
  expect(result("hank").problems.join("\n")).toContain("cow.ts did not compile, so parts A, B and C scored 0:\n");
  expect(result("hank").unusable).toEqual([expect.objectContaining({ file: "src/kernel/cow.ts", cause: "syntax" })]);
});

test("a missing file scores 0 on the parts that need it, naming the expected path", () => {
  expect(lost("ivy")).toEqual(["B1", "T1", "T2"]);
  expect(item("ivy", "B1").output).toBe(
    "Not graded: Your submission has no cow.ts; it is expected at src/kernel/cow.ts.",
  );
});

test("results.json follows Gradescope's format and shows only the hint of a failed hidden test", () => {
  const r = readJson<GradescopeResults>(path.join(work, "out", "carol", "results.json"));
  expect(Object.keys(r).sort()).toEqual([
    "execution_time",
    "extra_data",
    "output",
    "score",
    "stdout_visibility",
    "tests",
    "visibility",
  ]);
  expect(r.extra_data).toMatchObject({ grader: expect.any(String), lab: "cow", labVersion: "fixture-1", seed: 1 });
  const a2 = r.tests.find((t) => t.number === "A2")!;
  expect(a2).toMatchObject({
    name: "A2 fork marks writable pages COW",
    score: 0,
    max_score: 2,
    status: "failed",
    visibility: "hidden",
  });
  expect(a2.output).toBe("Failed.\nHint: Clear PTE_W and set PTE_COW in both tables.");
  for (const t of r.tests.filter((x) => x.visibility === "hidden" && x.status === "failed"))
    expect(t.output).not.toMatch(/Expected|Received|expect\(/);
});

test("grades.csv has the total, one column per part (its tests and thresholds: both thresholds are B's), and one per threshold", () => {
  const csv = readFileSync(path.join(work, "out", "grades.csv"), "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toBe("id,total,A,B,C,T1,T2");
  expect(csv).toContain(`alice,${result("alice").maxScore},4,6,2,2,1`);
  expect(csv).toHaveLength(10);
});

test("grading the same submissions again gives the same results, timings aside", async () => {
  const again = await gradeBatch(
    ["alice", "carol.tar.gz", "dave", "frank"].map((s) => path.join(klass, s)),
    { lab: "cow", labDir: FIXTURE_LAB, out: path.join(work, "again"), jobs: 2 },
  );
  for (const r of again.results) {
    const first = readJson<GradescopeResults>(path.join(work, "out", r.id, "results.json"));
    const second = readJson<GradescopeResults>(path.join(work, "again", r.id, "results.json"));
    expect({ ...second, execution_time: 0 }).toEqual({ ...first, execution_time: 0 });
    expect({ ...r, timing: null }).toEqual({ ...result(r.id), timing: null });
  }
});
