// How the grader compiles TypeScript: one set of options for the kit, the
// hidden suites and the student files, and transpiling a file on its own.
// Only the compiler is imported: this file runs in the compiler's process too.

import path from "node:path";
import ts from "typescript";

/** Compiler options for everything the grader transpiles (and type-checks). */
export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
};

/**
 * Transpiles one TypeScript file (`rel`: its path in the workspace); syntax
 * errors come back. Student files get an inline source map, so that a stack
 * trace names their own lines; the kit's files load faster without one.
 */
export function transpile(
  text: string,
  rel: string,
  sourceMap = true,
): { js: string; diagnostics: readonly ts.Diagnostic[] } {
  const out = ts.transpileModule(text, {
    compilerOptions: sourceMap ? { ...COMPILER_OPTIONS, inlineSourceMap: true } : COMPILER_OPTIONS,
    fileName: path.basename(rel),
    reportDiagnostics: true,
  });
  return { js: out.outputText, diagnostics: out.diagnostics ?? [] };
}
