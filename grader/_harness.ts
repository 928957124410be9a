// A small in-process test runner for the hidden suites: the Jest globals
// (describe, test/it, the four hooks, .each/.only/.skip/.todo, expect and
// the jest object's mocks) built from Jest's own published pieces (`expect`,
// `jest-mock`, `jest-each`), running tests in the order and with the hook
// semantics of jest-circus. It loads in a worker once and then runs one
// submission's suites, which is what makes grading a class fast.

import { expect } from "expect";
import { bind } from "jest-each";
import { ModuleMocker } from "jest-mock";

type Fn = (...args: unknown[]) => unknown;
type Mode = "normal" | "skip" | "only" | "todo";

interface Hooks {
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
}

interface Block extends Hooks {
  readonly kind: "describe";
  readonly title: string;
  readonly parent: Block | null;
  readonly mode: Mode;
  readonly children: (Block | Test)[];
}

interface Test {
  readonly kind: "test";
  readonly title: string;
  readonly parent: Block;
  readonly mode: Mode;
  readonly fn: Fn | undefined;
  readonly timeout: number | undefined;
  key: string;
}

/** One test's end, as the runner reports it. */
export interface TestEnd {
  readonly key: string;
  readonly title: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly errors: unknown[];
  /** Runs the test again (its beforeEach hooks, itself, its afterEach hooks): the errors it failed with. */
  readonly rerun?: () => Promise<unknown[]>;
}

export interface RunFileOptions {
  /** Builds a test's unit key from its titles (describe blocks, then the test's own). */
  readonly keyOf: (titles: readonly string[]) => string;
  /** Tests whose keys are here are neither run nor reported. */
  readonly skip: ReadonlySet<string>;
  /** Default time for one test or hook, in ms. */
  readonly timeoutMs: number;
  readonly onStart: (key: string) => void;
  /** Told of each test's end; the next test waits for what it returns. */
  readonly onEnd: (end: TestEnd) => void | Promise<void>;
}

/** Thrown when a suite uses a Jest feature this runner does not offer. */
export class Unsupported extends Error {}

/** A test or hook that did not finish in its time (run again, it would take that long again). */
export class TimedOut extends Error {}

const mocker = new ModuleMocker(globalThis);
let current: Block;
let defaultTimeout = 5000;

/** The `jest` object of the suites: mocks and spies; module mocking and fake timers are not offered. */
export const jestObject: Record<string, unknown> = {
  fn: mocker.fn.bind(mocker),
  spyOn: mocker.spyOn.bind(mocker),
  replaceProperty: mocker.replaceProperty.bind(mocker),
  isMockFunction: mocker.isMockFunction.bind(mocker),
  mocked: <T>(x: T): T => x,
  clearAllMocks(): unknown {
    mocker.clearAllMocks();
    return jestObject;
  },
  resetAllMocks(): unknown {
    mocker.resetAllMocks();
    return jestObject;
  },
  restoreAllMocks(): unknown {
    mocker.restoreAllMocks();
    return jestObject;
  },
  setTimeout(ms: number): unknown {
    defaultTimeout = ms;
    return jestObject;
  },
  mock: unsupported("jest.mock()"),
  unmock: unsupported("jest.unmock()"),
  doMock: unsupported("jest.doMock()"),
  useFakeTimers: unsupported("jest.useFakeTimers()"),
  requireActual: unsupported("jest.requireActual()"),
  isolateModules: unsupported("jest.isolateModules()"),
};

function unsupported(what: string): () => never {
  return () => {
    throw new Unsupported(`${what} is not offered by the grader's test runner`);
  };
}

function addTest(mode: Mode, title: string, fn: Fn | undefined, timeout?: number): void {
  if (typeof title !== "string") throw new Error(`A test's title must be a string, not ${typeof title}`);
  if (mode !== "todo" && typeof fn !== "function") throw new Error(`Test "${title}" has no function to run`);
  current.children.push({ kind: "test", title, parent: current, mode, fn, timeout, key: "" });
}

function addBlock(mode: Mode, title: string, fn: Fn): void {
  const block = newBlock(title, current, mode);
  current.children.push(block);
  const outer = current;
  current = block;
  try {
    const r = fn();
    if (r !== undefined && typeof (r as Promise<unknown>).then === "function")
      throw new Error(`describe("${title}") returned a promise: a describe callback must not be async`);
  } finally {
    current = outer;
  }
}

function newBlock(title: string, parent: Block | null, mode: Mode): Block {
  return {
    kind: "describe",
    title,
    parent,
    mode,
    children: [],
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
  };
}

function testApi(mode: Mode) {
  const t = (title: string, fn?: Fn, timeout?: number): void => addTest(mode, title, fn, timeout);
  return Object.assign(t, { each: bind(t as never) });
}

function describeApi(mode: Mode) {
  const d = (title: string, fn?: Fn): void => addBlock(mode, title, fn!);
  return Object.assign(d, { each: bind(d as never, false) });
}

const hook =
  (kind: keyof Hooks) =>
  (fn: Fn): void => {
    current[kind].push(fn);
  };

/** The globals a suite file sees (also what "@jest/globals" exports). */
export const globals = {
  describe: Object.assign(describeApi("normal"), { only: describeApi("only"), skip: describeApi("skip") }),
  fdescribe: describeApi("only"),
  xdescribe: describeApi("skip"),
  test: Object.assign(testApi("normal"), {
    only: testApi("only"),
    skip: testApi("skip"),
    todo: (title: string) => addTest("todo", title, undefined),
  }),
  it: undefined as unknown,
  fit: testApi("only"),
  xit: testApi("skip"),
  xtest: testApi("skip"),
  beforeAll: hook("beforeAll"),
  afterAll: hook("afterAll"),
  beforeEach: hook("beforeEach"),
  afterEach: hook("afterEach"),
  expect,
  jest: jestObject,
};
globals.it = globals.test;

/**
 * Loads one suite (`load` requires the file while the globals collect its
 * tests), then runs its tests in order. Rejects when the file cannot load.
 */
export async function runFile(load: () => void, options: RunFileOptions): Promise<void> {
  const root = newBlock("", null, "normal");
  current = root;
  defaultTimeout = options.timeoutMs;
  Object.assign(globalThis, globals);
  load();
  const tests = collect(root);
  const seen = new Map<string, number>();
  for (const t of tests) {
    const base = options.keyOf(titlesOf(t));
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    t.key = n === 1 ? base : `${base} #${n}`;
  }
  const only = tests.some((t) => effectiveMode(t) === "only");
  const runs = (t: Test): boolean => !options.skip.has(t.key) && willRun(t, only);
  await runBlock(root, options, runs);
}

function collect(block: Block): Test[] {
  return block.children.flatMap((c) => (c.kind === "test" ? [c] : collect(c)));
}

function titlesOf(t: Test): string[] {
  const titles = [t.title];
  for (let b: Block | null = t.parent; b !== null && b.parent !== null; b = b.parent) titles.unshift(b.title);
  return titles;
}

function effectiveMode(t: Test): Mode {
  if (t.mode !== "normal") return t.mode;
  for (let b: Block | null = t.parent; b !== null; b = b.parent) if (b.mode !== "normal") return b.mode;
  return "normal";
}

function willRun(t: Test, only: boolean): boolean {
  for (let b: Block | null = t.parent; b !== null; b = b.parent) if (b.mode === "skip") return false;
  if (t.mode === "skip" || t.mode === "todo") return false;
  return !only || effectiveMode(t) === "only";
}

// Runs a block: its beforeAll hooks only when one of its tests runs, then its
// children in order, then its afterAll hooks. A beforeAll that fails fails
// every test of the block.
async function runBlock(block: Block, options: RunFileOptions, runs: (t: Test) => boolean): Promise<void> {
  const tests = collect(block);
  const active = tests.filter(runs);
  if (active.length === 0) {
    for (const t of tests) if (!options.skip.has(t.key)) report(options, t, "skipped", []);
    return;
  }
  // the first test is announced before beforeAll runs, so a hang in it is blamed on that test
  options.onStart(active[0]!.key);
  let failed: unknown = null;
  for (const h of block.beforeAll) {
    failed = await call(h, defaultTimeout, "beforeAll");
    if (failed !== null) break;
  }
  if (failed !== null) {
    for (const t of tests) {
      if (runs(t)) {
        options.onStart(t.key);
        report(options, t, "failed", [failed]);
      } else if (!options.skip.has(t.key)) report(options, t, "skipped", []);
    }
  } else {
    for (const child of block.children) {
      if (child.kind === "describe") await runBlock(child, options, runs);
      else if (runs(child)) await runTest(child, options);
      else if (!options.skip.has(child.key)) report(options, child, "skipped", []);
    }
  }
  for (const h of block.afterAll) await call(h, defaultTimeout, "afterAll");
}

function report(options: RunFileOptions, t: Test, status: TestEnd["status"], errors: unknown[]): void {
  options.onEnd({ key: t.key, title: t.title, status, errors });
}

async function runTest(t: Test, options: RunFileOptions): Promise<void> {
  options.onStart(t.key);
  expect.setState({
    assertionCalls: 0,
    expectedAssertionsNumber: null,
    isExpectingAssertions: false,
    suppressedErrors: [],
    currentTestName: titlesOf(t).join(" "),
    testPath: "",
  });
  const errors = await runBody(t);
  if (errors.length === 0) {
    for (const e of expect.extractExpectedAssertionsErrors()) errors.push(e.error);
    errors.push(...(expect.getState().suppressedErrors ?? []));
  }
  // the event loop must turn before a test counts as finished: code that
  // queues promise callbacks forever (a microtask loop) never lets it, so
  // its test is never reported and the parent stops it as a hang
  await new Promise((resolve) => setImmediate(resolve));
  const status = errors.length === 0 ? "passed" : "failed";
  await options.onEnd({ key: t.key, title: t.title, status, errors, rerun: () => runBody(t) });
}

// Runs a test's beforeEach hooks, the test, and its afterEach hooks: the errors they failed with.
async function runBody(t: Test): Promise<unknown[]> {
  const errors: unknown[] = [];
  const chain: Block[] = [];
  for (let b: Block | null = t.parent; b !== null; b = b.parent) chain.unshift(b);
  for (const b of chain) {
    for (const h of b.beforeEach) {
      if (errors.length > 0) break;
      const e = await call(h, defaultTimeout, "beforeEach");
      if (e !== null) errors.push(e);
    }
  }
  if (errors.length === 0) {
    const e = await call(t.fn!, t.timeout ?? defaultTimeout, "test");
    if (e !== null) errors.push(e);
  }
  for (const b of [...chain].reverse()) {
    for (const h of b.afterEach) {
      const e = await call(h, defaultTimeout, "afterEach");
      if (e !== null) errors.push(e);
    }
  }
  return errors;
}

// Calls a test or hook function, waiting for its promise or its done
// callback; resolves to the error it failed with, or null.
async function call(fn: Fn, timeoutMs: number, what: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = new Promise<void>((resolve, reject) => {
      if (fn.length > 0) {
        const done = (err?: unknown): void => (err === undefined || err === null ? resolve() : reject(err));
        Object.assign(done, { fail: (err: unknown) => reject(err) });
        const r = fn(done);
        if (r !== undefined && typeof (r as Promise<unknown>).then === "function")
          reject(new Error(`A ${what} function takes a done callback and returns a promise: use one or the other`));
        return;
      }
      const r = fn();
      if (r !== undefined && r !== null && typeof (r as Promise<unknown>).then === "function")
        (r as Promise<unknown>).then(() => resolve(), reject);
      else resolve();
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimedOut(`The ${what} did not finish within ${timeoutMs} ms (a promise that never settles?)`)),
        timeoutMs,
      );
    });
    await Promise.race([run, timeout]);
    return null;
  } catch (e) {
    return e === null || e === undefined ? new Error(`The ${what} failed with ${String(e)}`) : e;
  } finally {
    clearTimeout(timer);
  }
}
