// `npm run demo`: runs the seed experiments in examples/scenarios through
// the reference kernel and prints their tables, the simulator's answer to
// the questions students ask (shared/seeds).

import { table } from "../solution/src/cli/run";
import { TimedRun, runExample, snapshotOf } from "./examples";
import { FORK_COST_SIZES, forkCost } from "./forkcost";

export const command = "demo";
export const describe = "Run the seed experiments (examples/scenarios) and print their tables";

/** Prints every table; returns 0 when every experiment's expectations held. */
export function demo(out: (s: string) => void = console.log): number {
  let failed = 0;
  const check = (name: string, t: TimedRun): void => {
    if (!t.result.ok || t.result.audit.length > 0) {
      failed++;
      out(`  ${name} FAILED: ${[...t.result.failures, ...t.result.audit].join("; ")}`);
    }
  };

  out("Seed 002: what fork() costs, in simulated cycles (cost model: solution/src/hw/cost.ts)\n");
  const rows = [["size", "fork+exit, no write", "fork+exit, child writes all", "frames copied", "host ms"]];
  for (const mib of FORK_COST_SIZES) {
    const c = forkCost(mib);
    check(`seed002-fork-cost-${mib}mib`, c.run);
    rows.push([
      `${mib} MiB`,
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
  const rss = runExample("seed002-rss");
  check("seed002-rss", rss);
  const rssRows = [["moment", "process", "rss", "shared", "private"]];
  for (const [label, who] of [
    ["parent-before-fork", "P"],
    ["child-after-fork", "C"],
    ["child-after-fork", "P"],
    ["child-after-write", "C"],
    ["child-after-write", "P"],
    ["parent-after-child", "P"],
  ] as const) {
    const p = snapshotOf(rss.result, label).processes[who]!;
    rssRows.push([label, who, String(p.rssPages), String(p.sharedPages), String(p.privatePages)]);
  }
  out(table(rssRows).join("\n") + "\n");

  const others: [string, string][] = [
    ["seed002-global-array", "4 MiB array in bss; the child changes 10 ints"],
    ["seed001-many-forks", "three forks before any write, then everyone writes"],
    ["seed003-fork-exec", "fork, the child execs, then the parent writes 1 MiB"],
    ["seed004-zero-fill", "sbrk 100 pages, touch 12"],
    ["seed002-linux-faults", "child writes k=100 of 12800 pages, exits; parent writes all"],
  ];
  const otherRows = [
    ["experiment", "what happens", "pageFaults", "cowCopies", "cowReuses", "demandZero", "framesCopied"],
  ];
  for (const [name, what] of others) {
    const t = runExample(name);
    check(name, t);
    const c = t.result.counters;
    otherRows.push([
      name,
      what,
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
