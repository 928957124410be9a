// `oslab run` and `oslab trace` as the kit's command line has them: the
// student's commands (solution/src/cli, shipped in starter/ as they are),
// with --lab-dir to read a scenario from a lab's folder, wherever it is
// (`oslab run thresholds/fork-copies-nothing.json --lab-dir ../mylab`), and
// examples. The scenario runs on the kit's reference kernel.

import path from "node:path";
import type { Argv } from "yargs";
import * as run from "../solution/src/cli/run";
import * as trace from "../solution/src/cli/trace";

const LAB_DIR = {
  type: "string",
  describe: "a lab's folder: FILE is read from it (its thresholds/*.json) unless FILE is absolute",
} as const;

/** Adds `run` and `trace` to the kit's command line. */
export function scenarioCommands(y: Argv): Argv {
  return y
    .command(
      run.command,
      run.describeRun,
      (c) =>
        run
          .builder(c)
          .option("lab-dir", LAB_DIR)
          .example("$0 run my-scenario.json", "its counters and figures")
          .example("$0 run my-scenario.json --json", "the same, as JSON")
          .example("$0 run thresholds/n-sharers.json --lab-dir labs/cow --audit", "")
          .epilog("Exit 0 when every expectation held, 1 when one failed, 2 when the file is invalid."),
      (args) => {
        process.exitCode = run.runCommand({ ...args, file: inLab(args.file, args.labDir) });
      },
    )
    .command(
      trace.command,
      trace.describeTrace,
      (c) =>
        trace
          .builder(c)
          .option("lab-dir", LAB_DIR)
          .example("$0 trace my-scenario.json", "each step, as text")
          .example("$0 trace my-scenario.json --html trace.html", "")
          .example("$0 trace thresholds/n-sharers.json --lab-dir labs/cow", "")
          .epilog("Exit status as oslab run's."),
      (args) => {
        process.exitCode = trace.traceCommand({ ...args, file: inLab(args.file, args.labDir) });
      },
    );
}

/** The scenario file a command reads: FILE, or with --lab-dir, FILE inside that folder. */
export function inLab(file: string, labDir: string | undefined): string {
  return labDir === undefined ? file : path.resolve(labDir, file);
}
