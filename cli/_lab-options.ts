// The options that say which lab a command works on, the same for every
// command: --lab NAME (a folder of the kit's labs/) or --lab-dir DIR (a
// lab's folder anywhere, such as a copy of labs/cow an instructor changed).

import type { Argv } from "yargs";

/** The lab a command works on when it is given neither option. */
export const DEFAULT_LAB = "cow";

/** Adds --lab and --lab-dir (one or the other) to a command. */
export function labOptions<T>(y: Argv<T>) {
  return y
    .option("lab", {
      type: "string",
      defaultDescription: JSON.stringify(DEFAULT_LAB),
      describe: "the lab, by the name of its folder in the kit's labs/",
    })
    .option("lab-dir", {
      type: "string",
      conflicts: "lab",
      describe:
        "a lab's folder anywhere, instead of --lab: its rubric.json, tests/, thresholds/, " +
        "and lab.json and handout.md (else those of the kit's lab its rubric names)",
    });
}

/** The lab options as a command's own: `lab` always, `labDir` when given. */
export function labChoice(args: { lab?: string | undefined; labDir?: string | undefined }): {
  lab: string;
  labDir?: string;
} {
  return { lab: args.lab ?? DEFAULT_LAB, ...(args.labDir !== undefined ? { labDir: args.labDir } : {}) };
}
