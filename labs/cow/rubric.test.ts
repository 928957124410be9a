// The lab definition checked against itself: rubric.json's shape, one hidden
// test per rubric test and one rubric test per hidden test, the thresholds'
// scenarios correct on the reference kernel with the figures the layout
// predicts, and the suites' reference copies of the edit points in step with
// the solution.

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { COUNTER_NAMES, Counters } from "../../solution/src/hw/machine";
import { loadScenario } from "../../solution/src/scenario/parse";
import { runScenario } from "../../solution/src/scenario/run";
import { FIGURE_NAMES } from "../../solution/src/scenario/types";
import { loadLab } from "../lab";

const LAB = path.join(__dirname);
const VISIBILITIES = ["visible", "after_due_date", "after_published", "hidden"];

interface RubricTest {
  id: string;
  part: string;
  title: string;
  points: number;
  visibility: string;
  dependsOn: string[];
  hint: string;
}

interface RubricThreshold {
  id: string;
  part: string;
  title: string;
  scenario: string;
  figure: string;
  worst: number;
  points: number;
  visibility: string;
  hint: string;
}

const rubric = JSON.parse(readFileSync(path.join(LAB, "rubric.json"), "utf8")) as {
  lab: string;
  version: string;
  scoring: string;
  studentFiles: string[];
  limits: Record<string, number>;
  integrity: { flagged: string };
  parts: { id: string; title: string; files: string[] }[];
  tests: RubricTest[];
  thresholds: RubricThreshold[];
};

/** Every test title of the hidden suites, with the file it is in. */
function suiteTitles(): { file: string; title: string }[] {
  const dir = path.join(LAB, "tests");
  const out: { file: string; title: string }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".hidden.test.ts"))
    .sort()) {
    const text = readFileSync(path.join(dir, file), "utf8");
    const calls = text.match(/\b(test|it)(\.\w+)?\(/g) ?? [];
    const titles = [...text.matchAll(/\btest\(\s*"([^"]*)"/g)].map((m) => m[1]!);
    // every test( call has a literal title this parser can read (no test.each, no it)
    expect({ file, calls: calls.length }).toEqual({ file, calls: titles.length });
    for (const title of titles) out.push({ file, title });
  }
  return out;
}

describe("rubric.json", () => {
  test("names the lab, a version, the scoring rule, and the edit points of lab.json as student files and parts", () => {
    const lab = loadLab("cow");
    expect(rubric.lab).toBe("cow");
    expect(rubric.version).toMatch(/^\d+$/);
    expect(rubric.scoring).toMatch(/at or below the reference's/);
    expect(rubric.studentFiles).toEqual(lab.editPoints.map((e) => e.file));
    expect(rubric.parts).toEqual(lab.editPoints.map((e) => ({ id: e.part, title: e.title, files: [e.file] })));
    expect(rubric.limits).toEqual({
      wallSeconds: 60,
      memoryMb: 512,
      stepBudget: 20000000,
      testSeconds: 10,
      compileSeconds: 30,
      archiveMb: 20,
      unpackedMb: 200,
      fileKb: 1024,
      entries: 20000,
      outputKb: 4,
      submissionOutputKb: 64,
    });
    expect(rubric.integrity).toEqual({ flagged: "zero-tests" });
  });

  test("every test has an id of its part, points, a visibility, a one-sentence hint and dependencies in its part", () => {
    const ids = rubric.tests.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of rubric.tests) {
      expect({ id: t.id, ok: /^[ABC][1-9]\d*$/.test(t.id) && t.part === t.id[0] }).toEqual({ id: t.id, ok: true });
      expect({ id: t.id, points: t.points > 0 && Number.isInteger(t.points) }).toEqual({ id: t.id, points: true });
      expect(VISIBILITIES).toContain(t.visibility);
      expect({ id: t.id, hint: /^[A-Za-z][^\n]*\.$/.test(t.hint) && t.hint.length <= 160 }).toEqual({
        id: t.id,
        hint: true,
      });
      for (const d of t.dependsOn) {
        expect({
          id: t.id,
          dependsOn: d,
          exists: ids.includes(d),
          samePart: d[0] === t.part,
          notSelf: d !== t.id,
        }).toEqual({
          id: t.id,
          dependsOn: d,
          exists: true,
          samePart: true,
          notSelf: true,
        });
      }
    }
  });

  test("each part's first test is visible and depends on nothing, so a student sees why the rest score 0", () => {
    for (const part of ["A", "B", "C"]) {
      const first = rubric.tests.find((t) => t.id === `${part}1`)!;
      expect({ part, visibility: first.visibility, dependsOn: first.dependsOn }).toEqual({
        part,
        visibility: "visible",
        dependsOn: [],
      });
    }
  });

  test("every rubric test has exactly one hidden test titled with its id and title, and every hidden test has one", () => {
    const titles = suiteTitles();
    const fromSuites = titles.map(({ title }) => title).sort();
    const fromRubric = rubric.tests.map((t) => `${t.id} ${t.title}`).sort();
    expect(fromSuites).toEqual(fromRubric);
    // and each part's tests live in that part's suite
    for (const { file, title } of titles)
      expect({ title, file }).toEqual({ title, file: `part${title[0]}.hidden.test.ts` });
  });
});

// What each threshold's scenario measures on the reference kernel, derived
// from the layout (text at 0x10000; init is 4 text, 1 data, 1 bss and 1
// stack page; spawn maps text and data at once: a root, a level-0 table
// for VPN[1] = 0 and the 5 pages, 7 frames; the stack page needs a level-0
// table of its own, VPN[1] = 0x1ff):
const REFERENCE_FIGURES: Record<string, number> = {
  // fork shares all 66 touched pages: nothing copied
  T1: 0,
  // 7 (spawn) + 1 (bss) + 2 (stack page and its table) + 4 forks x 3 (root, two level-0 tables)
  T2: 22,
  // every page is present in the child at fork: no fault
  T3: 0,
  // one copy per page the child writes
  T4: 8,
  // both children exited: every page has reference count 1 when the parent writes
  T5: 0,
  // 4 pages x (4 sharers - 1)
  T6: 12,
  // exec dropped the child's references before the parent wrote
  T7: 0,
  // no process is left
  T8: 0,
};

describe("thresholds", () => {
  test("each names a scenario file, a figure, a worst bound and points; their ids are unique among tests and thresholds", () => {
    const ids = [...rubric.tests.map((t) => t.id), ...rubric.thresholds.map((t) => t.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(rubric.thresholds.map((t) => t.id).sort()).toEqual(Object.keys(REFERENCE_FIGURES).sort());
    for (const t of rubric.thresholds) {
      expect({ id: t.id, scenario: t.scenario }).toEqual({
        id: t.id,
        scenario: expect.stringMatching(/^thresholds\/[a-z0-9-]+\.json$/),
      });
      expect(["A", "B", "C"]).toContain(t.part);
      expect(VISIBILITIES).toContain(t.visibility);
      expect({ id: t.id, points: t.points > 0, hint: /^[A-Za-z][^\n]*\.$/.test(t.hint) }).toEqual({
        id: t.id,
        points: true,
        hint: true,
      });
    }
    expect(readdirSync(path.join(LAB, "thresholds")).sort()).toEqual(
      rubric.thresholds.map((t) => path.basename(t.scenario)).sort(),
    );
  });

  test.each(rubric.thresholds.map((t) => [t.id, t] as const))(
    "%s: the scenario runs correctly on the reference, which measures the figure the layout predicts, below worst",
    (id, t) => {
      const scenario = loadScenario(path.join(LAB, t.scenario));
      const result = runScenario(scenario);
      expect({ failures: result.failures, audit: result.audit }).toEqual({ failures: [], audit: [] });
      let value: unknown;
      const dot = t.figure.indexOf(".");
      if (dot < 0) {
        expect(COUNTER_NAMES).toContain(t.figure);
        value = result.counters[t.figure as keyof Counters];
      } else {
        const [proc, figure] = [t.figure.slice(0, dot), t.figure.slice(dot + 1)];
        expect(FIGURE_NAMES).toContain(figure);
        expect(Object.keys(result.processes)).toContain(proc);
        value = (result.processes[proc] as unknown as Record<string, unknown>)[figure];
      }
      expect({ id, figure: t.figure, value }).toEqual({ id, figure: t.figure, value: REFERENCE_FIGURES[id] });
      expect({ id, belowWorst: (value as number) < t.worst }).toEqual({ id, belowWorst: true });
    },
  );
});

describe("the suites' reference edit points (tests/support/reference.ts)", () => {
  // The body of each edit point as the solution has it: the lines between
  // BEGIN SOLUTION and END SOLUTION without the starter's hint lines.
  function solutionBlock(file: string): string[] {
    const lines = readFileSync(path.join(LAB, "../../solution/src/kernel", file), "utf8").split("\n");
    const begin = lines.findIndex((l) => /\/\/ BEGIN SOLUTION\s*$/.test(l));
    const end = lines.findIndex((l) => /\/\/ END SOLUTION\s*$/.test(l));
    return lines.slice(begin + 1, end).filter((l) => !/^\s*\/\/ starter:/.test(l));
  }

  function referenceBlock(file: string): string[] {
    const lines = readFileSync(path.join(LAB, "tests/support/reference.ts"), "utf8").split("\n");
    const begin = lines.findIndex((l) => l.trim() === `// REFERENCE BEGIN ${file}`);
    const end = lines.findIndex((l, i) => i > begin && l.trim() === "// REFERENCE END");
    expect({ file, found: begin >= 0 && end > begin }).toEqual({ file, found: true });
    return lines.slice(begin + 1, end);
  }

  test.each(["uvmcopy.ts", "cow.ts", "uvmfree.ts"])("%s: the same lines as the solution's block", (file) => {
    expect(referenceBlock(file)).toEqual(solutionBlock(file));
  });
});

test("every test of a part but its first depends, directly or not, on that first test (so no stub scores)", () => {
  const tests = (JSON.parse(readFileSync(path.join(LAB, "rubric.json"), "utf8")) as { tests: RubricTest[] }).tests;
  const byId = new Map(tests.map((t) => [t.id, t]));
  const reaches = (t: RubricTest, root: string, seen = new Set<string>()): boolean =>
    t.dependsOn.some((d) => d === root || (!seen.has(d) && (seen.add(d), reaches(byId.get(d)!, root, seen))));
  const first = new Map<string, string>();
  for (const t of tests) if (!first.has(t.part)) first.set(t.part, t.id);
  const loose = tests.filter((t) => t.id !== first.get(t.part) && !reaches(t, first.get(t.part)!)).map((t) => t.id);
  expect(loose).toEqual([]);
});
