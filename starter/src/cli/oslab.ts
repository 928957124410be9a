// The student's command line: `npm run oslab -- run FILE` and
// `npm run trace -- FILE`. The kit's own command line (cli/oslab.ts at the
// kit's root) adds the instructor's commands to these.

import yargs, { Argv } from "yargs";
import * as run from "./run";
import * as trace from "./trace";

/** Adds the commands every copy of the kit has (student and instructor). */
export function studentCommands(y: Argv): Argv {
  return y
    .command(run.command, run.describeRun, run.builder, (args) => {
      process.exitCode = run.runCommand(args);
    })
    .command(trace.command, trace.describeTrace, trace.builder, (args) => {
      process.exitCode = trace.traceCommand(args);
    });
}

/** Runs the student's command line on `argv` (the arguments after the script). */
export function main(argv: string[]): void {
  void studentCommands(yargs(argv).scriptName("oslab"))
    .demandCommand(1, "Name a command: run or trace")
    .strict()
    .help()
    .parse();
}
