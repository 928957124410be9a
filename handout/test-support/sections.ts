// The sections every COW handout must have, in order: the HTML and the PDF
// tests check both editions against this list.

export const SECTIONS: readonly string[] = [
  "Overview",
  "Background",
  "What copy-on-write buys",
  "Part A: fork's page-table copy",
  "Part B: the copy-on-write fault handler",
  "Part C: tearing down an address space",
  "Testing your work",
  "Grading",
  "Submitting",
  "Optional challenges",
  "Check your understanding",
];

/** The background's subsections, in order. */
export const BACKGROUND: readonly string[] = [
  "What fork must do, and why copying is wasteful",
  "One page table per process",
  "Sv32: addresses and page-table entries",
  "Sharing frames: reference counts and the free pool",
  "The copy-on-write fork, step by step",
  "The last reference: reuse instead of copy",
  "Several forks before anyone writes",
  "Why exec makes the parent's later writes cheap",
  "Zero-fill on demand, from the same pool",
  "The TLB, and why a changed PTE needs sfence.vma",
];

/** The folder of the fixture rubric (visible and hidden tests and thresholds). */
export const FIXTURE = `${__dirname}/../test-fixtures`;
