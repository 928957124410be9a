// Reading a rubric: every mistake is named by its file and field.

import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_LIMITS, parseRubric } from "./rubric";
import { FIXTURE_LAB } from "./test-support/fixtures";

const good = JSON.parse(readFileSync(path.join(FIXTURE_LAB, "rubric.json"), "utf8"));
const withChange = (change: (r: typeof good) => void): unknown => {
  const r = structuredClone(good);
  change(r);
  return r;
};

test("the fixture rubric reads, with defaults for the optional fields", () => {
  const r = parseRubric(good, "rubric.json");
  expect(r.tests.map((t) => [t.id, t.dependsOn])).toEqual([
    ["A1", []],
    ["A2", ["A1"]],
    ["B1", ["A1"]],
    ["C1", []],
  ]);
  expect(r.thresholds[1]!.hint).toBe("");
});

test("a limit the rubric leaves out takes its default, and a flag costs the tests of its part by default", () => {
  const r = parseRubric(
    withChange((x) => {
      x.limits = { testSeconds: 3, fileKb: 64 };
      delete x.integrity;
    }),
    "rubric.json",
  );
  expect(r.limits).toEqual({ ...DEFAULT_LIMITS, testSeconds: 3, fileKb: 64 });
  expect(r.integrity).toEqual({ flagged: "zero-tests" });
  expect(
    parseRubric(
      withChange((x) => (x.integrity = { flagged: "report-only" })),
      "r.json",
    ).integrity,
  ).toEqual({
    flagged: "report-only",
  });
});

test.each([
  [(r: typeof good) => (r.tests[0].points = 0), "tests[0].points must be a positive number"],
  [
    (r: typeof good) => (r.tests[1].visibility = "secret"),
    'tests[1].visibility must be one of "visible", "after_due_date", "after_published", "hidden", not "secret"',
  ],
  [(r: typeof good) => (r.tests[1].dependsOn = ["Z9"]), 'tests[1].dependsOn[0] names no test of the rubric: "Z9"'],
  [(r: typeof good) => (r.tests[2].id = "A1"), 'tests[2].id repeats the id "A1"'],
  [(r: typeof good) => (r.tests[0].part = "Q"), 'tests[0].part names no part of the rubric: "Q"'],
  [(r: typeof good) => (r.parts[0].files = ["src/x.ts"]), 'parts[0].files[0] "src/x.ts" is not one of studentFiles'],
  [
    (r: typeof good) => (r.thresholds[0].figure = "frames copied"),
    'thresholds[0].figure must be a counter ("framesCopied") or PROC.FIGURE ("C.minorFaults"), not "frames copied"',
  ],
  [(r: typeof good) => (r.limits.stepBudget = 0), "limits.stepBudget must be a positive number"],
  [
    (r: typeof good) => (r.limits.diskMb = 5),
    "limits.diskMb is not a limit; the limits are wallSeconds, memoryMb, stepBudget, testSeconds, compileSeconds, " +
      "archiveMb, unpackedMb, fileKb, entries, outputKb, submissionOutputKb",
  ],
  [
    (r: typeof good) => (r.integrity = { flagged: "zero" }),
    'integrity.flagged must be one of "zero-tests", "zero-part", "report-only", not "zero"',
  ],
])("a wrong field is named: %#", (change, message) => {
  expect(() => parseRubric(withChange(change), "labs/cow/rubric.json")).toThrow(
    `Cannot read rubric "labs/cow/rubric.json": ${message}`,
  );
});

test("tests that depend on each other in a circle are refused", () => {
  const r = withChange((x) => (x.tests[0].dependsOn = ["A2"]));
  expect(() => parseRubric(r, "rubric.json")).toThrow(
    'Cannot read rubric "rubric.json": tests depend on each other in a circle: A1 -> A2 -> A1',
  );
});
