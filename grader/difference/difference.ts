// What a hint is made of when a test or threshold fails: the first point
// where the student's kernel and the reference kernel differ in what the
// lab is about, as data. The worker records the kernel's state at the same
// points of both runs (checkpoints), compares them (compare.ts) and sends
// one Difference with the item's result; the view says it in a sentence
// (describe.ts). Frames are matched by their role (which page of which
// process maps them) and their contents, never by their numbers: a
// physical address appears only as something shown, never as something
// compared between the two kernels.

/**
 * A process, as a test (its pid) or a scenario (its name) knows it; pid 0
 * names a page table no process owns yet (the child's, given to uvmcopy()).
 */
export interface ProcRef {
  readonly pid: number;
  /** The scenario's name for it ("C1"); null in a test. */
  readonly name: string | null;
}

/** The ProcRef of the child page table uvmcopy() fills when no process owns it (a test calling it directly). */
export const CHILD_TABLE: ProcRef = { pid: 0, name: "the child page table given to uvmcopy()" };

/** A virtual page of a process. */
export interface PageRef {
  readonly process: ProcRef;
  readonly va: number;
}

/** A step of a scenario: where it is in the file, and the step as the scenario says it ("memset P bss"). */
export interface StepRef {
  /** Its key in the file: `steps[3].steps[1]`. */
  readonly path: string;
  /** As a person counts the steps: "4.2" (solution/src/scenario/steps.ts). */
  readonly number: string;
  /** Inside a repeat, which time round (from 1); null outside any. */
  readonly round: number | null;
  readonly text: string;
}

/** Where in a run a checkpoint was taken. */
export type Where =
  /** Before the first call of an edit point: what the first call's changes are seen against. */
  | { readonly kind: "start" }
  /** Right after a call of one of the lab's edit points returned (or threw). */
  | {
      readonly kind: "call";
      readonly fn: string;
      /** The process whose page table the call was given, when one still owns it. */
      readonly process: ProcRef | null;
      /** The faulting address, for cowfault(). */
      readonly va: number | null;
      /** What it returned, as text ("0", "-1", "ok"; "" for nothing). */
      readonly result: string;
      /** The scenario step the call happened in; null in a test. */
      readonly step: StepRef | null;
    }
  /** After a scenario's step. */
  | { readonly kind: "step"; readonly step: StepRef }
  /** At the end of a test, before the kernel audit. */
  | { readonly kind: "end" };

/** One mapped page as the kernel left it. */
export interface PageState {
  readonly va: number;
  /** The PTE's V, R, W, X, U and COW bits (A and D follow the accesses, not the kernel). */
  readonly flags: number;
  /** The reference count of the frame it maps. */
  readonly ref: number;
  /** The frame's physical address: compared only with this same kernel's other checkpoints. */
  readonly pa: number;
  /** Every page mapping the same frame, this one included, lowest pid and va first. */
  readonly mappers: readonly PageRef[];
  /** A hash of the frame's 4096 bytes. */
  readonly contents: number;
}

/** A TLB entry of a live process that no longer agrees with its page table. */
export interface StaleEntry {
  readonly va: number;
  /** The flags the TLB still serves. */
  readonly cached: number;
  /** The flags the PTE has now; null when the page is no longer mapped. */
  readonly current: number | null;
}

export interface ProcessState {
  readonly process: ProcRef;
  /** "running", "exited", or "killed by SIGSEGV" (the signal named). */
  readonly state: string;
  /** Its pages, lowest va first; none once its address space is torn down. */
  readonly pages: readonly PageState[];
  /** Its page-table pages, root first (none once torn down). */
  readonly tables: readonly TablePage[];
  readonly stale: readonly StaleEntry[];
}

/** A page-table page: its frame (compared only within one kernel) and what it maps. */
export interface TablePage {
  readonly pa: number;
  /** Null for the root; for a level-0 table, the first virtual address it maps (a 4 MiB range). */
  readonly va: number | null;
}

/** What a frame was to the kernel: a page a process mapped, or one of its page-table pages. */
export interface FrameRole {
  readonly process: ProcRef;
  readonly role: "page" | "root table" | "level-0 table";
  /** The page's address, or the first address the level-0 table maps (0 for a root). */
  readonly va: number;
}

/** An allocated frame that no page table maps and no process holds as a page table. */
export interface LeakedFrame {
  readonly pa: number;
  readonly pageTable: boolean;
}

export interface KernelState {
  /** Every process the kernel knows, lowest pid first. */
  readonly processes: readonly ProcessState[];
  readonly leaked: readonly LeakedFrame[];
  /** Frames in the free pool. */
  readonly freeFrames: number;
}

export interface Checkpoint {
  readonly where: Where;
  readonly state: KernelState;
}

/** How a process is, for a difference: "running", "exited", "killed by SIGKILL", or "absent". */
export type ProcessStatus = string;

/**
 * The first difference between the student's kernel and the reference
 * kernel, at the same point `at` of the same run. `expected` is always the
 * reference kernel's, `actual` the student's.
 */
export type Difference =
  /** An edit point returned something else than the reference's did. */
  | {
      readonly kind: "returned";
      readonly at: Where;
      readonly expected: string;
      readonly actual: string;
      /** Frames that were free when it returned (on the student's kernel). */
      readonly freeFrames: number;
      /** Where the reference kernel's page ended up, when the call moved it to another frame. */
      readonly referencePa: number | null;
    }
  /** A process exists, runs, exited or was killed on one kernel and not the other. */
  | {
      readonly kind: "process-state";
      readonly at: Where;
      readonly process: ProcRef;
      readonly expected: ProcessStatus;
      readonly actual: ProcessStatus;
    }
  /** A frame's reference count disagrees with the number of PTEs mapping it, unlike the reference's. */
  | {
      readonly kind: "refcount";
      readonly at: Where;
      readonly page: PageRef;
      readonly expected: number;
      readonly actual: number;
      /** How many PTEs map the frame on the student's kernel. */
      readonly mappers: number;
      /** Set when, at this point, another page moved off this frame (a copy): the page that did. */
      readonly leftBy: PageRef | null;
    }
  /** A frame still mapped by `page` is free (reference count 0) on the student's kernel. */
  | { readonly kind: "freed-while-mapped"; readonly at: Where; readonly page: PageRef; readonly expected: number }
  /** A page is mapped on one kernel only (flags null where it is not). */
  | {
      readonly kind: "mapping";
      readonly at: Where;
      readonly page: PageRef;
      readonly expected: number | null;
      readonly actual: number | null;
    }
  | {
      readonly kind: "pte-flags";
      readonly at: Where;
      readonly page: PageRef;
      readonly expected: number;
      readonly actual: number;
    }
  /** The student's kernel gave the page a new frame where the reference kept its own. */
  | { readonly kind: "copied-instead-of-reused"; readonly at: Where; readonly page: PageRef; readonly flags: number }
  /** The student's kernel kept the page's frame where the reference gave it a copy. */
  | { readonly kind: "reused-instead-of-copied"; readonly at: Where; readonly page: PageRef; readonly flags: number }
  /** The page's frame is shared with other pages than on the reference (`expected`, `actual`: the others). */
  | {
      readonly kind: "sharing";
      readonly at: Where;
      readonly page: PageRef;
      readonly expected: readonly PageRef[];
      readonly actual: readonly PageRef[];
    }
  /** The page holds other bytes than on the reference. */
  | { readonly kind: "contents"; readonly at: Where; readonly page: PageRef }
  /** The TLB still serves `cached` for the page, whose PTE is now `current`: the reference fenced it. */
  | {
      readonly kind: "stale-tlb";
      readonly at: Where;
      readonly page: PageRef;
      readonly cached: number;
      readonly current: number | null;
    }
  /** A process has a different number of page-table pages. */
  | {
      readonly kind: "page-tables";
      readonly at: Where;
      readonly process: ProcRef;
      readonly expected: number;
      readonly actual: number;
    }
  /** Frames no one uses stay allocated on the student's kernel: the reference freed them. */
  | {
      readonly kind: "frame-not-freed";
      readonly at: Where;
      /** Data frames and page-table pages left allocated beyond the reference's. */
      readonly frames: number;
      readonly pageTables: number;
      /** What one of them was before this point (a page that mapped it, a page-table page), when known. */
      readonly formerly: FrameRole | null;
    }
  /** The two kernels called the edit points in another order (null: no such call on that kernel). */
  | { readonly kind: "call"; readonly at: Where | null; readonly expected: Where | null };

export type DifferenceKind = Difference["kind"];

/** Longest text in a Difference (a call's result, a name, a step): the worker cuts, the parent refuses longer. */
export const MAX_TEXT = 200;
/** Most pages a Difference lists (who shares a frame): the worker cuts, the parent refuses more. */
export const MAX_PAGES = 100;

/** Every kind, for checks and tests. */
export const DIFFERENCE_KINDS: readonly DifferenceKind[] = [
  "returned",
  "process-state",
  "refcount",
  "freed-while-mapped",
  "mapping",
  "pte-flags",
  "copied-instead-of-reused",
  "reused-instead-of-copied",
  "sharing",
  "contents",
  "stale-tlb",
  "page-tables",
  "frame-not-freed",
  "call",
];
