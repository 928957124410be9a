// The compiler's process: everything the grader does with a student's text
// as TypeScript happens here, not in the grader's own process, so that a
// file that makes the compiler loop, crash or fill memory costs one process
// that the grader kills once it has used the submission's budget of CPU
// time (the rubric's compileSeconds; _checker.ts). For each submission it
// transpiles the files, runs the integrity check, says so (cheap, first),
// then type-checks them against the kit (warm: the kit is parsed once).

import { transpile } from "./_compiler";
import { checkIntegrity } from "./integrity";
import type { Diagnostic, IntegrityFlag } from "./model";
import { capDiagnostics } from "./_diagnostics";
import { TypeChecker, toDiagnostic } from "./typecheck";

/** A student file to compile: submitted, or the starter's stub in place of a missing one. */
export interface CompileFile {
  readonly rel: string;
  readonly text: string;
  /** Only a submitted file's syntax errors, flags and type errors are reported. */
  readonly submitted: boolean;
}

export type CompileRequest =
  | { readonly type: "init"; readonly project: string; readonly studentFiles: readonly string[] }
  | { readonly type: "compile"; readonly id: number; readonly files: readonly CompileFile[] };

export type CompileReply =
  | { readonly type: "ready" }
  | {
      readonly type: "compiled";
      readonly id: number;
      readonly files: readonly { readonly rel: string; readonly js: string }[];
      readonly syntaxErrors: readonly Diagnostic[];
      /** Syntax errors found beyond those sent. */
      readonly syntaxErrorsNotShown: number;
      readonly flags: readonly IntegrityFlag[];
    }
  | {
      readonly type: "typed";
      readonly id: number;
      readonly typeErrors: readonly Diagnostic[];
      /** Type errors found beyond those sent. */
      readonly typeErrorsNotShown: number;
    };

function main(): void {
  let checker: TypeChecker | null = null;
  const send = (m: CompileReply): void => {
    process.send!(m);
  };
  process.on("message", (m: CompileRequest) => {
    if (m.type === "init") {
      checker = new TypeChecker(m.project, m.studentFiles);
      checker.check(new Map()); // parses the kit now, not during the first submission
      send({ type: "ready" });
      return;
    }
    const syntaxErrors: Diagnostic[] = [];
    const files = m.files.map((f) => {
      const out = transpile(f.text, f.rel);
      if (f.submitted) syntaxErrors.push(...out.diagnostics.map((d) => toDiagnostic(d, f.rel)));
      return { rel: f.rel, js: out.js };
    });
    const flags = m.files.filter((f) => f.submitted).flatMap((f) => checkIntegrity(f.rel, f.text));
    const syntax = capDiagnostics(syntaxErrors);
    send({
      type: "compiled",
      id: m.id,
      files,
      syntaxErrors: syntax.shown,
      syntaxErrorsNotShown: syntax.notShown,
      flags,
    });
    // the starter's stub in place of a missing file, not the project's own (the reference's) text
    const texts = new Map(m.files.map((f) => [f.rel, f.text]));
    const submitted = new Set(m.files.filter((f) => f.submitted).map((f) => f.rel));
    const typeErrors =
      syntaxErrors.length === 0 && submitted.size > 0 && checker !== null ? checker.check(texts, submitted) : [];
    const typed = capDiagnostics(typeErrors);
    send({ type: "typed", id: m.id, typeErrors: typed.shown, typeErrorsNotShown: typed.notShown });
  });
  process.on("disconnect", () => process.exit(0));
}

if (require.main === module) main();
