// `oslab grade <paths...> --lab cow --out DIR [--jobs N] [--seed N] [--isolation L]`:
// grades submissions (folders, .zip, .tar.gz, or folders of them) into DIR.
// Exit 0 when the batch completed, whatever the students scored; 2 when the
// instructor's input (a path, the rubric) is wrong, or when no isolation
// layer works here and --isolation none was not given.

import os from "node:os";
import path from "node:path";
import type { Argv } from "yargs";
import { Discovery } from "./discover";
import { entryText } from "./entries";
import { gradeBatch } from "./grade";
import { DUPLICATE_RULES, DuplicateRule } from "./model";
import { progress } from "./progress";
import { prepareTemplates } from "./report/report";
import { labOptions } from "../cli/_lab-options";
import { ISOLATION_LAYERS, ISOLATION_WORDS, IsolationLayer } from "./sandbox/isolation";

export interface GradeArgs {
  readonly paths: string[];
  readonly lab: string;
  readonly out: string;
  readonly jobs: number;
  readonly seed: number;
  readonly labDir?: string;
  /** A folder of report templates replacing the kit's by file name. */
  readonly templates?: string;
  /** Grade again the submissions an earlier run into --out finished. */
  readonly force?: boolean;
  /** Which of two entries with the same id is graded (default "error": neither, the command stops). */
  readonly onDuplicate?: DuplicateRule;
  /** The operating-system layer student code runs under; default the strongest available. */
  readonly isolation?: IsolationLayer;
  /** The students' reports are made after the due date: items shown after the due date are shown in full. */
  readonly afterDueDate?: boolean;
  /** The students' reports are made once grades are published (after the due date too). */
  readonly published?: boolean;
}

export function builder<T>(y: Argv<T>) {
  return labOptions(y)
    .positional("paths", {
      type: "string",
      array: true,
      default: undefined,
      describe: "the submissions: folders, .zip, .tar.gz or .tgz files, or a class folder holding one per student",
    })
    .option("out", {
      type: "string",
      demandOption: true,
      describe: "the folder to write each student's results and reports, and the class's summary, into",
    })
    .option("jobs", {
      type: "number",
      default: os.availableParallelism(),
      defaultDescription: "the number of CPU cores",
      describe: "how many submissions are graded at once",
    })
    .option("seed", {
      type: "number",
      default: 1,
      describe: "seeds Math.random in the hidden tests, so that a batch grades the same again",
    })
    .option("templates", {
      type: "string",
      describe: "a folder of report templates that replace the kit's by file name",
    })
    .option("force", {
      type: "boolean",
      default: false,
      describe: "grade again the submissions an earlier run into --out finished",
    })
    .option("on-duplicate", {
      choices: DUPLICATE_RULES,
      default: "error" as DuplicateRule,
      describe:
        "two entries with the same id (frank/ and frank.zip): error stops and names both; newest grades the one " +
        "changed last; folder or archive grades that kind (the newest of two alike); both grades each, the second as frank-2",
    })
    .option("isolation", {
      choices: ISOLATION_LAYERS,
      describe:
        "how student code is isolated: bwrap (bubblewrap), user (an unprivileged user), none; default the strongest available",
    })
    .option("after-due-date", {
      type: "boolean",
      default: false,
      describe:
        'the students\' reports show in full the tests and thresholds the rubric shows "after_due_date" (hidden ones never)',
    })
    .option("published", {
      type: "boolean",
      default: false,
      describe:
        'grades are published: the students\' reports show in full the items shown "after_due_date" and "after_published"',
    })
    .example("$0 grade class/ --out graded", "a class: one subfolder or archive a student")
    .example("$0 grade a.zip b.tgz --out graded", "two submissions")
    .example("$0 grade class/ --out graded --lab-dir ../mylab", "")
    .epilog(
      "A .zip, .tar.gz or .tgz is one submission (a .zip may instead hold a class, below). A folder is one submission when a student file sits at its top " +
        "(cow.ts) or at its own path (src/kernel/cow.ts), or when exactly one subfolder holds student files; " +
        "otherwise it is a class: each subfolder or archive in it is one student's submission, named after it. " +
        "A class may be an LMS's bulk download as it comes: Gradescope's export (students named by its submission_metadata.yml), " +
        "Canvas's (name_userid_submissionid_file, grouped by student), Moodle's (a folder or files per participant), " +
        "or a .zip of per-student archives. Every entry is listed, graded under its id or not graded and why " +
        "(an archive the grader cannot read, such as .rar; not a submission; empty), here and in summary.json and summary.html. " +
        "Writes <out>/<id>/results.json (Gradescope's format), report.html and report.md (the student's: hidden items show only " +
        "their part, points and hint), instructor.html and details.json (the instructor's: everything), and <out>/summary.json, " +
        "grades.csv, summary.html (the instructor's). " +
        "Run the same command again after a crash or a kill: submissions already graded (same files, grader, lab and seed) " +
        "are not graded again unless --force. " +
        "Student code runs under bubblewrap where it works, else (as root) as an unprivileged user; with neither, " +
        "nothing is graded unless --isolation none.",
    );
}

/** What the command says of the paths before grading: every entry, graded under which id or not and why. */
export function discoveredText(d: Discovery): string {
  const graded = d.entries.filter((e) => e.status === "graded").length;
  const head =
    `oslab grade: ${d.entries.length} ${d.entries.length === 1 ? "entry" : "entries"}: ` +
    `${graded} graded as ${d.sources.length} submission(s), ${d.entries.length - graded} not graded\n`;
  const lines = d.entries.map((e) => `  ${entryText(e)}\n`).join("");
  return head + lines + d.warnings.map((w) => `oslab grade: warning: ${w}\n`).join("");
}

/** Runs the command; resolves to the exit status. */
export async function gradeCommand(
  args: GradeArgs,
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  let bar: ReturnType<typeof progress> | null = null;
  try {
    const outcome = await gradeBatch(args.paths, {
      lab: args.lab,
      out: path.resolve(args.out),
      jobs: args.jobs,
      seed: args.seed,
      ...(args.labDir !== undefined ? { labDir: args.labDir } : {}),
      ...(args.templates !== undefined ? { templates: prepareTemplates(args.templates) } : {}),
      ...(args.force === true ? { force: true } : {}),
      ...(args.onDuplicate !== undefined ? { onDuplicate: args.onDuplicate } : {}),
      ...(args.isolation !== undefined ? { isolation: args.isolation } : {}),
      audience: {
        kind: "student",
        moment:
          args.published === true ? "published" : args.afterDueDate === true ? "after-due-date" : "before-due-date",
      },
      onEvent: (e) => {
        if (e.type === "discovered") err(discoveredText(e.discovery));
        if (e.type === "baseline") for (const w of e.warnings) err(`oslab grade: warning: ${w}\n`);
        if (e.type === "graded") {
          bar ??= progress(e.total);
          bar.graded(e.result, e.done, e.total, e.resumed);
        }
      },
    });
    (bar as ReturnType<typeof progress> | null)?.stop();
    const s = outcome.summary;
    const errors = s.rows.filter((r) => r.status === "grader-error").length;
    const resumed = outcome.resumed.length;
    const isolation = s.isolation ?? "none";
    err(`oslab grade: isolation: ${isolation} (${ISOLATION_WORDS[isolation]})\n`);
    err(
      `oslab grade: graded ${s.rows.length} submission(s) of lab ${s.lab} in ${(outcome.timing.totalMs / 1000).toFixed(1)} s into ${args.out}` +
        (resumed > 0
          ? ` (${resumed} finished by an earlier run and not graded again; --force grades them again)`
          : "") +
        (errors > 0
          ? `; the grader itself failed on ${errors} (a bug of the grader's, not the students': see "Grader error" in summary.json)`
          : "") +
        "\n",
    );
    return 0;
  } catch (e) {
    (bar as ReturnType<typeof progress> | null)?.stop();
    err(`oslab grade: ${(e as Error).message}\n`);
    return 2;
  }
}
