// A mistake costs its own part: on the real lab, each part's tests and
// thresholds run with the reference's other two parts, and a student file
// that does not compile or does not load scores 0 on the parts that need it
// while the others are graded with the reference's version of it. One
// graded batch, shared by every assertion.

import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BatchOutcome, gradeBatch } from "./grade";
import { SubmissionResult } from "./model";
import { LAB, ROOT, scratch } from "./test-support/fixtures";

jest.setTimeout(300_000);

const work = scratch("own-part");
const examples = path.join(ROOT, "examples", "submissions");
let batch: BatchOutcome;

/** The reference's files, with `file`'s text changed: `from` (which must occur) replaced by `to`. */
function mistake(id: string, file: string, from: string, to: string): string {
  const dir = path.join(work, "class", id);
  cpSync(path.join(examples, "reference"), dir, { recursive: true });
  const text = readFileSync(path.join(dir, file), "utf8");
  if (!text.includes(from)) throw new Error(`${id}: ${file} has no "${from}"`);
  writeFileSync(path.join(dir, file), text.replace(from, to));
  return dir;
}

const UVMCOPY = "src/kernel/uvmcopy.ts";
const COW = "src/kernel/cow.ts";
const UVMFREE = "src/kernel/uvmfree.ts";

beforeAll(async () => {
  const leak = path.join(work, "class", "teardown-leaks-pagetables");
  cpSync(path.join(examples, "teardown-leaks-pagetables"), leak, { recursive: true });
  const reference = path.join(work, "class", "reference");
  cpSync(path.join(examples, "reference"), reference, { recursive: true });
  const paths = [
    reference,
    leak,
    mistake("uvmcopy-syntax", UVMCOPY, "export function uvmcopy(", "export function uvmcopy(("),
    mistake("uvmfree-loops", UVMFREE, "): void {", "): void {\n  for (let spin = true; spin; ) spin = pagetable >= 0;"),
    mistake(
      "cow-throws-on-load",
      COW,
      "export function cowfault",
      'throw new Error("half done");\n\nexport function cowfault',
    ),
    mistake(
      "uvmfree-loops-on-load",
      UVMFREE,
      "export function uvmfree",
      "for (let spin = true; spin; ) spin = PGSIZE > 0;\n\nexport function uvmfree",
    ),
  ];
  batch = await gradeBatch(paths, {
    lab: "cow",
    labDir: LAB.dir,
    out: path.join(work, "out"),
    jobs: 2,
    reports: false,
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function result(id: string): SubmissionResult {
  const r = batch.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}`);
  return r;
}

/** The items of `parts` that lost points, each with what it says: [] when those parts scored in full. */
function lost(id: string, parts: string): string[] {
  return result(id)
    .items.filter((i) => parts.includes(i.part) && i.score < i.maxScore)
    .map((i) => `${i.id}: ${i.score}/${i.maxScore} ${i.output}`);
}

/** The points part `part` scored, tests and thresholds together. */
function partScore(id: string, part: string): number {
  return result(id)
    .items.filter((i) => i.part === part)
    .reduce((n, i) => n + i.score, 0);
}

test("a part-C bug (page-table pages leak) costs nothing in parts A and B, thresholds included", () => {
  const id = "teardown-leaks-pagetables";
  expect(lost(id, "AB")).toEqual([]);
  expect(lost(id, "C")).not.toEqual([]);
  expect(result("teardown-leaks-pagetables").unusable).toBeUndefined();
});

test("a syntax error in uvmcopy.ts costs part A alone; B and C are graded with the reference's uvmcopy.ts and say so", () => {
  const r = result("uvmcopy-syntax");
  expect(partScore("uvmcopy-syntax", "A")).toBe(0);
  expect(lost("uvmcopy-syntax", "BC")).toEqual(lost("reference", "BC"));
  expect(r.unusable).toEqual([
    {
      file: UVMCOPY,
      cause: "syntax",
      detail: expect.stringMatching(/^src\/kernel\/uvmcopy\.ts:\d+:\d+ - error TS/),
      errors: expect.arrayContaining([expect.objectContaining({ file: UVMCOPY })]),
      zeroed: ["A"],
      withReference: ["B", "C"],
    },
  ]);
  expect(r.problems.join("\n")).toContain(
    "uvmcopy.ts did not compile, so part A scored 0; parts B and C were graded with the reference's uvmcopy.ts:\nsrc/kernel/uvmcopy.ts:",
  );
  expect(r.items.find((i) => i.id === "A1")!.output).toMatch(
    /^Not graded: uvmcopy\.ts does not compile\.\nsrc\/kernel\/uvmcopy\.ts:\d+:\d+ - error TS/,
  );
});

test("an endless loop in uvmfree costs only part C's items: every threshold of parts A and B ran and scored", () => {
  const r = result("uvmfree-loops");
  expect(lost("uvmfree-loops", "AB")).toEqual([]);
  expect(partScore("uvmfree-loops", "C")).toBe(0);
  const t = r.items.filter((i) => i.kind === "threshold" && i.part !== "C");
  expect(t.length).toBeGreaterThan(0);
  expect(t.filter((i) => !i.passed).map((i) => `${i.id}: ${i.output}`)).toEqual([]);
});

test("a file that throws while loading costs its own part; the others are graded with the reference's version and say so", () => {
  const r = result("cow-throws-on-load");
  expect(partScore("cow-throws-on-load", "B")).toBe(0);
  expect(lost("cow-throws-on-load", "AC")).toEqual(lost("reference", "AC"));
  expect(r.unusable).toEqual([
    {
      file: COW,
      cause: "load",
      detail: expect.stringContaining("half done"),
      errors: [],
      zeroed: ["B"],
      withReference: ["A", "C"],
    },
  ]);
  expect(r.problems.join("\n")).toContain(
    "cow.ts did not load, so part B scored 0; parts A and C were graded with the reference's cow.ts:\n",
  );
});

test("a file whose loading never ends costs its own part alone", () => {
  const r = result("uvmfree-loops-on-load");
  expect(partScore("uvmfree-loops-on-load", "C")).toBe(0);
  expect(lost("uvmfree-loops-on-load", "AB")).toEqual([]);
  expect(r.unusable).toEqual([
    {
      file: UVMFREE,
      cause: "load",
      detail: expect.stringMatching(/^src\/kernel\/uvmfree\.ts could not be loaded: .*engine steps/),
      errors: [],
      zeroed: ["C"],
      withReference: ["A", "B"],
    },
  ]);
});
