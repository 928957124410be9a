#!/usr/bin/env node
// The kit's command line, `npm run oslab -- <command>`: the student's
// commands (run, trace) and the instructor's (demo, starter, grade, ...).
// Each instructor command's module is loaded only when that command runs,
// so `oslab run` does not pay for the grader's compiler or the handout's
// Markdown at start-up. bin/oslab.js calls main(); tests build the parser
// with oslabCli() and read each command's --help.

/* eslint-disable @typescript-eslint/no-require-imports */
import yargs, { Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { DEFAULT_LAB, labChoice, labOptions } from "./_lab-options";
import { scenarioCommands } from "./scenario-commands";

type Demo = typeof import("./demo");
type Starter = typeof import("./starter");
type Grade = typeof import("../grader/cli");
type Handout = typeof import("../handout/handout");
type Gradescope = typeof import("../grader/gradescope");

const demo = (): Demo => require("./demo");
const starter = (): Starter => require("./starter");
const grade = (): Grade => require("../grader/cli");
const handout = (): Handout => require("../handout/handout");
const gradescope = (): Gradescope => require("../grader/gradescope");

/** The whole command line, ready to parse `argv` (the arguments after the script). */
export function oslabCli(argv: readonly string[]): Argv {
  return scenarioCommands(yargs([...argv]).scriptName("oslab"))
    .command(
      "demo",
      "Run the seed experiments (examples/scenarios) and print their tables",
      (y) => y.example("$0 demo", "fork's cost against memory size, resident pages, fork then exec..."),
      () => {
        process.exitCode = demo().demo();
      },
    )
    .command(
      "starter",
      "Write starter/ from solution/ (its edit points stubbed); --check only compares",
      (y) =>
        y
          .option("check", {
            type: "boolean",
            default: false,
            describe: "write nothing; exit 1 when starter/ differs from what would be written",
          })
          .option("lab", {
            type: "string",
            default: DEFAULT_LAB,
            describe: "the lab, by the name of its folder in labs/",
          })
          .example("$0 starter", "regenerate starter/ after a change to solution/")
          .example("$0 starter --check", "what CI runs: is starter/ up to date?"),
      (args) => {
        process.exitCode = starter().starterCommand(args);
      },
    )
    .command(
      "grade <paths...>",
      "Grade submissions (folders, .zip, .tar.gz, or folders of them) into --out",
      (y) => grade().builder(y),
      async (args) => {
        process.exitCode = await grade().gradeCommand({
          paths: args.paths!, // <paths...>: yargs demands at least one
          ...labChoice(args),
          out: args.out,
          jobs: args.jobs,
          seed: args.seed,
          ...(args.templates !== undefined ? { templates: args.templates } : {}),
          ...(args.force ? { force: true } : {}),
          ...(args.onDuplicate !== undefined ? { onDuplicate: args.onDuplicate } : {}),
          ...(args.isolation !== undefined ? { isolation: args.isolation } : {}),
          ...(args.afterDueDate ? { afterDueDate: true } : {}),
          ...(args.published ? { published: true } : {}),
        });
      },
    )
    .command(
      "handout",
      "Build the lab's handout as HTML (and PDF with --pdf)",
      (y) => handout().builder(y),
      async (args) => {
        process.exitCode = await handout().handoutCommand(args);
      },
    )
    .command(
      "gradescope",
      "Build a Gradescope autograder zip (setup.sh, run_autograder, the grader, the lab's rubric and hidden suites)",
      (y) =>
        labOptions(y)
          .option("out", { type: "string", default: "autograder.zip", describe: "the zip to write" })
          .example("$0 gradescope", "autograder.zip, to upload to Gradescope")
          .example("$0 gradescope --lab-dir ../mylab --out mylab.zip", ""),
      async (args) => {
        process.exitCode = await gradescope().gradescopeCommand({ ...labChoice(args), out: args.out });
      },
    )
    .demandCommand(1, "Name a command (see --help)")
    .epilog("oslab COMMAND --help tells a command's options.")
    .strict()
    .help();
}

/** Runs the command line on the process's arguments. */
export function main(): void {
  void oslabCli(hideBin(process.argv)).parse();
}
