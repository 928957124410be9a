// Made-up results that together use every field and branch of the report
// templates: one submission with everything that can go wrong, one with
// full marks and nothing to say. Templates are rendered with these when
// they are loaded, so that a broken template (an instructor's override
// above all) fails before a batch is graded rather than after it.

import { parseScenario } from "../../solution/src/scenario/parse";
import { buildTimeline } from "../../solution/src/scenario/timeline";
import { PTE_W } from "../../solution/src/hw/riscv";
import { partTotals } from "../_points";
import { unusableSentence } from "../_unusable";
import { BatchSummary, Rubric, ScoredItem, SubmissionResult, UnusableFile } from "../model";
import { DEFAULT_INTEGRITY, DEFAULT_LIMITS } from "../rubric";
import { FailurePicture, firstDivergence, pictureOf } from "./pictures";

export const SAMPLE_RUBRIC: Rubric = {
  lab: "cow",
  version: "sample",
  studentFiles: ["src/kernel/uvmcopy.ts", "src/kernel/cow.ts"],
  limits: { ...DEFAULT_LIMITS, wallSeconds: 30, memoryMb: 256, stepBudget: 1_000_000, testSeconds: 2 },
  integrity: DEFAULT_INTEGRITY,
  parts: [
    { id: "A", title: "fork's page-table copy", files: ["src/kernel/uvmcopy.ts"] },
    { id: "B", title: "the copy-on-write fault", files: ["src/kernel/cow.ts"] },
  ],
  tests: [
    {
      id: "A1",
      part: "A",
      title: "fork shares every frame",
      points: 2,
      visibility: "visible",
      dependsOn: [],
      hint: "",
    },
    {
      id: "A2",
      part: "A",
      title: "fork marks writable pages COW",
      points: 2,
      visibility: "hidden",
      dependsOn: [],
      hint: "Clear PTE_W and set PTE_COW.",
    },
    { id: "B1", part: "B", title: "a write copies", points: 3, visibility: "visible", dependsOn: [], hint: "" },
    { id: "B2", part: "B", title: "many sharers", points: 1, visibility: "visible", dependsOn: [], hint: "" },
  ],
  thresholds: [
    {
      id: "T1",
      part: "B",
      title: "a child writing 1 page copies 1 frame",
      scenario: "thresholds/sample.json",
      figure: "framesCopied",
      worst: 5,
      points: 2,
      visibility: "visible",
      hint: "",
    },
  ],
};

function item(over: Partial<ScoredItem> & Pick<ScoredItem, "id" | "part" | "title" | "maxScore">): ScoredItem {
  return { kind: "test", score: 0, passed: false, visibility: "visible", output: "", detail: "", ...over };
}

/** A submission where everything that can go wrong did: hidden, shown after the due date, stopped, partly credited. */
export function troubledResult(): SubmissionResult {
  const items = troubledItems();
  return {
    id: "sample-troubled",
    source: "/submissions/sample-troubled",
    status: "graded",
    lab: "cow",
    labVersion: "sample",
    graderVersion: "0",
    seed: 1,
    score: 1.5,
    maxScore: 10,
    parts: partTotals(SAMPLE_RUBRIC.parts, items),
    items,
    problems: [
      "Your submission has no cow.ts; it is expected at src/kernel/cow.ts.",
      "TypeScript finds type errors (the tests ran anyway):\nsrc/kernel/uvmcopy.ts:12:5 - error TS2322: Type 'string' is not assignable to type 'number'.",
    ],
    typeErrors: [
      {
        file: "src/kernel/uvmcopy.ts",
        line: 12,
        column: 5,
        code: 2322,
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ],
    timing: { totalMs: 0, startupMs: 0, testMs: 0 },
  };
}

function troubledItems(): ScoredItem[] {
  return [
    item({ id: "A1", part: "A", title: "fork shares every frame", maxScore: 2, output: "Expected: 2\nReceived: 1" }),
    item({
      id: "A2",
      part: "A",
      title: "fork marks writable pages COW",
      maxScore: 2,
      visibility: "hidden",
      output: "Expected: 0x1b\nReceived: 0x17\n\nHint: Clear PTE_W and set PTE_COW.",
      hint: "Clear PTE_W and set PTE_COW.",
    }),
    item({
      id: "B1",
      part: "B",
      title: "a write copies",
      maxScore: 3,
      output: "This test did not finish within 2 s: the code never returned (an endless loop?) and was stopped.",
    }),
    item({
      id: "B2",
      part: "B",
      title: "many sharers",
      maxScore: 1,
      visibility: "after_due_date",
      output: "This test ran out of memory (the grader's limit): something allocates without end.",
    }),
    item({
      id: "T1",
      kind: "threshold",
      part: "B",
      title: "a child writing 1 page copies 1 frame",
      maxScore: 2,
      score: 1.5,
      output: "framesCopied = 2; full credit at 1 or less, none at 5 or more.",
      figure: { figure: "framesCopied", measured: 2, reference: 1, worst: 5 },
    }),
  ];
}

/** cow.ts with a syntax error: part B scores 0, A and C are graded with the reference's cow.ts. */
const BROKEN_FILE: UnusableFile = {
  file: "src/kernel/cow.ts",
  cause: "syntax",
  detail: "src/kernel/cow.ts:3:1 - error TS1005: ';' expected.",
  errors: [{ file: "src/kernel/cow.ts", line: 3, column: 1, code: 1005, message: "';' expected." }],
  zeroed: ["B"],
  withReference: ["A", "C"],
};

/** A submission that did not compile, and the grader failed on it too. */
export function brokenResult(): SubmissionResult {
  const r = troubledResult();
  const items = r.items.map((i) => ({
    ...i,
    score: 0,
    passed: false,
    output: "Not graded: your code does not compile.",
  }));
  return {
    ...r,
    id: "sample-broken",
    status: "grader-error",
    score: 0,
    parts: partTotals(SAMPLE_RUBRIC.parts, items),
    items,
    problems: [unusableSentence(BROKEN_FILE)],
    unusable: [BROKEN_FILE],
    typeErrors: [],
    graderError: "sample",
  };
}

/** Full marks, nothing to say. */
export function perfectResult(): SubmissionResult {
  const r = troubledResult();
  const items = r.items.map((i) => ({ ...i, score: i.maxScore, passed: true, output: "" }));
  return {
    ...r,
    id: "sample-perfect",
    score: 10,
    parts: partTotals(SAMPLE_RUBRIC.parts, items),
    items,
    problems: [],
    typeErrors: [],
  };
}

/** A picture of a fork that left the parent's data page writable. */
export function samplePicture(itemId = "A1"): FailurePicture {
  const scenario = parseScenario({
    version: 1,
    name: "sample",
    machine: { frames: 64, tlbEntries: 4 },
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "fork", proc: "P", as: "C" },
      { op: "write", proc: "C", addr: "data", bytes: [1] },
    ],
  });
  const reference = buildTimeline(scenario);
  const mine = {
    ...reference,
    steps: reference.steps.map((s, i) =>
      i < 2
        ? s
        : {
            ...s,
            processes: s.processes.map((p) =>
              p.name === "P"
                ? { ...p, runs: p.runs.map((r) => (r.va === 0x14000 ? { ...r, flags: r.flags | PTE_W } : r)) }
                : p,
            ),
          },
    ),
  };
  return pictureOf(
    itemId,
    { name: "sample", file: "thresholds/sample.json" },
    mine,
    reference,
    firstDivergence(mine, reference)!,
  );
}

/** The class of the three samples. */
export function sampleSummary(results: readonly SubmissionResult[]): BatchSummary {
  return {
    lab: "cow",
    labVersion: "sample",
    graderVersion: "0",
    seed: 1,
    maxScore: 10,
    columns: [
      { id: "A", title: "fork's page-table copy", kind: "part", part: "A", maxScore: 4 },
      { id: "T1", title: "a child writing 1 page copies 1 frame", kind: "threshold", part: "B", maxScore: 2 },
    ],
    rows: results.map((r) => ({
      id: r.id,
      status: r.status,
      score: r.score,
      maxScore: r.maxScore,
      columns: { A: r.parts[0]!.score, T1: r.items.find((i) => i.id === "T1")!.score },
      lost: r.items.filter((i) => !i.passed).map((i) => i.id),
      problems: r.problems,
    })),
    items: SAMPLE_RUBRIC.tests.map((t) => ({
      id: t.id,
      title: t.title,
      kind: "test" as const,
      passed: results.filter((r) => r.items.some((i) => i.id === t.id && i.passed)).length,
      graded: results.length,
    })),
    warnings: ["sample warning"],
  };
}
