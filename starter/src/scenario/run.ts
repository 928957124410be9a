// Running a scenario: boots a machine, drives its processes step by step
// the way user programs would, checks the expectations, and reports the
// counters and figures (SCENARIOS.md, "What `oslab run` reports"). A step
// that fails is kept as data (which step, which round, why); the sentences
// of `failures` are made from it, naming steps as steps.ts does.

import { Counters, Machine } from "../hw/machine";
import { PGROUNDUP, PGSIZE } from "../hw/riscv";
import {
  Proc,
  Signal,
  alive,
  audit,
  boot,
  exec,
  exit,
  fork,
  resident,
  sbrk,
  spawn,
  switchTo,
  wait,
} from "../kernel/index";
import { record } from "../kernel/trace";
import { showAddress } from "./address";
import { stepName, stepNumber } from "./steps";
import { Address, Bound, Figure, Scenario, Step } from "./types";

/** A process's figures (SCENARIOS.md, "Figures", per process). */
export interface ProcFigures {
  pid: number;
  minorFaults: number;
  rssPages: number;
  sharedPages: number;
  privatePages: number;
  state: "running" | "exited" | "killed";
  killedBy: Signal | null;
}

export interface Snapshot {
  counters: Counters;
  processes: Record<string, ProcFigures>;
}

/** Where a step ran: its place in the file and its number and round as people count them. */
export interface StepPlace {
  /** Its place in the file, a key: `steps[3].steps[1]` ("start" before the first step). */
  readonly path: string;
  /** "4.2": the second step of the repeat that is step 4 ("" before the first step). */
  readonly number: string;
  /** Inside a repeat, which time round this is (from 1); null outside any. */
  readonly round: number | null;
  /** How many steps had run, this one included: its index in a timeline (0 is the start). */
  readonly index: number;
}

/** A step that did not do what the scenario says, and why (a sentence of the run's). */
export interface FailedStep extends StepPlace {
  /** The step in a few words: `read A bss`. */
  readonly text: string;
  readonly message: string;
}

/** What an `expect` step compared, and whether it held. */
export interface ExpectOutcome {
  /** A counter's name, or a process's figure: `{ proc: "B", figure: "killedBy" }`. */
  readonly subject: string | { readonly proc: string; readonly figure: Figure };
  readonly bound: Bound;
  /** The value found (an expect about a process never created compares nothing: it has no outcome). */
  readonly actual: number | string | null;
  readonly held: boolean;
}

export interface ScenarioResult extends Snapshot {
  ok: boolean;
  /** One sentence per failed step (`failedSteps` as text): `step 3 (read A bss): read [0] ...`. */
  failures: string[];
  /** The failed steps as data, in the order they failed. */
  failedSteps: FailedStep[];
  snapshots: Record<string, Snapshot>;
  /** Broken kernel invariants after the run (see kernel/audit.ts); empty when sound. */
  audit: string[];
}

/** What a step hook sees: where the run is and what it has bound. */
export interface StepContext extends StepPlace {
  readonly step: Step;
  /** For an `expect` step, what it compared; null for any other step. */
  readonly expected: ExpectOutcome | null;
  readonly machine: Machine;
  readonly processes: ReadonlyMap<string, Proc>;
  readonly labels: (name: string) => ReadonlyMap<string, number>;
}

export interface RunOptions {
  /** Record the kernel's event trace (kernel/trace.ts) during the run. */
  trace?: boolean;
  /** Called before the first step (path "start") and after every step. */
  onStep?: (ctx: StepContext) => void;
}

/** A step that did not do what the scenario says: recorded, and the run goes on. */
class StepFailure extends Error {}

interface Binding {
  proc: Proc;
  labels: Map<string, number>;
}

/** Runs `scenario` on a fresh machine and reports what happened. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioResult {
  return new Run(scenario, options).result();
}

class Run {
  readonly #scenario: Scenario;
  readonly #options: RunOptions;
  readonly #machine: Machine;
  readonly #bound = new Map<string, Binding>();
  readonly #killedAt = new Map<Proc, string>();
  readonly #failures: FailedStep[] = [];
  readonly #rounds = new Map<string, number>();
  #index = 0;
  #expected: ExpectOutcome | null = null;
  readonly #snapshots: Record<string, Snapshot> = {};
  #stopped = false;

  constructor(scenario: Scenario, options: RunOptions) {
    this.#scenario = scenario;
    this.#options = options;
    const m = scenario.machine;
    this.#machine = boot({
      frames: m.frames,
      tlbEntries: m.tlbEntries,
      trace: options.trace ?? false,
      ...(m.seed !== undefined ? { seed: m.seed } : {}),
      ...(m.asids !== undefined ? { asids: m.asids } : {}),
      ...(m.stepBudget !== undefined ? { stepBudget: m.stepBudget } : {}),
    });
  }

  result(): ScenarioResult {
    this.#hook({ path: "start", number: "", round: null, index: 0 }, { op: "snapshot", label: "start" });
    this.#steps(this.#scenario.steps, "steps", "");
    let problems: string[] = [];
    try {
      problems = audit();
    } catch (e) {
      problems = [`the audit could not read the kernel's state: ${(e as Error).message}`];
    }
    return {
      ok: this.#failures.length === 0,
      failures: this.#failures.map(failureText),
      failedSteps: this.#failures,
      ...this.#snapshot(),
      snapshots: this.#snapshots,
      audit: problems,
    };
  }

  // The steps of the file (parent "") or of the repeat that is step `parent`.
  #steps(steps: readonly Step[], prefix: string, parent: string): void {
    for (let i = 0; i < steps.length && !this.#stopped; i++) {
      const step = steps[i]!;
      const place = this.#place(`${prefix}[${i}]`, stepNumber(parent, i), parent !== "", step);
      if (step.op !== "repeat") record({ kind: "step", index: i, path: place.path });
      this.#expected = null;
      try {
        this.#step(step, place);
      } catch (e) {
        const message = e instanceof StepFailure ? e.message : errorText(e);
        this.#failures.push({ ...place, text: describe(step), message });
        if (!(e instanceof StepFailure)) this.#stopped = true;
      }
      if (step.op !== "repeat") this.#hook(place, step);
    }
  }

  // Where a step runs now; a repeat itself takes no place in a timeline.
  #place(path: string, number: string, inRepeat: boolean, step: Step): StepPlace {
    const round = (this.#rounds.get(path) ?? 0) + 1;
    this.#rounds.set(path, round);
    if (step.op !== "repeat") this.#index++;
    return { path, number, round: inRepeat ? round : null, index: this.#index };
  }

  #hook(place: StepPlace, step: Step): void {
    if (this.#options.onStep === undefined) return;
    const processes = new Map([...this.#bound].map(([n, b]) => [n, b.proc]));
    this.#options.onStep({
      ...place,
      step,
      expected: this.#expected,
      machine: this.#machine,
      processes,
      labels: (name) => this.#bound.get(name)?.labels ?? new Map(),
    });
  }

  #step(step: Step, place: StepPlace): void {
    const at = stepName(place.number, place.round); // where a kill is said to have happened
    switch (step.op) {
      case "spawn": {
        const p = spawn(step.image, this.#scenario.images[step.image]!);
        if (p === "ENOMEM") throw new StepFailure(`spawn failed: ENOMEM (no frame left for the image)`);
        this.#bind(step.as, p, builtinLabels(p));
        return;
      }
      case "sbrk": {
        const b = this.#use(step.proc);
        const old = sbrk(b.proc, step.bytes);
        if (this.#expectError("sbrk", old, step.expectError)) return;
        if (step.label !== undefined) b.labels.set(step.label, old as number);
        return;
      }
      case "malloc": {
        const b = this.#use(step.proc);
        const addr = PGROUNDUP(b.proc.brk);
        const old = sbrk(b.proc, addr + step.bytes - b.proc.brk);
        if (this.#expectError("malloc", old, step.expectError)) return;
        b.labels.set(step.label, addr);
        return;
      }
      case "write": {
        const b = this.#use(step.proc);
        const va = this.#resolve(b, step.addr, step.bytes.length);
        this.#afterAccess(b, at, this.#machine.store(va, Uint8Array.from(step.bytes)));
        return;
      }
      case "memset": {
        const b = this.#use(step.proc);
        const va = this.#resolve(b, step.addr, step.bytes);
        this.#afterAccess(b, at, this.#machine.fill(va, step.value, step.bytes));
        return;
      }
      case "touch":
        return this.#touch(step, at);
      case "read":
        return this.#read(step, at);
      case "fork": {
        const b = this.#use(step.proc);
        const child = fork(b.proc);
        // a child made against expectations still gets its name, so that it can be seen and exit
        if (child !== "ENOMEM") this.#bind(step.as, child, new Map(b.labels));
        this.#expectError("fork", child, step.expectError);
        return;
      }
      case "exec": {
        const b = this.#use(step.proc);
        const r = exec(b.proc, step.image, this.#scenario.images[step.image]!);
        if (this.#expectError("exec", r, step.expectError)) return;
        b.labels = builtinLabels(b.proc);
        return;
      }
      case "exit":
        exit(this.#use(step.proc).proc, step.status);
        return;
      case "wait":
        return this.#wait(step, at);
      case "repeat":
        for (let t = 0; t < step.times && !this.#stopped; t++)
          this.#steps(step.steps, `${place.path}.steps`, place.number);
        return;
      case "snapshot":
        this.#snapshots[step.label] = this.#snapshot();
        return;
      case "expect":
        return this.#expect(step);
    }
  }

  #touch(step: Extract<Step, { op: "touch" }>, at: string): void {
    const b = this.#use(step.proc);
    const base = this.#resolve(b, step.addr, step.pages === 0 ? 0 : (step.pages - 1) * PGSIZE + 1);
    for (let i = 0; i < step.pages; i++) {
      const va = base + i * PGSIZE;
      const r = step.access === "write" ? this.#machine.store(va, TOUCH_BYTE) : this.#machine.load(va, 1);
      if (this.#afterAccess(b, at, r instanceof Uint8Array ? "ok" : r) !== "ok") return;
    }
  }

  #read(step: Extract<Step, { op: "read" }>, at: string): void {
    const b = this.#use(step.proc);
    const va = this.#resolve(b, step.addr, step.bytes);
    const r = this.#machine.load(va, step.bytes);
    this.#afterAccess(b, at, r instanceof Uint8Array ? "ok" : r);
    if (step.expect === undefined) return;
    if (!(r instanceof Uint8Array)) {
      throw new StepFailure(`the read did not complete: the process was killed by ${b.proc.killedBy ?? "a signal"}`);
    }
    const got = [...r];
    if (got.some((v, i) => v !== step.expect![i])) {
      throw new StepFailure(
        `read [${preview(got)}] at ${showAddress(step.addr)} but expected [${preview(step.expect)}]` +
          firstDifference(got, step.expect, va),
      );
    }
  }

  #wait(step: Extract<Step, { op: "wait" }>, at: string): void {
    const b = this.#use(step.proc);
    const addr = step.statusAddr === undefined ? null : this.#resolve(b, step.statusAddr, 4);
    const child = wait(b.proc, addr);
    // killed by a fault in its own copyout: recorded as any kill, not a failed step
    if (!alive(b.proc)) {
      this.#killedAt.set(b.proc, at);
      return;
    }
    if (child === "ECHILD")
      throw new StepFailure(`no child of ${step.proc} has exited, so there is nothing to wait for`);
    if (child === "EFAULT") {
      throw new StepFailure(
        `wait could not store the status at ${showAddress(step.statusAddr!)}: copyout failed (EFAULT)`,
      );
    }
    if (step.expectStatus !== undefined && child.xstate !== step.expectStatus) {
      const how = child.killedBy === null ? "" : ` (it was killed by ${child.killedBy})`;
      throw new StepFailure(
        `the child (pid ${child.pid}) exited with status ${child.xstate}${how}, expected ${step.expectStatus}`,
      );
    }
  }

  #expect(step: Extract<Step, { op: "expect" }>): void {
    const bound = boundOf(step);
    if ("counter" in step) {
      const value = this.#machine.counters()[step.counter];
      return this.#compare({ subject: step.counter, bound, actual: value }, `counter ${step.counter}`);
    }
    const subject = { proc: step.proc, figure: step.figure as Figure };
    const b = this.#bound.get(step.proc);
    if (b === undefined) throw new StepFailure(`process ${step.proc} was never created (its fork or spawn failed)`);
    const value = figuresOf(b.proc)[subject.figure];
    this.#compare({ subject, bound, actual: value }, `${step.proc}'s ${step.figure}`);
  }

  // Keeps what an expect compared for the step's hook; fails the step when the bound is missed.
  #compare(outcome: Omit<ExpectOutcome, "held">, what: string): void {
    const miss = missedBound(outcome.actual, outcome.bound);
    this.#expected = { ...outcome, held: miss === null };
    if (miss !== null) throw new StepFailure(`${what} is ${JSON.stringify(outcome.actual)}, expected ${miss}`);
  }

  #bind(name: string, proc: Proc, labels: Map<string, number>): void {
    this.#bound.set(name, { proc, labels });
  }

  // The binding of a process a step runs; fails when it cannot run.
  #use(name: string): Binding {
    const b = this.#bound.get(name);
    if (b === undefined) throw new StepFailure(`process ${name} was never created (its fork or spawn failed)`);
    if (b.proc.state === "killed") {
      const at = this.#killedAt.get(b.proc);
      throw new StepFailure(
        `process ${name} was killed by ${b.proc.killedBy}${at ? ` at ${at}` : ""} and cannot run any more`,
      );
    }
    if (b.proc.state === "exited") throw new StepFailure(`process ${name} has exited and cannot run any more`);
    switchTo(b.proc);
    return b;
  }

  #resolve(b: Binding, a: Address, length: number): number {
    let va: number;
    if (typeof a === "number") {
      va = a;
    } else {
      const base = b.labels.get(a.label);
      if (base === undefined) throw new StepFailure(`unknown label "${a.label}" for this process`);
      va = base + a.offset;
    }
    if (va + length > 2 ** 32)
      throw new StepFailure(`${showAddress(a)} plus ${length} bytes leaves the 32-bit address space`);
    return va;
  }

  #afterAccess(b: Binding, at: string, outcome: "ok" | "killed" | "failed"): "ok" | "killed" | "failed" {
    if (outcome === "killed") this.#killedAt.set(b.proc, at);
    return outcome;
  }

  // True when the call failed as expected; throws when it did not do what the step says.
  #expectError(call: string, r: unknown, expected: "ENOMEM" | undefined): boolean {
    if (r === "ENOMEM") {
      if (expected === "ENOMEM") return true;
      throw new StepFailure(`${call} failed with ENOMEM`);
    }
    if (expected !== undefined) throw new StepFailure(`${call} was expected to fail with ${expected} but succeeded`);
    return false;
  }

  #snapshot(): Snapshot {
    const processes: Record<string, ProcFigures> = {};
    for (const [name, b] of this.#bound) processes[name] = figuresOf(b.proc);
    return { counters: this.#machine.counters(), processes };
  }
}

const TOUCH_BYTE = Uint8Array.of(0xa5);

function builtinLabels(p: Proc): Map<string, number> {
  const l = p.layout;
  return new Map([
    ["text", l.text],
    ["data", l.data],
    ["bss", l.bss],
    ["heap", l.heap],
    ["stack", l.stack],
  ]);
}

/** The figures of `p` now (frozen if it has exited or was killed). */
export function figuresOf(p: Proc): ProcFigures {
  return { pid: p.pid, minorFaults: p.minorFaults, ...resident(p), state: p.state, killedBy: p.killedBy };
}

// The bound an expect step gives, without its other fields.
function boundOf(step: Bound): Bound {
  const { equals, atMost, atLeast } = step;
  return {
    ...(equals !== undefined ? { equals } : {}),
    ...(atMost !== undefined ? { atMost } : {}),
    ...(atLeast !== undefined ? { atLeast } : {}),
  };
}

/** A whole bound as words, after "expected": `to equal 1`, `at least 2 and at most 5`. */
export function boundText(b: Bound): string {
  const words: string[] = [];
  if (b.equals !== undefined) words.push(`to equal ${JSON.stringify(b.equals)}`);
  if (b.atLeast !== undefined) words.push(`at least ${b.atLeast}`);
  if (b.atMost !== undefined) words.push(`at most ${b.atMost}`);
  return words.join(" and ");
}

/** A failed step as one sentence: `step 4.2, round 3 (wait P): no child of P has exited ...`. */
export function failureText(f: FailedStep): string {
  return `${stepName(f.number, f.round)} (${f.text}): ${f.message}`;
}

// Null when `value` meets the bound, else the bound as words.
function missedBound(value: number | string | null, b: Bound): string | null {
  if (b.equals !== undefined && value !== b.equals) return `to equal ${JSON.stringify(b.equals)}`;
  if (b.atMost !== undefined && !(typeof value === "number" && value <= b.atMost)) return `at most ${b.atMost}`;
  if (b.atLeast !== undefined && !(typeof value === "number" && value >= b.atLeast)) return `at least ${b.atLeast}`;
  return null;
}

/** One line naming a step, for messages: `read A bss`. */
export function describe(step: Step): string {
  switch (step.op) {
    case "spawn":
      return `spawn ${step.as} from ${step.image}`;
    case "fork":
      return `fork ${step.proc} as ${step.as}`;
    case "exec":
      return `exec ${step.proc} ${step.image}`;
    case "exit":
      return `exit ${step.proc} ${step.status}`;
    case "wait":
      return `wait ${step.proc}`;
    case "sbrk":
    case "malloc":
      return `${step.op} ${step.proc} ${step.bytes}`;
    case "write":
    case "read":
    case "memset":
    case "touch":
      return `${step.op} ${step.proc} ${showAddress(step.addr)}`;
    case "repeat":
      return `repeat ${step.times}`;
    case "snapshot":
      return `snapshot ${step.label}`;
    case "expect":
      return "counter" in step ? `expect ${step.counter}` : `expect ${step.proc} ${step.figure}`;
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `a non-Error value was thrown: ${String(e)}`;
}

function preview(bytes: readonly number[]): string {
  const shown = bytes.slice(0, 16).join(", ");
  return bytes.length > 16 ? `${shown}, ... (${bytes.length} bytes)` : shown;
}

function firstDifference(got: readonly number[], want: readonly number[], va: number): string {
  const i = got.findIndex((v, k) => v !== want[k]);
  if (got.length <= 16) return "";
  return `; first difference at 0x${(va + i).toString(16)}: ${got[i]} instead of ${want[i]}`;
}
