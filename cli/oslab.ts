#!/usr/bin/env node
// The kit's command line, `npm run oslab -- <command>`: the student's
// commands (run, trace) and the instructor's (demo, starter, grade, ...).

import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { studentCommands } from "../solution/src/cli/oslab";
import * as handout from "../handout/handout";
import * as demo from "./demo";
import * as starter from "./starter";
import * as grade from "../grader/cli";
import * as gradescope from "../grader/gradescope";

void studentCommands(yargs(hideBin(process.argv)).scriptName("oslab"))
  .command(demo.command, demo.describe, {}, () => {
    process.exitCode = demo.demo();
  })
  .command(
    starter.command,
    starter.describe,
    (y) =>
      y
        .option("check", {
          type: "boolean",
          default: false,
          describe: "exit 1 when starter/ differs from what it would write",
        })
        .option("lab", { type: "string", default: "cow", describe: "the lab (labs/<name>)" }),
    (args) => {
      process.exitCode = starter.starterCommand(args);
    },
  )
  .command(grade.command, grade.describe, grade.builder, async (args) => {
    process.exitCode = await grade.gradeCommand({
      paths: args.paths,
      lab: args.lab,
      out: args.out,
      jobs: args.jobs,
      seed: args.seed,
      ...(args.labDir !== undefined ? { labDir: args.labDir } : {}),
      ...(args.templates !== undefined ? { templates: args.templates } : {}),
    });
  })
  .command(handout.command, handout.describe, handout.builder, async (args) => {
    process.exitCode = await handout.handoutCommand(args);
  })
  .command(
    gradescope.command,
    gradescope.describe,
    (y) =>
      y
        .option("lab", { type: "string", default: "cow", describe: "the lab (labs/<name>)" })
        .option("out", { type: "string", default: "autograder.zip", describe: "the zip to write" })
        .option("lab-dir", { type: "string", describe: "the lab's folder, when not labs/<lab>" }),
    async (args) => {
      process.exitCode = await gradescope.gradescopeCommand({
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
