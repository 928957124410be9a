// Running the lab's hidden suites (labs/cow/tests) against submissions, in a
// child Jest process: each submission's three files go into a copy of the
// reference's src/ (a workspace), and one Jest run holds one project per
// workspace, its "@lab/..." mapped to that workspace's src/. Jest runs the
// projects' files on its worker pool, so the batch uses every core given.
//
// labs/cow/submissions.test.ts uses it to check the example submissions;
// the grader (grader/) has its own isolated, per-submission path.

import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Lab, loadLab, repoRoot } from "../lab";

/** A submission's workspace: `dir` holds src/, the reference's with the student's files in place. */
export interface Workspace {
  readonly id: string;
  readonly dir: string;
  /** Only the hidden suites of this part (labs/cow/tests/partA.hidden.test.ts ...); every suite when absent. */
  readonly part?: string;
}

/** One test's outcome; `title` is null when the suite file itself could not run. */
export interface TestOutcome {
  readonly file: string;
  readonly title: string | null;
  readonly status: "passed" | "failed" | "pending" | "todo" | "skipped" | "error";
  readonly message: string;
}

/**
 * Builds a workspace at `dest` from the lab's solution src/ (without its own
 * tests) and the edit-point files found in `submission` at their paths
 * (src/kernel/uvmcopy.ts ...). Throws naming the file when one is missing.
 */
export function makeWorkspace(submission: string, dest: string, lab: Lab = loadLab("cow")): Workspace {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(path.join(lab.solution, "src"), path.join(dest, "src"), {
    recursive: true,
    filter: (from) => !from.endsWith(".test.ts") && path.basename(from) !== "test-support.ts",
  });
  for (const e of lab.editPoints) {
    let text: string;
    try {
      text = readFileSync(path.join(submission, e.file), "utf8");
    } catch {
      throw new Error(`Cannot build a workspace from "${submission}": it has no ${e.file}`);
    }
    writeFileSync(path.join(dest, e.file), text);
  }
  return { id: path.basename(submission), dir: dest };
}

export interface RunOptions {
  /** Jest workers (default 2). */
  readonly maxWorkers?: number;
  /** Where the config and results go (default: the first workspace's parent). */
  readonly scratch?: string;
}

/**
 * Runs the hidden suites against every workspace in one child Jest process.
 * Resolves to each workspace's outcomes by id; rejects when Jest wrote no
 * results (it could not start), with its output.
 */
export async function runHiddenSuites(
  workspaces: readonly Workspace[],
  options: RunOptions = {},
): Promise<Map<string, TestOutcome[]>> {
  const root = repoRoot();
  const scratch = options.scratch ?? path.dirname(workspaces[0]!.dir);
  const config = path.join(scratch, "jest.hidden.config.json");
  const output = path.join(scratch, "hidden-results.json");
  rmSync(output, { force: true });
  writeFileSync(config, JSON.stringify(jestConfig(root, workspaces, output), null, 1));
  const log = await run(
    process.execPath,
    [path.join(root, "node_modules/jest/bin/jest.js"), "--config", config, `--maxWorkers=${options.maxWorkers ?? 2}`],
    root,
  );
  let rows: ({ project: string } & TestOutcome)[];
  try {
    rows = JSON.parse(readFileSync(output, "utf8"));
  } catch {
    throw new Error(`The hidden suites did not run: Jest wrote no results. Its output:\n${log}`);
  }
  const byId = new Map<string, TestOutcome[]>(workspaces.map((w) => [w.id, []]));
  for (const { project, ...outcome } of rows) byId.get(project)?.push(outcome);
  return byId;
}

// One project per workspace. Transpile only (isolatedModules): types are
// the grader's business, and a fresh program per project would cost seconds.
function jestConfig(root: string, workspaces: readonly Workspace[], output: string): object {
  const transform = {
    "^.+\\.ts$": [
      "ts-jest",
      {
        tsconfig: {
          target: "ES2022",
          module: "commonjs",
          esModuleInterop: true,
          isolatedModules: true,
          sourceMap: true,
        },
        diagnostics: false,
      },
    ],
  };
  return {
    rootDir: root,
    reporters: [[path.join(root, "labs/cow/_suite-reporter.js"), { outputFile: output }]],
    projects: workspaces.map((w) => ({
      displayName: w.id,
      rootDir: root,
      testEnvironment: "node",
      roots: ["<rootDir>/labs/cow/tests"],
      testMatch: [w.part === undefined ? "**/*.hidden.test.ts" : `**/part${w.part}.hidden.test.ts`],
      transform,
      moduleNameMapper: { "^@lab/(.*)$": `${path.join(w.dir, "src")}/$1` },
    })),
  };
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (b: Buffer) => (log += b.toString()));
    child.stderr.on("data", (b: Buffer) => (log += b.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(log));
  });
}
