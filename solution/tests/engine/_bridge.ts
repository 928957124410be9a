// What the test environment (environment.ts, in the Jest worker's own
// realm) and the setup file (setup.ts, in the test file's realm) hand each
// other, through two symbols on the test file's global: the environment
// offers the engine and the compiler it has loaded once per worker; the
// setup file offers the check the environment runs after each test passes.
// Types and names only: both realms load this file.

import type { QuickJSWASMModule } from "quickjs-emscripten-core";

/** Where the environment puts its EngineHost on the test file's global. */
export const ENGINE_HOST = Symbol.for("oslab.engine-host");
/** Where the setup file puts its Agreement on the test file's global. */
export const AGREEMENT = Symbol.for("oslab.engine-agreement");

/** A place where TypeScript source uses one of Node's globals that the engine lacks. */
export interface NodeOnlyUse {
  readonly name: string;
  /** 1-based. */
  readonly line: number;
}

/** What the environment offers, made once per Jest worker. */
export interface EngineHost {
  /** The QuickJS WebAssembly module. */
  readonly quickjs: QuickJSWASMModule;
  /** TypeScript to the JavaScript the grader runs (its compiler options), with an inline source map when asked. */
  transpile(text: string, fileName: string, sourceMap: boolean): string;
  /** Where TypeScript source `text` uses a global Node has and the engine does not (process, Buffer, Intl, ...). */
  nodeOnly(text: string, fileName: string): readonly NodeOnlyUse[];
  /** Node's timers, which a test's fake timers do not replace. */
  readonly setTimeout: (f: () => void, ms: number) => unknown;
  readonly clearTimeout: (t: unknown) => void;
}

/** A test as Jest's runner (jest-circus) holds it: the parts the check reads. */
export interface CircusTest {
  readonly name: string;
  readonly fn: CircusFn;
  readonly errors: unknown[];
  readonly parent: CircusBlock | undefined;
  readonly timeout: number | undefined;
  readonly concurrent: boolean;
  readonly failing: boolean;
}

/** A describe block: its hooks and its parent (none for the file's root). */
export interface CircusBlock {
  readonly name: string;
  readonly parent: CircusBlock | undefined;
  readonly hooks: readonly { readonly type: string; readonly fn: CircusFn; readonly timeout: number | undefined }[];
}

/** A test or hook function: it may return a promise or take a done callback. */
export type CircusFn = (this: unknown, done?: (error?: unknown) => void) => unknown;

/** What the setup file offers: run in the engine a test that has just passed in Node. */
export interface Agreement {
  /**
   * Called after `test`'s function passed in Node, before its afterEach
   * hooks: runs it again (hooks included) with the student's files in the
   * engine, and adds an error to `test.errors` when it fails there only.
   */
  afterNodePass(test: CircusTest, testTimeout: number): Promise<void>;
}
