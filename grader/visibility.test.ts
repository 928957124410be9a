// The one rule of who sees what (Gradescope's semantics), and the view of an item it makes.

import { readFileSync } from "node:fs";
import path from "node:path";
import { ScoredItem, VISIBILITIES, Visibility } from "./model";
import { INSTRUCTOR, MOMENTS, STUDENT, firstShown, itemView, shownInFull } from "./visibility";

test("a student sees in full: visible items always, after_due_date from the due date, after_published once published, hidden never", () => {
  const table = Object.fromEntries(
    VISIBILITIES.map((v) => [v, MOMENTS.map((moment) => shownInFull(v, { kind: "student", moment }))]),
  );
  expect(table).toEqual({
    visible: [true, true, true],
    after_due_date: [false, true, true],
    after_published: [false, false, true],
    hidden: [false, false, false],
  });
  expect(VISIBILITIES.map((v) => firstShown(v))).toEqual(["before-due-date", "after-due-date", "published", null]);
});

test("the instructor sees every item in full", () => {
  for (const v of VISIBILITIES) expect(shownInFull(v, INSTRUCTOR)).toBe(true);
});

const failed = (visibility: Visibility, over: Partial<ScoredItem> = {}): ScoredItem => ({
  id: "T4",
  kind: "threshold",
  part: "B",
  title: "a child writing k pages copies exactly k",
  maxScore: 2,
  score: 0.5,
  passed: false,
  visibility,
  output: "cowCopies = 28; full credit at 8 or less, none at 32 or more.\nHint: Copy the page that faulted.",
  detail: "cowCopies = 28",
  figure: { figure: "cowCopies", measured: 28, reference: 8, worst: 32 },
  hint: "Copy the page that faulted.",
  ...over,
});

test("an item not shown in full keeps its part, points and hint, and loses its title, message and figure", () => {
  expect(itemView(failed("hidden"), STUDENT)).toEqual({
    id: "T4",
    kind: "threshold",
    part: "B",
    score: 0.5,
    maxScore: 2,
    passed: false,
    outcome: "fail",
    visibility: "hidden",
    full: false,
    title: null,
    output: null,
    figure: null,
    blockedBy: "",
    hint: "Copy the page that faulted.",
  });
  expect(itemView(failed("visible"), STUDENT)).toMatchObject({
    full: true,
    title: "a child writing k pages copies exactly k",
    figure: { reference: 8 },
  });
});

test("why an item was not scored is kept (it names no check), and a passed item has no hint", () => {
  const blocked = failed("hidden", { output: "depends on B1\nmore", hint: undefined as unknown as string });
  expect(itemView(blocked, STUDENT)).toMatchObject({ outcome: "blocked", blockedBy: "depends on B1", hint: "" });
  expect(itemView(failed("hidden", { passed: true, score: 2 }), STUDENT).hint).toBe("");
});

test("the README sends a student only the reports, never results.json (it holds every hidden test's title)", () => {
  const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8").replace(/\s+/g, " ");
  const advice = /send a student only (.*?)\.(?: |$)/.exec(readme);
  expect(advice?.[1]).toBe("`report.html` or `report.md`");
  expect(readme).toContain("`results.json` is for Gradescope only");
});
