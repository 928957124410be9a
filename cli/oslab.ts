#!/usr/bin/env node
// The kit's command line, `npm run oslab -- <command>`: the student's
// commands (run, trace) and the instructor's (demo, starter, grade, ...).
// Each instructor command's module is loaded only when that command runs,
// so `oslab run` does not pay for the grader's compiler or the handout's
// Markdown at start-up.

/* eslint-disable @typescript-eslint/no-require-imports */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { studentCommands } from "../solution/src/cli/oslab";

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

void studentCommands(yargs(hideBin(process.argv)).scriptName("oslab"))
  .command("demo", "Run the seed experiments (examples/scenarios) and print their tables", {}, () => {
    process.exitCode = demo().demo();
  })
  .command(
    "starter",
    "Write starter/ from solution/ (three functions stubbed); --check only compares",
    (y) =>
      y
        .option("check", {
          type: "boolean",
          default: false,
          describe: "exit 1 when starter/ differs from what it would write",
        })
        .option("lab", { type: "string", default: "cow", describe: "the lab (labs/<name>)" }),
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
        paths: args.paths,
        lab: args.lab,
        out: args.out,
        jobs: args.jobs,
        seed: args.seed,
        ...(args.labDir !== undefined ? { labDir: args.labDir } : {}),
        ...(args.templates !== undefined ? { templates: args.templates } : {}),
        ...(args.force ? { force: true } : {}),
        ...(args.onDuplicate !== undefined ? { onDuplicate: args.onDuplicate } : {}),
        ...(args.isolation !== undefined ? { isolation: args.isolation } : {}),
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
    "Build a Gradescope autograder zip (setup.sh, run_autograder, the kit and hidden suites)",
    (y) =>
      y
        .option("lab", { type: "string", default: "cow", describe: "the lab (labs/<name>)" })
        .option("out", { type: "string", default: "autograder.zip", describe: "the zip to write" })
        .option("lab-dir", { type: "string", describe: "the lab's folder, when not labs/<lab>" }),
    async (args) => {
      process.exitCode = await gradescope().gradescopeCommand({
        lab: args.lab,
        out: args.out,
        ...(args.labDir !== undefined ? { labDir: args.labDir } : {}),
      });
    },
  )
  .demandCommand(1, "Name a command (see --help)")
  .strict()
  .help()
  .parse();
