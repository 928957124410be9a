// The kit's command line compiled for a test that runs it as a process of
// its own (to kill it, say): cli/oslab.ts and every module it reaches,
// transpiled alone into .oslab-cache/test-cli/<hash>/ under the kit's root
// (so node_modules and the kit's root are found from there), keyed by the
// sources. Transpiling alone checks no types, so a test does not depend on
// the whole kit compiling at that moment.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { WORKER_SOURCES } from "../kit";
import { ROOT } from "./fixtures";

/** The compiled command line's entry (run it with node). */
export function compiledCli(): string {
  // the files the grader's child processes run are read by name (kit.ts), not imported
  const sources = closure(["cli/oslab.ts", ...WORKER_SOURCES.map((f) => `grader/${f}`)]);
  const hash = createHash("sha256");
  for (const [rel, text] of sources) hash.update(`${rel}\0${text}\0`);
  const dir = path.join(ROOT, ".oslab-cache", "test-cli", hash.digest("hex").slice(0, 16));
  // cli/oslab.ts exports main() (bin/oslab.js calls it): the entry is a line that does the same
  const entry = path.join(dir, "cli", "main.js");
  if (existsSync(entry)) return entry;
  const tmp = `${dir}.tmp-${process.pid}`;
  for (const [rel, text] of sources) {
    const out = path.join(tmp, rel.replace(/\.ts$/, ".js"));
    mkdirSync(path.dirname(out), { recursive: true });
    const js = rel.endsWith(".ts")
      ? ts.transpileModule(text, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
          fileName: path.basename(rel),
        }).outputText
      : text;
    writeFileSync(out, js);
  }
  writeFileSync(path.join(tmp, "cli", "main.js"), 'require("./oslab").main();\n');
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // compiled meanwhile by another test
  }
  return entry;
}

// Every source file the entries reach by a relative import, import() or require(), with its text.
function closure(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const rel = todo.pop()!;
    if (out.has(rel)) continue;
    const text = readFileSync(path.join(ROOT, rel), "utf8");
    out.set(rel, text);
    if (!rel.endsWith(".ts")) continue;
    for (const m of ts.preProcessFile(text, true, true).importedFiles) {
      if (!m.fileName.startsWith(".")) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(rel), m.fileName));
      const found = [`${base}.ts`, `${base}/index.ts`, base].find((f) => existsSync(path.join(ROOT, f)));
      if (found !== undefined) todo.push(found);
    }
  }
  return out;
}
