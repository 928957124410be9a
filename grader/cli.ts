// `oslab grade <paths...> --lab cow --out DIR [--jobs N] [--seed N]`: grades
// submissions (folders, .zip, .tar.gz, or folders of them) into DIR. Exit 0
// when the batch completed, whatever the students scored; 2 when the
// instructor's input (a path, the rubric) is wrong.

import os from "node:os";
import path from "node:path";
import type { Argv } from "yargs";
import { gradeBatch } from "./grade";
import { progress } from "./progress";
import { prepareTemplates } from "./report/report";

export interface GradeArgs {
  readonly paths: string[];
  readonly lab: string;
  readonly out: string;
  readonly jobs: number;
  readonly seed: number;
  readonly labDir?: string;
  /** A folder of report templates replacing the kit's by file name. */
  readonly templates?: string;
}

export function builder<T>(y: Argv<T>) {
  return y
    .positional("paths", { type: "string", array: true, demandOption: true, describe: "submissions to grade" })
    .option("lab", { type: "string", default: "cow", describe: "the lab (labs/<name>)" })
    .option("out", { type: "string", demandOption: true, describe: "output folder" })
    .option("jobs", { type: "number", default: os.availableParallelism(), describe: "submissions graded at once" })
    .option("seed", { type: "number", default: 1, describe: "seed for Math.random in the tests" })
    .option("lab-dir", { type: "string", describe: "the lab's folder, when not labs/<lab>" })
    .option("templates", {
      type: "string",
      describe: "a folder of report templates that replace the kit's by file name",
    })
    .epilog(
      "A .zip, .tar.gz or .tgz is one submission. A folder is one submission when a student file sits at its top " +
        "(cow.ts) or at its own path (src/kernel/cow.ts), or when exactly one subfolder holds student files; " +
        "otherwise it is a class: each subfolder or archive in it is one student's submission, named after it. " +
        "Writes <out>/<id>/results.json (Gradescope's format) and details.json, and <out>/summary.json, grades.csv, summary.html.",
    );
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
      onEvent: (e) => {
        if (e.type === "baseline") for (const w of e.warnings) err(`oslab grade: warning: ${w}\n`);
        if (e.type === "graded") {
          bar ??= progress(e.total);
          bar.graded(e.result, e.done, e.total);
        }
      },
    });
    (bar as ReturnType<typeof progress> | null)?.stop();
    const s = outcome.summary;
    const errors = s.rows.filter((r) => r.status === "grader-error").length;
    err(
      `oslab grade: graded ${s.rows.length} submission(s) of lab ${s.lab} in ${(outcome.timing.totalMs / 1000).toFixed(1)} s into ${args.out}` +
        (errors > 0 ? `; the grader failed on ${errors} (see summary.json)` : "") +
        "\n",
    );
    return 0;
  } catch (e) {
    (bar as ReturnType<typeof progress> | null)?.stop();
    err(`oslab grade: ${(e as Error).message}\n`);
    return 2;
  }
}
