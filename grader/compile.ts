// The compiler as a service: a few warm checkers (_checker.ts), one per
// grading lane, each a process (_compile-child.ts) that transpiles, checks
// and type-checks one submission's files at a time. The grader's own
// process never runs the compiler on a student's text. Each submission's
// files get their own budget of a checker's CPU time: a file that makes the
// compiler hang, loop or crash ends only its own checker, which is killed
// and started again in the background while the other checkers keep
// serving, and the submission is told in words. k hostile submissions cost
// k budgets and hold one checker each for that long, nobody else's.

import type { CompileFile } from "./_compile-child";
import { Checker, CheckerAnswer, CheckerStop } from "./_checker";
import { Reaper } from "./_reaper";
import { Diagnostic, DiagnosticsNotShown, IntegrityFlag } from "./model";
import type { IsolationLayer } from "./sandbox/isolation";

export type { CheckerStop } from "./_checker";

export interface CompilerOptions {
  /** The compiler process's entry (the kit's worker/_compile-child.js). */
  readonly entry: string;
  /** The kit's project (src/, tsconfig.json), for the type check. */
  readonly project: string;
  readonly studentFiles: readonly string[];
  /** CPU time for one submission's files, in ms (the rubric's compileSeconds). */
  readonly cpuMs: number;
  /** Wall-clock time for one submission's files, in ms, against the grader's own bugs (default 4 × cpuMs). */
  readonly wallMs?: number;
  /** Checkers kept warm, each compiling one submission at a time (default 1): one per grading lane. */
  readonly checkers?: number;
  /** Heap of each checker's process, in MB. */
  readonly memoryMb: number;
  /** The operating-system layer the checkers run under (default none: plain child processes). */
  readonly isolation?: IsolationLayer;
  readonly reaper?: Reaper;
}

/** A submission's files compiled, and what was found on the way. */
export interface Compiled {
  /** Each file's JavaScript (none when the files did not compile). */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  readonly syntaxErrors: readonly Diagnostic[];
  readonly typeErrors: readonly Diagnostic[];
  /** Errors of each kind found beyond those listed (the checker lists at most MAX_DIAGNOSTICS). */
  readonly notShown: DiagnosticsNotShown;
  readonly flags: readonly IntegrityFlag[];
  /** Set when the files could not be compiled: nothing runs. */
  readonly notCompiled?: string;
  /** Set when the type check did not finish: the tests run anyway. */
  readonly notTypeChecked?: string;
  /** Why the checker was stopped on these files, when it was (notCompiled or notTypeChecked says it in words). */
  readonly stopped?: CheckerStop;
  /** CPU time the checker spent on these files, in ms: what their budget was charged. */
  readonly cpuMs: number;
  /** Which checker compiled them, from 0. */
  readonly checker: number;
}

/** How a submission's "not compiled" sentence begins (the report draws no picture of one). */
export const NOT_COMPILED = "Your files could not be compiled:";

export class Compiler {
  readonly #checkers: readonly Checker[];
  readonly #idle: number[];
  readonly #waiting: { resolve: (i: number) => void; reject: (e: Error) => void }[] = [];
  #closed = false;

  constructor(options: CompilerOptions) {
    const { checkers = 1, wallMs = 4 * options.cpuMs, isolation = "none", ...rest } = options;
    const n = Math.max(1, checkers);
    this.#checkers = Array.from({ length: n }, () => new Checker({ ...rest, wallMs, isolation }));
    this.#idle = Array.from({ length: n }, (_, i) => i);
  }

  /** Starts every checker and parses the kit, in the background; resolves when all are ready (or could not start). */
  warm(): Promise<void> {
    return Promise.all(this.#checkers.map((c) => c.start().catch(() => undefined))).then(() => undefined);
  }

  /** Compiles one submission's files on the first free checker; rejects only when a checker cannot start (the grader's fault). */
  async compile(files: readonly CompileFile[]): Promise<Compiled> {
    const i = await this.#take();
    const checker = this.#checkers[i]!;
    let answer: CheckerAnswer;
    try {
      answer = await checker.check(files);
    } finally {
      // a checker stopped on these files serves again once started afresh (warm), not before
      void checker.settled().then(() => this.#give(i));
    }
    return compiledOf(answer, i);
  }

  /** The checkers' start-ups so far: how many, and the CPU time they cost, in ms (charged to no submission). */
  get starts(): { readonly count: number; readonly cpuMs: number } {
    return {
      count: this.#checkers.reduce((n, c) => n + c.starts, 0),
      cpuMs: this.#checkers.reduce((n, c) => n + c.startCpuMs, 0),
    };
  }

  /** Stops every checker; a submission still waiting for one is refused. */
  close(): void {
    this.#closed = true;
    for (const c of this.#checkers) c.close();
    for (const w of this.#waiting.splice(0)) w.reject(new Error("The compiler's process was closed"));
  }

  // The first free checker, in the order submissions asked.
  #take(): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("The compiler's process was closed"));
    const i = this.#idle.shift();
    if (i !== undefined) return Promise.resolve(i);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #give(i: number): void {
    const w = this.#waiting.shift();
    if (w !== undefined) w.resolve(i);
    else this.#idle.push(i);
  }
}

/** A checker's answer as the grader keeps it, the sentences said here and only here. */
function compiledOf(a: CheckerAnswer, checker: number): Compiled {
  const charged = { cpuMs: a.cpuMs, checker, ...(a.stop !== null ? { stopped: a.stop } : {}) };
  if (a.compiled === null)
    return {
      files: [],
      syntaxErrors: [],
      typeErrors: [],
      notShown: { syntax: 0, type: 0 },
      flags: [],
      notCompiled: `${NOT_COMPILED} ${a.stop === null ? "the compiler said nothing" : stopSentence(a.stop)}, so no test ran.`,
      ...charged,
    };
  const { files, syntaxErrors, flags } = a.compiled;
  return {
    files,
    syntaxErrors,
    typeErrors: a.typeErrors,
    notShown: { syntax: a.compiled.syntaxErrorsNotShown, type: a.typeErrorsNotShown },
    flags,
    ...(a.stop !== null
      ? {
          notTypeChecked: `TypeScript could not check your files for type errors: ${stopSentence(a.stop)} (the tests ran anyway).`,
        }
      : {}),
    ...charged,
  };
}

function stopSentence(stop: CheckerStop): string {
  switch (stop.kind) {
    case "cpu":
      return `the compiler used more than ${seconds(stop.ms)} of CPU time on them (the grader's limit) and was stopped`;
    case "wall":
      return `the compiler took more than ${seconds(stop.ms)} (the grader's limit) and was stopped`;
    case "memory":
      return "the compiler ran out of memory on them";
    case "stack":
      return "the compiler overflowed its stack on them";
    case "ended":
      return `the compiler stopped on them (${stop.how})`;
  }
}

/** "2 s", "0.5 s" */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
