// A lab's definition (labs/<name>/lab.json): where its solution and starter
// live and which functions the students write (its edit points).

import { readFileSync } from "node:fs";
import path from "node:path";

export interface EditPoint {
  readonly part: string; // "A", "B", ...
  readonly title: string;
  readonly file: string; // relative to the solution (and starter) root
  readonly function: string;
}

export interface Lab {
  readonly name: string;
  readonly title: string;
  readonly dir: string; // absolute path of labs/<name>
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

/** Reads labs/<name>/lab.json; throws a message naming the file and field when it is wrong. */
export function loadLab(name: string, root: string = repoRoot()): Lab {
  const dir = path.join(root, "labs", name);
  const file = path.join(dir, "lab.json");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`Cannot read lab "${name}": ${file}: ${(e as Error).message}`);
  }
  const str = (v: unknown, field: string): string => {
    if (typeof v !== "string" || v === "")
      throw new Error(`Cannot read lab "${name}": ${file}: ${field} must be a non-empty string`);
    return v;
  };
  if (!Array.isArray(raw.editPoints) || raw.editPoints.length === 0) {
    throw new Error(`Cannot read lab "${name}": ${file}: editPoints must be a non-empty array`);
  }
  const editPoints = raw.editPoints.map((e: Record<string, unknown>, i: number) => ({
    part: str(e.part, `editPoints[${i}].part`),
    title: str(e.title, `editPoints[${i}].title`),
    file: str(e.file, `editPoints[${i}].file`),
    function: str(e.function, `editPoints[${i}].function`),
  }));
  return {
    name: str(raw.name, "name"),
    title: str(raw.title, "title"),
    dir,
    solution: path.join(root, str(raw.solution, "solution")),
    starter: path.join(root, str(raw.starter, "starter")),
    editPoints,
  };
}
