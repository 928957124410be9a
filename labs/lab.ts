// A lab's definition (lab.json in the lab's folder): where its solution and
// starter live and which functions the students write (its edit points).
// A lab's folder may be anywhere (`--lab-dir`); `solution` and `starter`
// name folders of the kit, relative to its root, since the kit provides the
// code a lab's students complete.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseJsonText } from "../grader/_json";
import { describeProblems, fileError, jsonSchemaOf, problemsOf } from "../grader/_schema-issues";

export interface EditPoint {
  readonly part: string; // "A", "B", ...
  readonly title: string;
  readonly file: string; // relative to the solution (and starter) root
  readonly function: string;
}

export interface Lab {
  readonly name: string;
  readonly title: string;
  readonly dir: string; // absolute path of the lab's folder (labs/<name> in the kit, or anywhere)
  readonly solution: string; // absolute
  readonly starter: string; // absolute
  readonly editPoints: readonly EditPoint[];
}

/** The repository root (two levels above this file, in src or in dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!isRoot(dir)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cannot find the kit's root above ${__dirname}`);
    dir = up;
  }
  return dir;
}

function isRoot(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).name === "oslab";
  } catch {
    return false;
  }
}

const text = z.string({ error: "must be a non-empty string" }).min(1, { error: "must be a non-empty string" });

/** lab.json's shape; unknown keys are mistakes. */
export const LAB_SCHEMA = z.strictObject(
  {
    name: text.describe("the lab's name, as rubric.json's lab"),
    title: text.describe("the lab's title, as students see it"),
    solution: text.describe("the reference project, relative to the kit's root"),
    starter: text.describe("the students' project, relative to the kit's root"),
    editPoints: z
      .array(z.strictObject({ part: text, title: text, file: text, function: text }, { error: "must be an object" }), {
        error: "must be a non-empty list",
      })
      .min(1, { error: "must be a non-empty list" })
      .describe("the functions students write: part, title, file (relative to the project), function"),
  },
  { error: "must be an object" },
);

/** Reads labs/<name>/lab.json of the kit; throws a message naming the lab and what is wrong. */
export function loadLab(name: string, root: string = repoRoot()): Lab {
  const dir = path.join(root, "labs", name);
  if (!existsSync(path.join(dir, "lab.json"))) {
    const labs = existsSync(path.join(root, "labs"))
      ? readdirSync(path.join(root, "labs")).filter((d) => existsSync(path.join(root, "labs", d, "lab.json")))
      : [];
    throw new Error(
      `Cannot read lab "${name}": the kit has no ${path.join(dir, "lab.json")} (its labs: ${labs.join(", ") || "none"}); ` +
        "for a lab folder elsewhere, give --lab-dir",
    );
  }
  return loadLabDir(dir, root);
}

/** Reads `<dir>/lab.json`, a lab's folder anywhere; throws a message naming the file and the place. */
export function loadLabDir(dir: string, root: string = repoRoot()): Lab {
  const file = path.join(dir, "lab.json");
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot read lab "${file}": ${(e as Error).message}`);
  }
  const json = parseJsonText(source);
  if (!json.ok) throw new Error(`Cannot read lab "${file}": ${json.message}`);
  const parsed = LAB_SCHEMA.safeParse(json.value, { reportInput: true });
  if (!parsed.success)
    throw fileError(
      `Cannot read lab "${file}"`,
      describeProblems(problemsOf(parsed.error.issues), json.value, jsonSchemaOf(LAB_SCHEMA)),
    );
  const lab = parsed.data;
  return {
    name: lab.name,
    title: lab.title,
    dir: path.resolve(dir),
    solution: path.join(root, lab.solution),
    starter: path.join(root, lab.starter),
    editPoints: lab.editPoints,
  };
}

/**
 * The lab whose folder is `dir`: its own lab.json, or for a folder that
 * holds only a rubric, its suites and scenarios, the kit's labs/<name>
 * (`name` is then the rubric's lab).
 */
export function labOfFolder(dir: string, name: string, root: string = repoRoot()): Lab {
  return existsSync(path.join(dir, "lab.json")) ? loadLabDir(dir, root) : loadLab(name, root);
}
