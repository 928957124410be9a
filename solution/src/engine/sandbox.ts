// The sandbox: the student's files run inside QuickJS (compiled to
// WebAssembly), an engine that holds no object of Node's or of the kit's.
// Only numbers, strings, booleans and plain data (as JSON text) cross:
//
//   host (the kit: the machine, the kernel, the tests)
//     |  defs' machine functions (walk, kalloc, ...): host calls, counted
//     |  defs' pure helpers (PTE2PA, PGROUNDDOWN, ...): run inside the engine
//   engine (uvmcopy.js, cow.js, uvmfree.js, and _prelude.ts's closure)
//     |  the student's exports: host functions that call into the engine
//
// so there is no host object for student code to reach, whatever it does
// with what it is given. An error crosses as a new error of the other side
// (NotImplemented and KernelPanic keep their class), and a host error that
// comes back is the very same object. Every call into the engine runs under
// EngineLimits: an interrupt handler counts steps, the WebAssembly memory
// is capped (quickjs.ts), the runtime caps the stack. The promise callbacks
// the student's code queues run as a microtask of the host's, when its
// stack is empty, as Node would run them, each a step of the unit. Every
// unit gets an engine of its own, built on its first call, the student's
// files loaded anew in it: no state of the student's code outlives its
// unit. A failure of the engine itself (the WebAssembly's own stack
// overflowing) throws the engine away too, as does a call that ran out of
// memory or left callbacks it may not run; the next call builds a fresh one.

import { SourceMap } from "node:module";
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import { newHostFunction } from "./_bridge";
import { enginePrelude } from "./_prelude";
import { EngineLimit, EngineLimits, LimitKind, STEPS_PER_POLL } from "./limits";
import { EngineMemory, engineMemory } from "./quickjs";

export interface SandboxOptions {
  /** The host module the student's `./defs` stands for: its functions run on the host. */
  readonly defs: Readonly<Record<string, unknown>>;
  /** A CommonJS module run inside the engine: defs' exports it also has are taken from it (pure helpers). */
  readonly pureSource: string;
  /** The student's files, compiled: rel as the rubric names it ("src/kernel/cow.ts"), JavaScript with an inline source map. */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  readonly limits: EngineLimits;
  /** Where what the student's code prints goes, a line at a time. */
  readonly print?: (text: string) => void;
  /** Whether more printing is kept (when not, printing costs the host nothing). */
  readonly printing?: () => boolean;
}

/** A value the student's code threw that is not an Error, in words. */
export class ThrownValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThrownValue";
  }
}

type Ctor = new (message: string) => Error;
type ExportEntry = { name: string; kind: "function" | "value"; json: string | null };
type Described =
  | { error: true; id: number | null; cls: string | null; name: string; message: string; stack: string }
  | { error: false; text: string };

interface Engine {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  readonly privileged: Record<"load" | "invoke" | "describe" | "makeError" | "seed", QuickJSHandle>;
  readonly loaded: Set<string>;
  /** Strings the host sends on every call (module and export names), made once. */
  readonly names: Map<string, QuickJSHandle>;
}

/** What the sandbox cost, for the benchmarks: engines built, calls each way, and time. */
export interface SandboxStats {
  /** Engines built (one for each unit that called the student's code, and one after each failure inside) and the time it took, in ms. */
  builds: number;
  buildMs: number;
  /** Calls from the host into the student's code, and the time spent in them (the kernel's calls back included), in ms. */
  calls: number;
  callMs: number;
  /** Calls from the student's code into the kernel ("./defs", console), and the time spent on the host side, in ms. */
  callbacks: number;
  callbackMs: number;
}

export class Sandbox {
  /** What this sandbox has cost so far. */
  readonly stats: SandboxStats = { builds: 0, buildMs: 0, calls: 0, callMs: 0, callbacks: 0, callbackMs: 0 };
  readonly #quickjs: QuickJSWASMModule;
  readonly #options: SandboxOptions;
  readonly #hostFns: ((...args: unknown[]) => unknown)[] = [];
  readonly #manifest: string;
  readonly #classes = new Map<string, Ctor>();
  readonly #exports = new Map<string, Record<string, unknown>>();
  readonly #failures = new Map<string, Error>();
  readonly #maps = new Map<string, SourceMap | null>();
  /** Host errors thrown into the engine this unit, by id: one that comes back is the same object. */
  readonly #thrown = new Map<number, unknown>();
  #engine: Engine | null = null;
  #steps = 0;
  #limit: EngineLimit | null = null;
  #seed = 1;
  readonly #memory: EngineMemory;
  /** Allocations the memory's cap had refused when the unit started: one more, and the unit is out of memory. */
  #refusedBefore = 0;
  /** Calls from the host into the engine under way (the promise callbacks wait until none is). */
  #depth = 0;
  /** Units started so far, and whether a microtask to run promise callbacks is queued. */
  #unit = 0;
  #jobsQueued = false;
  /** Whether the engine is being built (the prelude and defs run): its steps are not the unit's. */
  #building = false;

  constructor(quickjs: QuickJSWASMModule, options: SandboxOptions) {
    this.#quickjs = quickjs;
    this.#options = options;
    this.#memory = engineMemory(quickjs);
    this.#manifest = this.#describeDefs();
  }

  /** Steps the current unit has taken. */
  get steps(): number {
    return this.#steps;
  }

  /** The budget the current unit ran out of, or null. */
  get limitHit(): EngineLimit | null {
    return this.#limit;
  }

  /**
   * Starts a unit (a test, a scenario, a rerun): a fresh step budget,
   * Math.random seeded with `seed`, and a fresh state of the student's code.
   * The last unit's engine is thrown away (once its queued callbacks ran),
   * so nothing its code left (a global, a module's variable, a changed
   * prototype) reaches this one: the next call builds the engine anew and
   * loads the student's files again, on this unit's budget.
   */
  startUnit(seed: number): void {
    this.#endUnit();
    this.#discard();
    this.#unit++;
    this.#steps = 0;
    this.#limit = null;
    this.#refusedBefore = this.#memory.refused;
    this.#thrown.clear();
    this.#seed = seed >>> 0;
  }

  /**
   * The exports of student file `rel` as the host sees them: one plain
   * object per file for the sandbox's life, whose functions call into the
   * engine (and may be replaced, as the hidden suites replace edit points).
   * A file that fails to load keeps its functions, each throwing why.
   */
  exports(rel: string): Record<string, unknown> {
    let out = this.#exports.get(rel);
    if (out === undefined) {
      out = { __esModule: true };
      this.#exports.set(rel, out);
      const list = this.#outermost(() => this.#load(rel));
      if (list.failure !== null) this.#failures.set(rel, list.failure);
      for (const e of list.exports) {
        if (e.kind === "value") out[e.name] = e.json === null ? undefined : JSON.parse(e.json);
        else out[e.name] = list.failure !== null ? failing(list.failure) : this.#wrapExport(rel, e.name);
      }
    }
    return out;
  }

  /** Why student file `rel` failed to load (its functions throw it), or null: it loaded, or was not asked for yet. */
  loadFailure(rel: string): Error | null {
    return this.#failures.get(rel) ?? null;
  }

  /** `stack` with each position in a student file's JavaScript moved to its TypeScript line and column. */
  mapStack(stack: string): string {
    return stack.replace(/([\w./-]+)\.js:(\d+):(\d+)/g, (all, base: string, line: string, col: string) => {
      const map = this.#sourceMap(`${base}.ts`);
      if (map === null) return all;
      const entry = map.findEntry(Number(line) - 1, Number(col) - 1) as {
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalLine === undefined || entry.originalColumn === undefined) return all;
      return `${base}.ts:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  }

  /** Frees the engine. */
  dispose(): void {
    this.#discard();
  }

  // --- the engine's life ------------------------------------------------------

  #engineNow(): Engine {
    if (this.#engine === null) {
      const t0 = performance.now();
      this.#building = true;
      try {
        this.#engine = this.#build();
      } finally {
        this.#building = false;
      }
      this.stats.builds++;
      this.stats.buildMs += performance.now() - t0;
    }
    return this.#engine;
  }

  // A fresh runtime and context, the prelude run, "./defs" defined, Math.random seeded.
  #build(): Engine {
    const { limits } = this.#options;
    this.#capMemory();
    const runtime = this.#quickjs.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    runtime.setInterruptHandler(() => {
      if (this.#building) return false; // the kit's own start-up is no step of the unit's
      this.#steps += STEPS_PER_POLL;
      return this.#over("steps");
    });
    const context = runtime.newContext();
    const { handle: host } = newHostFunction(context, "host", {
      answer: (index, args) => this.#dispatch(index, args),
      plain: (h) => plain(context, h),
      toEngine: (v) => toEngine(context, v),
      toEngineError: (e) => (e === INTERRUPTED ? context.newError("interrupted") : this.#toEngineError(context, e)),
    });
    const print = context.newFunction("print", (t) => this.#print(context, t));
    const prelude = context.unwrapResult(context.evalCode(`(${enginePrelude.toString()})`, "prelude.js"));
    const api = context.unwrapResult(context.callFunction(prelude, context.undefined, [host, print]));
    [host, print, prelude].forEach((h) => h.dispose());
    const get = (k: string): QuickJSHandle => context.getProp(api, k);
    const privileged = {
      load: get("load"),
      invoke: get("invoke"),
      describe: get("describe"),
      makeError: get("makeError"),
      seed: get("seed"),
    };
    const defs = get("defs");
    const engine: Engine = { runtime, context, privileged, loaded: new Set(), names: new Map() };
    this.#engine = engine;
    const args = [context.newString(this.#options.pureSource), context.newString(this.#manifest)];
    const r = context.callFunction(defs, context.undefined, args);
    [defs, api, ...args].forEach((h) => h.dispose());
    if (r.error !== undefined) {
      const why = context.dump(r.error);
      r.error.dispose();
      throw new Error(`Cannot start the engine: the kit's defs did not load in it: ${JSON.stringify(why)}`);
    }
    r.value.dispose();
    this.#call(privileged.seed, [context.newNumber(this.#seed)]);
    return engine;
  }

  // --- memory and promise callbacks -------------------------------------------

  // The instance's memory held to this sandbox's limit; an instance already past it cannot be held to it.
  #capMemory(): void {
    this.#memory.cap = this.#options.limits.memoryBytes;
    if (this.#memory.bytes() > this.#memory.cap)
      throw new Error(
        `Cannot start the engine: its QuickJS instance already holds ${mib(this.#memory.bytes())} MiB, more than the ${mib(this.#memory.cap)} MiB limit (give each sandbox an instance of its own, newQuickJS())`,
      );
  }

  // Before a unit starts: callbacks the last one left queued run on its budget (as Node would have run them by now).
  #endUnit(): void {
    try {
      this.#runJobs();
    } catch {
      // the last unit's budget ran out: nobody asks for its result any more
    }
  }

  /**
   * Runs `call`, a call from the host into the engine; when it is the
   * outermost, then sees to the engine (#afterOutermost).
   */
  #outermost<T>(call: () => T): T {
    this.#depth++;
    try {
      return call();
    } finally {
      this.#depth--;
      if (this.#depth === 0) this.#afterOutermost();
    }
  }

  /**
   * Once no call into the engine is under way: an engine out of memory (its
   * heap full of what the code kept) or left with callbacks it may not run
   * (out of steps) is thrown away at once, its memory free for whatever
   * else shares the instance; else the promise callbacks queued run in a
   * microtask of the host's, once its stack is empty, as Node runs the
   * callbacks of code it runs itself, within the same unit.
   */
  #afterOutermost(): void {
    const e = this.#engine;
    if (e === null) return;
    if (this.#limit !== null && (this.#limit.kind === "memory" || e.runtime.hasPendingJob())) this.#discard();
    else this.#jobsSoon();
  }

  #jobsSoon(): void {
    const e = this.#engine;
    if (this.#jobsQueued || e === null || this.#limit !== null || !e.runtime.hasPendingJob()) return;
    this.#jobsQueued = true;
    const unit = this.#unit;
    // a promise's callback, not queueMicrotask, which a test's fake timers may hold back
    void Promise.resolve().then(() => {
      this.#jobsQueued = false;
      if (unit !== this.#unit) return; // the next unit started first: startUnit ran them
      try {
        this.#runJobs();
      } catch (err) {
        if (this.#limit === null) throw err; // a budget that ran out is the unit's limitHit
      } finally {
        if (this.#depth === 0) this.#afterOutermost();
      }
    });
  }

  // Runs queued promise callbacks until none is left, each one a step (a callback that queues itself runs out of steps).
  #runJobs(): void {
    const e = this.#engine;
    if (e === null || this.#limit !== null) return;
    this.#depth++; // a call into the engine from a callback is not the outermost
    try {
      while (!this.#over("steps") && e.runtime.hasPendingJob()) {
        let r;
        try {
          r = e.runtime.executePendingJobs(Math.min(JOBS_AT_ONCE, this.#options.limits.steps - this.#steps + 1));
        } catch (err) {
          throw this.#failedInside(err);
        }
        // a callback's own error rejects its promise; what a job throws is a budget, or the engine's error
        if (r.error !== undefined) throw this.#fromEngineError(r.error);
        this.#steps += r.value;
      }
    } finally {
      this.#depth--;
    }
    if (this.#limit !== null) throw this.#limit;
  }

  #discard(): void {
    const e = this.#engine;
    this.#engine = null;
    if (e === null) return;
    try {
      Object.values(e.privileged).forEach((h) => h.dispose());
      e.names.forEach((h) => h.dispose());
      e.context.dispose();
      e.runtime.dispose();
    } catch {
      // an engine that failed inside may not free cleanly: it is dropped all the same
    }
  }

  // defs' exports, sorted into what runs where: the manifest the prelude reads
  #describeDefs(): string {
    const pure = new Set(exportNames(this.#options.pureSource));
    const out: { name: string; kind: string; index?: number; value?: unknown }[] = [];
    for (const [name, v] of Object.entries(this.#options.defs)) {
      if (name === "__esModule") continue;
      if (typeof v === "function" && /^class\b/.test(Function.prototype.toString.call(v))) {
        this.#classes.set(name, v as Ctor);
        out.push({ name, kind: "class" });
      } else if (typeof v === "function" && pure.has(name)) out.push({ name, kind: "pure" });
      else if (typeof v === "function") {
        out.push({ name, kind: "host", index: this.#hostFns.length });
        this.#hostFns.push(v as (...args: unknown[]) => unknown);
      } else if (v === null || ["number", "string", "boolean"].includes(typeof v))
        out.push({ name, kind: "value", value: v });
    }
    return JSON.stringify(out);
  }

  // --- calls from the engine to the host --------------------------------------

  // A call from "./defs" into the kernel (through _bridge.ts): host function `index` on `args`; returns its result or throws
  // (INTERRUPTED once the unit is over its steps).
  #dispatch(index: number, args: unknown[]): unknown {
    this.#steps++;
    if (this.#over("steps")) throw INTERRUPTED;
    const fn = this.#hostFns[index];
    const t0 = performance.now();
    try {
      return fn!(...args);
    } finally {
      this.stats.callbacks++;
      this.stats.callbackMs += performance.now() - t0;
    }
  }

  #print(context: QuickJSContext, text: QuickJSHandle): QuickJSHandle {
    this.#steps++;
    const { print, printing } = this.#options;
    if (print !== undefined && (printing === undefined || printing())) print(context.getString(text) + "\n");
    return context.undefined;
  }

  #toEngineError(context: QuickJSContext, e: unknown): QuickJSHandle {
    const id = this.#thrown.size + 1;
    this.#thrown.set(id, e);
    const err = e instanceof Error ? e : new Error(String(e));
    const ctor = err.constructor as Ctor;
    const builtin = [Error, TypeError, RangeError, SyntaxError, ReferenceError].includes(ctor as never);
    if (!builtin) this.#classes.set(ctor.name, ctor);
    const args = [builtin ? "" : ctor.name, err.name, err.message].map((s) => context.newString(String(s)));
    const r = context.callFunction(this.#engineNow().privileged.makeError, context.undefined, [
      ...args,
      context.newNumber(id),
    ]);
    args.forEach((h) => h.dispose());
    if (r.error !== undefined) return r.error;
    return r.value;
  }

  // --- calls from the host into the engine ------------------------------------

  #wrapExport(rel: string, name: string): (...args: unknown[]) => unknown {
    return (...args: unknown[]): unknown => this.#outermost(() => this.#invoke(rel, name, args));
  }

  #invoke(rel: string, name: string, args: readonly unknown[]): unknown {
    if (this.#limit !== null) throw this.#limit;
    const engine = this.#engineNow();
    if (!engine.loaded.has(rel)) {
      const again = this.#load(rel);
      if (again.failure !== null) throw again.failure;
    }
    const c = engine.context;
    let mask = 0;
    const handles = args.map((a, i) => {
      if (a === null || a === undefined || typeof a === "number" || typeof a === "boolean") return toEngine(c, a);
      mask |= 1 << i;
      return c.newString(JSON.stringify(a) ?? "null");
    });
    const names = [nameOf(engine, rel), nameOf(engine, name)];
    const value = this.#call(engine.privileged.invoke, [...names, c.newNumber(mask), ...handles], names.length);
    return typeof value === "string" ? JSON.parse(value) : value;
  }

  // Loads a student file into the current engine: its export list, and why it failed to load (null when it did not).
  #load(rel: string): { exports: ExportEntry[]; failure: Error | null } {
    const file = this.#options.files.find((f) => f.rel === rel);
    if (file === undefined) throw new Error(`The sandbox was given no file ${rel}`);
    const engine = this.#engineNow();
    engine.loaded.add(rel);
    const c = engine.context;
    const source = `(function (exports, require, module) {${stripSourceMap(file.js)}\n})`;
    const compiled = c.evalCode(source, rel.replace(/\.ts$/, ".js"));
    if (compiled.error !== undefined)
      return { exports: [], failure: loadFailure(rel, this.#fromEngineError(compiled.error)) };
    const r = JSON.parse(this.#call(engine.privileged.load, [c.newString(rel), compiled.value]) as string) as {
      exports: ExportEntry[];
      failure: string | null;
    };
    if (r.failure === null) return { exports: r.exports, failure: null };
    const why = this.#over("steps") ? this.#limit! : this.#fromDescribed(JSON.parse(r.failure) as Described);
    if (why instanceof EngineLimit) throw why;
    return { exports: r.exports, failure: loadFailure(rel, why) };
  }

  /**
   * Calls engine function `fn` with `args` (handles, disposed here) under
   * the budgets; returns the result as a plain value, or throws what the
   * call threw, as the host's: an EngineLimit, the very host error that
   * came back, a NotImplemented or KernelPanic, an Error, or a ThrownValue.
   */
  #call(fn: QuickJSHandle, args: QuickJSHandle[], keep = 0): unknown {
    const c = this.#engine!.context;
    let r;
    const t0 = performance.now();
    try {
      r = c.callFunction(fn, c.undefined, args);
      this.stats.calls++;
      this.stats.callMs += performance.now() - t0;
    } catch (e) {
      throw this.#failedInside(e);
    } finally {
      args.forEach((h, i) => i >= keep && h.alive && h.dispose()); // the first `keep` are kept names
    }
    if (r.error !== undefined) throw this.#fromEngineError(r.error);
    if (this.#over("steps")) {
      // a budget ran out and the student's code caught it: the call fails all the same
      r.value.dispose();
      throw this.#limit!;
    }
    const v = plain(c, r.value);
    r.value.dispose();
    return v;
  }

  // The engine failed inside (its WebAssembly's own stack, most likely): it cannot be trusted to go on.
  #failedInside(e: unknown): EngineLimit {
    this.#discard();
    return this.#hit((e as Error | null)?.name === "RangeError" ? "stack" : "memory"); // by name: the engine may live in another realm (Jest)
  }

  #fromEngineError(handle: QuickJSHandle): unknown {
    const c = this.#engine!.context;
    if (this.#over("steps")) {
      handle.dispose();
      return this.#hit("steps");
    }
    const r = c.callFunction(this.#engine!.privileged.describe, c.undefined, [handle]);
    handle.dispose();
    if (r.error !== undefined) {
      r.error.dispose();
      return this.#hit("memory"); // describing it failed: the heap is full
    }
    const d = JSON.parse(c.getString(r.value)) as Described;
    r.value.dispose();
    return this.#fromDescribed(d);
  }

  // A described thrown value as the host's: the same host error, a limit, the host class's twin, an Error, a ThrownValue.
  #fromDescribed(d: Described): unknown {
    if (!d.error) return new ThrownValue(`Your code threw ${d.text} instead of an Error`);
    if (d.id !== null && this.#thrown.has(d.id)) return this.#thrown.get(d.id);
    if (d.name === "InternalError" && d.message === "out of memory") return this.#hit("memory");
    if (d.name === "InternalError" && d.message === "stack overflow") return this.#hit("stack");
    const Host = (d.cls !== null ? this.#classes.get(d.cls) : undefined) ?? Error;
    const out = new Host(d.name === "ReferenceError" ? withoutNode(d.message) : d.message);
    if (Host === Error) out.name = d.name;
    out.stack = `${out.name}: ${d.message}\n${this.mapStack(d.stack)}`;
    return out;
  }

  // Whether the unit is over a budget: `kind`, or memory (an allocation the cap refused, even one the code caught).
  #over(kind: LimitKind): boolean {
    if (this.#limit !== null) return true;
    if (kind === "steps" && this.#steps > this.#options.limits.steps) this.#hit("steps");
    else if (this.#memory.refused !== this.#refusedBefore) this.#hit("memory");
    return this.#limit !== null;
  }

  #hit(kind: LimitKind): EngineLimit {
    if (this.#limit === null) {
      const { limits } = this.#options;
      this.#limit = new EngineLimit(
        kind,
        kind === "steps" ? limits.steps : kind === "memory" ? limits.memoryBytes : limits.stackBytes,
      );
    }
    return this.#limit;
  }

  #sourceMap(tsRel: string): SourceMap | null {
    if (!this.#maps.has(tsRel)) {
      const file = this.#options.files.find((f) => f.rel === tsRel || f.rel.endsWith(`/${tsRel}`));
      this.#maps.set(tsRel, file === undefined ? null : readSourceMap(file.js));
    }
    return this.#maps.get(tsRel)!;
  }
}

/** What a call into the kernel throws into the engine once the unit is over its steps: the engine's Error("interrupted"). */
const INTERRUPTED = Symbol("interrupted");

/** Promise callbacks run at once before the budgets are looked at again (each a step: the count ran is exact). */
const JOBS_AT_ONCE = 16;

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(0);
}

/** The engine's string `text`, made once per engine and kept. */
function nameOf(engine: Engine, text: string): QuickJSHandle {
  let h = engine.names.get(text);
  if (h === undefined) {
    h = engine.context.newString(text);
    engine.names.set(text, h);
  }
  return h;
}

/** A primitive handle as the host's value; anything else as the engine dumps it. */
function plain(c: QuickJSContext, h: QuickJSHandle): unknown {
  const t = c.typeof(h);
  if (t === "number") return c.getNumber(h);
  if (t === "string") return c.getString(h);
  if (t === "undefined") return undefined;
  return c.dump(h);
}

/** A host value into the engine: a primitive as it is, anything else as JSON text (the prelude parses it). */
function toEngine(c: QuickJSContext, v: unknown): QuickJSHandle {
  if (typeof v === "number") return c.newNumber(v);
  if (v === undefined) return c.undefined;
  if (v === null) return c.null;
  if (v === true) return c.true;
  if (v === false) return c.false;
  return c.newString(JSON.stringify(v) ?? "null");
}

function loadFailure(rel: string, why: unknown): Error {
  return new Error(`${rel} could not be loaded: ${why instanceof Error ? `${why.name}: ${why.message}` : String(why)}`);
}

/** Node's globals a student may reach for, which the engine does not have. */
const NODE_GLOBALS = new Set([
  "process",
  "require",
  "Buffer",
  "global",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "queueMicrotask",
  "structuredClone",
  "Intl",
  "TextEncoder",
  "TextDecoder",
  "fetch",
  "performance",
]);

// The engine's "'process' is not defined", with why: the grader runs the code without Node.js.
function withoutNode(message: string): string {
  const m = /^'([\w$]+)' is not defined$/.exec(message);
  if (m === null || !NODE_GLOBALS.has(m[1]!)) return message;
  return `${m[1]} is not defined: the grader runs your code in an engine without Node.js's globals (no process, require, Buffer, timers or Intl); use only what "./defs" exports`;
}

function failing(why: Error): () => never {
  return () => {
    throw why;
  };
}

// The names a compiled CommonJS module exports ("exports.PTE2PA = PTE2PA;" and the like).
function exportNames(js: string): string[] {
  return [...js.matchAll(/exports\.(\w+)\s*=/g)].map((m) => m[1]!);
}

const SOURCE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

function stripSourceMap(js: string): string {
  return js.replace(SOURCE_MAP, "");
}

function readSourceMap(js: string): SourceMap | null {
  const m = SOURCE_MAP.exec(js);
  if (m === null) return null;
  try {
    return new SourceMap(JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8")));
  } catch {
    return null;
  }
}
