// The test environment of `npm test`: Node's, plus what it takes to run each
// test a second time in the grader's engine. Jest makes one per test file;
// this file's module, and so the QuickJS WebAssembly it loads, lives once
// per Jest worker. After a test's function passes in Node, the check that
// setup.ts installed in the test file runs it again in the engine.

import { TestEnvironment } from "jest-environment-node";
import { panicInTest } from "../support/_kernel-panic";
import { notWrittenYet } from "../support/_not-written";
import { AGREEMENT, Agreement, CircusTest, ENGINE_HOST } from "./_bridge";
import { EditPoint, loadGrading } from "./_grading";
import { engineHost } from "./_host";

export default class EngineEnvironment extends TestEnvironment {
  readonly #root: string;
  #editPoints: readonly EditPoint[] = [];

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.#root = args[0].projectConfig.rootDir;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.#editPoints = loadGrading(this.#root).editPoints;
    (this.global as Record<symbol, unknown>)[ENGINE_HOST] = await engineHost(this.global);
  }

  /** Jest's runner calls this at each step of a test, and waits for it. */
  async handleTestEvent(event: { name: string; test?: CircusTest }, state: { testTimeout: number }): Promise<void> {
    if (event.name === "test_done" && event.test !== undefined) this.#inStudentTerms(event.test);
    if (event.name !== "test_fn_success" || event.test === undefined) return;
    const agreement = (this.global as Record<symbol, unknown>)[AGREEMENT] as Agreement | undefined;
    await agreement?.afterNodePass(event.test, state.testTimeout);
  }

  // A test that reached a stub fails with one line naming it (tests/support/_not-written.ts), and
  // one that hit a kernel panic with a sentence saying so (tests/support/_kernel-panic.ts).
  #inStudentTerms(test: CircusTest): void {
    test.errors.forEach((entry, i) => {
      const error = Array.isArray(entry) ? entry[0] : entry; // Jest keeps [error, asyncError] pairs
      const said = notWrittenYet(error, this.#editPoints, this.#root) ?? panicInTest(error);
      if (said !== null) test.errors[i] = said;
    });
  }
}
