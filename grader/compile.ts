// The compiler as a service: one warm process per batch (_compile-child.ts)
// that transpiles, checks and type-checks each submission's files, one at a
// time, with the rubric's time limit. The grader's own process never runs
// the compiler on a student's text: a file that makes the compiler hang or
// crash ends only that process, which is killed and started again, and the
// submission is told in words.

import { ChildProcess, fork } from "node:child_process";
import type { CompileFile, CompileReply, CompileRequest } from "./_compile-child";
import { Reaper } from "./_reaper";
import { Diagnostic, IntegrityFlag } from "./model";

export interface CompilerOptions {
  /** The compiler process's entry (the kit's worker/_compile-child.js). */
  readonly entry: string;
  /** The kit's project (src/, tsconfig.json), for the type check. */
  readonly project: string;
  readonly studentFiles: readonly string[];
  /** Time for one submission's files, in ms. */
  readonly timeoutMs: number;
  /** Heap of the compiler's process, in MB. */
  readonly memoryMb: number;
  readonly reaper?: Reaper;
}

/** A submission's files compiled, and what was found on the way. */
export interface Compiled {
  /** Each file's JavaScript (none when the files did not compile). */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  readonly syntaxErrors: readonly Diagnostic[];
  readonly typeErrors: readonly Diagnostic[];
  readonly flags: readonly IntegrityFlag[];
  /** Set when the files could not be compiled: nothing runs. */
  readonly notCompiled?: string;
  /** Set when the type check did not finish: the tests run anyway. */
  readonly notTypeChecked?: string;
}

const STDERR_LIMIT = 4000;

/** How a submission's "not compiled" sentence begins (the report draws no picture of one). */
export const NOT_COMPILED = "Your files could not be compiled:";

export class Compiler {
  readonly #options: CompilerOptions;
  #child: ChildProcess | null = null;
  #ready: Promise<void> | null = null;
  #stderr = "";
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closed = false;

  constructor(options: CompilerOptions) {
    this.#options = options;
  }

  /** Starts the compiler's process and parses the kit (in the background). */
  warm(): void {
    this.#start();
  }

  /** Compiles one submission's files; rejects only when the compiler's process cannot start (the grader's fault). */
  compile(files: readonly CompileFile[]): Promise<Compiled> {
    const job = this.#queue.then(() => this.#compile(files));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  /** Stops the compiler's process. */
  close(): void {
    this.#closed = true;
    this.#kill();
  }

  #start(): Promise<void> {
    if (this.#ready !== null) return this.#ready;
    const child = fork(this.#options.entry, [], {
      execArgv: [`--max-old-space-size=${this.#options.memoryMb}`, "--stack-size=984"],
      env: { PATH: process.env.PATH ?? "", LANG: "C.UTF-8" },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    this.#child = child;
    this.#stderr = "";
    this.#options.reaper?.watch(child.pid);
    child.stderr?.on("data", (d: Buffer) => {
      if (this.#stderr.length < STDERR_LIMIT) this.#stderr += d.toString("utf8").slice(0, STDERR_LIMIT);
    });
    // "close", not "exit": the last messages may still be on their way at "exit"
    child.once("close", () => {
      this.#options.reaper?.forget(child.pid);
      if (this.#child === child) {
        this.#child = null;
        this.#ready = null;
      }
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: CompileReply): void => {
        if (m.type !== "ready") return;
        child.off("message", onMessage);
        resolve();
      };
      child.on("message", onMessage);
      child.once("close", (code, signal) =>
        reject(
          new Error(
            `Cannot start the compiler's process (${this.#options.entry}): ${this.#stderr.trim() || `it ended (${signal ?? `exit code ${code}`})`}`,
          ),
        ),
      );
    });
    this.#ready.catch(() => undefined);
    const init: CompileRequest = {
      type: "init",
      project: this.#options.project,
      studentFiles: this.#options.studentFiles,
    };
    child.send(init);
    return this.#ready;
  }

  #kill(): void {
    const child = this.#child;
    this.#child = null;
    this.#ready = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  async #compile(files: readonly CompileFile[]): Promise<Compiled> {
    if (this.#closed) throw new Error("The compiler's process was closed");
    await this.#start();
    const child = this.#child!;
    const id = this.#nextId++;
    const seconds = Math.round(this.#options.timeoutMs / 1000);
    return new Promise<Compiled>((resolve) => {
      let compiled: Extract<CompileReply, { type: "compiled" }> | null = null;
      const finish = (typeErrors: readonly Diagnostic[], stopped: string | null): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("close", onExit);
        if (stopped !== null) {
          this.#kill();
          if (!this.#closed) this.#start(); // warm again for the next submission
        }
        if (compiled === null) {
          resolve({
            files: [],
            syntaxErrors: [],
            typeErrors: [],
            flags: [],
            notCompiled: `${NOT_COMPILED} ${stopped ?? "the compiler said nothing"}, so no test ran.`,
          });
          return;
        }
        const { files: out, syntaxErrors, flags } = compiled;
        resolve({
          files: out,
          syntaxErrors,
          typeErrors,
          flags,
          ...(stopped !== null
            ? {
                notTypeChecked: `TypeScript could not check your files for type errors: ${stopped} (the tests ran anyway).`,
              }
            : {}),
        });
      };
      const onMessage = (m: CompileReply): void => {
        if (m.type === "compiled" && m.id === id) compiled = m;
        else if (m.type === "typed" && m.id === id) finish(m.typeErrors, null);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        finish([], compilerDeath(code, signal, this.#stderr));
      const timer = setTimeout(
        () => finish([], `the compiler took more than ${seconds} s (the grader's limit) and was stopped`),
        this.#options.timeoutMs,
      );
      child.on("message", onMessage);
      child.once("close", onExit);
      const req: CompileRequest = { type: "compile", id, files };
      child.send(req);
    });
  }
}

function compilerDeath(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr))
    return "the compiler ran out of memory on them";
  if (/Maximum call stack size exceeded/.test(stderr)) return "the compiler overflowed its stack on them";
  return `the compiler stopped on them (${signal ?? `exit code ${code}`})`;
}
