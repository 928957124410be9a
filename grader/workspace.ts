// Stage 2, workspace: a temporary folder holding the submission's student
// files, each as submitted (TypeScript) and transpiled on its own (a missing
// one is the starter's stub). The worker runs them with the kit's compiled
// code, which stays in the kit's cache: its imports of a student file are
// sent to the workspace's. Syntax errors come from the transpiler; type
// errors from a check against the kit.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kit, transpile } from "./kit";
import { safeId } from "./intake";
import { Diagnostic, Intake, Workspace } from "./model";
import { TypeChecker, toDiagnostic } from "./typecheck";

export interface WorkspaceOptions {
  /** Where workspaces are made; default the system's temporary folder. */
  readonly tmpRoot?: string;
  /** Type-checks the student files; none: no type check. */
  readonly checker?: TypeChecker;
}

/** Builds the workspace of one submission. */
export function createWorkspace(kit: Kit, intake: Intake, options: WorkspaceOptions = {}): Workspace {
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), `oslab-${safeId(intake.source.id)}-`));
  const submitted = new Map(intake.files.map((f) => [f.path, f.text]));
  const syntaxErrors: Diagnostic[] = [];
  for (const rel of kit.rubric.studentFiles) {
    const text = submitted.get(rel) ?? starterText(kit, rel);
    const target = path.join(dir, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    const out = transpile(text, rel);
    if (submitted.has(rel)) syntaxErrors.push(...out.diagnostics.map((d) => toDiagnostic(d, rel)));
    writeFileSync(target.replace(/\.ts$/, ".js"), out.js);
  }
  const typeErrors = syntaxErrors.length === 0 && options.checker !== undefined ? options.checker.check(submitted) : [];
  return { dir, syntaxErrors, typeErrors };
}

/** Removes a workspace. */
export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.dir, { recursive: true, force: true });
}

function starterText(kit: Kit, rel: string): string {
  const file = path.join(kit.starterSrc, path.relative("src", rel));
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot build a workspace: the starter's ${rel} (${file}) cannot be read: ${(e as Error).message}`);
  }
}
