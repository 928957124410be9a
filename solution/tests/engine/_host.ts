// The EngineHost (see _bridge.ts), in the Jest worker's own realm, where
// Jest has already loaded the TypeScript compiler and where the QuickJS
// WebAssembly stays loaded from one test file to the next: loading it in
// each test file's realm would cost a tenth of a second per file.

import v8 from "node:v8";
import { loadQuickJS } from "../../src/engine/quickjs";
import type { EngineHost, NodeOnlyUse } from "./_bridge";
import { nodeOnlyUses } from "./_node-globals";
import { typescript } from "./_typescript";

const ts = typescript();

/** The grader's compiler options for the student's files (the kit checks they agree with its own). */
export const GRADER_COMPILER_OPTIONS: Readonly<Record<string, unknown>> = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
};

/** Names every CommonJS module sees in Node, besides the globals. */
const MODULE_SCOPE = ["require", "module", "exports", "__filename", "__dirname"];

// Each test file compiles the same student files again: once per worker is enough.
const compiled = new Map<string, string>();

function transpile(text: string, fileName: string, sourceMap: boolean): string {
  const key = `${fileName}\0${sourceMap}\0${text}`;
  let js = compiled.get(key);
  if (js === undefined) {
    const compilerOptions = sourceMap ? { ...GRADER_COMPILER_OPTIONS, inlineSourceMap: true } : GRADER_COMPILER_OPTIONS;
    js = ts.transpileModule(text, { compilerOptions, fileName }).outputText;
    compiled.set(key, js);
  }
  return js;
}

/**
 * QuickJS, compiled by V8's baseline WebAssembly compiler only: its
 * optimizing compiler would spend about 0.4 s of CPU in the background on
 * half a megabyte of WebAssembly that runs for milliseconds here. The flag
 * is put back once compiled, for any other WebAssembly in this process.
 */
async function loadQuickJSBaseline(): ReturnType<typeof loadQuickJS> {
  v8.setFlagsFromString("--liftoff-only");
  try {
    return await loadQuickJS();
  } finally {
    v8.setFlagsFromString("--no-liftoff-only");
  }
}

/** The host for a test file whose global is `global` (its Node and Jest names are the ones the engine lacks). */
export async function engineHost(global: object): Promise<EngineHost> {
  const quickjs = await loadQuickJSBaseline();
  let missing: Set<string> | null = null;
  // Node's and Jest's names that the engine has not: read when first needed, once Jest's are installed
  const missingNames = (): Set<string> => {
    if (missing === null) {
      const context = quickjs.newContext();
      const names = context.unwrapResult(context.evalCode("Object.getOwnPropertyNames(globalThis)"));
      const own = context.dump(names) as string[];
      names.dispose();
      context.dispose();
      const engine = new Set([...own, "console"]); // the sandbox gives the engine a console of its own
      missing = new Set([...Object.getOwnPropertyNames(global), ...MODULE_SCOPE].filter((n) => !engine.has(n)));
    }
    return missing;
  };
  return {
    quickjs,
    transpile,
    nodeOnly: (text, fileName): NodeOnlyUse[] => nodeOnlyUses(text, fileName, missingNames()),
    setTimeout: (f, ms) => setTimeout(f, ms),
    clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  };
}
