// What a sandboxed submission may use, and what it is told when it uses
// more: limits counted by the engine itself, so that the same code stops at
// the same point on an idle or a loaded machine.

/** The engine's budgets for one unit (a test, a scenario). */
export interface EngineLimits {
  /**
   * Engine steps one unit may take. A step is one call from the student's
   * code into the kernel ("./defs") or one promise callback run, and the
   * engine's interpreter counts STEPS_PER_POLL more each time it polls for
   * interruption (every few thousand jumps and calls of the student's own
   * code).
   */
  readonly steps: number;
  /**
   * Bytes the engine's memory may hold in all: the student's objects,
   * arrays and strings, and about 5 MiB of QuickJS's own data and stack
   * (its WebAssembly memory, which starts at 16 MiB, the least this limit
   * can be; an allocation that would pass it fails).
   */
  readonly memoryBytes: number;
  /** Bytes of the engine's stack (how deep the student's calls may nest). */
  readonly stackBytes: number;
}

/** Steps charged each time the interpreter polls (about as much work as 16 calls into the kernel). */
export const STEPS_PER_POLL = 16;

/**
 * The grader's defaults (a rubric's limits may change them). The reference
 * solution's heaviest hidden test takes under a thousand steps; 50,000 is
 * fifty times that, and stops an endless loop within about a second of
 * CPU (an interrupt poll comes every ten thousand or so jumps, 0.1 to 0.4
 * ms; a call into the kernel costs about 16 µs), well before the grader's
 * outside backstop (the rubric's testSeconds).
 */
export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  steps: 50_000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
};

/** Which budget ran out. */
export type LimitKind = "steps" | "memory" | "stack";

/**
 * Thrown into the kit when the student's code used up one of its budgets;
 * once thrown it stays: every later call into the student's code in the
 * same unit throws it again, so no caller can swallow it.
 */
export class EngineLimit extends Error {
  readonly kind: LimitKind;
  /** The budget, in steps or bytes. */
  readonly limit: number;

  constructor(kind: LimitKind, limit: number) {
    super(limitWords(kind, limit));
    this.name = "EngineLimit";
    this.kind = kind;
    this.limit = limit;
  }
}

/** The sentence a student reads for a budget that ran out. */
export function limitWords(kind: LimitKind, limit: number): string {
  switch (kind) {
    case "steps":
      return `Your code ran for more than ${limit.toLocaleString("en-US")} engine steps without returning and was stopped: an endless loop, or a loop that never reaches its end?`;
    case "memory":
      return `Your code used more than ${Math.round(limit / (1024 * 1024))} MiB of memory in the engine and was stopped: something allocates without end?`;
    case "stack":
      return `Your code overflowed the stack: a recursion that never ends?`;
  }
}
