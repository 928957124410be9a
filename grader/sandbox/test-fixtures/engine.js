// A stand-in for a grading worker that loads the QuickJS engine (its
// WebAssembly file comes from node_modules) and evaluates what the parent
// sends: the engine must work under the sandbox.
"use strict";
const core = require("quickjs-emscripten-core");
const variant = require("@jitl/quickjs-wasmfile-release-sync");

const loading = core.newQuickJSWASMModuleFromVariant(variant.default);
process.on("message", (m) => {
  loading.then(
    (quickjs) => process.send({ value: quickjs.evalCode(m.code) }),
    (e) => process.send({ error: String(e && e.message) }),
  );
});
process.send({ ready: true });
