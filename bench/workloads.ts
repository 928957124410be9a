// Section 3: every example scenario (examples/scenarios/*.json), run in this
// process on a fresh machine each: host time and the counters that say what
// the kernel did.

import fs from "node:fs";
import { EXAMPLES_DIR, runExample } from "../cli/examples";

/** The table's rows (header first), one per example scenario, by file name. */
export function workloadRows(): string[][] {
  const rows = [["scenario", "host ms", "cycles", "pageFaults", "cowCopies", "cowReuses", "framesCopied", "ok"]];
  const names = fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
  for (const name of names) {
    const { result, ms } = runExample(name);
    const c = result.counters;
    rows.push([
      name,
      ms.toFixed(1),
      String(c.cycles),
      String(c.pageFaults),
      String(c.cowCopies),
      String(c.cowReuses),
      String(c.framesCopied),
      result.ok && result.audit.length === 0 ? "yes" : "NO",
    ]);
  }
  return rows;
}
