// Type-checking the student files against the kit with the TypeScript
// compiler API. The kit's own files are parsed once per batch and reused by
// every submission's program, so a check costs only the student files.
// Type errors are reported (file:line) and never stop the tests.

import { existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { COMPILER_OPTIONS } from "./_compiler";
import type { Diagnostic } from "./model";

export class TypeChecker {
  readonly #project: string;
  readonly #studentFiles: readonly string[];
  readonly #options: ts.CompilerOptions;
  readonly #host: ts.CompilerHost;
  readonly #cache = new Map<string, ts.SourceFile | undefined>();
  #texts = new Map<string, string>();
  #old: ts.Program | undefined;

  /** `project` holds src/ (the kit's TypeScript) and maybe a tsconfig.json; `studentFiles` are relative to it. */
  constructor(project: string, studentFiles: readonly string[]) {
    this.#project = project;
    this.#studentFiles = studentFiles;
    this.#options = { ...projectOptions(project), noEmit: true, types: ["node"], skipLibCheck: true };
    const host = ts.createCompilerHost(this.#options);
    // Node's types (types: ["node"]) are looked up in the node_modules/@types above the current
    // folder: the project's, as the student's tsc does, never wherever the grader was started
    // (a sandbox starts the checker in "/", where none are found and `console` is unknown)
    const root = path.resolve(project);
    host.getCurrentDirectory = () => root;
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, onError) => {
      const own = this.#texts.get(path.resolve(file));
      if (own !== undefined) return ts.createSourceFile(file, own, language, true);
      if (!this.#cache.has(file)) this.#cache.set(file, getSourceFile(file, language, onError));
      return this.#cache.get(file);
    };
    this.#host = host;
  }

  /**
   * The type errors in the student files `reported` (rubric paths, default
   * all of `texts`), in file and line order, with the student files' texts
   * `texts` in place of the kit's (a file not given is read from the
   * project); none given: only warms up.
   */
  check(texts: ReadonlyMap<string, string>, reported: ReadonlySet<string> = new Set(texts.keys())): Diagnostic[] {
    this.#texts = new Map([...texts].map(([rel, text]) => [path.resolve(this.#project, rel), text]));
    const rootNames = this.#studentFiles.map((rel) => path.resolve(this.#project, rel));
    const program = ts.createProgram({
      rootNames,
      options: this.#options,
      host: this.#host,
      ...(this.#old !== undefined ? { oldProgram: this.#old } : {}),
    });
    this.#old = program;
    const out: Diagnostic[] = [];
    if (texts.size === 0) program.getGlobalDiagnostics(); // builds the checker: the first check costs the most
    for (const rel of this.#studentFiles) {
      if (!reported.has(rel)) continue;
      const sf = program.getSourceFile(path.resolve(this.#project, rel));
      if (sf === undefined) continue;
      for (const d of program.getSemanticDiagnostics(sf)) out.push(toDiagnostic(d, rel));
    }
    return out;
  }
}

/** A compiler message as the grader reports it, for the student file `rel`. */
export function toDiagnostic(d: ts.Diagnostic, rel: string): Diagnostic {
  const pos = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
  return {
    file: rel,
    line: pos === null ? 0 : pos.line + 1,
    column: pos === null ? 0 : pos.character + 1,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  };
}

/** "src/kernel/cow.ts:12:5 - error TS2322: ..." */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} - error TS${d.code}: ${d.message}`;
}

// The student project's own compiler options (its tsconfig.json), so the
// grader reports exactly what `tsc` shows the student; strict when it has none.
function projectOptions(project: string): ts.CompilerOptions {
  const file = path.join(project, "tsconfig.json");
  const strict: ts.CompilerOptions = { ...COMPILER_OPTIONS, strict: true };
  if (!existsSync(file)) return strict;
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error !== undefined) return strict;
  const parsed = ts.convertCompilerOptionsFromJson(read.config.compilerOptions ?? {}, project);
  return { ...COMPILER_OPTIONS, ...parsed.options };
}
