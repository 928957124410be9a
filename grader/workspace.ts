// Stage 2, workspace: a temporary folder holding the submission's student
// files, each as submitted (TypeScript) and compiled on its own (a missing
// one is the starter's stub). The worker runs them with the kit's compiled
// code, which stays in the kit's cache: its imports of a student file are
// sent to the workspace's. A submission's text is compiled, checked for
// integrity and type-checked in the compiler's process (compile.ts), never in
// the grader's; the kit's own files (the reference, a report's re-run of a
// graded submission) are transpiled here.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompileFile } from "./_compile-child";
import { Compiler } from "./compile";
import { Kit, transpile } from "./kit";
import { safeId } from "./intake";
import { Diagnostic, Intake, Workspace } from "./model";
import { toDiagnostic } from "./typecheck";

export interface WorkspaceOptions {
  /** Where workspaces are made; default the system's temporary folder. */
  readonly tmpRoot?: string;
}

/** Builds the workspace of one submission to grade: compiled, checked and type-checked by `compiler`. */
export async function buildWorkspace(
  kit: Kit,
  intake: Intake,
  compiler: Compiler,
  options: WorkspaceOptions = {},
): Promise<Workspace> {
  const files = filesOf(kit, intake);
  const c = await compiler.compile(files);
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), `oslab-${safeId(intake.source.id)}-`));
  const js = new Map(c.files.map((f) => [f.rel, f.js]));
  for (const f of files) write(dir, f.rel, f.text, js.get(f.rel));
  return {
    dir,
    syntaxErrors: c.syntaxErrors,
    typeErrors: c.typeErrors,
    notShown: c.notShown,
    flags: c.flags,
    ...(c.notCompiled !== undefined ? { notCompiled: c.notCompiled } : {}),
    ...(c.notTypeChecked !== undefined ? { notTypeChecked: c.notTypeChecked } : {}),
    checkCpuMs: c.cpuMs,
  };
}

/** Builds a workspace here, transpiling alone (no integrity or type check): for code already graded or trusted. */
export function createWorkspace(kit: Kit, intake: Intake, options: WorkspaceOptions = {}): Workspace {
  const dir = mkdtempSync(path.join(options.tmpRoot ?? os.tmpdir(), `oslab-${safeId(intake.source.id)}-`));
  const syntaxErrors: Diagnostic[] = [];
  for (const f of filesOf(kit, intake)) {
    const out = transpile(f.text, f.rel);
    if (f.submitted) syntaxErrors.push(...out.diagnostics.map((d) => toDiagnostic(d, f.rel)));
    write(dir, f.rel, f.text, out.js);
  }
  return { dir, syntaxErrors, typeErrors: [], flags: [] };
}

/** Removes a workspace. */
export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.dir, { recursive: true, force: true });
}

function filesOf(kit: Kit, intake: Intake): CompileFile[] {
  const submitted = new Map(intake.files.map((f) => [f.path, f.text]));
  return kit.rubric.studentFiles.map((rel) => ({
    rel,
    text: submitted.get(rel) ?? starterText(kit, rel),
    submitted: submitted.has(rel),
  }));
}

function write(dir: string, rel: string, text: string, js: string | undefined): void {
  const target = path.join(dir, rel);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  if (js !== undefined) writeFileSync(target.replace(/\.ts$/, ".js"), js);
}

function starterText(kit: Kit, rel: string): string {
  const file = path.join(kit.starterSrc, path.relative("src", rel));
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot build a workspace: the starter's ${rel} (${file}) cannot be read: ${(e as Error).message}`);
  }
}
