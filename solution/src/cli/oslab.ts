#!/usr/bin/env node
// The student's command line: `npm run oslab -- run FILE` and
// `npm run trace -- FILE`. The kit's own command line (cli/oslab.ts at the
// kit's root) adds the instructor's commands to these.

import yargs, { Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import * as run from "./run";

/** Adds the commands every copy of the kit has (student and instructor). */
export function studentCommands(y: Argv): Argv {
  return y.command(run.command, run.describeRun, run.builder, (args) => {
    process.exitCode = run.runCommand(args);
  });
}

if (require.main === module) {
  void studentCommands(yargs(hideBin(process.argv)).scriptName("oslab"))
    .demandCommand(1, "Name a command: run")
    .strict()
    .help()
    .parse();
}
