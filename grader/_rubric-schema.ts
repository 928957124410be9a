// The rubric's shape (labs/<lab>/rubric.json) as one zod schema: its checks,
// its defaults, and the words of the reference table in labs/cow/README.md
// (written by `node bin/build.js grader/rubric-table`, compared by its test),
// so the three cannot drift apart. Unknown keys are refused: a misspelled
// "visiblity" must not leave a hidden test visible. Checks that need the
// whole rubric (ids that are named elsewhere) are rubric.ts's.

import { DEFAULT_ENGINE_LIMITS } from "../solution/src/engine/limits";
import { z } from "zod";
import type { Counters } from "../solution/src/hw/machine";
import type { ProcFigures } from "../solution/src/scenario/run";
import { INTEGRITY_POLICIES, Limits, VISIBILITIES } from "./model";
import { JsonSchema, jsonSchemaOf } from "./_schema-issues";
import { closest } from "./_suggest";

/** The limits a rubric leaves out. */
export const DEFAULT_LIMITS: Limits = {
  wallSeconds: 60,
  memoryMb: 512,
  stepBudget: 20_000_000,
  engineSteps: DEFAULT_ENGINE_LIMITS.steps,
  engineMemoryMb: DEFAULT_ENGINE_LIMITS.memoryBytes / (1024 * 1024),
  engineStackKb: DEFAULT_ENGINE_LIMITS.stackBytes / 1024,
  testSeconds: 10,
  compileSeconds: 30,
  archiveMb: 20,
  unpackedMb: 200,
  fileKb: 1024,
  entries: 20_000,
  outputKb: 4,
  submissionOutputKb: 64,
};

// Every counter of the machine (solution/src/hw/machine.ts): the compiler
// checks this list against the Counters type, both ways.
const COUNTERS: Readonly<Record<keyof Counters, true>> = {
  pageFaults: true,
  cowFaults: true,
  cowCopies: true,
  cowReuses: true,
  demandZeroFaults: true,
  segfaults: true,
  oomKills: true,
  framesCopied: true,
  framesZeroed: true,
  framesAllocated: true,
  framesFreed: true,
  framesInUse: true,
  pageTableFrames: true,
  tlbFlushes: true,
  cycles: true,
};

type NumericKeys<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

// A process's figures that are numbers (solution/src/scenario/run.ts ProcFigures; state and killedBy are words).
const PROCESS_FIGURES: Readonly<Record<NumericKeys<ProcFigures>, true>> = {
  pid: true,
  minorFaults: true,
  rssPages: true,
  sharedPages: true,
  privatePages: true,
};

/** The counters a threshold may name ("framesCopied"). */
export const COUNTER_FIGURES: readonly string[] = Object.keys(COUNTERS);
/** The figures of a process a threshold may name as PROC.FIGURE ("C.minorFaults"). */
export const PROCESS_FIGURE_NAMES: readonly string[] = Object.keys(PROCESS_FIGURES);

const list = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(", ");

const text = (what = "must be a non-empty string") => z.string({ error: what }).min(1, { error: what });
const positive = (what = "must be a positive number") => z.number({ error: what }).positive({ error: what });
const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: (iss) => `must be one of ${list(values)}, not ${JSON.stringify(iss.input)}` });

const ID = /^[A-Za-z0-9_-]+$/;
const id = () =>
  text().regex(ID, { error: (iss) => `must be letters, digits, "-" or "_", not ${JSON.stringify(iss.input)}` });

const relativePath = text().refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), {
  error: "must be a relative path inside the project",
});

/** Why `figure` is not one a scenario's result has (protocol.ts figureOf), or null when it is. */
export function figureProblem(figure: string): string | null {
  const dot = figure.indexOf(".");
  const [proc, name, known] =
    dot < 0 ? ["", figure, COUNTER_FIGURES] : [figure.slice(0, dot), figure.slice(dot + 1), PROCESS_FIGURE_NAMES];
  if (dot >= 0 && !ID.test(proc)) return `must be a counter or PROC.FIGURE, not ${JSON.stringify(figure)}`;
  if (known.includes(name)) return null;
  const near = closest(name, known);
  const what = dot < 0 ? "is no counter of the machine" : "is no figure of a process";
  return near !== null
    ? `${what}: "${figure}" (did you mean "${dot < 0 ? near : `${proc}.${near}`}"?)`
    : `${what}: "${figure}" (${FIGURES_IN_WORDS})`;
}

const FIGURES_IN_WORDS =
  `a counter (${COUNTER_FIGURES.join(", ")}) or PROC.FIGURE, the figure of the process the scenario ` +
  `binds to PROC (${PROCESS_FIGURE_NAMES.join(", ")})`;

const figure = text().superRefine((f, ctx) => {
  const problem = figureProblem(f);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

const visibility = oneOf(VISIBILITIES as [(typeof VISIBILITIES)[number], ...(typeof VISIBILITIES)[number][]])
  .default("visible")
  .describe(
    'Gradescope\'s: "visible" always shown; "after_due_date"; "after_published" once grades are published; ' +
      '"hidden" never shown (the student sees the part, the points and the hint; so does a student before the item is shown in full). The instructor sees everything (grader/visibility.ts)',
  );

const hint = text()
  .default("")
  .describe("one sentence a student sees when the item fails, even when it is hidden: what to think about");

const LIMIT_WORDS: Readonly<Record<keyof Limits, string>> = {
  wallSeconds: "wall-clock time of one submission, all its tests together",
  testSeconds:
    "CPU time of one test before its process is stopped from outside (an endless loop, a microtask loop); a test blocked without using CPU is stopped after four times as long",
  memoryMb:
    "memory of the process running one submission: its JavaScript heap, and its resident memory (buffers included), watched from outside",
  stepBudget:
    "machine steps of one booted machine: a runaway kernel loop stops the test it is in, the same way everywhere",
  engineSteps:
    "engine steps the student's code may take in one test (a call into the kernel is one, and so is a promise callback; its own loops are counted by the engine): an endless loop fails that test, at the same point on any machine",
  engineMemoryMb:
    "the engine's memory in all, at least 16: the student's objects, arrays and strings and about 5 MiB of the engine's own; an allocation past it fails the test (\"used more than 64 MiB of memory\"), the same on any machine",
  engineStackKb: "the engine's stack for the student's code (how deep its calls may nest)",
  compileSeconds:
    "CPU time for compiling, checking and type-checking one submission's files, charged to that submission alone (a warm checker process per grading lane)",
  archiveMb: "the size of a submitted .zip or .tar.gz",
  unpackedMb: "bytes unpacked from one archive: the files read, and for a .tar.gz every byte it unpacks to",
  fileKb: "one student file",
  entries: "entries of an archive, or files of a submitted folder",
  outputKb: "what one test may print that is kept for the student",
  submissionOutputKb: "what one submission may print that is kept, all its tests together",
};

const limits = z
  .strictObject(
    Object.fromEntries(
      (Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]).map((k) => [
        k,
        positive().default(DEFAULT_LIMITS[k]).describe(LIMIT_WORDS[k]),
      ]),
    ) as { [K in keyof Limits]: z.ZodDefault<z.ZodNumber> },
    { error: "must be an object" },
  )
  .default(DEFAULT_LIMITS)
  .describe("what one submission may use; each limit is optional");

const part = z
  .strictObject(
    {
      id: id().describe('the part\'s id ("A"); ids are unique among parts, tests and thresholds'),
      title: text().describe("what the part is about, as students see it"),
      files: z
        .array(text(), { error: "must be a list" })
        .describe("the student files this part needs (each one of studentFiles): one missing scores the part 0"),
    },
    { error: "must be an object" },
  )
  .describe("a part of the lab, scored and shown apart");

const test = z
  .strictObject(
    {
      id: id().describe(
        'the id; the hidden Jest test\'s title is the id, a space, then the title ("A2 fork makes...")',
      ),
      part: text().describe("the id of its part"),
      title: text().describe("what the test checks"),
      points: positive().describe("all or nothing"),
      visibility,
      dependsOn: z
        .array(text(), { error: "must be a list" })
        .default([])
        .describe('ids of tests that must pass for this one to score (else it scores 0 and says "depends on A1")'),
      hint,
      scenario: text()
        .optional()
        .describe(
          "a scenario file (relative to the lab's folder) to draw when the test fails; else its part's thresholds'",
        ),
    },
    { error: "must be an object" },
  )
  .describe("one hidden Jest test");

const threshold = z
  .strictObject(
    {
      id: id().describe('the id ("T1")'),
      part: text().describe(
        "the id of the part its points count toward (required: every report totals each part's tests and thresholds, and the parts add up to the score)",
      ),
      title: text().describe("what the figure shows"),
      scenario: text().describe("the scenario file (the `oslab run` format), relative to the lab's folder"),
      figure: figure.describe(`what is measured at the end of the run: ${FIGURES_IN_WORDS}`),
      worst: z
        .number({ error: "must be a number, 0 or more" })
        .min(0, { error: "must be a number, 0 or more" })
        .describe("the figure at or beyond which the threshold scores 0 (full points at or below the reference's)"),
      points: positive().describe("full credit at or below the reference's figure, linear down to 0 at worst"),
      visibility,
      hint,
    },
    { error: "must be an object" },
  )
  .describe("a performance figure of a scenario, measured on the submission and on the reference");

const releaseTokens = z
  .strictObject(
    {
      tokens: z
        .number({ error: "must be a whole number, 1 or more" })
        .int({ error: "must be a whole number, 1 or more" })
        .min(1, { error: "must be a whole number, 1 or more" })
        .describe("how many submissions in the window get their hidden tests' hints"),
      hours: positive().default(24).describe("the window, in hours, counted back from each submission's time"),
    },
    { error: "must be an object" },
  )
  .optional()
  .describe(
    "on Gradescope, hidden tests' hints are shown on at most `tokens` submissions in any `hours` hours (counted from Gradescope's previous submissions; a run the grader itself failed costs none); absent: on every submission",
  );

/** The whole rubric, as written (before the checks across items). */
export const RUBRIC_SCHEMA = z.strictObject(
  {
    lab: text().describe("the lab's name, as in lab.json"),
    version: z
      .union([z.string(), z.number()], { error: "must be a non-empty string or a number" })
      .transform(String)
      .refine((v) => v !== "", { error: "must be a non-empty string or a number" })
      .describe(
        "bump it whenever a hidden test, a threshold, a limit or the integrity rule changes: results graded under different rubrics are never mixed",
      ),
    scoring: z.string({ error: "must be a string" }).optional().describe("the scoring rule in words, for people"),
    studentFiles: z
      .array(relativePath, { error: "must be a list" })
      .min(1, { error: "must name at least one file" })
      .describe("the only files taken from a submission, relative to the project's root; the rest comes from the kit"),
    limits,
    integrity: z
      .strictObject(
        {
          flagged: oneOf(INTEGRITY_POLICIES as ["zero-tests", "zero-part", "report-only"])
            .default("zero-tests")
            .describe(
              'what a flag of the static integrity check costs: "zero-tests" the tests of every part needing the flagged file; "zero-part" its thresholds too; "report-only" nothing',
            ),
        },
        { error: "must be an object" },
      )
      .default({ flagged: "zero-tests" })
      .describe("the integrity check's rule"),
    parts: z.array(part, { error: "must be a list" }).describe("the parts of the lab"),
    tests: z.array(test, { error: "must be a list" }).describe("one entry per hidden Jest test"),
    thresholds: z.array(threshold, { error: "must be a list" }).default([]).describe("performance figures"),
    releaseTokens,
  },
  { error: "must be an object" },
);

/** A rubric as the schema reads it. */
export type RawRubric = z.output<typeof RUBRIC_SCHEMA>;

/** The rubric's shape as JSON Schema (what its input may be), for the README's table and key suggestions. */
export function rubricJsonSchema(): JsonSchema {
  return jsonSchemaOf(RUBRIC_SCHEMA);
}
