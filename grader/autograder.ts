// The entry of the Gradescope autograder (see gradescope.ts): grades
// <root>/submission into <root>/results/results.json, <root> being
// /autograder, or the first argument, or $OSLAB_AUTOGRADER_ROOT. The
// reference's plan and figures come from baseline.json, made when the
// autograder was built. The submission's code runs under the strongest
// isolation layer that works in Gradescope's container (bubblewrap, else
// the unprivileged user setup.sh made); with none, nothing is graded.
// <root>/submission_metadata.json (Gradescope's) tells the submission's
// time and the earlier ones, for the rubric's release tokens.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeAtomic } from "./_atomic";
import { readSubmissionHistory } from "./_submission-metadata";
import { HINTS_SHOWN_KEY, KnownHistory, releaseHints } from "./_tokens";
import { Baseline, gradeBatch } from "./grade";
import { prepareKit } from "./kit";
import { Rubric, SubmissionResult } from "./model";
import { HintOptions, gradescopeResults, hasHiddenHints } from "./results";
import { loadRubric } from "./rubric";

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
    const r = outcome.results[0]!;
    const hints = hintOptions(loadRubric(path.join(source, "labs", config.lab)), root, r);
    writeAtomic(results, JSON.stringify(gradescopeResults(r, hints), null, 2) + "\n");
    process.stdout.write(`oslab autograder: ${r.score} / ${r.maxScore} (isolation: ${r.isolation ?? "none"})\n`);
    // the student reads "your instructor has been told": Gradescope shows the instructor this output
    if (r.graderError !== undefined) process.stdout.write(`oslab autograder: grader error: ${r.graderError}\n`);
    return 0;
  } catch (e) {
    // Gradescope shows the student nothing without results.json: say what happened
    process.stderr.write(`oslab autograder: ${(e as Error).stack ?? String(e)}\n`);
    const output =
      "The autograder itself failed on this submission (not a fault of your code). Please tell your instructor.";
    // status "grader-error": the next submissions' release tokens do not count this run
    const extra = { status: "grader-error", error: (e as Error).message, [HINTS_SHOWN_KEY]: false };
    writeAtomic(results, JSON.stringify({ score: 0, output, extra_data: extra }, null, 2) + "\n");
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// Whether the result's hints are released, from the rubric's tokens and Gradescope's metadata.
function hintOptions(rubric: Rubric, root: string, r: SubmissionResult): HintOptions {
  const file = path.join(root, "submission_metadata.json");
  let history: KnownHistory;
  try {
    history = readSubmissionHistory(file) ?? { unknown: "Gradescope gave no submission_metadata.json" };
  } catch (e) {
    // Gradescope's own file is wrong: the student is not charged, the instructor reads why in stdout
    process.stdout.write(`oslab autograder: hint tokens not counted: ${(e as Error).message}\n`);
    history = { unknown: "Gradescope's submission metadata could not be read" };
  }
  return {
    release: releaseHints(rubric.releaseTokens, history, hasHiddenHints(r)),
    zone: "zone" in history ? history.zone : "Z",
  };
}

/** Compiles the kit into <root>/source/.oslab-cache (setup.sh does, once), so that no submission waits for it. */
export function prepareAutograder(root: string): void {
  const source = path.join(root, "source");
  const config = JSON.parse(readFileSync(path.join(source, "autograder.json"), "utf8")) as { lab: string };
  const kit = prepareKit(config.lab, { root: source });
  process.stdout.write(`oslab autograder: the kit is compiled in ${kit.cacheDir}\n`);
}

// node autograder.js [--prepare] [root]
if (require.main === module) {
  const prepare = process.argv[2] === "--prepare";
  const root = process.argv[prepare ? 3 : 2] ?? process.env.OSLAB_AUTOGRADER_ROOT ?? "/autograder";
  if (prepare) prepareAutograder(root);
  else
    void runAutograder(root).then((code) => {
      process.exitCode = code;
    });
}
