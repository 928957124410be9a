// The lab under test (labs/cow once its rubric and scenarios have landed,
// the fixture lab before): the reference gets full marks on every test and
// threshold, the untouched starter 0 on every test of every part, and each
// example of a classic mistake loses points without losing them all.

import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { BatchOutcome, gradeBatch } from "./grade";
import { ROOT, labUnderTest, scratch, solutionSubmission, starterSubmission } from "./test-support/fixtures";

jest.setTimeout(300_000);

const work = scratch("lab");
const lab = labUnderTest();
const examples = path.join(ROOT, "examples", "submissions");
const mistakes =
  lab.real && existsSync(examples)
    ? readdirSync(examples, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== "reference" && d.name !== "starter" && !d.name.startsWith("."))
        .map((d) => d.name)
    : [];
let batch: BatchOutcome;

beforeAll(async () => {
  const reference = existsSync(path.join(examples, "reference"))
    ? path.join(examples, "reference")
    : solutionSubmission(path.join(work, "reference"));
  const starter = existsSync(path.join(examples, "starter"))
    ? path.join(examples, "starter")
    : starterSubmission(path.join(work, "starter"));
  batch = await gradeBatch([reference, starter, ...mistakes.map((m) => path.join(examples, m))], {
    lab: "cow",
    labDir: lab.labDir,
    out: path.join(work, "out"),
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("the reference solution gets full marks on every test and threshold", () => {
  const r = batch.results.find((x) => x.id === "reference")!;
  expect(r.items.filter((i) => i.score !== i.maxScore).map((i) => `${i.id}: ${i.detail}`)).toEqual([]);
  expect(r.items.filter((i) => i.kind === "threshold").length).toBeGreaterThan(0);
  expect(batch.summary.warnings).toEqual([]);
});

test("the untouched starter scores 0 on every test of every part", () => {
  const r = batch.results.find((x) => x.id === "starter")!;
  expect(r.parts.length).toBeGreaterThan(0);
  for (const p of r.parts) expect(p).toMatchObject({ score: 0 });
  expect(r.items.filter((i) => i.kind === "test" && i.score > 0).map((i) => i.id)).toEqual([]);
});

test("each example of a classic mistake loses points and keeps some", () => {
  for (const m of mistakes) {
    const r = batch.results.find((x) => x.id === m)!;
    expect({ m, lost: r.score < r.maxScore, kept: r.score > 0 }).toEqual({ m, lost: true, kept: true });
  }
});
