// The difference reaches a student through the one view of an item
// (visibility.ts itemView): in full where the item is shown in full, its
// kind alone where it is not, the rubric's hint when none was found.

import type { ScoredItem } from "../model";
import { gradescopeResults } from "../results";
import { INSTRUCTOR, STUDENT, itemView } from "../visibility";
import { describeDifference, describeKind } from "./describe";
import { ONE_OF_EACH } from "./_samples";

const stale = ONE_OF_EACH.find((d) => d.kind === "stale-tlb")!;

function item(visibility: ScoredItem["visibility"], withDifference: boolean): ScoredItem {
  return {
    id: "A7",
    kind: "test",
    part: "A",
    title: "fork fences the parent's stale writable translations",
    maxScore: 3,
    score: 0,
    passed: false,
    visibility,
    output: "expected 1, received 2",
    detail: "expected 1, received 2",
    hint: "Fence with the ASID you are given.",
    ...(withDifference ? { difference: stale } : {}),
  };
}

describe("itemView's hint", () => {
  it("is the whole difference for an item shown in full", () => {
    expect(itemView(item("visible", true), STUDENT).hint).toBe(describeDifference(stale));
    expect(itemView(item("hidden", true), INSTRUCTOR).hint).toBe(describeDifference(stale));
  });

  it("is the kind alone for a hidden item, and the rubric's hint when nothing was found", () => {
    expect(itemView(item("hidden", true), STUDENT).hint).toBe(describeKind("stale-tlb"));
    expect(itemView(item("hidden", false), STUDENT).hint).toBe("Fence with the ASID you are given.");
  });

  it("reaches results.json's hint entry of the part as the kind alone", () => {
    const r = gradescopeResultsOf([item("hidden", true)]);
    const entry = r.tests.find((t) => t.number === "A hints")!;
    expect(entry.output).toContain(describeKind("stale-tlb"));
    expect(entry.output).not.toContain("0x");
    expect(entry.output).not.toContain("Fence with the ASID");
  });
});

function gradescopeResultsOf(items: ScoredItem[]) {
  return gradescopeResults({
    id: "s",
    source: "s",
    status: "graded",
    lab: "cow",
    labVersion: "4",
    graderVersion: "1",
    seed: 1,
    score: 0,
    maxScore: 3,
    parts: [
      {
        id: "A",
        title: "fork",
        score: 0,
        maxScore: 3,
        tests: { score: 0, maxScore: 3 },
        thresholds: { score: 0, maxScore: 0 },
      },
    ],
    items,
    problems: [],
    typeErrors: [],
    timing: { totalMs: 0, startupMs: 0, testMs: 0 },
  });
}
