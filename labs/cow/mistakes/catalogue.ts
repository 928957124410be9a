// The classic mistakes of the copy-on-write lab, each a small mutation of
// the reference's edit point: what a TA who has graded the xv6 COW lab sees
// again and again. labs/cow/mistakes.test.ts builds each one into a kernel
// (the solution's src/ with the one file edited) and checks that the hidden
// suite of its part fails at least one test on it. Never shipped: not to
// students, not in the Gradescope autograder (which takes labs/cow/tests).
//
// An edit replaces the first occurrence of `from` (which must occur) by `to`
// in the solution's file; `imports` are added to its import from "./defs".

/** One part of the lab, as the rubric names them. */
export type Part = "A" | "B" | "C";

/** One replacement in the edit point's file. */
export interface Edit {
  readonly from: string;
  readonly to: string;
}

/** A classic mistake: which edit point it breaks, what it is, and how to make it. */
export interface Mistake {
  readonly id: string;
  readonly part: Part;
  /** What the student did, in a sentence. */
  readonly mistake: string;
  readonly edits: readonly Edit[];
  readonly imports?: readonly string[];
}

/** The file each part's mistakes edit. */
export const FILE_OF: Readonly<Record<Part, string>> = {
  A: "src/kernel/uvmcopy.ts",
  B: "src/kernel/cow.ts",
  C: "src/kernel/uvmfree.ts",
};

const ROLLBACK = "      for (let j = 0; j < i; j++) uvmunmap(child, pages[j]!, 1, true);\n";

/** Part A: fork's page-table copy (uvmcopy). */
const PART_A: readonly Mistake[] = [
  {
    id: "refcount-not-raised",
    part: "A",
    mistake: "No krefinc(): a shared frame keeps reference count 1 for two mappings.",
    edits: [{ from: "    krefinc(pa);\n", to: "" }],
  },
  {
    id: "parent-pte-left-writable",
    part: "A",
    mistake: "The child's PTE is read-only and COW, but the parent's is never written back.",
    edits: [{ from: "      writePte(ptep, pte);\n", to: "" }],
  },
  {
    id: "child-pte-left-writable",
    part: "A",
    mistake: "The parent's PTE is downgraded, but the child is mapped with the flags read before the change.",
    edits: [
      {
        from: "      pte = (pte & ~PTE_W) | PTE_COW;\n      writePte(ptep, pte);\n",
        to: "      writePte(ptep, (pte & ~PTE_W) | PTE_COW);\n",
      },
    ],
  },
  {
    id: "cow-bit-not-set",
    part: "A",
    mistake: "Writable pages lose PTE_W but never gain PTE_COW: the first write is a SIGSEGV.",
    edits: [{ from: "pte = (pte & ~PTE_W) | PTE_COW;", to: "pte = pte & ~PTE_W;" }],
  },
  {
    id: "read-only-pages-marked-cow",
    part: "A",
    mistake: "Every page becomes COW, read-only text included: a write to text gets a copy instead of SIGSEGV.",
    edits: [{ from: "    if (pte & PTE_W) {\n", to: "    {\n" }],
  },
  {
    id: "flags-rebuilt-from-pte-w",
    part: "A",
    mistake:
      "The child's flags are rebuilt from PTE_W alone: a page already COW reaches a grandchild read-only, not COW.",
    edits: [
      {
        from: "    let pte = readPte(ptep);\n    if (pte & PTE_W) {\n      pte = (pte & ~PTE_W) | PTE_COW;\n      writePte(ptep, pte);\n    }\n",
        to:
          "    const pte = readPte(ptep);\n" +
          "    const perm = (pte & (PTE_R | PTE_X | PTE_U)) | (pte & PTE_W ? PTE_COW : 0);\n" +
          "    if (pte & PTE_W) writePte(ptep, (pte & ~PTE_W) | PTE_COW);\n",
      },
      { from: "PTE_FLAGS(pte) & ~(PTE_V | PTE_A | PTE_D)", to: "perm" },
    ],
    imports: ["PTE_R", "PTE_X", "PTE_U"],
  },
  {
    id: "no-sfence-after-downgrade",
    part: "A",
    mistake: "The parent's PTEs become read-only but are never fenced: its TLB keeps writable translations.",
    edits: [{ from: "  sfence_vma(null, parentAsid);\n  return 0;", to: "  return 0;" }],
  },
  {
    id: "sfence-with-wrong-asid",
    part: "A",
    mistake: "The fence names ASID 0 instead of the parent's: the parent's stale writable entries survive it.",
    edits: [{ from: "  sfence_vma(null, parentAsid);\n  return 0;", to: "  sfence_vma(null, 0);\n  return 0;" }],
  },
  {
    id: "frame-zero-skipped",
    part: "A",
    mistake: "A frame number of 0 is taken for no frame: the page in frame 0 is never shared with the child.",
    edits: [{ from: "    const pa = PTE2PA(pte);\n", to: "    const pa = PTE2PA(pte);\n    if (!pa) continue;\n" }],
  },
  {
    id: "rollback-missing",
    part: "A",
    mistake: "On failure uvmcopy returns -1 without unmapping what it mapped in the child.",
    edits: [{ from: ROLLBACK, to: "" }],
  },
  {
    id: "reference-taken-before-mapping",
    part: "A",
    mistake: "krefinc() comes before mappages(), and a failed mapping returns at once: that reference leaks.",
    edits: [
      { from: "    krefinc(pa);\n  }", to: "  }" },
      { from: "    if (mappages(", to: "    krefinc(pa);\n    if (mappages(" },
      { from: ROLLBACK, to: "" },
    ],
  },
  {
    id: "rollback-keeps-references",
    part: "A",
    mistake: "The rollback unmaps the child's pages without dropping the references fork added (dofree false).",
    edits: [{ from: ROLLBACK, to: ROLLBACK.replace("1, true", "1, false") }],
  },
  {
    id: "rollback-resets-reference-counts",
    part: "A",
    mistake:
      "The rollback drops references until each frame has count 1, as if the parent were its only other sharer: an earlier child's references go too.",
    edits: [
      {
        from: ROLLBACK,
        to:
          "      for (let j = 0; j < i; j++) {\n" +
          "        const f = PTE2PA(readPte(walk(child, pages[j]!, false)!));\n" +
          "        uvmunmap(child, pages[j]!, 1, false);\n" +
          "        while (krefcnt(f) > 1) kfree(f);\n" +
          "      }\n",
      },
    ],
    imports: ["krefcnt", "kfree"],
  },
  {
    id: "rollback-restores-pte-w",
    part: "A",
    mistake:
      "The rollback makes every COW page of the parent writable again, pages an earlier child still shares included.",
    edits: [
      {
        from: ROLLBACK,
        to:
          ROLLBACK +
          "      for (let j = 0; j <= i; j++) {\n" +
          "        const p = walk(parent, pages[j]!, false)!;\n" +
          "        if (readPte(p) & PTE_COW) writePte(p, (readPte(p) | PTE_W) & ~PTE_COW);\n" +
          "      }\n",
      },
    ],
  },
  {
    id: "rollback-as-one-range",
    part: "A",
    mistake:
      "The rollback unmaps i pages from the first mapped one, as if the address space had no holes: pages past a hole keep their references.",
    edits: [{ from: ROLLBACK, to: "      uvmunmap(child, pages[0]!, i, true);\n" }],
  },
];

/** Part B: the copy-on-write fault handler (cowfault). */
const PART_B: readonly Mistake[] = [
  {
    id: "copies-even-when-last-reference",
    part: "B",
    mistake: "Copies even when the faulting mapping holds the frame's last reference (no reuse).",
    edits: [{ from: "if (krefcnt(pa) === 1) {", to: "if (krefcnt(pa) === 0) {" }],
  },
  {
    id: "copy-leaks-old-frame",
    part: "B",
    mistake: "A copy never drops this mapping's reference to the old frame.",
    edits: [{ from: "    kfree(pa);\n", to: "" }],
  },
  {
    id: "reuse-drops-reference",
    part: "B",
    mistake: "The reference to the old frame is dropped on both paths: on reuse that frees a frame still mapped.",
    edits: [
      { from: "    kfree(pa);\n  }", to: "  }" },
      { from: "  // the PTE went from RO to RW", to: "  kfree(pa);\n  // the PTE went from RO to RW" },
    ],
  },
  {
    id: "cow-bit-left-set",
    part: "B",
    mistake: "The page is made writable, but PTE_COW stays set.",
    edits: [{ from: "(PTE_FLAGS(pte) | PTE_W) & ~PTE_COW", to: "PTE_FLAGS(pte) | PTE_W" }],
  },
  {
    id: "reuse-leaves-cow-set",
    part: "B",
    mistake: "The reuse path makes the page writable but leaves PTE_COW set (the copy path clears it).",
    edits: [
      { from: "    writePte(ptep, PA2PTE(pa) | flags);\n", to: "    writePte(ptep, PA2PTE(pa) | flags | PTE_COW);\n" },
    ],
  },
  {
    id: "copy-not-mapped",
    part: "B",
    mistake: "The frame is copied, but the PTE is made writable on the old, shared frame.",
    edits: [{ from: "    writePte(ptep, PA2PTE(copy) | flags);\n", to: "    writePte(ptep, PA2PTE(pa) | flags);\n" }],
  },
  {
    id: "no-sfence",
    part: "B",
    mistake: "The PTE changes but the old translation is never fenced.",
    edits: [{ from: "  sfence_vma(page, asid);\n", to: "" }],
  },
  {
    id: "no-sfence-on-reuse",
    part: "B",
    mistake: "Only the copy is fenced; the reuse path leaves the read-only translation in the TLB.",
    edits: [
      { from: "  sfence_vma(page, asid);\n", to: "" },
      { from: "    kfree(pa);\n  }", to: "    kfree(pa);\n    sfence_vma(page, asid);\n  }" },
    ],
  },
  {
    id: "sfence-with-wrong-asid",
    part: "B",
    mistake: "The fence names ASID 0 instead of the faulting address space's.",
    edits: [{ from: "sfence_vma(page, asid);", to: "sfence_vma(page, 0);" }],
  },
  {
    id: "frame-zero-taken-for-null",
    part: "B",
    mistake: "kalloc()'s answer is tested with !copy: frame 0 is taken for out of memory.",
    edits: [{ from: "if (copy === null)", to: "if (!copy)" }],
  },
  {
    id: "pte-changed-before-kalloc",
    part: "B",
    mistake: "The PTE is made writable before kalloc() succeeds: out of memory leaves a shared frame writable.",
    edits: [
      {
        from: "    const copy = kalloc();\n",
        to: "    writePte(ptep, PA2PTE(pa) | flags);\n    const copy = kalloc();\n",
      },
    ],
  },
  {
    id: "copy-in-wrong-direction",
    part: "B",
    mistake: "memmove's arguments are swapped: the new frame's zeros overwrite the shared frame.",
    edits: [{ from: "memmove(copy, pa, PGSIZE);", to: "memmove(pa, copy, PGSIZE);" }],
  },
  {
    id: "copy-too-short",
    part: "B",
    mistake: "Only the first bytes of the page are copied (the size of a word, not PGSIZE).",
    edits: [{ from: "memmove(copy, pa, PGSIZE);", to: "memmove(copy, pa, 8);" }],
  },
  {
    id: "frees-the-copy",
    part: "B",
    mistake: "The new frame is kfree'd instead of the old one.",
    edits: [{ from: "    kfree(pa);\n", to: "    kfree(copy);\n" }],
  },
  {
    id: "cow-bit-not-checked",
    part: "B",
    mistake: "Any present user page is made writable, COW or not: a store to text succeeds.",
    edits: [{ from: " || !(pte & PTE_COW)) return", to: ") return" }],
  },
  {
    id: "user-bit-not-checked",
    part: "B",
    mistake: "A COW page that is not a user page (no PTE_U) is handled as if it were.",
    edits: [{ from: " || !(pte & PTE_U) ||", to: " ||" }],
  },
  {
    id: "valid-bit-not-checked",
    part: "B",
    mistake: "An invalid PTE that happens to carry PTE_COW is handled as a COW page.",
    edits: [{ from: "!(pte & PTE_V) || ", to: "" }],
  },
];

const UNMAP = "  for (const va of mappedPages(pagetable)) uvmunmap(pagetable, va, 1, true);\n";

/** Part C: tearing down an address space (uvmfree). */
const PART_C: readonly Mistake[] = [
  {
    id: "unmap-without-dropping-references",
    part: "C",
    mistake: "Pages are unmapped with dofree false: every frame leaks.",
    edits: [{ from: UNMAP, to: UNMAP.replace("1, true", "1, false") }],
  },
  {
    id: "frees-shared-frames",
    part: "C",
    mistake: "Every frame is freed outright (kfree until its count is 0), whoever else still maps it.",
    edits: [
      {
        from: UNMAP,
        to:
          "  for (const va of mappedPages(pagetable)) {\n" +
          "    const f = PTE2PA(readPte(walk(pagetable, va, false)!));\n" +
          "    while (krefcnt(f) > 0) kfree(f);\n" +
          "    uvmunmap(pagetable, va, 1, false);\n" +
          "  }\n",
      },
    ],
    imports: ["krefcnt", "readPte", "walk"],
  },
  {
    id: "drops-two-references",
    part: "C",
    mistake: "uvmunmap(..., true) already drops the reference, and a kfree() after it drops a second one.",
    edits: [
      {
        from: UNMAP,
        to:
          "  for (const va of mappedPages(pagetable)) {\n" +
          "    const f = PTE2PA(readPte(walk(pagetable, va, false)!));\n" +
          "    uvmunmap(pagetable, va, 1, true);\n" +
          "    kfree(f);\n" +
          "  }\n",
      },
    ],
    imports: ["readPte", "walk"],
  },
  {
    id: "page-tables-never-freed",
    part: "C",
    mistake: "The pages are unmapped, but no page-table page is ever freed.",
    edits: [{ from: "  freewalk(pagetable);\n", to: "" }],
  },
  {
    id: "level-0-tables-leak",
    part: "C",
    mistake: "The root is freed, but the level-0 tables it points to never are.",
    edits: [{ from: "      kfree(table);\n", to: "" }],
  },
  {
    id: "root-leaks",
    part: "C",
    mistake: "The level-0 tables are freed, but the root never is.",
    edits: [{ from: "    kfree(root);\n", to: "" }],
  },
  {
    id: "root-freed-first",
    part: "C",
    mistake: "The root is freed before the walk that reads it: the walk reads junk.",
    edits: [
      { from: "    kfree(root);\n", to: "" },
      {
        from: "  function freewalk(root: Pagetable): void {\n",
        to: "  function freewalk(root: Pagetable): void {\n    kfree(root);\n",
      },
    ],
  },
  {
    id: "tables-freed-before-unmapping",
    part: "C",
    mistake: "The page-table pages are freed first and the pages unmapped afterwards.",
    edits: [{ from: UNMAP + "  freewalk(pagetable);\n", to: "  freewalk(pagetable);\n" + UNMAP }],
  },
  {
    id: "tables-freed-with-pages-still-mapped",
    part: "C",
    mistake: "Nothing is unmapped, and the walk frees each table without looking at what it still maps.",
    edits: [
      { from: UNMAP, to: "" },
      {
        from:
          "      const leaf = validPtes(table)[0];\n" +
          "      if (leaf !== undefined) panic(`freewalk: leaf still mapped at va 0x${hex(base + leaf.index * PGSIZE)}`);\n",
        to: "",
      },
    ],
  },
  {
    id: "only-tables-holding-pages",
    part: "C",
    mistake:
      "Only the level-0 tables that hold a mapped page are freed: a table that maps nothing (a failed fork leaves them) leaks.",
    edits: [
      {
        from: UNMAP,
        to: "  const used = new Set(mappedPages(pagetable).map((va) => Math.floor(va / 2 ** 22)));\n" + UNMAP,
      },
      {
        from: "      const base = index * 2 ** 22;",
        to: "      if (!used.has(index)) continue;\n      const base = index * 2 ** 22;",
      },
    ],
  },
  {
    id: "first-level-0-table-skipped",
    part: "C",
    mistake:
      "The walk of the root skips its first valid entry (a loop from 1): the table for text, data and heap leaks.",
    edits: [{ from: "of validPtes(root)) {", to: "of validPtes(root).slice(1)) {" }],
  },
  {
    id: "last-level-0-table-skipped",
    part: "C",
    mistake: "The walk of the root stops one entry early: the last table, the stack's, leaks.",
    edits: [{ from: "of validPtes(root)) {", to: "of validPtes(root).slice(0, -1)) {" }],
  },
  {
    id: "frame-zero-not-freed",
    part: "C",
    mistake:
      "The teardown drops each page's reference itself and skips a frame at physical address 0, taking it for no frame.",
    edits: [
      {
        from: UNMAP,
        to:
          "  for (const va of mappedPages(pagetable)) {\n" +
          "    const f = PTE2PA(readPte(walk(pagetable, va, false)!));\n" +
          "    if (f) kfree(f);\n" +
          "    uvmunmap(pagetable, va, 1, false);\n" +
          "  }\n",
      },
    ],
    imports: ["readPte", "walk"],
  },
];

/** Every mistake, part A's first. */
export const MISTAKES: readonly Mistake[] = [...PART_A, ...PART_B, ...PART_C];
