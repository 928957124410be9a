// The EngineHost (see _bridge.ts), in the Jest worker's own realm, where
// Jest has already loaded the TypeScript compiler and where the QuickJS
// WebAssembly stays loaded from one test file to the next: loading it in
// each test file's realm would cost a tenth of a second per file.

import ts from "typescript";
import { loadQuickJS } from "../../src/engine/quickjs";
import type { EngineHost, NodeOnlyUse } from "./_bridge";
import { nodeOnlyUses } from "./_node-globals";

/** The grader's compiler options for the student's files (the kit checks they agree with its own). */
export const GRADER_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
};

/** Names every CommonJS module sees in Node, besides the globals. */
const MODULE_SCOPE = ["require", "module", "exports", "__filename", "__dirname"];

/** The host for a test file whose global is `global` (its Node and Jest names are the ones the engine lacks). */
export async function engineHost(global: object): Promise<EngineHost> {
  const quickjs = await loadQuickJS();
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
    transpile: (text, fileName, sourceMap) =>
      ts.transpileModule(text, {
        compilerOptions: sourceMap ? { ...GRADER_COMPILER_OPTIONS, inlineSourceMap: true } : GRADER_COMPILER_OPTIONS,
        fileName,
      }).outputText,
    nodeOnly: (text, fileName): NodeOnlyUse[] => nodeOnlyUses(text, fileName, missingNames()),
    setTimeout: (f, ms) => setTimeout(f, ms),
    clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  };
}
