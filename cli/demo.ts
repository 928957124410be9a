// `npm run demo`: runs the seed experiments in examples/scenarios through
// the reference kernel and prints their tables, the simulator's answer to
// the questions students ask (shared/seeds).

import { table } from "../solution/src/cli/run";
import { TimedRun } from "./examples";
import { forkCosts, otherExperiments, problemsOf, rssExperiment } from "./experiments";

/** Prints every table; returns 0 when every experiment's expectations held. */
export function demo(out: (s: string) => void = console.log): number {
  let failed = 0;
  const check = (name: string, t: TimedRun): void => {
    const problems = problemsOf(t);
    if (problems.length > 0) {
      failed++;
      out(`  ${name} FAILED: ${problems.join("; ")}`);
    }
  };

  out("Seed 002: what fork() costs, in simulated cycles (cost model: solution/src/hw/cost.ts)\n");
  const rows = [["size", "fork+exit, no write", "fork+exit, child writes all", "frames copied", "host ms"]];
  for (const c of forkCosts()) {
    check(`seed002-fork-cost-${c.mib}mib`, c.run);
    rows.push([
      `${c.mib} MiB`,
      String(c.noWriteCycles),
      String(c.writeCycles),
      String(c.framesCopied),
      c.run.ms.toFixed(0),
    ]);
  }
  out(table(rows).join("\n"));
  out(
    "\nWithout a write, fork copies page tables only; a child that writes pays for one fault and one copy per page.\n",
  );

  out("Seed 002: resident pages of a 50 MiB parent and its child");
  const rss = rssExperiment();
  check("seed002-rss", rss.run);
  const rssRows = [["moment", "process", "rss", "shared", "private"]];
  for (const r of rss.rows) rssRows.push([r.moment, r.proc, String(r.rss), String(r.shared), String(r.private)]);
  out(table(rssRows).join("\n") + "\n");

  const otherRows = [
    ["experiment", "what happens", "pageFaults", "cowCopies", "cowReuses", "demandZero", "framesCopied"],
  ];
  for (const e of otherExperiments()) {
    check(e.name, e.run);
    const c = e.counters;
    otherRows.push([
      e.name,
      e.what,
      String(c.pageFaults),
      String(c.cowCopies),
      String(c.cowReuses),
      String(c.demandZeroFaults),
      String(c.framesCopied),
    ]);
  }
  out("The other seed experiments (counters at the end of each run)");
  out(table(otherRows).join("\n"));
  out(failed === 0 ? "\nEvery experiment's expectations held." : `\n${failed} experiment(s) failed.`);
  return failed === 0 ? 0 : 1;
}
