#!/usr/bin/env node
// The kit's command line, `npm run oslab -- <command>`: the student's
// commands (run, trace) and the instructor's (demo, starter, grade, ...).

import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { studentCommands } from "../solution/src/cli/oslab";
import * as demo from "./demo";

void studentCommands(yargs(hideBin(process.argv)).scriptName("oslab"))
  .command(demo.command, demo.describe, {}, () => {
    process.exitCode = demo.demo();
  })
  .demandCommand(1, "Name a command (see --help)")
  .strict()
  .help()
  .parse();
