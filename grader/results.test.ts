// Gradescope's results.json: what a student is shown of hidden tests.

import { GradescopeResults, GradescopeTest, gradescopeResults, hasHiddenHints } from "./results";
import { releaseHints } from "./_tokens";
import { Intake, Rubric, UnitOutcome } from "./model";
import { loadRubric } from "./rubric";
import { score } from "./score";
import { LAB, STUDENT_FILES } from "./test-support/fixtures";

const rubric = loadRubric(LAB.dir);
const intake = (missing: string[] = []): Intake => ({
  source: { id: "s", path: "/s", kind: "folder" },
  files: STUDENT_FILES.filter((f) => !missing.includes(f)).map((f) => ({ path: f, foundAt: f, text: "" })),
  missing,
  notes: [],
});
// each failure's message holds what a hidden test must never show: its expected values and a diff
const SECRET = (id: string) =>
  `${id}: expect(pte.perm).toBe(expected)\nExpected: 19\nReceived: 275\n- "perm": 19\n+ "perm": 275`;
const REFERENCE = Object.fromEntries(rubric.thresholds.map((t) => [t.id, 5]));

/** The submission's result: every test passes but `failing` (ids), every threshold at the reference's figure. */
function graded(failing: readonly string[], options: { rubric?: Rubric; missing?: string[] } = {}) {
  const r = options.rubric ?? rubric;
  const outcomes: UnitOutcome[] = [
    ...r.tests.map((t): UnitOutcome => {
      const key = `part.hidden.test.js › suite › ${t.id} ${t.title}`;
      return failing.includes(t.id)
        ? { key, status: "failed", message: SECRET(t.id), logs: "" }
        : { key, status: "passed", message: "", logs: "" };
    }),
    ...r.thresholds.map((t) => ({
      key: `threshold:${t.id}`,
      status: "passed" as const,
      message: "",
      logs: "",
      scenario: { ok: true, failures: [], audit: [], value: 5 },
    })),
  ];
  return score({
    rubric: r,
    intake: intake(options.missing),
    workspace: { syntaxErrors: [], typeErrors: [] },
    outcomes,
    reference: REFERENCE,
    meta: { graderVersion: "test", seed: 1 },
    timing: { totalMs: 0, startupMs: 0, testMs: 0 },
  });
}

const entry = (r: GradescopeResults, part: string): GradescopeTest =>
  r.tests.find((t) => t.number === `${part} hints`)!;
const test_ = (id: string) => rubric.tests.find((t) => t.id === id)!;

describe("each part's hint entry", () => {
  test("lists the hints of its failed hidden tests, visible, for 0 points", () => {
    const r = gradescopeResults(graded(["A7", "A10", "B6"]));
    const a = entry(r, "A");
    expect(a).toMatchObject({ score: 0, max_score: 0, visibility: "visible", status: "failed" });
    expect(a.name).toBe("Part A (fork's page-table copy): hints from hidden tests");
    expect(a.output).toBe(
      [
        "Hints from the hidden tests of part A that failed (what each one checks stays hidden):",
        `- ${test_("A7").hint}`,
        `- ${test_("A10").hint}`,
      ].join("\n"),
    );
    expect(entry(r, "B").output).toContain(test_("B6").hint);
    expect(entry(r, "C")).toMatchObject({ status: "passed", output: "No hidden test of part C failed." });
    // the entries come first, then the items, and add nothing to the score
    expect(r.tests.slice(0, 3).map((t) => t.number)).toEqual(["A hints", "B hints", "C hints"]);
    expect(r.score).toBe(r.tests.reduce((s, t) => s + t.score, 0));
  });

  test("never shows a hidden test's title, id, expected values or diff", () => {
    const hidden = rubric.tests.filter((t) => t.visibility === "hidden");
    const r = gradescopeResults(graded(hidden.map((t) => t.id)));
    const shown = rubric.parts.map((p) => entry(r, p.id).output).join("\n") + r.output;
    for (const t of hidden) {
      expect(shown).toContain(t.hint);
      expect(shown).not.toContain(t.title);
      expect(shown).not.toMatch(new RegExp(`\\b${t.id}\\b`));
    }
    for (const secret of ["Expected", "Received", "275", '"perm"', "toBe"]) expect(shown).not.toContain(secret);
  });

  test("the hints of what a student cannot see yet: an after-due-date failure's is listed, a visible failure shows itself", () => {
    const r = gradescopeResults(graded(["A4", "A5"]));
    expect(test_("A4").visibility).toBe("after_due_date");
    expect(entry(r, "A").output).toBe(
      [
        "Hints from the hidden tests of part A that failed (what each one checks stays hidden):",
        `- ${test_("A4").hint}`,
      ].join("\n"),
    );
    expect(r.extra_data.hintsShown).toBe(true);
    const visibleOnly = gradescopeResults(graded(["A5"]));
    expect(entry(visibleOnly, "A").output).toBe("No hidden test of part A failed.");
    expect(visibleOnly.extra_data.hintsShown).toBe(false);
  });

  test("a hint shared by several failed tests is listed once", () => {
    const same = { ...rubric, tests: rubric.tests.map((t) => (t.id === "A8" ? { ...t, hint: test_("A7").hint } : t)) };
    const r = gradescopeResults(graded(["A7", "A8", "A12"], { rubric: same }));
    expect(
      entry(r, "A")
        .output.split("\n")
        .filter((l) => l === `- ${test_("A7").hint}`),
    ).toHaveLength(1);
  });

  test("a failed test without a hint is counted, not named", () => {
    const bare = { ...rubric, tests: rubric.tests.map((t) => (t.id === "A8" ? { ...t, hint: "" } : t)) };
    const r = gradescopeResults(graded(["A7", "A8"], { rubric: bare }));
    expect(entry(r, "A").output).toBe(
      [
        "Hints from the hidden tests of part A that failed (what each one checks stays hidden):",
        `- ${test_("A7").hint}`,
        "(One more failed without a hint.)",
      ].join("\n"),
    );
  });

  test("no hint when hidden tests failed only because of something else: a test they depend on, a missing file", () => {
    const dep = gradescopeResults(graded(["A1"]));
    expect(entry(dep, "A").output).toBe(
      "No hint for part A: its hidden tests that failed did so because of something above (a missing file, code that does not compile, or a test they depend on).",
    );
    const missing = graded([], { missing: ["src/kernel/cow.ts"] });
    expect(entry(gradescopeResults(missing), "B").output).toContain("No hint for part B");
    expect(hasHiddenHints(missing)).toBe(false);
  });
});

describe("release tokens in results.json", () => {
  const rule = { tokens: 1, hours: 24 };
  const at = Date.parse("2026-12-02T12:00:00-08:00");

  test("without tokens, hints are shown and recorded as shown", () => {
    const r = gradescopeResults(graded(["A7"]));
    expect(entry(r, "A").output).toContain(test_("A7").hint);
    expect(r.extra_data.hintsShown).toBe(true);
    expect(r.output).not.toContain("token");
  });

  test("tokens used up: the hints are held back, the entry and the output say until when", () => {
    const result = graded(["A7"]);
    const history = { at, zone: "-08:00", previous: [{ at: at - 3_600_000, record: "shown" as const }] };
    const release = releaseHints(rule, history, hasHiddenHints(result));
    const r = gradescopeResults(result, { release, zone: "-08:00" });
    const held =
      "Hint tokens: hints of hidden tests are shown on 1 submission in any 24 hours, and you have used all 1, " +
      "so this submission's hints are held back. The next token comes back at 2026-12-03 11:00 -08:00.";
    expect(entry(r, "A").output).toBe(held);
    expect(r.output).toContain(held);
    expect(JSON.stringify(r.tests.filter((t) => t.visibility === "visible"))).not.toContain(test_("A7").hint);
    expect(r.extra_data.hintsShown).toBe(false);
  });

  test("a token left: shown, and the student told what is left", () => {
    const result = graded(["A7"]);
    const release = releaseHints(rule, { at, zone: "-08:00", previous: [] }, hasHiddenHints(result));
    const r = gradescopeResults(result, { release, zone: "-08:00" });
    expect(entry(r, "A").output).toContain(test_("A7").hint);
    expect(r.output).toContain("This submission used one: 0 of 1 left");
    expect(r.extra_data.hintsShown).toBe(true);
  });
});

describe("the items' own entries and the overview", () => {
  test("a hidden item's entry says whether it failed and its hint, never its message; a visible one says everything", () => {
    const r = gradescopeResults(graded(["A7", "A5"]));
    const a7 = r.tests.find((t) => t.number === "A7")!;
    expect(a7).toMatchObject({ visibility: "hidden", status: "failed", output: `Failed.\nHint: ${test_("A7").hint}` });
    expect(r.tests.find((t) => t.number === "A5")!.output).toContain("Received: 275");
  });

  test("an after-due-date item keeps its full message: Gradescope shows it once the due date has passed", () => {
    const r = gradescopeResults(graded(["A4"]));
    expect(r.tests.find((t) => t.number === "A4")).toMatchObject({ visibility: "after_due_date" });
    expect(r.tests.find((t) => t.number === "A4")!.output).toContain("Received: 275");
  });

  test("the overview gives each part's tests and thresholds, and the parts add up to the score", () => {
    const graded_ = graded(["A1", "B6"]);
    const r = gradescopeResults(graded_);
    const lines = r.output.split("\n");
    expect(lines[0]).toBe(`Score: ${r.score} / ${graded_.maxScore}`);
    for (const p of graded_.parts) {
      const th = rubric.thresholds.filter((t) => t.part === p.id).reduce((s, t) => s + t.points, 0);
      expect(lines).toContain(
        `Part ${p.id} (${p.title}): ${p.score} / ${p.maxScore} (tests ${p.tests.score} / ${p.tests.maxScore}, thresholds ${p.thresholds.score} / ${th})`,
      );
    }
    const parts = lines.filter((l) => l.startsWith("Part ")).map((l) => Number(/: ([\d.]+) \//.exec(l)![1]));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(r.score);
  });
});
