// Scoring: by the rubric alone, from the outcomes of a run.

import { Intake, IntegrityFlag, Rubric, UnitOutcome } from "./model";
import { loadRubric } from "./rubric";
import { ScoreInput, score } from "./score";
import { FIXTURE_LAB, STUDENT_FILES } from "./test-support/fixtures";
import { INSTRUCTOR, STUDENT, itemView } from "./visibility";

const rubric = loadRubric(FIXTURE_LAB);
const intake: Intake = {
  source: { id: "s", path: "/s", kind: "folder" },
  files: STUDENT_FILES.map((f) => ({ path: f, foundAt: f, text: "" })),
  missing: [],
  notes: [],
};
const pass = (key: string): UnitOutcome => ({ key, status: "passed", message: "", logs: "" });
const fail = (key: string, message: string): UnitOutcome => ({ key, status: "failed", message, logs: "" });
const scenario = (id: string, value: number, ok = true): UnitOutcome => ({
  key: `threshold:${id}`,
  status: ok ? "passed" : "failed",
  message: "",
  logs: "",
  scenario: {
    ok,
    failures: ok ? [] : ["steps[4] (read A bss): read [2, 2] at bss but expected [1, 1]"],
    audit: [],
    value,
  },
});
const allPass = [
  pass("fork.test.js › fork › A1 child maps"),
  pass("fork.test.js › fork › A1 copies no frame"),
  pass("fork.test.js › fork › A2 writable pages become COW"),
  pass("cow.test.js › B1 a child's store"),
  pass("cow.test.js › C1 exit frees"),
  scenario("T1", 2),
  scenario("T2", 2),
];

function scored(outcomes: UnitOutcome[], change: Partial<ScoreInput> = {}) {
  return score({
    rubric,
    intake,
    workspace: { syntaxErrors: [], typeErrors: [] },
    outcomes,
    reference: { T1: 2, T2: 2 },
    meta: { graderVersion: "test", seed: 1 },
    timing: { totalMs: 0, startupMs: 0, testMs: 0 },
    ...change,
  });
}
const item = (r: ReturnType<typeof scored>, id: string) => r.items.find((i) => i.id === id)!;

test("all outcomes passed and figures at the reference's: full marks", () => {
  const r = scored(allPass);
  expect(r.score).toBe(12);
  // [part, tests, thresholds, total]: both thresholds are part B's
  expect(r.parts.map((p) => [p.id, p.tests.score, p.thresholds.score, p.score, p.maxScore])).toEqual([
    ["A", 4, 0, 4, 4],
    ["B", 3, 3, 6, 6],
    ["C", 2, 0, 2, 2],
  ]);
});

test("each threshold counts toward its part, and the parts add up to the score", () => {
  const outcomes = allPass.map((o) =>
    o.key === "threshold:T1" ? scenario("T1", 6) : o.key.includes("A2") ? fail(o.key, "Expected: 0") : o,
  );
  const r = scored(outcomes);
  const b = r.parts.find((p) => p.id === "B")!;
  expect(b.thresholds).toEqual({ score: item(r, "T1").score + item(r, "T2").score, maxScore: 3 });
  expect(item(r, "T1").score).toBe(1);
  expect(r.parts.map((p) => p.score)).toEqual([2, 5, 2]);
  expect(r.score).toBe(9);
});

test("one failing hidden test fails its rubric test, and the tests that depend on it say so", () => {
  const outcomes = allPass.map((o) =>
    o.key.includes("copies no frame") ? fail(o.key, "expect(received).toBe(expected)") : o,
  );
  const r = scored(outcomes);
  expect(item(r, "A1")).toMatchObject({ score: 0, passed: false });
  expect(item(r, "A1").output).toBe(
    "fork › A1 copies no frame:\nexpect(received).toBe(expected)\n\nHint: Map the parent's frames in the child.",
  );
  expect(item(r, "A2")).toMatchObject({ score: 0, output: "depends on A1" });
  expect(item(r, "B1")).toMatchObject({ score: 0, output: "depends on A1" });
  expect(item(r, "C1")).toMatchObject({ score: 2 });
});

test("a failed hidden test keeps its message for the instructor, and a student's view of it shows only its hint", () => {
  const outcomes = allPass.map((o) => (o.key.includes("A2") ? fail(o.key, "Expected: 0\nReceived: 4") : o));
  const a2 = item(scored(outcomes), "A2");
  expect(a2.visibility).toBe("hidden");
  expect(a2.detail).toContain("Received: 4");
  expect(itemView(a2, INSTRUCTOR).output).toContain("Received: 4");
  expect(itemView(a2, STUDENT)).toMatchObject({
    title: null,
    output: null,
    figure: null,
    hint: "Clear PTE_W and set PTE_COW in both tables.",
  });
});

test.each([
  [2, 2],
  [1, 2],
  [6, 1],
  [10, 0],
  [14, 0],
])("a threshold with framesCopied %i scores %p (reference 2, worst 10, 2 points)", (measured, points) => {
  const outcomes = allPass.map((o) => (o.key === "threshold:T1" ? scenario("T1", measured) : o));
  expect(item(scored(outcomes), "T1").score).toBe(points);
});

test("a threshold whose scenario did not run correctly scores 0, whatever its figure", () => {
  const outcomes = allPass.map((o) => (o.key === "threshold:T1" ? scenario("T1", 0, false) : o));
  expect(item(scored(outcomes), "T1")).toMatchObject({ score: 0, passed: false });
  expect(item(scored(outcomes), "T1").output).toContain("read [2, 2] at bss but expected [1, 1]");
});

test("a missing file scores 0 on the parts that need it, thresholds included", () => {
  const r = scored(allPass, { intake: { ...intake, missing: ["src/kernel/cow.ts"] } });
  expect(r.items.filter((i) => i.score === 0).map((i) => i.id)).toEqual(["B1", "T1", "T2"]);
  expect(item(r, "B1").output).toBe("Not graded: Your submission has no cow.ts; it is expected at src/kernel/cow.ts.");
});

test("scores are the same for the same outcomes, whatever the timings", () => {
  const a = scored(allPass);
  const b = scored(allPass, { timing: { totalMs: 999, startupMs: 1, testMs: 2 } });
  expect({ ...a, timing: null }).toEqual({ ...b, timing: null });
});

describe("a flag of the integrity check", () => {
  const flag: IntegrityFlag = {
    file: "src/kernel/cow.ts",
    line: 3,
    column: 1,
    rule: "node-module",
    message: 'imports "fs", a Node.js module; the lab\'s files may import only from "./defs"',
  };
  const flagged = (policy: Rubric["integrity"]["flagged"]) =>
    scored(allPass, {
      rubric: { ...rubric, integrity: { flagged: policy } },
      workspace: { syntaxErrors: [], typeErrors: [], flags: [flag] },
    });
  const scores = (r: ReturnType<typeof scored>) => r.items.map((i) => [i.id, i.score]);

  test("zero-tests (the default): the tests of every part that needs the file score 0, with the reason", () => {
    const r = flagged("zero-tests");
    expect(scores(r)).toEqual([
      ["A1", 2],
      ["A2", 2],
      ["B1", 0],
      ["C1", 2],
      ["T1", 2],
      ["T2", 1],
    ]);
    expect(item(r, "B1").output).toBe(
      "Passed, but scores 0: the integrity check flagged src/kernel/cow.ts (the flags are listed with your results).",
    );
    expect(r.flags).toEqual([flag]);
    expect(r.problems).toEqual([
      'The integrity check flagged your code (the tests of part B score 0). The lab\'s files may use only what "./defs" gives them:\n' +
        '  src/kernel/cow.ts:3:1 imports "fs", a Node.js module; the lab\'s files may import only from "./defs"',
    ]);
  });

  test("zero-part: the part's thresholds score 0 too; report-only: nothing is lost, the flags are still told", () => {
    expect(scores(flagged("zero-part"))).toEqual([
      ["A1", 2],
      ["A2", 2],
      ["B1", 0],
      ["C1", 2],
      ["T1", 0],
      ["T2", 0],
    ]);
    const r = flagged("report-only");
    expect(r.score).toBe(12);
    expect(r.problems[0]).toMatch(
      /^The integrity check flagged your code \(they cost no points, but your instructor will read them\)\./,
    );
  });
});

test("files the compiler could not handle in time run no test, each part says why; a type check cut short is noted", () => {
  const notCompiled =
    "Your files could not be compiled: the compiler took more than 30 s (the grader's limit) and was stopped, so no test ran.";
  const r = scored([], { workspace: { syntaxErrors: [], typeErrors: [], notCompiled } });
  expect(r.score).toBe(0);
  expect(item(r, "A1").output).toBe(`Not graded: ${notCompiled}`);
  expect(item(r, "T1").output).toBe(`Not graded: ${notCompiled}`);
  expect(r.problems).toEqual([notCompiled]);
  const notTypeChecked = "TypeScript could not check your files for type errors: ... (the tests ran anyway).";
  const t = scored(allPass, { workspace: { syntaxErrors: [], typeErrors: [], notTypeChecked } });
  expect(t.score).toBe(12);
  expect(t.problems).toEqual([notTypeChecked]);
});
