// Stage 3, run: one submission's hidden tests and threshold scenarios, in
// worker processes. A test that hangs (no word from the worker within the
// test's time of CPU), uses more memory than the rubric allows (its resident
// memory, read from outside), or kills its process is blamed on the unit the
// worker last announced; the remaining units then run in a fresh worker. The
// whole submission has a wall-clock budget; when it runs out, what is left
// fails.
//
// The parent trusts the worker for nothing but observations: it accepts a
// result only for a unit of the plan that was announced and not reported
// yet, in the order of the protocol, with fields of the right types and
// sizes; anything else ends the worker. Scores are computed later from the
// rubric (score.ts), never taken from a message.

import { readFileSync } from "node:fs";
import { RunPlanUnit } from "./plan";
import { EngineCost, RunReport, UnitOutcome, UnitStatus } from "./model";
import { Worker, WorkerPool } from "./pool";
import { acceptDifference } from "./difference/accept";
import { RunRequest, WorkerMessage } from "./protocol";

export interface RunLimits {
  /** Time one unit may take before its process is stopped, in ms. */
  readonly unitMs: number;
  /** Time the whole submission may take, in ms. */
  readonly wallMs: number;
  readonly memoryMb: number;
}

/** Extra time the parent allows past a unit's own limit before it stops the process. */
const GRACE_MS = 1000;
/** A unit's wall-clock time, as a multiple of its CPU time, after which it is stopped even when idle (blocked). */
const WALL_FACTOR = 4;
/** How often the worker's resident memory is read, in ms. */
const MEMORY_POLL_MS = 25;
/** Longest failure message accepted from a worker, in characters (the worker cuts its own to MESSAGE_LIMIT). */
const MESSAGE_CHARS = 20_000;
/** Room beyond a unit's output limit for the worker's "more output not shown" line. */
const LOGS_SLACK = 500;

type Ending =
  | { readonly kind: "done"; readonly cost?: EngineCost }
  | { readonly kind: "hung" }
  | { readonly kind: "out-of-time" }
  | { readonly kind: "memory" }
  | { readonly kind: "protocol"; readonly why: string }
  | { readonly kind: "died"; readonly why: string };

/**
 * Runs the units of `plan` (every test and scenario expected, in order; empty
 * when not known yet, as for the reference's first run) until each has an
 * outcome; the request's `skip`, units left out of the plan, are not run.
 * Never rejects for anything the submission does.
 */
export async function runSubmission(
  pool: WorkerPool,
  request: Omit<RunRequest, "type" | "skip"> & { readonly skip?: readonly string[] },
  plan: readonly RunPlanUnit[],
  limits: RunLimits,
): Promise<RunReport> {
  const results = new Map<string, UnitOutcome>();
  const notLoaded = new Map<string, string>();
  const began = performance.now();
  const deadline = began + limits.wallMs;
  let processes = 0;
  let startupMs = 0;
  let engine: EngineCost | undefined;
  const left = (): RunPlanUnit[] => plan.filter((u) => !results.has(u.key));
  for (;;) {
    if (plan.length > 0 && left().length === 0) break;
    if (performance.now() >= deadline) {
      for (const u of left()) results.set(u.key, outcome(u.key, "timeout", outOfTime(limits, false)));
      break;
    }
    const t0 = performance.now();
    const worker = await pool.take();
    startupMs += performance.now() - t0;
    processes++;
    const before = results.size;
    const state: DriveState = { current: null, loading: null };
    const printed = [...results.values()].reduce((n, o) => n + o.logs.length, 0);
    const req: RunRequest = {
      type: "run",
      ...request,
      submissionOutputChars: Math.max(0, request.submissionOutputChars - printed),
      skip: [...(request.skip ?? []), ...results.keys()],
    };
    const ending = await drive(worker, req, { results, notLoaded }, plan, state, {
      unitMs: limits.unitMs,
      deadline,
      memoryKb: limits.memoryMb * 1024,
    });
    worker.kill();
    if (ending.kind === "done") {
      engine = ending.cost;
      for (const u of left())
        results.set(u.key, outcome(u.key, "failed", "This test did not run (the suite skipped it)."));
      break;
    }
    const [status, why] = endingWords(ending, limits);
    blame(state, status, why, results, plan);
    if (results.size === before) {
      // the process stopped between units: nothing to blame, so nothing would change on a retry
      for (const u of left())
        results.set(u.key, outcome(u.key, status, `This test never ran: the test process ${why}.`));
      break;
    }
  }
  const order = new Map(plan.map((u, i) => [u.key, i]));
  const outcomes = [...results.values()].sort(
    (a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity),
  );
  const total = performance.now() - began;
  return {
    outcomes,
    processes,
    startupMs,
    testMs: total - startupMs,
    ...(notLoaded.size > 0 ? { notLoaded: [...notLoaded].map(([file, message]) => ({ file, message })) } : {}),
    ...(engine !== undefined ? { engine } : {}),
  };
}

function endingWords(ending: Exclude<Ending, { kind: "done" }>, limits: RunLimits): [UnitStatus, string] {
  switch (ending.kind) {
    case "hung":
      return [
        "timeout",
        `did not finish within ${Math.round(limits.unitMs / 1000)} s: the code never returned (an endless loop, or promise callbacks that never stop?) and was stopped`,
      ];
    case "out-of-time":
      return ["timeout", outOfTime(limits, true)];
    case "memory":
      return ["crashed", memoryWords(limits.memoryMb)];
    case "protocol":
      return ["crashed", `was stopped: its process sent the grader ${ending.why}, so nothing more from it was trusted`];
    case "died":
      return ["crashed", ending.why];
  }
}

function memoryWords(memoryMb: number): string {
  return `used more than ${memoryMb} MiB of memory (the grader's limit) and was stopped: something allocates without end`;
}

interface DriveState {
  /** The unit announced last and not finished yet. */
  current: string | null;
  /** The suite file being loaded (the student's modules load with it). */
  loading: string | null;
}

// Sends the request and follows the worker until it is done, dies, hangs
// or runs out of the submission's time.
function drive(
  worker: Worker,
  req: RunRequest,
  found: { results: Map<string, UnitOutcome>; notLoaded: Map<string, string> },
  plan: readonly RunPlanUnit[],
  state: DriveState,
  time: { unitMs: number; deadline: number; memoryKb: number },
): Promise<Ending> {
  const { results, notLoaded } = found;
  const planned = new Set(plan.map((u) => u.key));
  const files = new Set(req.testFiles);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // Resident memory, read from outside (/proc/<pid>/status, VmRSS): the
    // heap limit (--max-old-space-size) does not cover buffers (ArrayBuffers,
    // typed arrays), which V8 keeps outside its heap. A process that grows
    // past the limit is killed. Why processes rather than worker_threads:
    // a thread's resourceLimits cover the same V8 heap and no buffer either,
    // so it would need this watch all the same; a thread in a synchronous
    // loop can be terminated, but one inside a long native call cannot; and
    // a fatal V8 error in a thread (heap exhausted) ends the whole process,
    // the grader with it. A child process is killed whole, its memory given
    // back by the system, and the grader lives on.
    const memory = setInterval(() => {
      const kb = rssKb(worker.pid);
      if (kb !== null && kb > time.memoryKb) {
        worker.kill();
        end({ kind: "memory" });
      }
    }, MEMORY_POLL_MS);
    const end = (e: Ending): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(memory);
      resolve(e);
    };
    // A unit's time is the worker's CPU time (where the system shows it): a
    // loop burns it, while a worker merely starved by a busy machine does not
    // lose its test. The submission's deadline is wall-clock time.
    // A unit that blocks without using CPU is stopped too, after a while.
    const arm = (): void => {
      clearTimeout(timer);
      const cpuAtStart = cpuMs(worker.pid);
      const armedAt = performance.now();
      const wait = (ms: number): void => {
        const now = performance.now();
        if (now + ms >= time.deadline) {
          timer = setTimeout(() => end({ kind: "out-of-time" }), Math.max(0, time.deadline - now));
          return;
        }
        timer = setTimeout(() => {
          const used = cpuAtStart === null ? null : (cpuMs(worker.pid) ?? Infinity) - cpuAtStart;
          if (used === null || used >= time.unitMs) end({ kind: "hung" });
          else if (performance.now() - armedAt >= WALL_FACTOR * time.unitMs) end({ kind: "hung" });
          else wait(Math.min(time.unitMs - used + GRACE_MS, WALL_FACTOR * time.unitMs));
        }, ms);
      };
      wait(time.unitMs + GRACE_MS);
    };
    const violation = (why: string): void => {
      worker.kill();
      end({ kind: "protocol", why });
    };
    worker.onMessage((raw: unknown) => {
      if (settled) return;
      const m = checkMessage(raw, req.outputChars + LOGS_SLACK);
      if (typeof m === "string") return violation(m);
      arm();
      switch (m.type) {
        case "loading":
          if (!files.has(m.file)) return violation(`a suite file it was not given ("${m.file}")`);
          state.loading = m.file;
          state.current = null;
          return;
        case "not-loaded":
          if (!req.studentFiles.includes(m.file)) return violation(`a load failure of a file it was not given`);
          if (state.current !== null) return violation("a load failure while a test was running");
          notLoaded.set(m.file, m.message);
          return;
        case "start":
          if (planned.size > 0 && !planned.has(m.key)) return violation(`a test the grader did not ask for`);
          if (results.has(m.key)) return violation(`a test that had already finished`);
          if (state.current !== null && state.current !== m.key)
            return violation("a test's start before the previous one's result");
          state.current = m.key;
          state.loading = null;
          return;
        case "result": {
          if (planned.size > 0 && !planned.has(m.key)) return violation("a result for a test it was not asked to run");
          if (results.has(m.key)) return violation("a second result for one test");
          if (m.status !== "skipped" && state.current !== m.key)
            return violation("a result for a test that had not started");
          if (m.status !== "skipped" || state.current === m.key) state.current = null;
          const status: UnitStatus = m.limit === undefined ? m.status : limitStatus(m.limit.kind);
          results.set(m.key, {
            key: m.key,
            status,
            message: m.message,
            logs: m.logs,
            ...(m.steps !== undefined ? { steps: m.steps } : {}),
            ...(m.scenario !== undefined ? { scenario: m.scenario } : {}),
            ...(m.difference !== undefined ? { difference: m.difference } : {}),
          });
          return;
        }
        case "suite-error": {
          if (!files.has(m.file)) return violation(`an error about a suite file it was not given ("${m.file}")`);
          const units = plan.filter((u) => u.file === m.file && !results.has(u.key));
          const keys = units.length > 0 ? units.map((u) => u.key) : [`${m.file} › (loading)`];
          for (const k of keys)
            results.set(k, outcome(k, "failed", `The test file could not load the lab's code:\n${m.message}`));
          state.loading = null;
          return;
        }
        case "done":
          if (state.current !== null) return violation("the end of the run while a test was running");
          return end({ kind: "done", ...(m.cost !== undefined ? { cost: m.cost } : {}) });
        case "ready":
          return violation("a second ready");
      }
    });
    void worker.exited.then(({ code, signal }) =>
      end({ kind: "died", why: deathCause(code, signal, worker.stderr, time.memoryKb / 1024) }),
    );
    arm();
    worker.send(req);
  });
}

// Gives the unit that was running (or the file that was loading) the blame.
function blame(
  state: DriveState,
  status: UnitStatus,
  why: string,
  results: Map<string, UnitOutcome>,
  plan: readonly RunPlanUnit[],
): void {
  if (state.current !== null && !results.has(state.current)) {
    results.set(state.current, outcome(state.current, status, `This test ${why}.`));
  } else if (state.loading !== null) {
    const file = state.loading;
    const units = plan.filter((u) => u.file === file && !results.has(u.key));
    const keys = units.length > 0 ? units.map((u) => u.key) : [`${file} › (loading)`];
    for (const k of keys) results.set(k, outcome(k, status, `Loading the lab's code for this test ${why}.`));
  }
}

/** CPU time (user + system) a process has used, in ms; null where /proc does not tell. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Resident memory of a process, in KiB; null where /proc does not tell. */
export function rssKb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * A message from a worker, checked field by field (types, sizes, known
 * kinds); a sentence saying what was wrong with it otherwise.
 */
export function checkMessage(raw: unknown, logsChars = MESSAGE_CHARS): WorkerMessage | string {
  const bad = "a message of a kind it does not send";
  if (typeof raw !== "object" || raw === null) return bad;
  const m = raw as Record<string, unknown>;
  const str = (v: unknown, max = MESSAGE_CHARS): v is string => typeof v === "string" && v.length <= max;
  switch (m.type) {
    case "ready":
      return { type: m.type };
    case "done": {
      if (m.cost === undefined) return { type: "done" };
      const c = m.cost as Record<string, unknown> | null;
      const fields = ["builds", "buildMs", "calls", "callMs", "callbacks", "callbackMs", "cpuMs"] as const;
      if (
        typeof c !== "object" ||
        c === null ||
        !fields.every((f) => typeof c[f] === "number" && Number.isFinite(c[f]))
      )
        return bad;
      return { type: "done", cost: Object.fromEntries(fields.map((f) => [f, c[f]])) as unknown as EngineCost };
    }
    case "loading":
      return str(m.file, 1000) ? { type: "loading", file: m.file } : bad;
    case "start":
      return str(m.key, 2000) ? { type: "start", key: m.key } : bad;
    case "suite-error":
      return str(m.file, 1000) && str(m.message) ? { type: "suite-error", file: m.file, message: m.message } : bad;
    case "not-loaded":
      return str(m.file, 1000) && str(m.message) ? { type: "not-loaded", file: m.file, message: m.message } : bad;
    case "result": {
      if (!str(m.key, 2000) || !str(m.message) || !str(m.logs, logsChars)) return bad;
      const status = m.status;
      if (!isReported(status)) return bad;
      const limit = checkLimit(m.limit);
      if (limit === "bad") return bad;
      if (m.steps !== undefined && (typeof m.steps !== "number" || !Number.isSafeInteger(m.steps) || m.steps < 0))
        return bad;
      let base: Extract<WorkerMessage, { type: "result" }> = {
        type: "result" as const,
        key: m.key,
        status,
        message: m.message,
        logs: m.logs,
        ...(limit !== undefined ? { limit } : {}),
        ...(m.steps !== undefined ? { steps: m.steps } : {}),
      };
      if (m.difference !== undefined) {
        const difference = acceptDifference(m.difference);
        if (difference === null) return bad;
        base = { ...base, difference };
      }
      if (m.scenario === undefined) return base;
      const sc = m.scenario as Record<string, unknown> | null;
      const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 100 && v.every((x) => str(x));
      if (typeof sc !== "object" || sc === null || typeof sc.ok !== "boolean") return bad;
      if (!strings(sc.failures) || !strings(sc.audit)) return bad;
      if (sc.value !== null && (typeof sc.value !== "number" || !Number.isFinite(sc.value))) return bad;
      return { ...base, scenario: { ok: sc.ok, failures: sc.failures, audit: sc.audit, value: sc.value } };
    }
    default:
      return bad;
  }
}

type Limit = NonNullable<Extract<WorkerMessage, { type: "result" }>["limit"]>;

// A result's "limit" field: absent, well formed, or "bad".
function checkLimit(v: unknown): Limit | undefined | "bad" {
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null) return "bad";
  const l = v as Record<string, unknown>;
  if (l.kind !== "steps" && l.kind !== "memory" && l.kind !== "stack") return "bad";
  if (typeof l.limit !== "number" || !Number.isFinite(l.limit)) return "bad";
  return { kind: l.kind, limit: l.limit };
}

/** How a unit that ran out of a sandbox budget is counted: steps as a time-out, memory as a crash, the stack as a failure. */
function limitStatus(kind: Limit["kind"]): UnitStatus {
  return kind === "steps" ? "timeout" : kind === "memory" ? "crashed" : "failed";
}

function isReported(v: unknown): v is "passed" | "failed" | "skipped" {
  return v === "passed" || v === "failed" || v === "skipped";
}

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

function deathCause(code: number | null, signal: NodeJS.Signals | null, stderr: string, memoryMb: number): string {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) return memoryWords(memoryMb);
  if (/Maximum call stack size exceeded/.test(stderr)) return "overflowed the stack (a recursion that never ends?)";
  if (signal !== null) return `was ended by signal ${signal}`;
  return `ended the test process (exit code ${code}; process.exit or a crash)`;
}

function outOfTime(limits: RunLimits, running: boolean): string {
  const s = Math.round(limits.wallMs / 1000);
  return running
    ? `was stopped when the submission's time of ${s} s ran out`
    : `This test never ran: the submission's time of ${s} s ran out before it.`;
}

function outcome(key: string, status: UnitStatus, message: string): UnitOutcome {
  return { key, status, message, logs: "" };
}
