// Submissions made from the solution's files for the grader's tests and
// benchmark: the reference itself, the starter, and classic mistakes, each
// one small edit of the solution. An edit that no longer matches the
// solution's text throws, so a change there cannot silently test nothing.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One edit: in `file` (e.g. "src/kernel/cow.ts"), replace `from` (which must occur) by `to`. */
export interface Edit {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

/** A classic mistake: its name, the rubric part it breaks, and its edits. */
export interface Variant {
  readonly name: string;
  readonly part: "A" | "B" | "C";
  readonly edits: readonly Edit[];
}

export const VARIANTS: readonly Variant[] = [
  {
    name: "parent-pte-left-writable",
    part: "A",
    edits: [{ file: "src/kernel/uvmcopy.ts", from: "pte = (pte & ~PTE_W) | PTE_COW;", to: "pte = pte | PTE_COW;" }],
  },
  {
    name: "refcount-not-raised-at-fork",
    part: "A",
    edits: [{ file: "src/kernel/uvmcopy.ts", from: "    krefinc(pa);\n", to: "" }],
  },
  {
    name: "no-sfence-after-downgrade",
    part: "A",
    edits: [
      {
        file: "src/kernel/uvmcopy.ts",
        from: "  sfence_vma(null, parentAsid);\n  return 0;",
        to: "  return 0;",
      },
    ],
  },
  {
    name: "copy-even-when-refcount-is-1",
    part: "B",
    edits: [{ file: "src/kernel/cow.ts", from: "if (krefcnt(pa) === 1) {", to: "if (krefcnt(pa) === 0) {" }],
  },
  {
    name: "cow-copy-leaks-old-frame",
    part: "B",
    edits: [{ file: "src/kernel/cow.ts", from: "    kfree(pa);\n", to: "" }],
  },
  {
    name: "teardown-leaks-page-tables",
    part: "C",
    edits: [{ file: "src/kernel/uvmfree.ts", from: "  freewalk(pagetable);\n", to: "" }],
  },
];

/** Writes the student files of `project` (a solution or starter root), with `edits`, into `dest`. */
export function writeSubmission(
  project: string,
  files: readonly string[],
  dest: string,
  edits: readonly Edit[] = [],
): void {
  for (const f of files) {
    let text = readFileSync(path.join(project, f), "utf8");
    for (const e of edits.filter((x) => x.file === f)) {
      if (!text.includes(e.from))
        throw new Error(`Cannot make the variant: ${f} no longer contains ${JSON.stringify(e.from)}`);
      text = text.replace(e.from, e.to);
    }
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    writeFileSync(path.join(dest, f), text);
  }
  for (const e of edits) {
    if (!files.includes(e.file)) throw new Error(`Cannot make the variant: ${e.file} is not a student file`);
  }
}
