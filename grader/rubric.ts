// Reading a lab's rubric (labs/<lab>/rubric.json): parts, tests, thresholds,
// limits and the student-file allow-list. The shape is _rubric-schema.ts's;
// this file adds what needs the whole rubric (ids named elsewhere, the
// scenarios a threshold measures) and tells every mistake with the file and
// the place, items named by their ids (`tests.B1.hint`), before anything is
// graded.

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseJsonText } from "./_json";
import { DEFAULT_LIMITS, RUBRIC_SCHEMA, RawRubric, rubricJsonSchema } from "./_rubric-schema";
import { Problem, describeProblems, fileError, problemsOf } from "./_schema-issues";
import { Rubric } from "./model";

export { DEFAULT_LIMITS } from "./_rubric-schema";

/** A flag of the integrity check costs the tests of its file's parts, unless the rubric says otherwise. */
export const DEFAULT_INTEGRITY: Rubric["integrity"] = { flagged: "zero-tests" };

/** Reads and checks `<labDir>/rubric.json` and the scenarios it names; throws a message naming the file and the place. */
export function loadRubric(labDir: string): Rubric {
  const file = path.join(labDir, "rubric.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot read rubric "${file}": ${(e as Error).message}`);
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new Error(`Cannot read rubric "${file}": ${json.message}`);
  const raw = checked(json.value, file);
  const problems = scenarioProblems(raw, labDir);
  if (problems.length > 0) throw rubricError(file, json.value, problems);
  return rubricOf(raw);
}

/** Checks a rubric's JSON value; `file` names it in messages. Scenario files are not read (loadRubric reads them). */
export function parseRubric(raw: unknown, file: string): Rubric {
  return rubricOf(checked(raw, file));
}

// The value, read by the schema and checked across items; throws every mistake found.
function checked(value: unknown, file: string): RawRubric {
  const parsed = RUBRIC_SCHEMA.safeParse(value, { reportInput: true });
  if (!parsed.success) throw rubricError(file, value, problemsOf(parsed.error.issues));
  const problems = [...idProblems(parsed.data), ...referenceProblems(parsed.data)];
  if (problems.length === 0) problems.push(...cycleProblems(parsed.data));
  if (problems.length > 0) throw rubricError(file, value, problems);
  return parsed.data;
}

function rubricError(file: string, value: unknown, problems: readonly Problem[]): Error {
  return fileError(`Cannot read rubric "${file}"`, describeProblems(problems, value, rubricJsonSchema()));
}

// Parts, tests and thresholds share one set of ids.
function idProblems(r: RawRubric): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const list of ["parts", "tests", "thresholds"] as const)
    r[list].forEach((item, i) => {
      if (seen.has(item.id)) out.push({ path: [list, i, "id"], message: `repeats the id "${item.id}"` });
      seen.add(item.id);
    });
  return out;
}

// Every id or file an item names is one the rubric has.
function referenceProblems(r: RawRubric): Problem[] {
  const out: Problem[] = [];
  const parts = new Set(r.parts.map((p) => p.id));
  const tests = new Set(r.tests.map((t) => t.id));
  r.parts.forEach((p, i) =>
    p.files.forEach((f, j) => {
      if (!r.studentFiles.includes(f))
        out.push({ path: ["parts", i, "files", j], message: `names a file that is not one of studentFiles: "${f}"` });
    }),
  );
  for (const list of ["tests", "thresholds"] as const)
    r[list].forEach((t, i) => {
      if (!parts.has(t.part))
        out.push({ path: [list, i, "part"], message: `names no part of the rubric: "${t.part}"` });
    });
  r.tests.forEach((t, i) =>
    t.dependsOn.forEach((d, j) => {
      if (!tests.has(d))
        out.push({ path: ["tests", i, "dependsOn", j], message: `names no test of the rubric: "${d}"` });
    }),
  );
  return out;
}

// A test may not depend on itself, directly or through others.
function cycleProblems(r: RawRubric): Problem[] {
  const byId = new Map(r.tests.map((t) => [t.id, t]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): string[] | null => {
    if (state.get(id) === "done") return null;
    if (state.get(id) === "visiting") return [...trail, id];
    state.set(id, "visiting");
    for (const d of byId.get(id)?.dependsOn ?? []) {
      const circle = visit(d, [...trail, id]);
      if (circle !== null) return circle;
    }
    state.set(id, "done");
    return null;
  };
  for (const t of r.tests) {
    const circle = visit(t.id, []);
    if (circle !== null)
      return [{ path: ["tests"], message: `depend on each other in a circle: ${circle.join(" -> ")}` }];
  }
  return [];
}

// Each scenario a threshold or test names can be read, and binds the process a threshold's figure names.
function scenarioProblems(r: RawRubric, labDir: string): Problem[] {
  const out: Problem[] = [];
  const named = [
    ...r.thresholds.map((t, i) => ({ path: ["thresholds", i], scenario: t.scenario, figure: t.figure })),
    ...r.tests.map((t, i) => ({ path: ["tests", i], scenario: t.scenario, figure: undefined })),
  ];
  for (const { path: at, scenario, figure } of named) {
    if (scenario === undefined) continue;
    const bound = processesOf(path.join(labDir, scenario));
    if (typeof bound === "string") {
      out.push({ path: [...at, "scenario"], message: bound.replace("SCENARIO", `"${scenario}"`) });
      continue;
    }
    const proc = figure?.includes(".") ? figure.slice(0, figure.indexOf(".")) : undefined;
    if (proc !== undefined && !bound.includes(proc))
      out.push({
        path: [...at, "figure"],
        message: `names process "${proc}", which scenario "${scenario}" never binds (it binds ${bound.join(", ") || "none"})`,
      });
  }
  return out;
}

// The processes a scenario names (its spawn and fork steps' "as"), or why it
// cannot be read (a sentence in which SCENARIO stands for its name).
function processesOf(file: string): string[] | string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT"
      ? "names a file that does not exist: SCENARIO"
      : `names a scenario that cannot be read: SCENARIO: ${(e as Error).message}`;
  }
  const json = parseJsonText(text);
  if (!json.ok) return `names a scenario that is not JSON: SCENARIO: ${json.message}`;
  const names: string[] = [];
  const walk = (steps: unknown): void => {
    if (!Array.isArray(steps)) return;
    for (const s of steps as { as?: unknown; steps?: unknown }[]) {
      if (typeof s?.as === "string" && !names.includes(s.as)) names.push(s.as);
      walk(s?.steps);
    }
  };
  walk((json.value as { steps?: unknown } | null)?.steps);
  return names;
}

// The grader's rubric: the fields it reads, in the order it has always had (resume keys hash it).
function rubricOf(r: RawRubric): Rubric {
  return {
    lab: r.lab,
    version: r.version,
    studentFiles: r.studentFiles,
    limits: { ...DEFAULT_LIMITS, ...r.limits },
    integrity: { flagged: r.integrity.flagged },
    parts: r.parts.map((p) => ({ id: p.id, title: p.title, files: p.files })),
    tests: r.tests.map((t) => ({
      id: t.id,
      part: t.part,
      title: t.title,
      points: t.points,
      visibility: t.visibility,
      dependsOn: t.dependsOn,
      hint: t.hint,
    })),
    thresholds: r.thresholds.map((t) => ({
      id: t.id,
      part: t.part,
      title: t.title,
      scenario: t.scenario,
      figure: t.figure,
      worst: t.worst,
      points: t.points,
      visibility: t.visibility,
      hint: t.hint,
    })),
    // last, and only when set: rubrics without it keep their resume keys
    ...(r.releaseTokens !== undefined
      ? { releaseTokens: { tokens: r.releaseTokens.tokens, hours: r.releaseTokens.hours } }
      : {}),
  };
}

/** The rubric test a hidden test belongs to: the first word of its own title, when it is a rubric id. */
export function rubricIdOf(title: string, rubric: Rubric): string | null {
  const word = title.split(" ")[0] ?? "";
  return rubric.tests.some((t) => t.id === word) ? word : null;
}

/** Total points of the rubric (tests and thresholds). */
export function maxScoreOf(rubric: Rubric): number {
  return [...rubric.tests, ...rubric.thresholds].reduce((s, t) => s + t.points, 0);
}
