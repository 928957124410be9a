// The grader's data, stage by stage: the rubric (what is graded), an intake
// (what a student handed in), a workspace (where it runs), the outcomes of
// a run, a scored result (one submission) and the batch summary (a class).
// Reports render these; templates get them ready-made (STYLE.md, point 9).

import type { Difference } from "./difference/difference";
import type { IsolationLayer } from "./sandbox/isolation";

/** Gradescope's visibility settings, per test and for a whole result. */
export type Visibility = "visible" | "after_due_date" | "after_published" | "hidden";

export const VISIBILITIES: readonly Visibility[] = ["visible", "after_due_date", "after_published", "hidden"];

// --- the rubric (labs/<lab>/rubric.json) -------------------------------------

export interface Limits {
  /** Wall-clock time for one submission, all tests together. */
  readonly wallSeconds: number;
  /**
   * Memory of the process that runs one submission, in MiB: its JavaScript
   * heap (--max-old-space-size), and its resident memory, buffers included,
   * watched from outside by the grader.
   */
  readonly memoryMb: number;
  /** Machine steps a booted machine may run before it stops (boot({stepBudget})). */
  readonly stepBudget: number;
  /** Engine steps the student's code may take in one unit (solution/src/engine/limits.ts). */
  readonly engineSteps: number;
  /** The engine's heap for the student's code, in MiB. */
  readonly engineMemoryMb: number;
  /** The engine's stack for the student's code, in KiB. */
  readonly engineStackKb: number;
  /** CPU time for one test before it is stopped from outside. */
  readonly testSeconds: number;
  /** Time to compile, check and type-check one submission's files (in a process of its own). */
  readonly compileSeconds: number;
  /** Largest archive (.zip, .tar.gz) a submission may be, in MiB. */
  readonly archiveMb: number;
  /** Most bytes unpacked from one archive, in MiB: the files read, and for a .tar.gz everything it holds. */
  readonly unpackedMb: number;
  /** Largest student file, in KiB. */
  readonly fileKb: number;
  /** Most entries in an archive, or files in a submission's folder. */
  readonly entries: number;
  /** What one test may print that is kept, in KiB. */
  readonly outputKb: number;
  /** What one submission may print that is kept, all its tests together, in KiB. */
  readonly submissionOutputKb: number;
}

/**
 * What a flag of the integrity check costs: "zero-tests", the tests of every
 * part that needs the flagged file score 0; "zero-part", its thresholds too;
 * "report-only", the flags are shown and cost nothing.
 */
export type IntegrityPolicy = "zero-tests" | "zero-part" | "report-only";

export const INTEGRITY_POLICIES: readonly IntegrityPolicy[] = ["zero-tests", "zero-part", "report-only"];

export interface RubricPart {
  readonly id: string;
  readonly title: string;
  /** Student files this part needs: one missing scores the part 0. */
  readonly files: readonly string[];
}

export interface RubricTest {
  readonly id: string;
  readonly part: string;
  readonly title: string;
  readonly points: number;
  readonly visibility: Visibility;
  /** Tests that must pass for this one to score. */
  readonly dependsOn: readonly string[];
  /** The only thing a student sees of a hidden test that failed. */
  readonly hint: string;
}

/** A figure of a scenario: a counter ("framesCopied") or a process's figure ("C.minorFaults"). */
export interface RubricThreshold {
  readonly id: string;
  readonly part: string;
  readonly title: string;
  /** Scenario file, relative to the lab's folder. */
  readonly scenario: string;
  readonly figure: string;
  /** The figure at or beyond which the threshold scores 0. */
  readonly worst: number;
  readonly points: number;
  readonly visibility: Visibility;
  readonly hint: string;
}

export interface Rubric {
  readonly lab: string;
  readonly version: string;
  /** Paths relative to a project root, e.g. "src/kernel/cow.ts": the only files taken from a submission. */
  readonly studentFiles: readonly string[];
  readonly limits: Limits;
  readonly integrity: { readonly flagged: IntegrityPolicy };
  readonly parts: readonly RubricPart[];
  readonly tests: readonly RubricTest[];
  readonly thresholds: readonly RubricThreshold[];
  /** Hidden tests' hints shown on at most this many submissions in any window (Gradescope); absent: on every one. */
  readonly releaseTokens?: ReleaseTokens;
}

/** The rubric's release tokens: `tokens` submissions in any `hours` hours get their hidden tests' hints. */
export interface ReleaseTokens {
  readonly tokens: number;
  readonly hours: number;
}

// --- intake: what a student handed in -----------------------------------------

export type SubmissionKind = "folder" | "zip" | "tar.gz";

/** A submission found on disk, not read yet. */
export interface SubmissionSource {
  /** The student's id: the folder's or archive's name without extension, or the name an LMS gives. */
  readonly id: string;
  /** Absolute path of the folder or archive; with `members`, of the class folder or class .zip holding them. */
  readonly path: string;
  /** What `path` is. */
  readonly kind: SubmissionKind;
  /**
   * The entries of `path` that make up the submission (an LMS's flat files,
   * a folder or an archive inside a class .zip); absent: all of `path`.
   */
  readonly members?: readonly SubmissionMember[];
  /** The student's entries left out for a later one (Canvas's resubmissions), told to the student. */
  readonly superseded?: readonly Superseded[];
}

/** One entry of a class folder or class .zip that is part of a submission. */
export interface SubmissionMember {
  /** Its path inside the source's `path`, with "/". */
  readonly path: string;
  /** A folder, an archive, or one plain file. */
  readonly kind: SubmissionKind | "file";
  /** The name it is read under: a flat file's name without the LMS's prefix ("cow.ts"). */
  readonly as: string;
}

/** The LMS bulk downloads whose ways of naming students the intake knows. */
export type LmsLayout = "gradescope" | "canvas" | "moodle";

/**
 * What to do when two entries give the same id: "error" stops before
 * grading and names both; "newest", the one modified last is graded;
 * "folder" or "archive", that kind is graded (between two of the same kind,
 * the newest); "both", each is graded, the later ones as "<id>-2", "<id>-3".
 */
export type DuplicateRule = "error" | "newest" | "folder" | "archive" | "both";

export const DUPLICATE_RULES: readonly DuplicateRule[] = ["error", "newest", "folder", "archive", "both"];

/** Why an entry of a class is not graded. */
export type SkipReason =
  /** An archive the grader cannot read (".rar", ".7z", ...). */
  | { readonly kind: "unknown-format"; readonly format: string }
  /** A file that is neither a folder nor an archive (notes.txt). */
  | { readonly kind: "not-a-submission" }
  /** A name starting with a dot, or macOS's __MACOSX. */
  | { readonly kind: "hidden" }
  /** A folder with no file in it (but hidden ones and node_modules/, .git/...), or a file of 0 bytes. */
  | { readonly kind: "empty" }
  /** The LMS's own list of students (Gradescope's submission_metadata.yml), read for their names. */
  | { readonly kind: "metadata"; readonly layout: LmsLayout }
  /** A link, a device, a name that is not UTF-8 or that leaves the archive ("is a symbolic link ..."). */
  | { readonly kind: "refused"; readonly reason: string }
  /** Another entry gives the same id and was graded instead, under --on-duplicate `rule`. */
  | { readonly kind: "duplicate"; readonly id: string; readonly kept: string; readonly rule: DuplicateRule }
  /** Canvas: the student handed this file in again ("cow-1.ts"), or made a later submission; `by` was used. */
  | { readonly kind: "superseded"; readonly by: string; readonly why: SupersededWhy };

/** Why Canvas's entry gave way to another: a file handed in again, or a later submission (a higher id). */
export type SupersededWhy = "resubmitted" | "later-submission";

/** A flat file of a student's that was not used, and the entry used in its place. */
export interface Superseded {
  readonly entry: string;
  readonly by: string;
  readonly why: SupersededWhy;
}

/** The student's name as an LMS gives it. */
export interface LmsName {
  readonly layout: LmsLayout;
  readonly name: string;
  /** Canvas marks a late submission in its file names. */
  readonly late?: boolean;
}

/** One entry of a class folder (or one path named), and what became of it. */
export type ClassEntry =
  | {
      /** The entry as the instructor finds it: the path named, joined with the entry's name ("class/frank.zip"). */
      readonly entry: string;
      readonly status: "graded";
      readonly id: string;
      readonly student?: LmsName;
      /** Under --on-duplicate both: the id it shares with an entry graded before it. */
      readonly sameIdAs?: string;
    }
  | { readonly entry: string; readonly status: "skipped"; readonly reason: SkipReason };

export interface StudentFile {
  /** The path the rubric names, e.g. "src/kernel/cow.ts". */
  readonly path: string;
  /** Where it was found inside the submission, e.g. "lab/src/kernel/cow.ts". */
  readonly foundAt: string;
  readonly text: string;
}

export interface Intake {
  readonly source: SubmissionSource;
  readonly files: readonly StudentFile[];
  /** Student files that were not in the submission (the starter's stub runs in their place). */
  readonly missing: readonly string[];
  /** Things the student should know about what was taken, in sentences. */
  readonly notes: readonly string[];
  /** Set when the submission could not be read at all. */
  readonly error?: string;
}

// --- workspace: a submission ready to run ------------------------------------

/** A compiler message about a student file; line and column count from 1. */
/** How many syntax and type errors were found beyond those a result lists. */
export interface DiagnosticsNotShown {
  readonly syntax: number;
  readonly type: number;
}

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

/** What the integrity check (integrity.ts) looks for. */
export type IntegrityRule =
  | "import"
  | "node-module"
  | "package"
  | "hardware"
  | "require"
  | "dynamic-import"
  | "code-from-text"
  | "process"
  | "globals"
  | "test-framework"
  | "reflection";

/** One finding; line and column count from 1. */
export interface IntegrityFlag {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: IntegrityRule;
  /** For the student: what the line does and why it is not allowed. */
  readonly message: string;
}

export interface Workspace {
  /** Temporary folder: the kit's compiled code, the student's files, the hidden suites. */
  readonly dir: string;
  /** Syntax errors: when there is one, no test runs. */
  readonly syntaxErrors: readonly Diagnostic[];
  /** Type errors: reported, and the tests run anyway. */
  readonly typeErrors: readonly Diagnostic[];
  /** Errors of each kind found beyond those listed (none: all are listed). */
  readonly notShown?: DiagnosticsNotShown;
  /** What the integrity check flagged in the student files. */
  readonly flags: readonly IntegrityFlag[];
  /** Set when the files could not be compiled (in time, or at all): no test runs. */
  readonly notCompiled?: string;
  /** Set when the type check did not finish: the tests run, and no type error is reported. */
  readonly notTypeChecked?: string;
  /** CPU time the type checker was charged for these files, in ms (none when built without it). */
  readonly checkCpuMs?: number;
}

// --- run: what happened to each test ------------------------------------------

/**
 * How one unit (a hidden Jest test, or a threshold's scenario) ended:
 * "timeout" and "crashed" are seen from outside the process that ran it.
 */
export type UnitStatus = "passed" | "failed" | "skipped" | "timeout" | "crashed";

/** What a threshold's scenario reported on the submission. */
export interface ScenarioOutcome {
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly audit: readonly string[];
  /** The rubric's figure, or null when the scenario never got that far. */
  readonly value: number | null;
}

export interface UnitOutcome {
  /** "<suite file> › <describe> › <test>", or "threshold:<id>". */
  readonly key: string;
  readonly status: UnitStatus;
  /** Why it failed (empty when it passed); may hold expected values: never shown for hidden tests. */
  readonly message: string;
  /** What the code printed during the unit, cut short. */
  readonly logs: string;
  /** Engine steps the student's code took in the unit (the sandbox's count). */
  readonly steps?: number;
  readonly scenario?: ScenarioOutcome;
  /** Where its run first differed from the reference kernel's (grader/difference), when the worker could tell. */
  readonly difference?: Difference;
}

export interface RunReport {
  readonly outcomes: readonly UnitOutcome[];
  /** Processes started for this submission (more than one after a time-out or a crash). */
  readonly processes: number;
  /** Time spent waiting for a ready worker, in ms. */
  readonly startupMs: number;
  /** Time spent running tests, in ms. */
  readonly testMs: number;
  /** What the sandbox cost, as the workers measured it (for the benchmarks; never scored). */
  readonly engine?: EngineCost;
  /** Student files that failed to load in the engine, and why (the worker's words: the sandbox's or the engine's). */
  readonly notLoaded?: readonly { readonly file: string; readonly message: string }[];
}

/** A worker's account of its sandbox (solution/src/engine/sandbox.ts SandboxStats) and its CPU time. */
export interface EngineCost {
  readonly builds: number;
  readonly buildMs: number;
  readonly calls: number;
  readonly callMs: number;
  readonly callbacks: number;
  readonly callbackMs: number;
  /** The worker's CPU time running this submission, in ms. */
  readonly cpuMs: number;
}

// --- score: one submission's result -------------------------------------------

export interface MeasuredFigure {
  readonly figure: string;
  /** On the submission; null when the scenario did not run correctly. */
  readonly measured: number | null;
  /** On the reference solution, for the same scenario. */
  readonly reference: number;
  readonly worst: number;
}

export interface ScoredItem {
  readonly id: string;
  readonly kind: "test" | "threshold";
  readonly part: string;
  readonly title: string;
  readonly maxScore: number;
  readonly score: number;
  readonly passed: boolean;
  readonly visibility: Visibility;
  /**
   * What the item says when it is shown in full (its failure message, what
   * the code printed, the hint): who may see it is visibility.ts's rule.
   */
  readonly output: string;
  /** What the instructor sees: the full failure messages. */
  readonly detail: string;
  readonly figure?: MeasuredFigure;
  /**
   * Set when the item failed on its own account (not because its part
   * could not run or a test it depends on failed): what a student may read
   * about it even when it is hidden ("" when the rubric gives no hint).
   */
  readonly hint?: string;
  /**
   * Set with `hint` when the run found where the submission's kernel first
   * differed from the reference kernel's: the view's hint then comes from
   * it (grader/difference/describe.ts), the rubric's hint being the fallback.
   */
  readonly difference?: Difference;
}

/** Points scored out of points possible. */
export interface Points {
  readonly score: number;
  readonly maxScore: number;
}

/** A part's total, its tests' and its thresholds' together (grader/_points.ts partTotals). */
export interface PartScore extends Points {
  readonly id: string;
  readonly title: string;
  readonly tests: Points;
  readonly thresholds: Points;
}

export type ResultStatus = "graded" | "grader-error";

/**
 * A student file the grader could not use, and what that cost: the parts
 * that need it score 0, and the others were graded with the reference's
 * version of it in its place (none when the lab has no reference copy of
 * its edit points: then every part scores 0).
 */
export interface UnusableFile {
  /** As the rubric names it ("src/kernel/uvmcopy.ts"). */
  readonly file: string;
  /** "syntax": it did not compile; "load": it compiled but failed to load (why in `detail`). */
  readonly cause: "syntax" | "load";
  /** The compiler's first errors (formatted), or why it did not load. */
  readonly detail: string;
  /** The file's syntax errors ([] when it did not load). */
  readonly errors: readonly Diagnostic[];
  /** The parts that scored 0 for it. */
  readonly zeroed: readonly string[];
  /** The other parts, graded with the reference's version of the file. */
  readonly withReference: readonly string[];
}

export interface SubmissionResult {
  readonly id: string;
  readonly source: string;
  readonly status: ResultStatus;
  readonly lab: string;
  readonly labVersion: string;
  readonly graderVersion: string;
  readonly seed: number;
  readonly score: number;
  readonly maxScore: number;
  /** Every item counts toward its part: the parts add up to `score`. */
  readonly parts: readonly PartScore[];
  readonly items: readonly ScoredItem[];
  /** Files, compiler messages and anything else about the whole submission, for the student. */
  readonly problems: readonly string[];
  readonly typeErrors: readonly Diagnostic[];
  /** What the integrity check flagged (none when the result says nothing). */
  readonly flags?: readonly IntegrityFlag[];
  /** Student files that did not compile or load, each costing its own parts (none when the result says nothing). */
  readonly unusable?: readonly UnusableFile[];
  /** For the instructor only: what went wrong in the grader itself. */
  readonly graderError?: string;
  /** The operating-system layer the student's code ran under (grader/sandbox); "none": no isolation. */
  readonly isolation?: IsolationLayer;
  /** Timings: never part of a score, left out when two results are compared. */
  readonly timing: SubmissionTiming;
}

/** Where one submission's grading time went. */
export interface SubmissionTiming {
  readonly totalMs: number;
  /** Waiting for a ready worker, and running its tests, in ms. */
  readonly startupMs: number;
  readonly testMs: number;
  /** CPU time the type checker was charged for its files, in ms. */
  readonly checkCpuMs?: number;
  /** What the sandbox cost in its worker. */
  readonly engine?: EngineCost;
}

// --- the batch: a class ---------------------------------------------------------

export interface SummaryColumn {
  readonly id: string;
  readonly title: string;
  readonly kind: "part" | "threshold";
  /** The part it counts toward (a part's column: its own id); a threshold's points are in its part's column too. */
  readonly part: string;
  readonly maxScore: number;
}

export interface SummaryRow {
  readonly id: string;
  readonly status: ResultStatus;
  readonly score: number;
  readonly maxScore: number;
  /** Keyed by column id. */
  readonly columns: Readonly<Record<string, number>>;
  /** Rubric ids of the items that did not get full marks. */
  readonly lost: readonly string[];
  readonly problems: readonly string[];
}

export interface ItemStats {
  readonly id: string;
  readonly title: string;
  readonly kind: "test" | "threshold";
  readonly passed: number;
  readonly graded: number;
}

export interface BatchSummary {
  readonly lab: string;
  readonly labVersion: string;
  readonly graderVersion: string;
  readonly seed: number;
  readonly maxScore: number;
  readonly columns: readonly SummaryColumn[];
  readonly rows: readonly SummaryRow[];
  readonly items: readonly ItemStats[];
  /** Messages for the instructor about the batch itself (the rubric, the reference run). */
  readonly warnings: readonly string[];
  /** The operating-system layer student code ran under (grader/sandbox); "none": no isolation. */
  readonly isolation?: IsolationLayer;
  /** Every entry of the paths graded, in order: graded (with its id) or not, and why. */
  readonly entries?: readonly ClassEntry[];
}
