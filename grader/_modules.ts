// Routes a process's require() for the grader's children that run a
// submission (the grading worker, the report's timeline child): "@lab/..."
// names the compiled kit, and a request for one of the student files
// returns that file's exports from the submission's sandbox (QuickJS,
// solution/src/engine/sandbox.ts) instead of loading anything: Node never
// runs a student file, and the kit calls the student's functions through
// the host functions the sandbox gives it.
//
// Only node's own modules are imported: this file runs from the kit's cache.

import Module from "node:module";
import path from "node:path";

type ModuleParent = { id: string; filename: string; paths: string[] } | null | undefined;
type ModuleLoader = {
  _load: (request: string, parent: ModuleParent, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: ModuleParent, isMain: boolean, options?: unknown) => string;
};

/** Where student files come from: the submission's sandbox, once one is made. */
export interface StudentModules {
  /** The kit's compiled folder (src/ inside). */
  readonly kit: string;
  /** The student files as the rubric names them ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** The exports of student file `rel`. */
  exports(rel: string): Record<string, unknown>;
}

/**
 * Installs the hook: `current()` gives the submission's modules (null before
 * a request came: then only "@lab/..." is mapped); `first` may answer a
 * request before anything else (the worker's "@jest/globals").
 */
export function routeModules(
  kit: () => string,
  current: () => StudentModules | null,
  first: (request: string) => unknown = () => undefined,
): void {
  const loader = Module as unknown as ModuleLoader;
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, isMain, options) {
    const mapped = request.startsWith("@lab/") ? path.join(kit(), "src", request.slice(5)) : request;
    return resolve.call(this, mapped, parent, isMain, options);
  };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    const answer = first(request);
    if (answer !== undefined) return answer;
    const m = current();
    if (m !== null && mayName(m.studentFiles, request)) {
      const student = studentFileOf(m, loader._resolveFilename(request, parent, isMain));
      if (student !== null) return m.exports(student);
    }
    return load.call(this, request, parent, isMain);
  };
}

// Whether `request` may name a student file (its last part is one's name): most need no resolving.
function mayName(studentFiles: readonly string[], request: string): boolean {
  const base = request.slice(request.lastIndexOf("/") + 1).replace(/\.(js|ts)$/, "");
  return studentFiles.some((f) => f.slice(f.lastIndexOf("/") + 1, -3) === base);
}

// The student file (as the rubric names it) that compiled kit file `file` stands for, or null.
function studentFileOf(m: StudentModules, file: string): string | null {
  for (const f of m.studentFiles) if (file === path.join(m.kit, f.replace(/\.ts$/, ".js"))) return f;
  return null;
}
