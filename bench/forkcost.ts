// Section 5: seed 002's fork-cost table in simulated cycles, from the
// example scenarios' snapshots (cli/forkcost.ts, shared with `oslab demo`).

import { FORK_COST_SIZES, forkCost } from "../cli/forkcost";

/** The table's rows (header first), one per size. */
export function forkCostRows(): string[][] {
  const rows = [
    [
      "size",
      "fork+exit, no write",
      "fork+exit, child writes all",
      "extra cycles per page written",
      "frames copied",
      "host ms",
    ],
  ];
  for (const mib of FORK_COST_SIZES) {
    const c = forkCost(mib);
    if (!c.run.result.ok) throw new Error(`seed002-fork-cost-${mib}mib failed: ${c.run.result.failures.join("; ")}`);
    rows.push([
      `${mib} MiB`,
      String(c.noWriteCycles),
      String(c.writeCycles),
      ((c.writeCycles - c.noWriteCycles) / c.framesCopied).toFixed(0),
      String(c.framesCopied),
      c.run.ms.toFixed(0),
    ]);
  }
  return rows;
}
