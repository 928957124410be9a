// The worker process: started warm (the test runner and Jest's matchers
// already loaded), it runs exactly one submission's hidden suites and
// threshold scenarios, then exits. "@lab/..." resolves to the kit's compiled
// code, except that a student file resolves to the submission's workspace,
// from wherever it is imported. Before each unit it tells the parent which one starts, so that
// a unit that hangs or kills the process can be named from outside.

// The workspace is known only at run time, hence require() rather than import.
/* eslint-disable @typescript-eslint/no-require-imports */
import Module from "node:module";
import path from "node:path";
import { format, inspect } from "node:util";
import { TestEnd, globals, runFile } from "./_harness";
import { RunRequest, WorkerMessage, scenarioKey, testKey } from "./protocol";

type Parent = { id: string; filename: string; paths: string[] } | null | undefined;
type Loader = {
  _load: (request: string, parent: Parent, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: Parent, isMain: boolean, options?: unknown) => string;
  _nodeModulePaths: (dir: string) => string[];
};

const LOG_LIMIT = 2000;
const exit = process.exit.bind(process);
const send = (m: WorkerMessage, then?: () => void): void => {
  process.send!(m, undefined, {}, () => then?.());
};

let workspace = "";
let kit = "";
/** Compiled student file in the kit -> the workspace's; and back. */
const toWorkspace = new Map<string, string>();
const toKit = new Map<string, string>();
let logs = "";
let stray: unknown[] = [];

/** Installs the module hooks, the console capture and the guards; then waits for one request. */
function main(): void {
  process.setSourceMapsEnabled(true);
  const loader = Module as unknown as Loader;
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, isMain, options) {
    const mapped = request.startsWith("@lab/") ? path.join(kit, "src", request.slice(5)) : request;
    // a student file imports "./defs" as if it sat in the kit
    const asKit = parent?.filename !== undefined ? toKit.get(parent.filename) : undefined;
    const from: Parent =
      asKit === undefined
        ? parent
        : { id: asKit, filename: asKit, paths: loader._nodeModulePaths(path.dirname(asKit)) };
    const file = resolve.call(this, mapped, from, isMain, options);
    return toWorkspace.get(file) ?? file;
  };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    if (request === "@jest/globals") return globals;
    return load.call(this, request, parent, isMain);
  };
  for (const name of ["log", "info", "warn", "error", "debug"] as const) {
    console[name] = (...args: unknown[]) => capture(format(...args) + "\n");
  }
  process.exit = ((code?: number) => {
    throw new Error(`process.exit(${code ?? ""}) was called; the grader does not let a submission end its process`);
  }) as typeof process.exit;
  process.on("uncaughtException", (e) => stray.push(e));
  process.on("unhandledRejection", (e) => stray.push(e));
  process.once("message", (req: RunRequest) => {
    run(req).then(
      () => send({ type: "done" }, () => exit(0)),
      (e) => {
        process.stderr.write(`oslab worker: ${(e as Error).stack ?? String(e)}\n`);
        exit(70);
      },
    );
  });
  process.on("disconnect", () => exit(0));
  send({ type: "ready" });
}

function capture(text: string): void {
  if (logs.length >= LOG_LIMIT) return;
  logs += text;
  if (logs.length >= LOG_LIMIT) logs = logs.slice(0, LOG_LIMIT) + "\n... (more output not shown)\n";
}

async function run(req: RunRequest): Promise<void> {
  workspace = req.workspace;
  kit = req.kit;
  for (const f of req.studentFiles) {
    const js = f.replace(/\.ts$/, ".js");
    toWorkspace.set(path.join(kit, js), path.join(workspace, js));
    toKit.set(path.join(workspace, js), path.join(kit, js));
  }
  const skip = new Set(req.skip);
  const mainFile = path.join(kit, "src", "kernel", "main.js");
  const tests = path.join(kit, "tests") + path.sep;
  let loaded = false;
  const fresh = (): void => {
    // Each suite file gets fresh instances of itself and its helpers, as
    // under Jest. The lab's code (kit and student files) loads once per
    // submission, unlike Jest: every test boots its own machine, so no
    // outcome changes (equivalence.test.ts), and the simulator's hot code
    // stays compiled, a third of the run's CPU.
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
          onEnd: (end) => finish(end),
        },
      );
    } catch (e) {
      send({ type: "suite-error", file, message: describeError(e) });
    }
  }
  for (const job of req.scenarios) {
    const key = scenarioKey(job.id);
    if (skip.has(key)) continue;
    start(key, req.seed);
    try {
      fresh();
      const { loadScenario } = require(path.join(kit, "src", "scenario", "parse.js"));
      const { runScenario } = require(path.join(kit, "src", "scenario", "run.js"));
      const r = runScenario(loadScenario(job.file));
      const value = figureOf(r, job.figure);
      const scenario = { ok: r.ok === true, failures: strings(r.failures), audit: strings(r.audit), value };
      send({ type: "result", key, status: scenario.ok ? "passed" : "failed", message: "", logs, scenario });
    } catch (e) {
      const scenario = { ok: false, failures: [describeError(e)], audit: [], value: null };
      send({ type: "result", key, status: "failed", message: describeError(e), logs, scenario });
    }
  }
}

function start(key: string, seed: number): void {
  logs = "";
  stray = [];
  Math.random = seededRandom(`${seed}:${key}`);
  send({ type: "start", key });
}

function finish(end: TestEnd): void {
  const errors = [...end.errors, ...stray];
  const status = end.status === "passed" && errors.length > 0 ? "failed" : end.status;
  const message = errors.map(describeError).join("\n\n");
  send({ type: "result", key: end.key, status, message, logs });
}

/** A scenario result's figure: a counter ("framesCopied") or a process's ("C.minorFaults"). */
function figureOf(
  r: { counters?: Record<string, unknown>; processes?: Record<string, Record<string, unknown>> },
  figure: string,
): number | null {
  const dot = figure.indexOf(".");
  const v = dot < 0 ? r.counters?.[figure] : r.processes?.[figure.slice(0, dot)]?.[figure.slice(dot + 1)];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/**
 * An error as a student reads it: the message (the matcher's, for a failed
 * expect), then where it came from in the lab's code (src/...), never the
 * hidden suite's own lines.
 */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `The code threw a value that is not an Error: ${inspect(e, { depth: 2 })}`;
  const assertion = "matcherResult" in e;
  const head = assertion ? e.message : `${e.name}: ${e.message}`;
  const roots = [path.join(workspace, "src") + path.sep, path.join(kit, "src") + path.sep];
  const frames = (e.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && roots.some((r) => l.includes(r)))
    .slice(0, 6)
    .map((l) => "    " + roots.reduce((t, r) => t.split(r).join("src/"), l.trim()));
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

if (require.main === module) main();
