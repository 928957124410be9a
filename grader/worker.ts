// The worker process: started warm (the test runner, Jest's matchers and
// the QuickJS engine already loaded), it runs exactly one submission's
// hidden suites and threshold scenarios, then exits. "@lab/..." resolves to
// the kit's compiled code; a student file, from wherever it is imported, is
// the submission's, running in its sandbox (solution/src/engine/sandbox.ts):
// a QuickJS engine that holds no object of this process, with budgets of
// engine steps, memory and stack for each unit. Before each unit the worker
// tells the parent which one starts, so that a unit that hangs or kills the
// process can be named from outside.

// The workspace is known only at run time, hence require() rather than import.
/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { format, inspect } from "node:util";
import type { EngineLimit } from "../solution/src/engine/limits";
import type { Sandbox, ThrownValue } from "../solution/src/engine/sandbox";
import type { ScenarioResult, StepContext } from "../solution/src/scenario/run";
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { routeModules } from "./_modules";
import { TestEnd, TimedOut, globals, runFile } from "./_harness";
import type { EngineCost } from "./model";
import type { Difference } from "./difference/difference";
import { explainRun } from "./difference/explain";
import { labKernelAt } from "./difference/lab-kernel";
import { RunRequest, ScenarioJob, WorkerMessage, figureOf, scenarioKey, testKey } from "./protocol";

const exit = process.exit.bind(process);
const send = (m: WorkerMessage, then?: () => void): void => {
  process.send!(m, undefined, {}, () => then?.());
};

let kit = "";
let sandbox: Sandbox | null = null;
let studentFiles: readonly string[] = [];
let quickjs: QuickJSWASMModule | null = null;
/** The engine's classes, from the kit (its compiled solution/src/engine). */
let engine: { EngineLimit: typeof EngineLimit; ThrownValue: typeof ThrownValue } | null = null;
/** What the current unit printed, and the limits (set by the request). */
let logs = "";
let unitChars = 2000;
let submissionChars = 64 * 1024;
let printed = 0;
let stray: unknown[] = [];

/** Installs the module hooks, the console capture and the guards, loads the engine; then waits for one request. */
async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  routeModules(
    () => kit,
    () => (sandbox === null ? null : { kit, studentFiles, exports: (rel) => sandbox!.exports(rel) }),
    (request) => (request === "@jest/globals" ? globals : undefined),
  );
  // the engine's code is the kit's (solution/src/engine), compiled beside this file's folder
  const own = path.join(__dirname, "..", "src", "engine");
  // V8's baseline WebAssembly compiler only: its optimizing compiler would spend about 0.4 s of CPU
  // in the background on QuickJS's half megabyte, in every worker, for code that runs a second or two
  v8.setFlagsFromString("--liftoff-only");
  quickjs = await (
    require(path.join(own, "quickjs.js")) as typeof import("../solution/src/engine/quickjs")
  ).loadQuickJS();
  engine = {
    EngineLimit: (require(path.join(own, "limits.js")) as typeof import("../solution/src/engine/limits")).EngineLimit,
    ThrownValue: (require(path.join(own, "sandbox.js")) as typeof import("../solution/src/engine/sandbox")).ThrownValue,
  };
  warmEngine(path.join(__dirname, "..", "src"));
  for (const name of ["log", "info", "warn", "error", "debug"] as const) {
    console[name] = (...args: unknown[]) => {
      if (printing()) capture(format(...args) + "\n");
    };
  }
  process.exit = ((code?: number) => {
    throw new Error(`process.exit(${code ?? ""}) was called; the grader does not let a submission end its process`);
  }) as typeof process.exit;
  process.on("uncaughtException", (e) => stray.push(e));
  process.on("unhandledRejection", (e) => stray.push(e));
  process.once("message", (req: RunRequest) => {
    const cpu0 = process.cpuUsage();
    run(req).then(
      () => send({ type: "done", cost: costOf(cpu0) }, () => exit(0)),
      (e) => {
        process.stderr.write(`oslab worker: ${(e as Error).stack ?? String(e)}\n`);
        exit(70);
      },
    );
  });
  process.on("disconnect", () => exit(0));
  send({ type: "ready" });
}

/**
 * Builds and drops one engine over the kit's own defs while the worker waits
 * in the pool: the WebAssembly's code is compiled on its first use (about a
 * tenth of a second), which then no submission waits for.
 */
function warmEngine(src: string): void {
  const { Sandbox } = require(
    path.join(src, "engine", "sandbox.js"),
  ) as typeof import("../solution/src/engine/sandbox");
  const warm = new Sandbox(quickjs!, {
    defs: require(path.join(src, "kernel", "defs.js")) as Record<string, unknown>,
    pureSource: readFileSync(path.join(src, "hw", "riscv.js"), "utf8"),
    files: [{ rel: "warm.ts", js: 'exports.f = (n) => require("./defs").PTE2PA(n);' }],
    limits: { steps: 1000, memoryBytes: 1 << 24, stackBytes: 1 << 16 },
  });
  warm.startUnit(1);
  (warm.exports("warm.ts").f as (n: number) => number)(1024);
  warm.dispose();
}

/** Whether more of what the code prints is kept: printing past the limits costs nothing. */
function printing(): boolean {
  return logs.length < unitChars && printed < submissionChars;
}

function capture(text: string): void {
  if (!printing()) return;
  const room = Math.min(unitChars - logs.length, submissionChars - printed);
  const kept = text.slice(0, room);
  logs += kept;
  printed += kept.length;
  if (kept.length < text.length || !printing())
    logs +=
      printed >= submissionChars
        ? `\n... (more output not shown: the submission printed more than ${submissionChars} characters)\n`
        : `\n... (more output not shown: a test may print ${unitChars} characters)\n`;
}

async function run(req: RunRequest): Promise<void> {
  kit = req.kit;
  unitChars = req.outputChars;
  submissionChars = req.submissionOutputChars;
  studentFiles = req.studentFiles;
  const { Sandbox } = require(
    path.join(kit, "src", "engine", "sandbox.js"),
  ) as typeof import("../solution/src/engine/sandbox");
  sandbox = new Sandbox(quickjs!, {
    defs: require(path.join(kit, "src", "kernel", "defs.js")) as Record<string, unknown>,
    pureSource: readFileSync(path.join(kit, "src", "hw", "riscv.js"), "utf8"),
    files: req.files,
    limits: req.engine,
    print: capture,
    printing,
  });
  preload(req);
  const skip = new Set(req.skip);
  const mainFile = path.join(kit, "src", "kernel", "main.js");
  const tests = path.join(kit, "tests") + path.sep;
  let loaded = false;
  const fresh = (): void => {
    // Each suite file gets fresh instances of itself and its helpers, as
    // under Jest. The kit's code loads once per submission, unlike Jest:
    // every test boots its own machine, so no outcome changes
    // (equivalence.test.ts), and the simulator's hot code stays compiled, a
    // third of the run's CPU. The student's files load afresh in every unit
    // (the sandbox gives each unit an engine of its own): nothing their code
    // keeps reaches the next test, threshold or rerun.
    for (const k of Object.keys(require.cache)) if (k.startsWith(tests)) delete require.cache[k];
    if (loaded) return;
    loaded = true;
    const main = require(mainFile) as { boot: (o?: { stepBudget?: number }) => unknown };
    const boot = main.boot;
    main.boot = (o = {}) => boot({ ...o, stepBudget: o.stepBudget ?? req.stepBudget });
  };
  for (const file of req.testFiles) {
    const abs = path.join(kit, "tests", file);
    send({ type: "loading", file });
    sandbox.startUnit(req.seed); // the student's files load with the suite, on a budget of their own
    try {
      await runFile(
        () => {
          fresh();
          require(abs);
        },
        {
          keyOf: (titles) => testKey(file, titles),
          skip,
          timeoutMs: req.testMs,
          onStart: (key) => start(key, req.seed),
          onEnd: (end) => finish(end, req),
        },
      );
    } catch (e) {
      send({ type: "suite-error", file, message: cut(describeError(e)) });
    }
  }
  // A threshold's figure is observed, never reported: runScenario (the
  // kit's code, in this process) boots a Machine whose counters live in its
  // private fields, and the student's functions reach it only through the
  // host calls of "./defs", whose every effect the machine counts itself.
  // The figure is read here, by the grader's code, from machine.counters()
  // at the end of the scenario: the student's code runs in QuickJS, which
  // holds no object of this process, so it can neither change a counter nor
  // this reading, nor send a message of its own. The parent then accepts
  // only a number for a unit it asked for and computes every score itself.
  for (const job of req.scenarios) {
    const key = scenarioKey(job.id);
    if (skip.has(key)) continue;
    start(key, req.seed);
    let result: WorkerMessage;
    try {
      fresh();
      const r = runThreshold(req, job);
      const value = figureOf(r, job.figure);
      const scenario = { ok: r.ok === true, failures: strings(r.failures), audit: strings(r.audit), value };
      result = { type: "result", key, status: scenario.ok ? "passed" : "failed", message: "", logs, scenario };
    } catch (e) {
      const scenario = { ok: false, failures: [cut(describeError(e))], audit: [], value: null };
      result = { type: "result", key, status: "failed", message: cut(describeError(e)), logs, scenario };
    }
    await macrotask(); // the promise callbacks its code queued run first, on the scenario's budget
    const limit = sandbox?.limitHit ?? null;
    if (limit !== null) {
      // a budget ran out, whatever the kernel made of it: the figure counts for nothing
      const scenario = { ok: false, failures: [limit.message], audit: [], value: null };
      result = { type: "result", key, status: "failed", message: limit.message, logs, scenario, limit: limitOf(limit) };
    }
    const steps = sandbox?.steps ?? 0;
    const difference =
      limit === null && losesPoints(result, req.referenceFigures?.[job.id])
        ? await differenceOf(req, key, (onStep) => runThreshold(req, job, onStep))
        : null;
    await macrotask();
    send({ ...result, steps, ...(difference !== null ? { difference } : {}) } as WorkerMessage);
  }
}

/** This process's CPU time when the current unit started. */
let unitCpu0 = process.cpuUsage();

/**
 * Whether the unit left room for its explanation: its two runs more take
 * about what it took, and the parent stops a unit that is silent for its
 * time, so a unit that used more than a quarter of it is not explained
 * (its score never depends on this; only its hint falls back to the rubric's).
 */
function roomToExplain(req: RunRequest): boolean {
  const used = process.cpuUsage(unitCpu0);
  return (used.user + used.system) / 1000 <= req.testMs / 4;
}

/** The rubric ids of the tests that failed so far in this process. */
const failedTests = new Set<string>();

/** A hidden test's rubric id: the first word of its own title ("A7 fork fences ..."). */
function testIdOf(title: string): string {
  return title.split(" ")[0] ?? "";
}

/**
 * Whether a failed test's hint is worth finding: it is scored on its own
 * (a rubric test none of whose dependencies failed: otherwise it shows
 * "depends on" and no hint), and it did not run out of time (it would twice
 * more). Nothing is explained on the reference's own run (no dependencies sent).
 */
function worthExplaining(end: TestEnd, req: RunRequest): boolean {
  const deps = req.testDependsOn?.[testIdOf(end.title)];
  if (deps === undefined || deps.some((d) => failedTests.has(d))) return false;
  return !end.errors.some((e) => e instanceof TimedOut);
}

/**
 * Whether a threshold's result may cost points, so that why is worth
 * finding: its scenario did not run correctly, or its figure is above the
 * reference's. Without the reference's figure (the reference's own run),
 * nothing is explained.
 */
function losesPoints(result: WorkerMessage, reference: number | undefined): boolean {
  if (reference === undefined || result.type !== "result" || result.scenario === undefined) return false;
  const sc = result.scenario;
  return !sc.ok || sc.audit.length > 0 || sc.value === null || sc.value > reference;
}

/** Runs threshold `job`'s scenario, its part's edit points the student's and the others the reference's. */
function runThreshold(req: RunRequest, job: ScenarioJob, onStep?: (ctx: StepContext) => void): ScenarioResult {
  const { loadScenario } = require(path.join(kit, "src", "scenario", "parse.js"));
  const { runScenario } = require(path.join(kit, "src", "scenario", "run.js"));
  const restore = withReference(req, job.own);
  try {
    return runScenario(loadScenario(job.file), onStep === undefined ? {} : { onStep });
  } finally {
    restore();
  }
}

/**
 * Where unit `key`'s run on the submission first differs from the same run
 * on the reference's edit points (grader/difference): `rerun` runs it again,
 * twice, seeded as the unit was; what those runs print or leave behind is
 * not the unit's. Null when it cannot tell (no reference, a run that throws).
 */
async function differenceOf(
  req: RunRequest,
  key: string,
  rerun: (onStep: (ctx: StepContext) => void) => unknown,
): Promise<Difference | null> {
  if (req.reference === null || sandbox === null || !roomToExplain(req)) return null;
  const kept = { logs, printed, stray };
  try {
    const slots = req.editPoints
      .filter((p) => req.studentFiles.includes(p.file))
      .map((p) => ({ module: sandbox!.exports(p.file), name: p.function }));
    const reference = require(req.reference) as Record<string, unknown>;
    const lab = labKernelAt(path.join(kit, "src"));
    return await explainRun(
      (onStep) => {
        reseed(key, req.seed);
        return rerun(onStep);
      },
      { lab, slots, reference },
    );
  } catch {
    return null; // the explanation is extra: an error in it costs the unit nothing
  } finally {
    logs = kept.logs;
    printed = kept.printed;
    stray = kept.stray;
  }
}

/**
 * Loads each student file before any unit runs, on a budget of its own,
 * and tells the parent of each one that fails to load. Its functions then
 * throw why (the sandbox makes them so; here, when loading ran out of a
 * budget and left none), so its own part's units fail, while the other
 * parts run the reference's edit points in its place (the hidden suites'
 * swap, and withReference for thresholds).
 */
function preload(req: RunRequest): void {
  for (const rel of req.studentFiles) {
    sandbox!.startUnit(req.seed);
    let failure: Error | null;
    try {
      sandbox!.exports(rel);
      failure = sandbox!.loadFailure(rel);
    } catch (e) {
      failure = new Error(`${rel} could not be loaded: ${describeError(e)}`);
    }
    if (failure === null) continue;
    const thrown = failure;
    try {
      const exports = sandbox!.exports(rel);
      for (const p of req.editPoints)
        if (p.file === rel && typeof exports[p.function] !== "function")
          exports[p.function] = () => {
            throw thrown;
          };
    } catch {
      // the file's exports cannot be had at all: the kernel's calls into it fail on their own
    }
    send({ type: "not-loaded", file: rel, message: cut(failure.message) });
  }
}

/**
 * Makes the edit points of every student file outside `own` the
 * reference's (the kit's copy, run natively, as the hidden suites do) until
 * the function returned puts the student's back: a threshold measures its
 * own part alone. Changes nothing when the lab has no reference.
 */
function withReference(req: RunRequest, own: readonly string[]): () => void {
  if (req.reference === null) return () => undefined;
  const reference = require(req.reference) as Record<string, unknown>;
  const saved: { exports: Record<string, unknown>; name: string; student: unknown }[] = [];
  const restore = (): void => {
    for (const s of saved.splice(0).reverse()) s.exports[s.name] = s.student;
  };
  for (const p of req.editPoints) {
    if (own.includes(p.file) || !req.studentFiles.includes(p.file)) continue;
    if (typeof reference[p.function] !== "function") {
      restore();
      throw new Error(`The grader's reference (${req.reference}) has no function ${p.function}`);
    }
    const exports = sandbox!.exports(p.file);
    saved.push({ exports, name: p.function, student: exports[p.function] });
    exports[p.function] = reference[p.function];
  }
  return restore;
}

/**
 * Resolves once the event loop turns: never, while the student's code keeps
 * queueing promise callbacks (a microtask loop), so that the unit's result
 * is never sent and the parent stops it as a hang.
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function start(key: string, seed: number): void {
  logs = "";
  stray = [];
  unitCpu0 = process.cpuUsage();
  reseed(key, seed);
  send({ type: "start", key });
}

// Math.random and the sandbox seeded for unit `key`, as every run of it is.
function reseed(key: string, seed: number): void {
  Math.random = seededRandom(`${seed}:${key}`);
  sandbox?.startUnit(Math.floor(Math.random() * 2 ** 32));
}

async function finish(end: TestEnd, req: RunRequest): Promise<void> {
  const limit = sandbox?.limitHit ?? null;
  if (limit !== null) {
    // the unit ran out of a budget: it fails so, whatever the test or the kernel caught on the way
    failedTests.add(testIdOf(end.title));
    const steps = sandbox!.steps;
    send({
      type: "result",
      key: end.key,
      status: "failed",
      message: limit.message,
      logs,
      limit: limitOf(limit),
      steps,
    });
    return;
  }
  const errors = [...end.errors, ...stray];
  const status = end.status === "passed" && errors.length > 0 ? "failed" : end.status;
  const message = cut(errors.map(describeError).join("\n\n"));
  const steps = sandbox?.steps ?? 0;
  const rerun = end.rerun;
  const difference =
    status === "failed" && rerun !== undefined && worthExplaining(end, req)
      ? await differenceOf(req, end.key, () => rerun())
      : null;
  if (status === "failed") failedTests.add(testIdOf(end.title));
  send({ type: "result", key: end.key, status, message, logs, steps, ...(difference !== null ? { difference } : {}) });
}

// What running this submission cost: the sandbox's account and this process's CPU time since `cpu0`.
function costOf(cpu0: NodeJS.CpuUsage): EngineCost {
  const cpu = process.cpuUsage(cpu0);
  const stats = sandbox?.stats ?? { builds: 0, buildMs: 0, calls: 0, callMs: 0, callbacks: 0, callbackMs: 0 };
  return { ...stats, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function limitOf(e: EngineLimit): { kind: EngineLimit["kind"]; limit: number } {
  return { kind: e.kind, limit: e.limit };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.slice(0, MAX_LINES).map((x) => cut(String(x))) : [];
}

/** Longest failure message sent (the parent takes none longer than 20,000 characters). */
const MESSAGE_LIMIT = 16_000;
/** Most failure lines of a scenario sent (the parent takes no more than 100). */
const MAX_LINES = 100;

function cut(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT)}\n... (cut short)`;
}

/**
 * An error as a student reads it: the message (the matcher's, for a failed
 * expect), then where it came from in the lab's code (src/...), never the
 * hidden suite's own lines.
 */
export function describeError(e: unknown): string {
  if (!(e instanceof Error))
    return `The code threw a value that is not an Error: ${inspect(e, { depth: 2, customInspect: false })}`;
  if (engine !== null && (e instanceof engine.ThrownValue || e instanceof engine.EngineLimit)) return e.message;
  const assertion = "matcherResult" in e;
  const head = assertion ? e.message : `${e.name}: ${e.message}`;
  // the kit's frames name its compiled files; the student's, from the engine, are already src/... and mapped
  const roots = [path.join(kit, "src") + path.sep, "(src/"];
  const frames = (e.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && roots.some((r) => l.includes(r)))
    .slice(0, 6)
    .map((l) => "    " + l.trim().split(roots[0]!).join("src/"));
  return stripAnsi([head, ...frames].join("\n"));
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}

/** A repeatable Math.random for one unit (mulberry32 seeded by a string hash). */
function seededRandom(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (require.main === module)
  main().catch((e: unknown) => {
    process.stderr.write(`oslab worker: cannot start: ${(e as Error).stack ?? String(e)}\n`);
    exit(70);
  });
