// The student's files in the grader's engine, for one test file: one
// Sandbox (solution/src/engine/sandbox.ts) built as the grader builds it,
// over the kernel's real "./defs" and src/hw/riscv, with the grader's
// budgets. During an engine run the exports of the student's modules, as
// the kernel and the tests imported them, are swapped for the sandbox's,
// and the machine boots with the grader's step budget; afterwards Node's
// functions are put back. What comes out of a student's function in the
// engine (an error, a budget run out) is kept as a Fault.

/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EngineLimit } from "../../src/engine/limits";
import { Sandbox } from "../../src/engine/sandbox";
import { StepBudgetExceeded } from "../../src/hw/machine";
import type { BootOptions } from "../../src/kernel/main";
import type { EngineHost } from "./_bridge";
import type { Fault } from "./_explain";
import type { Grading } from "./_grading";

type Module = Record<string, unknown>;

/** The first fault of a run, with the student's function it came out of. */
export interface Observed {
  readonly call: { readonly file: string; readonly fn: string };
  readonly fault: Fault;
}

export class EngineFiles {
  readonly #host: EngineHost;
  readonly #root: string;
  readonly #grading: Grading;
  #sandbox: Sandbox | null = null;
  #first: Observed | null = null;

  constructor(host: EngineHost, root: string, grading: Grading) {
    this.#host = host;
    this.#root = root;
    this.#grading = grading;
  }

  /**
   * Runs `body` with the student's files in the engine, as one unit of the
   * grader (a fresh step budget, Math.random seeded with `seed`); returns
   * its result, the first fault seen, and the budget that ran out (the
   * grader fails a test that ran out of one, whatever the test caught).
   */
  async run<T>(
    seed: number,
    body: () => Promise<T>,
  ): Promise<{ result: T; first: Observed | null; limit: EngineLimit | null }> {
    const sandbox = this.#sandboxNow(seed);
    const restore = this.#swapIn(sandbox);
    this.#first = null;
    sandbox.startUnit(seed);
    try {
      const result = await body();
      return { result, first: this.#first, limit: sandbox.limitHit };
    } finally {
      restore();
    }
  }

  /** The student files' TypeScript, by file ("src/kernel/cow.ts"). */
  sources(): Map<string, string> {
    return new Map(this.#grading.studentFiles.map((rel) => [rel, readFileSync(path.join(this.#root, rel), "utf8")]));
  }

  // The sandbox, made and its files loaded (on a unit of their own, as the grader loads them) at the first run.
  #sandboxNow(seed: number): Sandbox {
    if (this.#sandbox !== null) return this.#sandbox;
    const { transpile, quickjs } = this.#host;
    const files = [...this.sources()].map(([rel, ts]) => ({ rel, js: transpile(ts, path.basename(rel), true) }));
    const riscv = readFileSync(path.join(this.#root, "src/hw/riscv.ts"), "utf8");
    const sandbox = new Sandbox(quickjs, {
      defs: this.#module("src/kernel/defs.ts"),
      pureSource: transpile(riscv, "riscv.ts", false),
      files,
      limits: this.#grading.engine,
    });
    sandbox.startUnit(seed);
    for (const rel of this.#grading.studentFiles) sandbox.exports(rel);
    this.#sandbox = sandbox;
    return sandbox;
  }

  // Swaps the student modules' functions for the sandbox's, and boot() for one with the grader's step budget; returns the undo.
  #swapIn(sandbox: Sandbox): () => void {
    const undo: (() => void)[] = [];
    const set = (m: Module, name: string, value: unknown): void => {
      const old = m[name];
      m[name] = value;
      if (m[name] !== value) throw new Error(`Cannot run in the engine: the export ${name} cannot be replaced`);
      undo.push(() => (m[name] = old));
    };
    try {
      for (const rel of this.#grading.studentFiles) {
        const node = this.#module(rel);
        const engine = sandbox.exports(rel);
        for (const [name, f] of Object.entries(node))
          if (typeof f === "function") set(node, name, this.#watched(rel, name, engine[name]));
      }
      const main = this.#module("src/kernel/main.ts");
      const boot = main.boot as (o?: BootOptions) => unknown;
      const stepBudget = this.#grading.stepBudget;
      set(main, "boot", (o: BootOptions = {}) => boot({ ...o, stepBudget: o.stepBudget ?? stepBudget }));
    } catch (e) {
      undo.reverse().forEach((f) => f());
      throw e;
    }
    return () => undo.reverse().forEach((f) => f());
  }

  // The engine's function `name` of `rel`, keeping the first fault that comes out of it.
  #watched(rel: string, name: string, engine: unknown): (...args: unknown[]) => unknown {
    return (...args) => {
      if (typeof engine !== "function") {
        this.#first ??= { call: { file: rel, fn: name }, fault: { kind: "missing" } };
        throw new Error(`${rel} did not define ${name}() when it ran in the engine`);
      }
      try {
        return engine(...args);
      } catch (e) {
        this.#first ??= { call: { file: rel, fn: name }, fault: faultOf(e, rel) };
        throw e;
      }
    };
  }

  // A module of the project as the test file's modules share it (Jest's registry for this file).
  #module(rel: string): Module {
    return require(path.join(this.#root, rel)) as Module;
  }
}

/** What a thrown value says, as a Fault; `rel` is the file it came out of. */
export function faultOf(e: unknown, rel: string): Fault {
  if (e instanceof EngineLimit) return { kind: "limit", limit: e.kind, words: e.message };
  if (e instanceof StepBudgetExceeded) return { kind: "machine", words: e.message };
  if (!(e instanceof Error)) return { kind: "thrown", name: "", message: String(e), at: null };
  // the engine's stack, already mapped to the student's TypeScript lines: the place of its first frame in `rel`
  const frame = (e.stack ?? "").split("\n").find((l) => l.includes(`(${rel}:`));
  const at = frame === undefined ? null : frame.slice(frame.indexOf(`(${rel}:`) + 1, frame.lastIndexOf(")"));
  return { kind: "thrown", name: e.name, message: e.message, at };
}
