// The classic mistakes (labs/cow/mistakes/catalogue.ts) against the hidden
// suites: each one, built into the reference kernel in place of the correct
// edit point, type-checks as a student's file would, and fails at least one
// hidden test of its own part. The suites run in one child Jest, a project
// per mistake running only its part's suite (labs/cow/_workspace.ts).

import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { Edit, writeSubmission } from "../../grader/_variants";
import { loadLab } from "../lab";
import { TestOutcome, Workspace, makeWorkspace, runHiddenSuites } from "./_workspace";
import { FILE_OF, MISTAKES, Mistake, Part } from "./mistakes/catalogue";

const ROOT = path.join(__dirname, "../..");
const lab = loadLab("cow", ROOT);
const FILES = lab.editPoints.map((e) => e.file);
const PARTS: readonly Part[] = ["A", "B", "C"];

const SCRATCH = path.join(os.tmpdir(), "oslab-cow-mistakes"); // fixed, so that Jest's transform cache serves the next run

/** A mistake's folder name: its part and id (ids repeat across parts). */
function key(m: Mistake): string {
  return `${m.part}-${m.id}`;
}

/** The mistake as edits of the solution's files (grader/_variants.ts), its imports added to the first (the one from "./defs"). */
function editsOf(m: Mistake): Edit[] {
  const file = FILE_OF[m.part];
  const names = (m.imports ?? []).map((n) => `  ${n},\n`).join("");
  const imports = names === "" ? [] : [{ file, from: "import {", to: `import {\n${names}` }];
  return [...m.edits.map((e) => ({ file, ...e })), ...imports];
}

/** Writes each mistake as a submission (the three files, one of them edited) under SCRATCH; returns their folders by key. */
function writeMistakes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of MISTAKES) {
    const dir = path.join(SCRATCH, "submissions", key(m));
    writeSubmission(lab.solution, FILES, dir, editsOf(m));
    out.set(key(m), dir);
  }
  return out;
}

/** The edited file of a written mistake. */
function mutated(m: Mistake): string {
  return readFileSync(path.join(submissions.get(key(m))!, FILE_OF[m.part]), "utf8");
}

/** Type errors of each mutated file, checked as the student's project checks it (solution/tsconfig.json), by "part-id". */
function typeErrors(): Map<string, string[]> {
  const kernel = path.join(lab.solution, "src/kernel");
  const virtual = new Map(MISTAKES.map((m) => [path.join(kernel, `__${key(m)}.ts`), mutated(m)]));
  const config = ts.readConfigFile(path.join(lab.solution, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, lab.solution);
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const file of virtual.keys()) {
    const id = path.basename(file, ".ts").slice(2);
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
    out.set(
      id,
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    );
  }
  return out;
}

let submissions: Map<string, string>;

beforeAll(() => {
  submissions = writeMistakes(); // throws naming the edit when one no longer applies to the solution
});

test("every mistake has a unique id and changes its part's file", () => {
  expect(new Set(MISTAKES.map(key)).size).toBe(MISTAKES.length);
  for (const m of MISTAKES) {
    const original = readFileSync(path.join(lab.solution, FILE_OF[m.part]), "utf8");
    expect({ id: key(m), changed: mutated(m) !== original }).toEqual({ id: key(m), changed: true });
  }
});

test("every mistake type-checks as a student's file (so a failure comes from the mistake, not from a load error)", () => {
  const errors = typeErrors();
  for (const m of MISTAKES) expect({ id: key(m), errors: errors.get(key(m)) }).toEqual({ id: key(m), errors: [] });
}, 60_000);

describe("the hidden suites against the classic mistakes", () => {
  let results: Map<string, TestOutcome[]>;

  beforeAll(async () => {
    const workspaces: Workspace[] = MISTAKES.map((m) => ({
      ...makeWorkspace(submissions.get(key(m))!, path.join(SCRATCH, "workspaces", key(m)), lab),
      part: m.part,
    }));
    // the control: the reference itself, each part's suite in the same run
    for (const part of PARTS) {
      const id = `reference-${part}`;
      workspaces.push({ ...makeWorkspace(lab.solution, path.join(SCRATCH, "workspaces", id), lab), id, part });
    }
    results = await runHiddenSuites(workspaces, { maxWorkers: 2, scratch: SCRATCH });
  }, 300_000);

  test.each(PARTS)("the reference passes every test of part %s in the same run", (part) => {
    const rows = results.get(`reference-${part}`) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status !== "passed").map((r) => r.title ?? r.message)).toEqual([]);
  });

  test.each(MISTAKES.map((m) => [m.part, m.id, m] as const))(
    "part %s, %s: caught by at least one hidden test of its part",
    (_part, id, m) => {
      const rows = results.get(key(m)) ?? [];
      const broken = rows.filter((r) => r.title === null);
      expect({ id, suiteErrors: broken.map((r) => r.message) }).toEqual({ id, suiteErrors: [] });
      const ran = rows.map((r) => r.title!.split(" ")[0]!);
      expect({ id, ranItsPart: ran.length > 0 && ran.every((t) => t.startsWith(m.part)) }).toEqual({
        id,
        ranItsPart: true,
      });
      const caughtBy = rows.filter((r) => r.status !== "passed").map((r) => r.title!.split(" ")[0]!);
      expect({ id, mistake: m.mistake, caught: caughtBy.length > 0 }).toEqual({ id, mistake: m.mistake, caught: true });
    },
  );
});
