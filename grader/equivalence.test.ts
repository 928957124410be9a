// The grader's in-process runner and real Jest (the root configuration's
// ts-jest transform, "@lab/*" pointed at a workspace) agree on the outcome
// of every hidden test: on the reference, on a submission with a bug, and
// on a suite that checks Jest's semantics (hook order, .each, mocks, ...).

import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { VARIANTS } from "./_variants";
import { readSubmission } from "./intake";
import { prepareKit } from "./kit";
import { WorkerPool } from "./pool";
import { testKey } from "./protocol";
import { runRequestOf } from "./request";
import { runSubmission } from "./run";
import { createWorkspace, removeWorkspace } from "./workspace";
import { LAB, ROOT, STUDENT_FILES, labUnderTest, scratch, solutionSubmission } from "./test-support/fixtures";

jest.setTimeout(600_000);

const work = scratch("equivalence");
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Outcomes = Record<string, "passed" | "failed" | "skipped">;

/** Every test's outcome under the grader's runner. */
async function underRunner(labDir: string, submission: string): Promise<Outcomes> {
  const kit = prepareKit("cow", { labDir });
  const intake = await readSubmission({ id: "x", path: submission, kind: "folder" }, kit.rubric.studentFiles);
  const ws = createWorkspace(kit, intake);
  const pool = new WorkerPool({ entry: kit.workerEntry, memoryMb: kit.rubric.limits.memoryMb, warm: 1 });
  try {
    const report = await runSubmission(
      pool,
      { ...runRequestOf(kit, ws.dir, 1), scenarios: [], stepBudget: 50_000_000, testMs: 30_000 },
      [],
      { unitMs: 30_000, wallMs: 300_000, memoryMb: kit.rubric.limits.memoryMb },
    );
    return Object.fromEntries(
      report.outcomes.map((o) => [o.key, o.status === "passed" || o.status === "skipped" ? o.status : "failed"]),
    );
  } finally {
    pool.close();
    removeWorkspace(ws);
  }
}

/** Every test's outcome under Jest, with "@lab/*" mapped to the solution's sources with the submission's files. */
function underJest(labDir: string, submission: string, name: string): Outcomes {
  const project = path.join(work, `${name}-project`);
  cpSync(path.join(LAB.solution, "src"), path.join(project, "src"), { recursive: true });
  for (const f of STUDENT_FILES) cpSync(path.join(submission, f), path.join(project, f));
  const config = path.join(work, `${name}-jest.config.json`);
  const output = path.join(work, `${name}-jest.json`);
  writeFileSync(
    config,
    JSON.stringify({
      rootDir: ROOT,
      roots: [path.join(labDir, "tests")],
      testMatch: ["**/*.test.ts"],
      testEnvironment: "node",
      transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: path.join(ROOT, "tsconfig.json"), diagnostics: false }] },
      moduleNameMapper: { "^@lab/(.*)$": `${path.join(project, "src")}/$1` },
    }),
  );
  const jest = require.resolve("jest/bin/jest", { paths: [ROOT] });
  spawnSync(process.execPath, [jest, "--config", config, "--json", "--outputFile", output, "--ci", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
    stdio: "ignore",
  });
  const json = JSON.parse(readFileSync(output, "utf8")) as {
    testResults: { name: string; assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
  };
  const out: Outcomes = {};
  for (const file of json.testResults) {
    const rel = path.relative(path.join(labDir, "tests"), file.name).split(path.sep).join("/").replace(/\.ts$/, ".js");
    const seen = new Map<string, number>();
    for (const a of file.assertionResults) {
      const base = testKey(rel, [...a.ancestorTitles, a.title]);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      out[n === 1 ? base : `${base} #${n}`] =
        a.status === "passed" ? "passed" : a.status === "failed" ? "failed" : "skipped";
    }
  }
  return out;
}

const lab = labUnderTest();

test("the runner and Jest agree on every hidden test of the reference", async () => {
  const reference = solutionSubmission(path.join(work, "reference"));
  const jest = underJest(lab.labDir, reference, "reference");
  expect(Object.keys(jest).length).toBeGreaterThan(0);
  expect(await underRunner(lab.labDir, reference)).toEqual(jest);
});

test("the runner and Jest agree on every hidden test of a submission with a bug", async () => {
  const variant = VARIANTS.find((v) => v.name === "parent-pte-left-writable")!;
  const buggy = solutionSubmission(path.join(work, "buggy"), variant.edits);
  const jest = underJest(lab.labDir, buggy, "buggy");
  expect(Object.values(jest)).toContain("failed");
  expect(await underRunner(lab.labDir, buggy)).toEqual(jest);
});

test("the runner and Jest agree on a suite that checks Jest's semantics", async () => {
  const labDir = path.join(ROOT, "grader", "test-fixtures", "semantics");
  const reference = solutionSubmission(path.join(work, "semantics"));
  const jest = underJest(labDir, reference, "semantics");
  expect(Object.values(jest).filter((s) => s === "passed").length).toBeGreaterThan(10);
  expect(await underRunner(labDir, reference)).toEqual(jest);
});
