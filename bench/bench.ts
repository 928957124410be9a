// `npm run bench`: the simulator's figures next to the host's. Prints, never
// judges a test: seed 002's fork loop against the same loop in C, the page
// faults Linux and the simulator count for one experiment, every example
// scenario's counters, the host memory a 1 GiB machine costs, and seed 002's
// fork-cost table in simulated cycles. About 30 s; C parts are skipped, with
// a note, when no C compiler is on PATH.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { table } from "../solution/src/cli/run";
import { compileC, findCompiler } from "./_cc";
import { forkCostRows } from "./forkcost";
import { formatForkLoop, forkLoop } from "./forkloop";
import { hostMemory, hostMemoryRows } from "./hostmem";
import { faultRows, linuxFaults } from "./linuxfaults";
import { workloadRows } from "./workloads";

const RUNS = 5; // timed runs per side of the fork loop

function main(out: (s: string) => void = console.log): void {
  const started = process.hrtime.bigint();
  const indent = (rows: string[][]): string =>
    table(rows)
      .map((l) => "   " + l)
      .join("\n");
  const cc = findCompiler();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-bench-"));
  try {
    const forkLoopC = cc === null ? null : compileC(cc, "fork_loop", tmp);
    const cowFaultsC = cc === null ? null : compileC(cc, "cow_faults", tmp);
    out(
      `oslab bench: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ` +
        `${os.platform()} ${os.release()}, C compiler: ${cc ?? "none"}`,
    );
    out(
      `load average ${os.loadavg()[0]!.toFixed(2)} over the last minute (other work on this host inflates wall times)\n`,
    );

    out("1. Seed 002's loop: 50 MiB touched, then 20 x (fork, the child writes every page, exit, wait)");
    out("   wall time of the whole process, start-up included");
    out(formatForkLoop(forkLoop({ runs: RUNS, cProgram: forkLoopC }), RUNS).join("\n") + "\n");

    out("2. Linux agreement: 50 MiB touched, fork, the child writes k pages and exits, the parent writes all");
    out("   Linux: bench/c/cow_faults.c, getrusage ru_minflt deltas; simulator: minorFaults deltas");
    if (cowFaultsC === null) out("   (no C compiler: the Linux column is skipped)");
    out(indent(faultRows([linuxFaults(100, cowFaultsC), linuxFaults(1000, cowFaultsC)])));
    out("   expected: the child faults k times (k copies); the parent faults once per page, copying nothing\n");

    out("3. Every example scenario (examples/scenarios), each on a fresh machine in this process");
    out(indent(workloadRows()) + "\n");

    out("4. Host memory of a 1 GiB simulated machine (fresh node process, after a full GC)");
    const mem = hostMemoryRows(hostMemory());
    out(indent(mem.rows));
    out(`   ${mem.verdict}\n`);

    out("5. Seed 002's fork-cost table in simulated cycles (cost model: solution/src/hw/cost.ts)");
    out(indent(forkCostRows()) + "\n");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  out(`bench: done in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

main();
