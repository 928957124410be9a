// A child process that runs scenarios on a submission's kernel and sends
// back their timelines, for the pictures in the student's report. It is a
// process of its own because the student's code may loop forever or crash:
// the parent kills it after a time limit and draws no picture.
//
// It loads the kit's compiled code (<kit>/src) with the submission's
// compiled student files (<workspace>/src/...) in place of the kit's, in the
// student's realm, the way the grader's worker does. Only node's own modules
// are imported here (the realm comes from the kit's cache at run time): the
// parent may run this file straight from TypeScript transpiled alone.

/* eslint-disable @typescript-eslint/no-require-imports */
import path from "node:path";

/** What the parent sends. */
export interface TimelineJob {
  /** The compiled kit (src/ inside). */
  readonly kit: string;
  /** The workspace holding the compiled student files at their paths. */
  readonly workspace: string;
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

function run(job: TimelineJob): TimelineReply {
  // the student's files load in a realm of their own, as in the grader's
  // worker (grader/_realm.ts, compiled into the kit's cache): they reach
  // nothing of this process but what "./defs" gives them
  const { StudentRealm, routeModules } = require(
    path.join(job.kit, "worker", "_realm.js"),
  ) as typeof import("../_realm");
  const realm = new StudentRealm({ ...job, print: () => undefined, printing: () => false });
  routeModules(
    () => job.kit,
    () => realm,
  );
  for (const name of ["log", "info", "warn", "error", "debug"] as const) console[name] = () => undefined;

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
    try {
      return { timeline: build(file) };
    } catch (e) {
      return { error: describe(e) };
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
    let reply: TimelineReply;
    try {
      reply = run(job);
    } catch (e) {
      reply = job.scenarios.map(() => ({ error: (e as Error).message }));
    }
    process.send!(reply, undefined, {}, () => process.exit(0));
  });
}
