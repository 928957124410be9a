// One checker: a warm compiler process (_compile-child.ts) that compiles one
// submission's files at a time. Each submission gets its own budget of the
// checker's CPU time, read from outside (/proc), so a file that makes the
// type checker run without end costs its own budget and is stopped at the
// same point on a loaded machine as on an idle one; a wall-clock backstop a
// few times longer stays for the grader's own bugs (a checker that waits
// for nothing). A stopped checker is killed and started again at once, in
// the background, so the next submission finds it warm.

import type { ChildProcess } from "node:child_process";
import path from "node:path";
import type { CompileFile, CompileReply, CompileRequest } from "./_compile-child";
import { cpuTimeMs, processTree } from "./_cputime";
import { Reaper } from "./_reaper";
import { Diagnostic } from "./model";
import { IsolationLayer, Sandboxed, forkSandboxed } from "./sandbox/isolation";

export interface CheckerOptions {
  /** The compiler process's entry (the kit's worker/_compile-child.js). */
  readonly entry: string;
  /** The kit's project (src/, tsconfig.json), for the type check. */
  readonly project: string;
  readonly studentFiles: readonly string[];
  /** CPU time for one submission's files, in ms. */
  readonly cpuMs: number;
  /** Wall-clock time for one submission's files, in ms: the backstop. */
  readonly wallMs: number;
  /** Heap of the compiler's process, in MB. */
  readonly memoryMb: number;
  /** The operating-system layer the process runs under. */
  readonly isolation: IsolationLayer;
  readonly reaper?: Reaper | undefined;
}

/** Why a checker was stopped on a submission's files (compile.ts says it in words). */
export type CheckerStop =
  | { readonly kind: "cpu"; readonly ms: number } // used its budget of CPU time
  | { readonly kind: "wall"; readonly ms: number } // the backstop
  | { readonly kind: "memory" }
  | { readonly kind: "stack" }
  | { readonly kind: "ended"; readonly how: string }; // "SIGKILL", "exit code 7"

export type CompiledReply = Extract<CompileReply, { type: "compiled" }>;

/** What a checker made of one submission's files. */
export interface CheckerAnswer {
  /** The transpiled files, syntax errors and flags; null when they never came. */
  readonly compiled: CompiledReply | null;
  readonly typeErrors: readonly Diagnostic[];
  /** Type errors found beyond typeErrors (the child sends at most MAX_DIAGNOSTICS). */
  readonly typeErrorsNotShown: number;
  /** Set when the checker was stopped before it finished. */
  readonly stop: CheckerStop | null;
  /** CPU time spent on these files, in ms (wall-clock time where /proc cannot tell). */
  readonly cpuMs: number;
}

const STDERR_LIMIT = 4000;

export class Checker {
  readonly #options: CheckerOptions;
  #box: Sandboxed | null = null;
  #child: ChildProcess | null = null;
  /** The checker's processes (its own and any a sandbox put above it), found when it is ready. */
  #tree: number[] = [];
  #ready: Promise<void> | null = null;
  #stderr = "";
  #nextId = 1;
  #closed = false;
  /** Processes started, and the CPU time their start-up cost, in ms (the grader's, charged to nobody). */
  starts = 0;
  startCpuMs = 0;

  constructor(options: CheckerOptions) {
    this.#options = options;
  }

  /** Starts the process and parses the kit, unless already started; rejects when it cannot start (the grader's fault). */
  start(): Promise<void> {
    if (this.#ready !== null) return this.#ready;
    if (this.#closed) return Promise.reject(new Error("The compiler's process was closed"));
    let box: Sandboxed;
    try {
      box = forkChecker(this.#options);
    } catch (e) {
      return Promise.reject(this.#cannotStart((e as Error).message));
    }
    const child = box.child;
    this.starts++;
    this.#box = box;
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
        this.#box = null;
        this.#child = null;
        this.#ready = null;
      }
    });
    this.#ready = this.#whenReady(box);
    this.#ready.catch(() => undefined);
    const init: CompileRequest = {
      type: "init",
      project: this.#options.project,
      studentFiles: this.#options.studentFiles,
    };
    child.send(init);
    return this.#ready;
  }

  // Resolves at the process's "ready", its processes and start-up cost then
  // noted; rejects when it ends first, or is not ready within the backstop
  // (killed: a start that hangs, in a sandbox say, must not hold a lane forever).
  #whenReady(box: Sandboxed): Promise<void> {
    const child = box.child;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.#cannotStart(`it was not ready after ${this.#options.wallMs / 1000} s`));
        box.kill();
      }, this.#options.wallMs);
      const onMessage = (m: CompileReply): void => {
        if (m.type !== "ready") return;
        clearTimeout(timer);
        child.off("message", onMessage);
        this.#tree = child.pid === undefined ? [] : processTree(child.pid);
        this.startCpuMs += cpuTimeMs(this.#tree) ?? 0;
        resolve();
      };
      child.on("message", onMessage);
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        reject(this.#cannotStart(this.#stderr.trim() || `it ended (${signal ?? `exit code ${code}`})`));
      });
    });
  }

  #cannotStart(why: string): Error {
    return new Error(`Cannot start the compiler's process (${this.#options.entry}): ${why}`);
  }

  /** Resolves when the checker is ready or could not start: a restart after a stop has ended. */
  settled(): Promise<void> {
    return (this.#ready ?? Promise.resolve()).catch(() => undefined);
  }

  /** Compiles one submission's files within their budget; rejects only when the process cannot start. */
  async check(files: readonly CompileFile[]): Promise<CheckerAnswer> {
    await this.start();
    const child = this.#child!;
    const id = this.#nextId++;
    const used = cpuMeter(this.#tree);
    return new Promise<CheckerAnswer>((resolve) => {
      let compiled: CompiledReply | null = null;
      const finish = (typeErrors: readonly Diagnostic[], stop: CheckerStop | null, typeErrorsNotShown = 0): void => {
        clearInterval(poll);
        clearTimeout(backstop);
        child.off("message", onMessage);
        child.off("close", onExit);
        const cpuMs = used();
        if (stop !== null) this.#restart();
        resolve({ compiled, typeErrors, typeErrorsNotShown, stop, cpuMs });
      };
      const onMessage = (m: CompileReply): void => {
        if (m.type === "compiled" && m.id === id) compiled = m;
        else if (m.type === "typed" && m.id === id) finish(m.typeErrors, null, m.typeErrorsNotShown);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        finish([], checkerDeath(code, signal, this.#stderr));
      const { cpuMs, wallMs } = this.#options;
      const poll = setInterval(() => {
        if (used() > cpuMs) finish([], { kind: "cpu", ms: cpuMs });
      }, pollMs(cpuMs));
      const backstop = setTimeout(() => finish([], { kind: "wall", ms: wallMs }), wallMs);
      child.on("message", onMessage);
      child.once("close", onExit);
      const req: CompileRequest = { type: "compile", id, files };
      child.send(req);
    });
  }

  /** Stops the process for good. */
  close(): void {
    this.#closed = true;
    this.#kill();
  }

  // Kills the process and starts a new one, warm for the next submission.
  #restart(): void {
    this.#kill();
    if (!this.#closed) void this.start().catch(() => undefined); // a failure is told to whoever uses it next
  }

  #kill(): void {
    const box = this.#box;
    this.#box = null;
    this.#child = null;
    this.#ready = null;
    box?.kill();
  }
}

// The one place a checker process is started. It reads student files as
// text and never runs them, but it is where hostile input meets the
// TypeScript compiler, so it runs under the batch's isolation layer like a
// grading worker: a clean environment, no network, no writes, reads of its
// own scripts (with the compiler in the node_modules above them) and of the
// kit's project alone, killed with everything it started. Its CPU time is
// read over the whole tree below the process forked here, so the sandbox's
// own processes in between (a shell, bubblewrap) change nothing.
function forkChecker(options: CheckerOptions): Sandboxed {
  return forkSandboxed(options.entry, {
    layer: options.isolation,
    read: [path.dirname(options.entry), options.project],
    execArgv: [`--max-old-space-size=${options.memoryMb}`, "--stack-size=984"],
    stderr: "pipe",
    serialization: "advanced",
  });
}

/** A function giving the CPU time `tree` used since now, in ms; wall-clock time where /proc cannot tell. */
function cpuMeter(tree: readonly number[]): () => number {
  const t0 = performance.now();
  const cpu0 = cpuTimeMs(tree);
  if (cpu0 === null) return () => performance.now() - t0;
  let last = 0;
  return () => {
    const now = cpuTimeMs(tree);
    if (now !== null) last = now - cpu0; // null: the process has just ended (its "close" tells why)
    return last;
  };
}

/** How often a submission's CPU time is read: 20 times within its budget, at most every 100 ms. */
function pollMs(cpuMs: number): number {
  return Math.max(10, Math.min(100, cpuMs / 20));
}

function checkerDeath(code: number | null, signal: NodeJS.Signals | null, stderr: string): CheckerStop {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) return { kind: "memory" };
  if (/Maximum call stack size exceeded/.test(stderr)) return { kind: "stack" };
  return { kind: "ended", how: signal ?? `exit code ${code}` };
}
