// The test environment of `npm test`: Node's, plus what it takes to run each
// test a second time in the grader's engine. Jest makes one per test file;
// this file's module, and so the QuickJS WebAssembly it loads, lives once
// per Jest worker. After a test's function passes in Node, the check that
// setup.ts installed in the test file runs it again in the engine.

import { TestEnvironment } from "jest-environment-node";
import { AGREEMENT, Agreement, CircusTest, ENGINE_HOST } from "./_bridge";
import { engineHost } from "./_host";

export default class EngineEnvironment extends TestEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    (this.global as Record<symbol, unknown>)[ENGINE_HOST] = await engineHost(this.global);
  }

  /** Jest's runner calls this at each step of a test, and waits for it. */
  async handleTestEvent(event: { name: string; test?: CircusTest }, state: { testTimeout: number }): Promise<void> {
    if (event.name !== "test_fn_success" || event.test === undefined) return;
    const agreement = (this.global as Record<symbol, unknown>)[AGREEMENT] as Agreement | undefined;
    await agreement?.afterNodePass(event.test, state.testTimeout);
  }
}
