// Stage 3, run: one submission's hidden tests and threshold scenarios, in
// worker processes. A test that hangs (no word from the worker within the
// test's time of CPU) or kills its process is blamed on the unit the worker last
// announced; the remaining units then run in a fresh worker. The whole
// submission has a wall-clock budget; when it runs out, what is left fails.

import { readFileSync } from "node:fs";
import { RunPlanUnit } from "./plan";
import { RunReport, UnitOutcome, UnitStatus } from "./model";
import { Worker, WorkerPool } from "./pool";
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

type Ending =
  | { readonly kind: "done" }
  | { readonly kind: "hung" }
  | { readonly kind: "out-of-time" }
  | { readonly kind: "died"; readonly why: string };

/**
 * Runs the units of `plan` (every test and scenario expected, in order; empty
 * when not known yet, as for the reference's first run) until each has an
 * outcome. Never rejects for anything the submission does.
 */
export async function runSubmission(
  pool: WorkerPool,
  request: Omit<RunRequest, "type" | "skip">,
  plan: readonly RunPlanUnit[],
  limits: RunLimits,
): Promise<RunReport> {
  const results = new Map<string, UnitOutcome>();
  const began = performance.now();
  const deadline = began + limits.wallMs;
  let processes = 0;
  let startupMs = 0;
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
    const ending = await drive(worker, { type: "run", ...request, skip: [...results.keys()] }, results, plan, state, {
      unitMs: limits.unitMs,
      deadline,
    });
    worker.kill();
    if (ending.kind === "done") {
      for (const u of left())
        results.set(u.key, outcome(u.key, "failed", "This test did not run (the suite skipped it)."));
      break;
    }
    const [status, why] =
      ending.kind === "hung"
        ? ([
            "timeout",
            `did not finish within ${Math.round(limits.unitMs / 1000)} s: the code never returned (an endless loop?) and was stopped`,
          ] as const)
        : ending.kind === "out-of-time"
          ? (["timeout", outOfTime(limits, true)] as const)
          : (["crashed", ending.why] as const);
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
  return { outcomes, processes, startupMs, testMs: total - startupMs };
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
  results: Map<string, UnitOutcome>,
  plan: readonly RunPlanUnit[],
  state: DriveState,
  time: { unitMs: number; deadline: number },
): Promise<Ending> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const end = (e: Ending): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(e);
    };
    // A unit's time is the worker's CPU time (where the system shows it): a
    // loop burns it, while a worker merely starved by a busy machine does not
    // lose its test. The submission's deadline is wall-clock time.
    const arm = (): void => {
      clearTimeout(timer);
      const cpuAtStart = cpuMs(worker.pid);
      const wait = (ms: number): void => {
        const now = performance.now();
        if (now + ms >= time.deadline) {
          timer = setTimeout(() => end({ kind: "out-of-time" }), Math.max(0, time.deadline - now));
          return;
        }
        timer = setTimeout(() => {
          const used = cpuAtStart === null ? null : (cpuMs(worker.pid) ?? Infinity) - cpuAtStart;
          if (used === null || used >= time.unitMs) end({ kind: "hung" });
          else wait(time.unitMs - used + GRACE_MS);
        }, ms);
      };
      wait(time.unitMs + GRACE_MS);
    };
    worker.onMessage((m: WorkerMessage) => {
      if (settled) return;
      arm();
      switch (m.type) {
        case "loading":
          state.loading = m.file;
          state.current = null;
          return;
        case "start":
          state.current = m.key;
          state.loading = null;
          return;
        case "result":
          state.current = null;
          if (!results.has(m.key)) {
            const status: UnitStatus = m.status;
            results.set(m.key, {
              key: m.key,
              status,
              message: m.message,
              logs: m.logs,
              ...(m.scenario !== undefined ? { scenario: m.scenario } : {}),
            });
          }
          return;
        case "suite-error": {
          const units = plan.filter((u) => u.file === m.file && !results.has(u.key));
          const keys = units.length > 0 ? units.map((u) => u.key) : [`${m.file} › (loading)`];
          for (const k of keys)
            results.set(k, outcome(k, "failed", `The test file could not load the lab's code:\n${m.message}`));
          state.loading = null;
          return;
        }
        case "done":
          return end({ kind: "done" });
        case "ready":
          return;
      }
    });
    void worker.exited.then(({ code, signal }) => end({ kind: "died", why: deathCause(code, signal, worker.stderr) }));
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

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const CLOCK_TICKS = 100;

function deathCause(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr))
    return "ran out of memory (the grader's limit): something allocates without end";
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
