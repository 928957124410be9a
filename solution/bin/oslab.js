#!/usr/bin/env node
// Starts the lab's command line straight from the TypeScript in src/, so it
// always runs the kernel as you last saved it: each .ts file is translated
// to JavaScript as it loads (types are not checked here; `npm test` does that).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
};

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};

require(path.join(__dirname, "..", "src", "cli", "oslab.ts")).main(process.argv.slice(2));
