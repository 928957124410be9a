// Runs before every test file: the check that your code also passes in the
// grader's engine. The grader does not run your files in Node: it runs them
// in QuickJS, a JavaScript engine without Node's globals (process, Buffer,
// Intl, setTimeout, require, ...), with budgets of steps, memory and stack
// for each test. So each test that passes here runs once more, right away,
// with your three files in that engine and the grader's budgets
// (grading.json); when it fails there, the test fails with a paragraph
// saying why. A test that fails in Node is reported as usual, once.

import path from "node:path";
import { StepBudgetExceeded } from "../../src/hw/machine";
import { AGREEMENT, Agreement, CircusTest, ENGINE_HOST, EngineHost } from "./_bridge";
import { EngineFiles, Observed } from "./_engine-files";
import { Disagreement, explain } from "./_explain";
import { Grading, loadGrading } from "./_grading";
import { runAgain, runHooks } from "./_rerun";

/** A test's failure in the engine, in the words of _explain.ts. */
export class EngineDisagreement extends Error {
  /**
   * The paragraph after the headline, as data: own and enumerable, so it reaches the reporter
   * (tests/support/reporter.js), which says a paragraph several tests share once, listing them.
   */
  readonly engine: { readonly paragraph: string };

  constructor(words: { readonly message: string; readonly paragraph: string }) {
    super(words.message);
    this.name = "EngineDisagreement";
    this.engine = { paragraph: words.paragraph };
    this.stack = words.message; // Jest prints the stack: the paragraph, not this file's frames
  }
}

class EngineAgreement implements Agreement {
  readonly #host: EngineHost;
  readonly #grading: Grading;
  readonly #files: EngineFiles;

  constructor(host: EngineHost, root: string) {
    this.#host = host;
    this.#grading = loadGrading(root);
    this.#files = new EngineFiles(host, root, this.#grading);
  }

  async afterNodePass(test: CircusTest, testTimeout: number): Promise<void> {
    if (test.errors.length > 0 || test.concurrent || test.failing) return;
    const counts = assertionCounts();
    try {
      await runHooks(test, "afterEach", testTimeout, this.#host); // they close the Node run
      const engine = await this.#files.run(seedOf(test), () => runAgain(test, testTimeout, this.#host));
      const failure = engine.limit !== null ? { error: engine.limit } : engine.result;
      if (failure === null) return;
      // the engine run is the test's second: blame the engine only if a third run, in Node, passes
      if ((await runAgain(test, testTimeout, this.#host)) !== null) return;
      test.errors.push(new EngineDisagreement(explain(this.#disagreement(engine.first, failure.error))));
    } catch (e) {
      test.errors.push(new Error(`The check in the grader's engine could not run: ${(e as Error).stack ?? String(e)}`));
    } finally {
      await runHooks(test, "beforeEach", testTimeout, this.#host); // for the afterEach hooks Jest runs next
      expect.setState(counts);
    }
  }

  #disagreement(first: Observed | null, error: unknown): Disagreement {
    const machine = first === null && error instanceof StepBudgetExceeded;
    const nodeOnly = new Map([...this.#files.sources()].map(([rel, ts]) => [rel, this.#host.nodeOnly(ts, rel)]));
    return {
      call: first?.call ?? null,
      fault: machine ? { kind: "machine", words: error.message } : (first?.fault ?? null),
      failure: error instanceof Error ? error.message : String(error),
      nodeOnly,
      grading: this.#grading,
    };
  }
}

// The assertion counts of the Node run, which the runs in between must not change (expect.assertions(n)).
function assertionCounts(): { assertionCalls: number; numPassingAsserts: number; suppressedErrors: Error[] } {
  const s = expect.getState();
  return {
    assertionCalls: s.assertionCalls,
    numPassingAsserts: s.numPassingAsserts,
    suppressedErrors: [...s.suppressedErrors],
  };
}

// A seed for Math.random in the engine, from the test's name: the same every run.
function seedOf(test: CircusTest): number {
  let h = 2166136261;
  for (const c of test.name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const host = (globalThis as Record<symbol, unknown>)[ENGINE_HOST] as EngineHost | undefined;
// without the lab's test environment (jest --env node), tests run in Node only
if (host !== undefined)
  (globalThis as Record<symbol, unknown>)[AGREEMENT] = new EngineAgreement(host, path.join(__dirname, "..", ".."));
