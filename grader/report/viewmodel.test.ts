import { SubmissionResult } from "../model";
import { INSTRUCTOR } from "../visibility";
import { listWords, mdBlock, mdInline, percent, points } from "./_text";
import { scoreBins } from "./charts";
import {
  HTML,
  MARKDOWN,
  chooseProcesses,
  outcomeOf,
  reportHref,
  reportView,
  stepLabel,
  summaryView,
} from "./viewmodel";
import { SAMPLE_RUBRIC, brokenResult, perfectResult, samplePicture, sampleSummary, troubledResult } from "./_samples";

const troubled = troubledResult();
const view = reportView({ result: troubled, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A1")] }, HTML);
const test = (id: string) => view.sections.flatMap((s) => s.tests).find((t) => t.id === id)!;

describe("the student's report", () => {
  it("gives the total, each part, and which items lost points", () => {
    expect(view.scoreText).toBe("1.5 / 10");
    expect(view.scorePercent).toBe("15%");
    expect(view.verdict).toBe("You lost points on 4 tests and 1 threshold: A1, A2, B1, B2 and T1.");
    // a part's points are its tests' and its thresholds' (T1 is part B's)
    expect(view.parts.map((p) => [p.id, p.testsText, p.thresholdsText, p.scoreText, p.full])).toEqual([
      ["A", "0 / 4", "—", "0 / 4", false],
      ["B", "0 / 4", "1.5 / 2", "1.5 / 6", false],
    ]);
    expect(reportView({ result: perfectResult(), rubric: SAMPLE_RUBRIC }, HTML).verdict).toBe(
      "Full marks: every test passed and every threshold earned full credit.",
    );
  });

  it("shows a visible test's failure message, and of a hidden one only its part, points and hint", () => {
    expect(test("A1")).toMatchObject({ statusText: "failed", hasMessage: true, message: "Expected: 2\nReceived: 1" });
    expect(test("A2")).toMatchObject({
      hidden: true,
      title: "Test of part A",
      pointsText: "0 / 2",
      hasTag: true,
      tag: "hidden",
      hasMessage: true,
      message: "Hint: Clear PTE_W and set PTE_COW.",
      hiddenNote: "Hidden test: you see its part, its points and, when it fails, a hint; not what it checks.",
    });
    expect(JSON.stringify(view)).not.toContain("fork marks writable pages COW");
    expect(JSON.stringify(view)).not.toContain("0x1b");
    // the instructor's detail never reaches the view
    const withDetail: SubmissionResult = {
      ...troubled,
      items: troubled.items.map((i) => (i.id === "A2" ? { ...i, detail: "Expected: 0\nReceived: 4" } : i)),
    };
    expect(JSON.stringify(reportView({ result: withDetail, rubric: SAMPLE_RUBRIC }, HTML))).not.toContain(
      "Received: 4",
    );
  });

  it("says in plain words which tests timed out or crashed, naming only those a student may see", () => {
    expect([test("B1").statusText, test("B2").statusText]).toEqual(["timed out", "crashed"]);
    expect(view.troubles.map((t) => t.text)).toEqual([
      "B1 (a write copies) timed out: This test did not finish within 2 s: the code never returned (an endless loop?) and was stopped.",
      "B2 (a test of part B shown in full after the due date) crashed.",
    ]);
  });

  it("shows an after-due-date test in full only in a report made after the due date, or the instructor's", () => {
    expect(test("B2")).toMatchObject({ hidden: true, tag: "shown after the due date", hasMessage: false });
    expect(test("B2").hiddenNote).toBe(
      "Shown in full after the due date; until then you see its part, its points and, when it fails, a hint; not what it checks.",
    );
    const after = reportView(
      { result: troubled, rubric: SAMPLE_RUBRIC, audience: { kind: "student", moment: "after-due-date" } },
      HTML,
    );
    const b2 = after.sections.flatMap((s) => s.tests).find((t) => t.id === "B2")!;
    expect(b2).toMatchObject({
      hidden: false,
      title: "many sharers",
      tag: "shown after the due date",
      hasMessage: true,
    });
    expect(after.sections.flatMap((s) => s.tests).find((t) => t.id === "A2")).toMatchObject({ hidden: true });
    expect(after.audienceNote).toMatch(/^Made after the due date/);
    const instructor = reportView({ result: troubled, rubric: SAMPLE_RUBRIC, audience: INSTRUCTOR }, HTML);
    const a2 = instructor.sections.flatMap((s) => s.tests).find((t) => t.id === "A2")!;
    expect(a2).toMatchObject({ hidden: false, title: "fork marks writable pages COW", tag: "hidden" });
    expect(a2.message).toContain("Received: 0x17");
    expect(instructor.audienceNote).toMatch(/^Instructor's view/);
    expect(view.hasAudienceNote).toBe(false);
  });

  it("draws no picture of an item the student may not see in full", () => {
    const v = reportView(
      { result: troubled, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A2"), samplePicture("B2")] },
      HTML,
    );
    const tests = v.sections.flatMap((s) => s.tests);
    expect(tests.filter((t) => t.hasPicture)).toEqual([]);
    const instructor = reportView(
      { result: troubled, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("B2")], audience: INSTRUCTOR },
      HTML,
    );
    expect(instructor.sections.flatMap((s) => s.tests).find((t) => t.id === "B2")!.hasPicture).toBe(true);
  });

  it("lists compiler errors with file:line, type errors apart from the other problems", () => {
    expect(view.diagnosticsTitle).toBe("TypeScript finds type errors");
    expect(view.diagnostics).toEqual([
      {
        where: "src/kernel/uvmcopy.ts:12:5",
        code: "TS2322",
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ]);
    expect(view.problems).toEqual([{ text: "Your submission has no cow.ts; it is expected at src/kernel/cow.ts." }]);
  });

  it("shows the syntax errors of a file that did not compile, and what that cost", () => {
    const v = reportView({ result: brokenResult(), rubric: SAMPLE_RUBRIC }, HTML);
    expect(v.diagnosticsTitle).toBe("Your code does not compile");
    expect(v.diagnostics).toEqual([{ where: "src/kernel/cow.ts:3:1", code: "TS1005", message: "';' expected." }]);
    expect(v.problems.map((p) => p.text)).toEqual([
      expect.stringContaining(
        "cow.ts did not compile, so part B scored 0; parts A and C were graded with the reference",
      ),
    ]);
    expect(v.graderError).toBe(true);
  });

  it("says why a test was not scored, without a message block", () => {
    const blocked: SubmissionResult = {
      ...troubled,
      items: troubled.items.map((i) => (i.id === "A2" ? { ...i, output: "depends on A1, B1" } : i)),
    };
    const a2 = reportView({ result: blocked, rubric: SAMPLE_RUBRIC }, HTML)
      .sections.flatMap((s) => s.tests)
      .find((t) => t.id === "A2")!;
    expect(a2).toMatchObject({
      statusText: "not scored",
      hasNote: true,
      note: "Not scored until A1 and B1 pass: it builds on those tests.",
      hasMessage: false,
    });
  });

  it("shows a threshold's figures and its part; of a hidden one only its part, points and hint", () => {
    expect(view.thresholds[0]).toMatchObject({
      scenario: "sample",
      figure: "framesCopied",
      measured: "2",
      reference: "1",
      worst: "5",
      creditText: "1.5 / 2",
      part: "part B",
    });
    const hidden: SubmissionResult = {
      ...troubled,
      items: troubled.items.map((i) => (i.id === "T1" ? { ...i, visibility: "hidden" as const } : i)),
    };
    expect(reportView({ result: hidden, rubric: SAMPLE_RUBRIC }, HTML).thresholds[0]).toMatchObject({
      title: "Threshold of part B",
      scenario: "hidden",
      figure: "hidden",
      measured: "hidden",
      reference: "hidden",
      worst: "hidden",
      creditText: "1.5 / 2",
      hasNote: false,
    });
  });

  it("puts the picture with its test: the step, what differs, both kernels before and after", () => {
    const p = test("A1").picture!;
    expect(test("A1").hasPicture).toBe(true);
    expect(test("A2").picture).toBeNull();
    expect(p.intro).toBe(
      "The grader ran the scenario sample (thresholds/sample.json) on your kernel and on the reference kernel. They agree up to step 1: spawn P from init. They first differ at step 2: fork P as C.",
    );
    expect([p.drawn, p.anchor, p.seeText, p.width]).toEqual([true, "picture-A1", "", "578px"]);
    expect(p.why).toBe(
      "P's page at 0x00014000: on your kernel it is writable, copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write, with 2 references to its frame.",
    );
    for (const svg of [p.mineBeforeSvg, p.mineAfterSvg, p.referenceBeforeSvg, p.referenceAfterSvg]) {
      expect(svg).toMatch(/^<svg /);
      expect(svg).toContain(`class="pt-run pt-fault"`); // P's data page outlined in all four
    }
    expect(p.mineBeforeSvg).toContain(">Before step 2: fork P as C</text>");
    expect(p.referenceAfterSvg).toContain(">After step 2: fork P as C</text>");
  });

  it("points at the earlier picture instead of drawing the same one again", () => {
    const same = { ...samplePicture("T1"), sameAs: "A1" };
    const v = reportView({ result: troubled, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A1"), same] }, HTML);
    const p = v.thresholds.find((t) => t.id === "T1")!.picture!;
    expect(p.drawn).toBe(false);
    expect(p.seeHref).toBe("#picture-A1");
    expect(p.seeText).toBe(
      "The picture here would be the same as the one for A1 above: where your kernel first differs from the reference in scenario sample.",
    );
    expect([p.mineBeforeSvg, p.mineAfterSvg, p.referenceBeforeSvg, p.referenceAfterSvg, p.text]).toEqual([
      "",
      "",
      "",
      "",
      "",
    ]);
  });

  it("escapes text for Markdown, and fences messages", () => {
    const evil: SubmissionResult = { ...troubled, id: "<script>alert(1)</script> | *x*" };
    const md = reportView({ result: evil, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A1")] }, MARKDOWN);
    expect(md.title).toBe("Lab cow: report for &lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*");
    expect(md.sections[0]!.tests[0]!.message).toBe("```text\nExpected: 2\nReceived: 1\n```");
    expect(md.sections[0]!.tests[0]!.picture!.text).toMatch(
      /^```text\nYour kernel, before step 2: fork P as C:\n {2}P \(pid 1\):\n {4}0x00010000 /,
    );
    expect(md.sections[0]!.tests[0]!.picture!.text).toContain("rw- u   cow  frame 6            ref 2   <- this page");
  });
});

describe("outcomeOf", () => {
  const base = troubled.items[0]!;
  it("classes an item by the grader's own words", () => {
    expect(outcomeOf({ ...base, passed: true })).toBe("pass");
    expect(
      outcomeOf({ ...base, output: "This test never ran: the submission's time of 60 s ran out before it." }),
    ).toBe("timeout");
    expect(outcomeOf({ ...base, output: "This test overflowed the stack (a recursion that never ends?)." })).toBe(
      "crash",
    );
    expect(outcomeOf({ ...base, output: "Not graded: your code does not compile." })).toBe("blocked");
    expect(outcomeOf({ ...base, output: "Expected: 1" })).toBe("fail");
  });
});

describe("stepLabel", () => {
  const step = (path: string, text: string) => ({ ...samplePicture().mine.after, path, text });
  it("numbers a step as the scenario file counts, a repeat's step by its place and its round", () => {
    expect(stepLabel(step("steps[3]", "fork A as D"), { round: 1, rounds: 1 })).toBe("step 4: fork A as D");
    expect(stepLabel(step("steps[3].steps[3]", "exit C 0"), { round: 2, rounds: 4 })).toBe(
      "step 4.4, round 2 of 4: exit C 0",
    );
    expect(stepLabel(step("start", "machine booted"), { round: 1, rounds: 1 })).toBe("the start");
  });
});

describe("chooseProcesses", () => {
  const proc = (name: string, frames: number[], state = "running") => ({
    name,
    pid: name.charCodeAt(0),
    state,
    killedBy: null,
    asid: 1,
    root: 0,
    runs: frames.map((f, i) => ({ va: 0x10000 + i * 4096, pages: 1, flags: 0, frame: f, ref: 1 })),
  });
  it("keeps the focus and the processes sharing its frames, in the scenario's order, three at most", () => {
    const all = [proc("A", [1, 2]), proc("B", [9]), proc("C", [2]), proc("D", [1]), proc("E", [2])];
    expect(chooseProcesses(all, "C").map((p) => p.name)).toEqual(["A", "C", "E"]);
    expect(chooseProcesses(all, null).map((p) => p.name)).toEqual(["A", "C", "D"]);
    expect(chooseProcesses([], null)).toEqual([]);
  });

  it("names processes without a page table besides, the focus first, three at most", () => {
    const gone = (name: string) => ({ ...proc(name, [], "exited"), root: null });
    const all = [proc("A", [1]), gone("B"), gone("C"), proc("D", [1]), gone("E"), gone("F")];
    expect(chooseProcesses(all, "F").map((p) => p.name)).toEqual(["A", "B", "C", "D", "F"]);
  });
});

describe("the class summary", () => {
  const results = [troubledResult(), perfectResult(), brokenResult()];
  const s = summaryView(sampleSummary(results), results, SAMPLE_RUBRIC, HTML);

  it("sorts every item by pass rate, lowest first, and flags those under half", () => {
    expect(s.items.map((i) => [i.id, i.passedText, i.rateText, i.share, i.low])).toEqual([
      ["A1", "1 / 3", "33%", "33%", true],
      ["A2", "1 / 3", "33%", "33%", true],
      ["B1", "1 / 3", "33%", "33%", true],
      ["B2", "1 / 3", "33%", "33%", true],
    ]);
  });

  it("orders ids at one rate as people count them: A2 before A10", () => {
    const summary = sampleSummary(results);
    const items = ["A10", "A2", "A1"].map((id) => ({ ...summary.items[0]!, id }));
    const v = summaryView({ ...summary, items }, results, SAMPLE_RUBRIC, HTML);
    expect(v.items.map((i) => i.id)).toEqual(["A1", "A2", "A10"]);
  });

  it("gives a submission's problems a row of their own across the table", () => {
    const rows = s.rows.map((r) => [r.id, r.hasProblems, r.span]);
    expect(rows).toContainEqual(["sample-perfect", false, sampleSummary(results).columns.length + 3]);
    expect(s.rows.find((r) => r.hasProblems)!.problemsText).not.toBe("");
  });

  it("groups the submissions that need a look, each linking to its report", () => {
    expect(s.troubles.map((g) => [g.title, g.rows.map((r) => `${r.id}: ${r.detail}`)])).toEqual([
      ["Timed out", ["sample-troubled: B1"]],
      ["Crashed", ["sample-troubled: B2"]],
      ["Did not compile", ["sample-broken: src/kernel/cow.ts:3:1 - error TS1005: ';' expected."]],
      ["Not graded", ["sample-broken: sample"]],
    ]);
    expect(s.troubles[0]!.rows[0]!.href).toBe("sample-troubled/instructor.html");
  });

  it("draws each threshold's figures against the reference, from the graded submissions", () => {
    expect(s.thresholds[0]).toMatchObject({
      referenceText: "reference 1, worst 5",
      countsText: "2 submissions measured",
    });
    expect(s.thresholds[0]!.svg.match(/<circle class="dot"/g)).toHaveLength(2);
  });

  it("gives the statistics of the graded submissions", () => {
    expect(s.stats.map((x) => `${x.label} ${x.value}`)).toEqual([
      "Submissions 3",
      "Graded 2",
      "Mean 5.8",
      "Median 5.75",
      "Full marks 1",
      "Zero 0",
    ]);
  });

  it("links a report by an id made safe for a URL", () => {
    expect(reportHref("<script>alert(1)</script>")).toBe("%3Cscript%3Ealert(1)%3C%2Fscript%3E/instructor.html");
  });
});

describe("text helpers", () => {
  it("prints points, percentages and lists as people write them", () => {
    expect([points(1.5), points(2), points(1 / 3), points(0)]).toEqual(["1.5", "2", "0.33", "0"]);
    expect([percent(1, 3), percent(0, 0)]).toEqual(["33%", "0%"]);
    expect([listWords(["A"]), listWords(["A", "B"]), listWords(["A", "B", "C"])]).toEqual([
      "A",
      "A and B",
      "A, B and C",
    ]);
  });

  it("escapes Markdown without touching numbers", () => {
    expect(mdInline("1.5 / 10")).toBe("1.5 / 10");
    expect(mdInline("1. first")).toBe("1\\. first");
    expect(mdInline("# not a heading")).toBe("\\# not a heading");
    expect(mdInline("a_b *c* `d` [e](f) <g> & h\nnext")).toBe(
      "a\\_b \\*c\\* \\`d\\` \\[e\\](f) &lt;g&gt; &amp; h next",
    );
  });

  it("fences a block with more backticks than it holds", () => {
    expect(mdBlock("a ``` b")).toBe("````text\na ``` b\n````");
    expect(mdBlock("plain\n\n")).toBe("```text\nplain\n```");
  });

  it("bins scores by point up to 20, else in ten whole-width bins", () => {
    expect(scoreBins([0, 1.5, 2, 2], 3)).toEqual([
      { label: "0", count: 1 },
      { label: "1", count: 1 },
      { label: "2", count: 2 },
      { label: "3", count: 0 },
    ]);
    const bins = scoreBins([0, 11.9, 12, 113], 113);
    expect(bins.map((b) => b.label)).toEqual([
      "0\u201311",
      "12\u201323",
      "24\u201335",
      "36\u201347",
      "48\u201359",
      "60\u201371",
      "72\u201383",
      "84\u201395",
      "96\u2013107",
      "108\u2013113",
    ]);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});
