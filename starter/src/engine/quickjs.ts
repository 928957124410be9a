// Loading the QuickJS engine (compiled to WebAssembly, from the
// quickjs-emscripten packages pinned in package.json). Compiling the
// WebAssembly takes tens of milliseconds, so a process loads it once and
// makes a fresh runtime from it for every submission (sandbox.ts).

import type { QuickJSWASMModule } from "quickjs-emscripten-core";

let loading: Promise<QuickJSWASMModule> | null = null;

/** The QuickJS WebAssembly module, loaded once per process. */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  if (loading === null) {
    // required here, not imported at the top: only a process that runs student code pays for it
    /* eslint-disable @typescript-eslint/no-require-imports */
    const core = require("quickjs-emscripten-core") as typeof import("quickjs-emscripten-core");
    // the package's own variant loads its parts with import(), which Jest's
    // module sandbox refuses: the same parts, with require()
    const variant = {
      type: "sync",
      importFFI: () => Promise.resolve(require("@jitl/quickjs-wasmfile-release-sync/ffi").QuickJSFFI),
      importModuleLoader: () => Promise.resolve(require("@jitl/quickjs-wasmfile-release-sync/emscripten-module")),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    loading = core.newQuickJSWASMModuleFromVariant(variant as never);
  }
  return loading;
}
