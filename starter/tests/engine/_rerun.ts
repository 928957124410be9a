// Running a test again, as Jest's runner runs it: its beforeEach hooks
// (outermost describe block first), its function, its afterEach hooks
// (innermost first), each under its time limit. The first error is the
// run's result; the afterEach hooks run whatever happened before them.

import type { CircusBlock, CircusFn, CircusTest, EngineHost } from "./_bridge";

type Timers = Pick<EngineHost, "setTimeout" | "clearTimeout">;
type HookType = "beforeEach" | "afterEach";

/** Runs `test` once more; returns the first error it threw, or null when it passed. */
export async function runAgain(
  test: CircusTest,
  testTimeout: number,
  timers: Timers,
): Promise<{ error: unknown } | null> {
  const before = await runHooks(test, "beforeEach", testTimeout, timers);
  const failure = before ?? (await call(test.fn, test.timeout ?? testTimeout, timers));
  const after = await runHooks(test, "afterEach", testTimeout, timers);
  return failure ?? after;
}

/** Runs the hooks of one type that apply to `test`, in Jest's order; returns the first error, or null. */
export async function runHooks(
  test: CircusTest,
  type: HookType,
  testTimeout: number,
  timers: Timers,
): Promise<{ error: unknown } | null> {
  let first: { error: unknown } | null = null;
  for (const hook of hooksOf(test, type)) {
    const failure = await call(hook.fn, hook.timeout ?? testTimeout, timers);
    first ??= failure;
    if (first !== null && type === "beforeEach") break;
  }
  return first;
}

function hooksOf(test: CircusTest, type: HookType): CircusBlock["hooks"] {
  const blocks: CircusBlock[] = [];
  for (let b = test.parent; b !== undefined; b = b.parent) blocks.push(b);
  if (type === "beforeEach") blocks.reverse();
  return blocks.flatMap((b) => b.hooks.filter((h) => h.type === type));
}

// Calls a test or hook function (returning a promise, or taking a done callback) with a time limit.
async function call(fn: CircusFn, ms: number, timers: Timers): Promise<{ error: unknown } | null> {
  let timer: unknown;
  const expired = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => reject(new Error(`Exceeded the test's timeout of ${ms} ms`)), ms);
  });
  const run = new Promise<void>((resolve, reject) => {
    const done = (error?: unknown): void => (error === undefined || error === null ? resolve() : reject(error));
    const r = fn.length > 0 ? fn.call({}, done) : fn.call({});
    if (fn.length === 0) Promise.resolve(r).then(() => resolve(), reject);
  });
  try {
    await Promise.race([run, expired]);
    return null;
  } catch (error) {
    return { error };
  } finally {
    timers.clearTimeout(timer);
  }
}
