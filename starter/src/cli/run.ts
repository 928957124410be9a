// `oslab run FILE [--json]`: runs a scenario and prints what happened.
// Exit status: 0 when every expectation held, 1 when one failed, 2 when the
// file itself is invalid (the message names the step and the field).

import type { Argv } from "yargs";
import { COUNTER_NAMES } from "../hw/machine";
import { ScenarioError, loadScenario } from "../scenario/parse";
import { ScenarioResult, runScenario } from "../scenario/run";
import { Scenario } from "../scenario/types";

export interface RunArgs {
  file: string;
  json: boolean;
  audit: boolean;
}

export const command = "run <file>";
export const describeRun = "Run a scenario file and print the counters and figures";

export function builder(y: Argv): Argv<RunArgs> {
  return y
    .positional("file", { type: "string", demandOption: true, describe: "scenario JSON file" })
    .option("json", { type: "boolean", default: false, describe: "print one JSON object (SCENARIOS.md)" })
    .option("audit", {
      type: "boolean",
      default: false,
      describe: "also fail when the kernel's state is unsound at the end (leaks, wrong reference counts)",
    }) as unknown as Argv<RunArgs>;
}

/** Runs the command; returns the exit status. */
export function runCommand(args: RunArgs, out: (s: string) => void = console.log): number {
  let scenario: Scenario;
  try {
    scenario = loadScenario(args.file);
  } catch (e) {
    if (e instanceof ScenarioError) {
      out(e.where === "" ? e.message : `${args.file}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const started = process.hrtime.bigint();
  const result = runScenario(scenario);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (args.audit && result.audit.length > 0) {
    result.ok = false;
    result.failures.push(...result.audit.map((p) => `audit: ${p}`));
  }
  out(args.json ? JSON.stringify(jsonOf(result), null, 2) : formatResult(scenario, result, ms));
  return result.ok ? 0 : 1;
}

/** What `--json` prints: the fields SCENARIOS.md lists (the failed steps as data stay inside the kit). */
export function jsonOf(r: ScenarioResult): Omit<ScenarioResult, "failedSteps"> {
  const { failedSteps: _, ...json } = r;
  return json;
}

/** The human-readable report of a run. */
export function formatResult(scenario: Scenario, r: ScenarioResult, ms: number): string {
  const lines: string[] = [];
  lines.push(`${scenario.name}${scenario.description ? ": " + scenario.description : ""}`);
  lines.push(
    r.ok ? "  every expectation held" : `  FAILED: ${r.failures.length} failure${r.failures.length === 1 ? "" : "s"}`,
  );
  for (const f of r.failures) lines.push(`    ${f}`);
  lines.push("", "counters");
  for (const name of COUNTER_NAMES) lines.push(`  ${name.padEnd(18)} ${r.counters[name]}`);
  lines.push("", "processes");
  const header = ["name", "pid", "state", "killedBy", "minorFaults", "rssPages", "sharedPages", "privatePages"];
  const rows = Object.entries(r.processes).map(([name, p]) => [
    name,
    String(p.pid),
    p.state,
    p.killedBy ?? "-",
    String(p.minorFaults),
    String(p.rssPages),
    String(p.sharedPages),
    String(p.privatePages),
  ]);
  lines.push(...table([header, ...rows]).map((l) => "  " + l));
  if (r.audit.length > 0) {
    lines.push("", "audit (the kernel's state at the end is unsound)");
    for (const p of r.audit) lines.push(`  ${p}`);
  }
  lines.push("", `host time ${ms.toFixed(1)} ms`);
  return lines.join("\n");
}

/** Left-aligned columns. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd(),
  );
}
