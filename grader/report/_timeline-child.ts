// A child process that runs scenarios on a submission's kernel and sends
// back their timelines, for the pictures in the student's report. It is a
// process of its own because the student's code may loop forever or crash:
// the parent kills it after a time limit and draws no picture.
//
// It loads the kit's compiled code (<kit>/src) with the submission's
// compiled student files in place of the kit's, running in a QuickJS
// sandbox with the grading worker's budgets, the way the grader's worker
// does. Only node's own modules are imported here (the sandbox and the
// module hook come from the kit's cache at run time): the parent may run
// this file straight from TypeScript transpiled alone.

/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";

/** What the parent sends. */
export interface TimelineJob {
  /** The compiled kit (src/ inside). */
  readonly kit: string;
  /** The student files, compiled: rel as in the rubric, JavaScript. */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  /** The sandbox's budgets for each scenario. */
  readonly engine: { readonly steps: number; readonly memoryBytes: number; readonly stackBytes: number };
  /** The student files' paths, as in the rubric ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** Scenario files, absolute. */
  readonly scenarios: readonly string[];
  /** Machine steps a booted machine may take (the rubric's limit). */
  readonly stepBudget: number;
  /** Runs per process per step kept in the timeline. */
  readonly maxRuns: number;
}

/** What the child sends back: one entry per scenario, in order. */
export type TimelineReply = readonly ({ readonly timeline: unknown } | { readonly error: string })[];

async function run(job: TimelineJob): Promise<TimelineReply> {
  // the student's files run in a sandbox of their own, as in the grader's
  // worker (solution/src/engine, compiled into the kit's cache): they reach
  // nothing of this process but what "./defs" gives them
  const engine = path.join(job.kit, "src", "engine");
  const { Sandbox } = require(path.join(engine, "sandbox.js")) as typeof import("../../solution/src/engine/sandbox");
  const { loadQuickJS } = require(
    path.join(engine, "quickjs.js"),
  ) as typeof import("../../solution/src/engine/quickjs");
  const { routeModules } = require(path.join(job.kit, "worker", "_modules.js")) as typeof import("../_modules");
  v8.setFlagsFromString("--liftoff-only"); // as in the grading worker: no optimizing compile of QuickJS
  const sandbox = new Sandbox(await loadQuickJS(), {
    defs: require(path.join(job.kit, "src", "kernel", "defs.js")) as Record<string, unknown>,
    pureSource: readFileSync(path.join(job.kit, "src", "hw", "riscv.js"), "utf8"),
    files: job.files,
    limits: job.engine,
  });
  routeModules(
    () => job.kit,
    () => ({ kit: job.kit, studentFiles: job.studentFiles, exports: (rel) => sandbox.exports(rel) }),
  );
  for (const name of ["log", "info", "warn", "error", "debug"] as const) console[name] = () => undefined;
  sandbox.startUnit(1);

  // the lab's code loads once for all the scenarios, as the reference's does in the parent:
  // each scenario boots a fresh machine
  let build: (file: string) => unknown;
  try {
    const main = require(path.join(job.kit, "src", "kernel", "main.js")) as {
      boot: (o?: { stepBudget?: number }) => unknown;
    };
    const boot = main.boot;
    main.boot = (o = {}) => boot({ ...o, stepBudget: o.stepBudget ?? job.stepBudget });
    const { loadScenario } = require(path.join(job.kit, "src", "scenario", "parse.js"));
    const { buildTimeline } = require(path.join(job.kit, "src", "scenario", "timeline.js"));
    build = (file) => slim(buildTimeline(loadScenario(file)), job.maxRuns);
  } catch (e) {
    const error = describe(e);
    return job.scenarios.map(() => ({ error }));
  }
  return job.scenarios.map((file) => {
    sandbox.startUnit(1);
    try {
      const timeline = build(file);
      return sandbox.limitHit !== null ? { error: sandbox.limitHit.message } : { timeline };
    } catch (e) {
      return { error: sandbox.limitHit?.message ?? describe(e) };
    }
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The timeline without the frame-by-frame events (allocations, frees, fences), runs cut to `maxRuns`. */
export function slim<
  T extends {
    steps: readonly { events: readonly { kind: string }[]; processes: readonly { runs: readonly unknown[] }[] }[];
  },
>(timeline: T, maxRuns: number): T {
  return {
    ...timeline,
    steps: timeline.steps.map((s) => ({
      ...s,
      events: s.events.filter((e) => e.kind === "fault" || e.kind === "syscall"),
      processes: s.processes.map((p) => ({ ...p, runs: p.runs.slice(0, maxRuns) })),
    })),
  };
}

if (require.main === module) {
  process.once("message", (job: TimelineJob) => {
    run(job)
      .catch((e: unknown) => job.scenarios.map(() => ({ error: (e as Error).message })))
      .then((reply) => process.send!(reply, undefined, {}, () => process.exit(0)));
  });
}
