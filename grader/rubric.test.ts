// Reading a rubric: every mistake is named by its file and its place, an
// item by its id, before anything is graded.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_LIMITS, loadRubric, parseRubric } from "./rubric";
import { FIXTURE_LAB, ROOT } from "./test-support/fixtures";

const good = JSON.parse(readFileSync(path.join(FIXTURE_LAB, "rubric.json"), "utf8"));
const withChange = (change: (r: typeof good) => void): unknown => {
  const r = structuredClone(good);
  change(r);
  return r;
};
const FILE = "labs/cow/rubric.json";
const message = (raw: unknown): string => {
  try {
    parseRubric(raw, FILE);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("parseRubric accepted the rubric");
};

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** A copy of a lab folder in a temporary folder, its rubric.json replaced by `text` when given. */
function labCopy(from: string, text?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-rubric-"));
  scratch.push(dir);
  cpSync(from, dir, { recursive: true });
  if (text !== undefined) writeFileSync(path.join(dir, "rubric.json"), text);
  return dir;
}

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

test.each([
  ["the kit's lab", path.join(ROOT, "labs", "cow")],
  ["the grader's fixture lab", FIXTURE_LAB],
  ["the grader's semantics fixture", path.join(ROOT, "grader", "test-fixtures", "semantics")],
  ["the handout's fixture", path.join(ROOT, "handout", "test-fixtures")],
])("%s's rubric is accepted, scenarios and all", (_, dir) => {
  expect(loadRubric(dir).tests.length).toBeGreaterThan(0);
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
  [(r: typeof good) => (r.tests[0].points = 0), "tests.A1.points must be a positive number"],
  [(r: typeof good) => delete r.tests[0].title, "tests.A1.title is missing"],
  [
    (r: typeof good) => (r.tests[1].visibility = "secret"),
    'tests.A2.visibility must be one of "visible", "after_due_date", "after_published", "hidden", not "secret"',
  ],
  [(r: typeof good) => (r.tests[1].dependsOn = ["Z9"]), 'tests.A2.dependsOn[0] names no test of the rubric: "Z9"'],
  [(r: typeof good) => (r.tests[2].id = "A1"), 'tests[2].id repeats the id "A1"'],
  [(r: typeof good) => (r.tests[0].part = "Q"), 'tests.A1.part names no part of the rubric: "Q"'],
  [(r: typeof good) => (r.tests[3].id = "C 1"), 'tests[3].id must be letters, digits, "-" or "_", not "C 1"'],
  [
    (r: typeof good) => (r.parts[0].files = ["src/x.ts"]),
    'parts.A.files[0] names a file that is not one of studentFiles: "src/x.ts"',
  ],
  [(r: typeof good) => (r.studentFiles[1] = "../cow.ts"), "studentFiles[1] must be a relative path inside the project"],
  [(r: typeof good) => (r.limits.stepBudget = 0), "limits.stepBudget must be a positive number"],
  [
    (r: typeof good) => (r.limits.diskMb = 5),
    `limits: unknown key "diskMb" (the keys are ${Object.keys(DEFAULT_LIMITS).join(", ")})`,
  ],
  [
    (r: typeof good) => (r.integrity = { flagged: "zero" }),
    'integrity.flagged must be one of "zero-tests", "zero-part", "report-only", not "zero"',
  ],
  [(r: typeof good) => (r.thresholds[0].worst = -1), "thresholds.T1.worst must be a number, 0 or more"],
  [(r: typeof good) => delete r.thresholds[0].part, "thresholds.T1.part is missing"],
  [(r: typeof good) => (r.thresholds[0].part = "Q"), 'thresholds.T1.part names no part of the rubric: "Q"'],
  [(r: typeof good) => (r.version = ""), "version must be a non-empty string or a number"],
  [(r: typeof good) => (r.tests = {}), "tests must be a list"],
])("a wrong field is named, its item by id: %#", (change, expected) => {
  expect(message(withChange(change))).toBe(`Cannot read rubric "${FILE}": ${expected}`);
});

test.each([
  [
    (r: typeof good) => (r.tests[1].visiblity = "hidden"),
    'tests.A2: unknown key "visiblity" (did you mean "visibility"?)',
  ],
  [(r: typeof good) => (r.tests[2].Hint = "Think."), 'tests.B1: unknown key "Hint" (did you mean "hint"?)'],
  [(r: typeof good) => (r.parts[1].file = []), 'parts.B: unknown key "file" (did you mean "files"?)'],
  [(r: typeof good) => (r.threshold = []), 'unknown key "threshold" (did you mean "thresholds"?)'],
  [
    (r: typeof good) => ([r.tests[0].titel, r.tests[0].title] = [r.tests[0].title, undefined]),
    'tests.A1: unknown key "titel" (did you mean "title"?)', // not also "tests.A1.title is missing"
  ],
  [
    (r: typeof good) => (r.tests[0].weight = 2),
    'tests.A1: unknown key "weight" (the keys are id, part, title, points, visibility, dependsOn, hint, scenario)',
  ],
])("an unknown key is an error that suggests the key it mistypes: %#", (change, expected) => {
  expect(message(withChange(change))).toBe(`Cannot read rubric "${FILE}": ${expected}`);
});

test.each([
  ["cowCopy", 'is no counter of the machine: "cowCopy" (did you mean "cowCopies"?)'],
  ["frames copied", 'is no counter of the machine: "frames copied" (did you mean "framesCopied"?)'],
  ["C.minorFault", 'is no figure of a process: "C.minorFault" (did you mean "C.minorFaults"?)'],
  [
    "C.state",
    'is no figure of a process: "C.state" (a counter (pageFaults, cowFaults, cowCopies, cowReuses, demandZeroFaults, ' +
      "segfaults, oomKills, framesCopied, framesZeroed, framesAllocated, framesFreed, framesInUse, pageTableFrames, " +
      "tlbFlushes, cycles) or PROC.FIGURE, the figure of the process the scenario binds to PROC " +
      "(pid, minorFaults, rssPages, sharedPages, privatePages))",
  ],
])("a threshold figure no scenario result has is an error: %s", (figure, expected) => {
  expect(message(withChange((r) => (r.thresholds[1].figure = figure)))).toBe(
    `Cannot read rubric "${FILE}": thresholds.T2.figure ${expected}`,
  );
});

test("several mistakes are told together, one a line", () => {
  const raw = withChange((r) => {
    r.tests[1].visiblity = "hidden";
    r.tests[2].hint = "";
    r.thresholds[0].figure = "cowCopy";
  });
  expect(message(raw)).toBe(
    `Cannot read rubric "${FILE}": 3 mistakes:\n` +
      '  tests.A2: unknown key "visiblity" (did you mean "visibility"?)\n' +
      "  tests.B1.hint must be a non-empty string\n" +
      '  thresholds.T1.figure is no counter of the machine: "cowCopy" (did you mean "cowCopies"?)',
  );
});

test("tests that depend on each other in a circle are refused", () => {
  expect(message(withChange((x) => (x.tests[0].dependsOn = ["A2"])))).toBe(
    `Cannot read rubric "${FILE}": tests depend on each other in a circle: A1 -> A2 -> A1`,
  );
});

describe("loadRubric", () => {
  const text = readFileSync(path.join(FIXTURE_LAB, "rubric.json"), "utf8");

  test("a JSON syntax error is told by line and column", () => {
    const broken = text.replace('"visibility": "hidden",', '"visibility": "hidden",,');
    const line = broken.slice(0, broken.indexOf(",,")).split("\n").length;
    const column = broken.split("\n")[line - 1]!.indexOf(",,") + 2;
    const dir = labCopy(FIXTURE_LAB, broken);
    expect(() => loadRubric(dir)).toThrow(
      `Cannot read rubric "${path.join(dir, "rubric.json")}": line ${line}, column ${column}: expected a key in double quotes ("key")`,
    );
  });

  test("a comma after the last entry is told by line and column", () => {
    const dir = labCopy(FIXTURE_LAB, text.replace(/\]\s*\}\s*$/, "],\n}\n"));
    const lines = readFileSync(path.join(dir, "rubric.json"), "utf8").trimEnd().split("\n").length;
    expect(() => loadRubric(dir)).toThrow(
      `Cannot read rubric "${path.join(dir, "rubric.json")}": line ${lines}, column 1: a comma before "}": JSON allows none after the last entry`,
    );
  });

  test("a threshold's figure names a process its scenario binds, and its scenario exists", () => {
    const raw = JSON.parse(text);
    raw.thresholds[0].figure = "D.minorFaults";
    raw.thresholds[1].scenario = "thresholds/nowhere.json";
    const dir = labCopy(FIXTURE_LAB, JSON.stringify(raw, null, 2));
    expect(() => loadRubric(dir)).toThrow(
      `Cannot read rubric "${path.join(dir, "rubric.json")}": 2 mistakes:\n` +
        '  thresholds.T1.figure names process "D", which scenario "thresholds/child-writes.json" never binds (it binds A, B)\n' +
        '  thresholds.T2.scenario names a file that does not exist: "thresholds/nowhere.json"',
    );
  });
});
