// Each example mistake (examples/submissions/*, but the reference and the
// starter) graded once per test run (the shared batch of the examples): the items
// it loses carry the difference that names its mistake, and the hint a
// student reads says it, with flags named and addresses in hex for an item
// shown in full, and only the kind of thing for a hidden one.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ScoredItem, SubmissionResult } from "../model";
import { mdInline } from "../report/_text";
import { ROOT } from "../test-support/fixtures";
import { SharedBatch, gradedExamples } from "../test-support/shared-batch";
import { INSTRUCTOR, STUDENT, itemView } from "../visibility";
import type { DifferenceKind } from "./difference";
import { describeDifference, describeKind } from "./describe";

jest.setTimeout(600_000);

const EXAMPLES = path.join(ROOT, "examples", "submissions");

/** Each example's part (the file with its mistake) and its mistake, as the kind of the first difference from the reference kernel. */
const CAUSES: Readonly<Record<string, { part: string; kind: DifferenceKind }>> = {
  "parent-pte-left-writable": { part: "A", kind: "pte-flags" },
  "refcount-not-raised-at-fork": { part: "A", kind: "refcount" },
  "no-sfence-after-downgrade": { part: "A", kind: "stale-tlb" },
  "text-pages-marked-cow": { part: "A", kind: "pte-flags" },
  "fork-of-child-loses-cow": { part: "A", kind: "pte-flags" },
  "fork-leaks-on-oom": { part: "A", kind: "refcount" },
  "uvmcopy-skips-rollback": { part: "A", kind: "mapping" },
  "cow-copy-leaks-old-frame": { part: "B", kind: "refcount" },
  "copies-even-when-last-reference": { part: "B", kind: "copied-instead-of-reused" },
  "cow-bit-left-set-after-copy": { part: "B", kind: "pte-flags" },
  "no-sfence-after-cow-fault": { part: "B", kind: "stale-tlb" },
  "frame-zero-treated-as-null": { part: "B", kind: "returned" },
  "teardown-frees-shared-frames": { part: "C", kind: "freed-while-mapped" },
  "teardown-leaks-pagetables": { part: "C", kind: "frame-not-freed" },
};

/** Kinds whose sentence names PTE flags. */
const FLAGGED: readonly DifferenceKind[] = ["pte-flags", "mapping", "stale-tlb", "copied-instead-of-reused"];

const mistakes = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== "reference" && e.name !== "starter")
  .map((e) => e.name)
  .sort();

let batch: SharedBatch;

beforeAll(async () => {
  batch = await gradedExamples(); // graded once per test run, shared with the other files that read it
  writeHints(batch.outcome.results.filter((r) => mistakes.includes(r.id)));
});

function resultOf(id: string): SubmissionResult {
  const r = batch.outcome.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}`);
  return r;
}

/** The items that failed on their own account (not blocked by a dependency): those that get a hint. */
function ownFailures(r: SubmissionResult): ScoredItem[] {
  return r.items.filter((i) => !i.passed && i.hint !== undefined);
}

// The hints each example gets, for the closing note (HINTS_OUT, when set).
function writeHints(results: readonly SubmissionResult[]): void {
  const out = process.env.HINTS_OUT;
  if (out === undefined) return;
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`## ${r.id}`, "");
    for (const i of ownFailures(r)) {
      const seen = itemView(i, STUDENT);
      lines.push(`- ${i.id} (${i.visibility}, ${i.difference?.kind ?? "no difference"}): ${seen.hint}`);
      // what the instructor's view says of an item the student does not see in full
      if (!seen.full) lines.push(`  - instructor's view: ${itemView(i, INSTRUCTOR).hint}`);
    }
    lines.push("");
  }
  writeFileSync(out, lines.join("\n"));
}

test("the examples are the fourteen mistakes the table names", () => {
  expect(mistakes).toEqual(Object.keys(CAUSES).sort());
});

describe.each(Object.entries(CAUSES))("%s", (id, cause) => {
  const own = () => ownFailures(resultOf(id)).filter((i) => i.part === cause.part);

  test(`the items of its part that fail carry a difference of kind ${cause.kind}`, () => {
    const r = resultOf(id);
    expect({ status: r.status, graderError: r.graderError }).toEqual({ status: "graded", graderError: undefined });
    const kinds = own().map((i) => `${i.id}: ${i.difference?.kind ?? "none"}`);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds).toEqual(own().map((i) => `${i.id}: ${i.difference === undefined ? "none" : cause.kind}`));
    expect(kinds.filter((k) => k.endsWith(cause.kind)).length).toBeGreaterThan(0);
  });

  test("a student reads it in full where the item is shown, flags named and addresses in hex, and only its kind elsewhere", () => {
    for (const item of own().filter((i) => i.difference !== undefined)) {
      const seen = itemView(item, STUDENT);
      if (seen.full) {
        expect(seen.hint).toBe(describeDifference(item.difference!));
        expect(seen.hint).toMatch(/0x[0-9a-f]{8}/);
        if (FLAGGED.includes(cause.kind)) expect(seen.hint).toMatch(/\b[r-][w-][x-] u\b/);
        expect(seen.output).toContain(`Hint: ${seen.hint}`);
      } else {
        expect({ id: item.id, hint: seen.hint }).toEqual({ id: item.id, hint: describeKind(cause.kind) });
        expect(seen.hint).not.toContain(item.title);
      }
    }
  });

  test("its report (the student's, report.md) carries each of those hints", () => {
    const report = readFileSync(path.join(batch.out, id, "report.md"), "utf8");
    for (const item of own().filter((i) => i.difference !== undefined)) {
      const hint = itemView(item, STUDENT).hint;
      // a table cell escapes Markdown's characters
      const shown = report.includes(hint) || report.includes(mdInline(hint));
      expect({ id: item.id, shown }).toEqual({ id: item.id, shown: true });
    }
  });
});
