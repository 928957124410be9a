// The example submissions (examples/submissions/) against the hidden suites:
// the reference passes every test, the untouched starter none, and each
// buggy submission fails exactly the tests examples/submissions/README.md
// names for its mistake (and the tests that depend on them) and passes all
// the others. The suites run in one child Jest, a project per submission,
// on two workers (labs/cow/_workspace.ts); the grader's own tests cover its
// batch path, with its isolation and time limits.

import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab } from "../lab";
import { TestOutcome, makeWorkspace, runHiddenSuites } from "./_workspace";

const ROOT = path.join(__dirname, "../..");
const EXAMPLES = path.join(ROOT, "examples/submissions");
const lab = loadLab("cow", ROOT);
const FILES = lab.editPoints.map((e) => e.file);

const rubric = JSON.parse(readFileSync(path.join(__dirname, "rubric.json"), "utf8")) as {
  tests: { id: string; dependsOn: string[] }[];
};
const IDS = rubric.tests.map((t) => t.id);

/** A buggy submission as README.md's table describes it. */
interface Described {
  readonly name: string;
  readonly file: string;
  readonly fails: string[];
}

// Rows of the table: | `name` | `src/kernel/file.ts` | the mistake | A1, A2 |
function described(): Described[] {
  const text = readFileSync(path.join(EXAMPLES, "README.md"), "utf8");
  const rows: Described[] = [];
  for (const line of text.split("\n")) {
    const m = /^\|\s*`([a-z0-9-]+)`\s*\|\s*`([^`]+)`\s*\|.*\|\s*([A-C0-9, ]+?)\s*\|$/.exec(line);
    if (m === null) continue;
    rows.push({ name: m[1]!, file: m[2]!, fails: m[3]!.split(",").map((s) => s.trim()) });
  }
  return rows;
}

const buggy = described();
const folders = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** `ids` and every test that depends on one of them, directly or not. */
function withDependents(ids: Iterable<string>): Set<string> {
  const out = new Set(ids);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of rubric.tests) {
      if (!out.has(t.id) && t.dependsOn.some((d) => out.has(d))) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return out;
}

function read(...parts: string[]): string {
  return readFileSync(path.join(...parts), "utf8");
}

describe("the example submissions' files", () => {
  test("reference/ holds the solution's three files, unchanged", () => {
    for (const f of FILES)
      expect({ f, same: read(EXAMPLES, "reference", f) === read(lab.solution, f) }).toEqual({ f, same: true });
  });

  test("starter/ holds the starter's three stubs, unchanged", () => {
    for (const f of FILES)
      expect({ f, same: read(EXAMPLES, "starter", f) === read(lab.starter, f) }).toEqual({ f, same: true });
  });

  test("README.md describes every buggy folder, at least ten, each naming rubric tests", () => {
    expect(buggy.map((b) => b.name).sort()).toEqual(folders.filter((f) => f !== "reference" && f !== "starter"));
    expect(buggy.length).toBeGreaterThanOrEqual(10);
    for (const b of buggy) {
      expect({ name: b.name, file: FILES.includes(b.file) }).toEqual({ name: b.name, file: true });
      for (const id of b.fails)
        expect({ name: b.name, id, known: IDS.includes(id) }).toEqual({ name: b.name, id, known: true });
    }
  });

  test("each buggy submission has all three files, and only the one README names differs from the solution", () => {
    for (const b of buggy) {
      const differ = FILES.filter((f) => read(EXAMPLES, b.name, f) !== read(lab.solution, f));
      expect({ name: b.name, differ }).toEqual({ name: b.name, differ: [b.file] });
    }
  });
});

describe("the hidden suites against the example submissions", () => {
  let results: Map<string, TestOutcome[]>;

  beforeAll(async () => {
    // fixed paths, so that Jest's transform cache serves the next run
    const scratch = path.join(os.tmpdir(), "oslab-cow-examples");
    const workspaces = folders.map((name) => makeWorkspace(path.join(EXAMPLES, name), path.join(scratch, name), lab));
    results = await runHiddenSuites(workspaces, { maxWorkers: 2, scratch });
  }, 180_000);

  /** The rubric ids of the tests a submission failed; throws when a suite could not run or a test is unknown. */
  function outcome(name: string): { failed: string[]; ran: string[] } {
    const rows = results.get(name) ?? [];
    const broken = rows.filter((r) => r.title === null);
    if (broken.length > 0) throw new Error(`${name}: a suite did not run: ${broken.map((b) => b.message).join("\n")}`);
    const ran = rows.map((r) => r.title!.split(" ")[0]!);
    const failed = rows.filter((r) => r.status !== "passed").map((r) => r.title!.split(" ")[0]!);
    return { failed: failed.sort(), ran: ran.sort() };
  }

  test("the reference passes every test, and each rubric test runs exactly once", () => {
    const { failed, ran } = outcome("reference");
    expect(ran).toEqual([...IDS].sort());
    expect(failed).toEqual([]);
  });

  test("the untouched starter fails every test", () => {
    const { failed } = outcome("starter");
    expect(failed).toEqual([...IDS].sort());
  });

  test.each(buggy.map((b) => [b.name, b] as const))(
    "%s fails the tests named for its mistake (and their dependents) and passes the others",
    (name, b) => {
      const { failed, ran } = outcome(name);
      expect(ran).toEqual([...IDS].sort());
      const order = (s: Iterable<string>): string[] => IDS.filter((id) => new Set(s).has(id));
      // each named test fails on its own, not only through a dependency
      expect({ name, namedButPassed: b.fails.filter((id) => !failed.includes(id)) }).toEqual({
        name,
        namedButPassed: [],
      });
      // and what scores 0 is exactly the named tests and their dependents
      expect({ name, scoresZero: order(withDependents(failed)) }).toEqual({
        name,
        scoresZero: order(withDependents(b.fails)),
      });
    },
  );
});
