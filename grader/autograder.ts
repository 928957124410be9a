// The entry of the Gradescope autograder (see gradescope.ts): grades
// <root>/submission into <root>/results/results.json, <root> being
// /autograder, or the first argument, or $OSLAB_AUTOGRADER_ROOT. The
// reference's plan and figures come from baseline.json, made when the
// autograder was built, so no solution code is shipped or run here. The
// submission's code runs under the strongest isolation layer that works in
// Gradescope's container (bubblewrap, else the unprivileged user setup.sh
// made); with none, nothing is graded.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeAtomic } from "./_atomic";
import { Baseline, gradeBatch } from "./grade";

/** Grades one Gradescope submission; resolves to the exit status (0 unless results.json could not be written). */
export async function runAutograder(root: string): Promise<number> {
  const source = path.join(root, "source");
  const results = path.join(root, "results", "results.json");
  const out = mkdtempSync(path.join(os.tmpdir(), "oslab-autograder-"));
  try {
    const config = JSON.parse(readFileSync(path.join(source, "autograder.json"), "utf8")) as {
      lab: string;
      seed: number;
    };
    const baseline = JSON.parse(readFileSync(path.join(source, "baseline.json"), "utf8")) as Baseline;
    const outcome = await gradeBatch([path.join(root, "submission")], {
      lab: config.lab,
      root: source,
      out,
      jobs: 1,
      seed: config.seed,
      baseline,
      asOneSubmission: true,
      reports: false,
    });
    const id = outcome.results[0]!.id;
    writeAtomic(results, readFileSync(path.join(out, id, "results.json")));
    const r = outcome.results[0]!;
    process.stdout.write(`oslab autograder: ${r.score} / ${r.maxScore} (isolation: ${r.isolation ?? "none"})\n`);
    return 0;
  } catch (e) {
    // Gradescope shows the student nothing without results.json: say what happened
    process.stderr.write(`oslab autograder: ${(e as Error).stack ?? String(e)}\n`);
    const output =
      "The autograder itself failed on this submission (not a fault of your code). Please tell your instructor.";
    writeAtomic(
      results,
      JSON.stringify({ score: 0, output, extra_data: { error: (e as Error).message } }, null, 2) + "\n",
    );
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const root = process.argv[2] ?? process.env.OSLAB_AUTOGRADER_ROOT ?? "/autograder";
  void runAutograder(root).then((code) => {
    process.exitCode = code;
  });
}
