// Reading a lab's rubric (labs/<lab>/rubric.json): parts, tests, thresholds,
// limits and the student-file allow-list. Every mistake is reported with the
// file and the field, so an instructor can fix it without reading code.

import { readFileSync } from "node:fs";
import path from "node:path";
import {
  INTEGRITY_POLICIES,
  IntegrityPolicy,
  Limits,
  Rubric,
  RubricPart,
  RubricTest,
  RubricThreshold,
  VISIBILITIES,
  Visibility,
} from "./model";

/** The limits a rubric leaves out. */
export const DEFAULT_LIMITS: Limits = {
  wallSeconds: 60,
  memoryMb: 512,
  stepBudget: 20_000_000,
  testSeconds: 10,
  compileSeconds: 30,
  archiveMb: 20,
  unpackedMb: 200,
  fileKb: 1024,
  entries: 20_000,
  outputKb: 4,
  submissionOutputKb: 64,
};

/** A flag of the integrity check costs the tests of its file's parts, unless the rubric says otherwise. */
export const DEFAULT_INTEGRITY: Rubric["integrity"] = { flagged: "zero-tests" };

type Raw = Record<string, unknown>;

/** Reads and checks `<labDir>/rubric.json`; throws a message naming the file and field. */
export function loadRubric(labDir: string): Rubric {
  const file = path.join(labDir, "rubric.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`Cannot read rubric "${file}": ${(e as Error).message}`);
  }
  return parseRubric(raw, file);
}

/** Checks a rubric's JSON; `file` names it in messages. */
export function parseRubric(raw: unknown, file: string): Rubric {
  const fail = (field: string, what: string): never => {
    throw new Error(`Cannot read rubric "${file}": ${field} ${what}`);
  };
  const obj = (v: unknown, field: string): Raw =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : fail(field, "must be an object");
  const str = (v: unknown, field: string): string =>
    typeof v === "string" && v !== "" ? v : fail(field, "must be a non-empty string");
  const num = (v: unknown, field: string): number =>
    typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fail(field, "must be a positive number");
  const arr = (v: unknown, field: string): unknown[] => (Array.isArray(v) ? v : fail(field, "must be an array"));
  const vis = (v: unknown, field: string): Visibility =>
    VISIBILITIES.includes(v as Visibility)
      ? (v as Visibility)
      : fail(field, `must be one of ${VISIBILITIES.map((x) => `"${x}"`).join(", ")}, not ${JSON.stringify(v)}`);

  const r = obj(raw, "the file");
  const studentFiles = arr(r.studentFiles, "studentFiles").map((f, i) => {
    const p = str(f, `studentFiles[${i}]`);
    if (p.startsWith("/") || p.split("/").includes(".."))
      fail(`studentFiles[${i}]`, "must be a relative path inside the project");
    return p;
  });
  if (studentFiles.length === 0) fail("studentFiles", "must name at least one file");

  const l = r.limits === undefined ? {} : obj(r.limits, "limits");
  for (const k of Object.keys(l))
    if (!(k in DEFAULT_LIMITS))
      fail(`limits.${k}`, `is not a limit; the limits are ${Object.keys(DEFAULT_LIMITS).join(", ")}`);
  const limits = Object.fromEntries(
    Object.entries(DEFAULT_LIMITS).map(([k, d]) => [k, l[k] === undefined ? d : num(l[k], `limits.${k}`)]),
  ) as unknown as Limits;

  const g = r.integrity === undefined ? {} : obj(r.integrity, "integrity");
  const flagged = g.flagged ?? DEFAULT_INTEGRITY.flagged;
  if (!INTEGRITY_POLICIES.includes(flagged as IntegrityPolicy))
    fail(
      "integrity.flagged",
      `must be one of ${INTEGRITY_POLICIES.map((x) => `"${x}"`).join(", ")}, not ${JSON.stringify(flagged)}`,
    );

  const ids = new Set<string>();
  const newId = (v: unknown, field: string): string => {
    const id = str(v, field);
    if (!/^[A-Za-z0-9_-]+$/.test(id)) fail(field, `must be letters, digits, "-" or "_", not "${id}"`);
    if (ids.has(id)) fail(field, `repeats the id "${id}"`);
    ids.add(id);
    return id;
  };

  const parts: RubricPart[] = arr(r.parts, "parts").map((p, i) => {
    const o = obj(p, `parts[${i}]`);
    const files = arr(o.files, `parts[${i}].files`).map((f, j) => {
      const name = str(f, `parts[${i}].files[${j}]`);
      if (!studentFiles.includes(name)) fail(`parts[${i}].files[${j}]`, `"${name}" is not one of studentFiles`);
      return name;
    });
    return { id: newId(o.id, `parts[${i}].id`), title: str(o.title, `parts[${i}].title`), files };
  });
  const partIds = new Set(parts.map((p) => p.id));
  const part = (v: unknown, field: string): string => {
    const id = str(v, field);
    if (!partIds.has(id)) fail(field, `names no part of the rubric: "${id}"`);
    return id;
  };

  const tests: RubricTest[] = arr(r.tests, "tests").map((t, i) => {
    const o = obj(t, `tests[${i}]`);
    const f = `tests[${i}]`;
    return {
      id: newId(o.id, `${f}.id`),
      part: part(o.part, `${f}.part`),
      title: str(o.title, `${f}.title`),
      points: num(o.points, `${f}.points`),
      visibility: vis(o.visibility ?? "visible", `${f}.visibility`),
      dependsOn:
        o.dependsOn === undefined
          ? []
          : arr(o.dependsOn, `${f}.dependsOn`).map((d, j) => str(d, `${f}.dependsOn[${j}]`)),
      hint: o.hint === undefined ? "" : str(o.hint, `${f}.hint`),
    };
  });
  const testIds = new Set(tests.map((t) => t.id));
  tests.forEach((t, i) =>
    t.dependsOn.forEach((d, j) => {
      if (!testIds.has(d)) fail(`tests[${i}].dependsOn[${j}]`, `names no test of the rubric: "${d}"`);
    }),
  );
  checkNoCycle(tests, file);

  const thresholds: RubricThreshold[] = (r.thresholds === undefined ? [] : arr(r.thresholds, "thresholds")).map(
    (t, i) => {
      const o = obj(t, `thresholds[${i}]`);
      const f = `thresholds[${i}]`;
      const figure = str(o.figure, `${f}.figure`);
      if (!/^([A-Za-z0-9_]+\.)?[A-Za-z]+$/.test(figure))
        fail(`${f}.figure`, `must be a counter ("framesCopied") or PROC.FIGURE ("C.minorFaults"), not "${figure}"`);
      if (typeof o.worst !== "number" || !Number.isFinite(o.worst) || o.worst < 0)
        fail(`${f}.worst`, "must be a number, 0 or more");
      return {
        id: newId(o.id, `${f}.id`),
        part: part(o.part, `${f}.part`),
        title: str(o.title, `${f}.title`),
        scenario: str(o.scenario, `${f}.scenario`),
        figure,
        worst: o.worst as number,
        points: num(o.points, `${f}.points`),
        visibility: vis(o.visibility ?? "visible", `${f}.visibility`),
        hint: o.hint === undefined ? "" : str(o.hint, `${f}.hint`),
      };
    },
  );

  return {
    lab: str(r.lab, "lab"),
    version: str(typeof r.version === "number" ? String(r.version) : r.version, "version"),
    studentFiles,
    limits,
    integrity: { flagged: flagged as IntegrityPolicy },
    parts,
    tests,
    thresholds,
  };
}

// A test may not depend on itself, directly or through others.
function checkNoCycle(tests: readonly RubricTest[], file: string): void {
  const byId = new Map(tests.map((t) => [t.id, t]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting")
      throw new Error(
        `Cannot read rubric "${file}": tests depend on each other in a circle: ${[...trail, id].join(" -> ")}`,
      );
    state.set(id, "visiting");
    for (const d of byId.get(id)?.dependsOn ?? []) visit(d, [...trail, id]);
    state.set(id, "done");
  };
  for (const t of tests) visit(t.id, []);
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
