// What every submission of a batch shares, compiled once: the kit's
// provided code (the lab's solution/src; a submission's own files replace
// the student files), the hidden suites (labs/<lab>/tests) and the grader's
// worker. Each is transpiled to JavaScript into a cache folder keyed by the
// contents, so a second batch with nothing changed compiles nothing.

import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import ts from "typescript";
import { EditPoint, labOfFolder, repoRoot } from "../labs/lab";
import { transpile } from "./_compiler";

export { COMPILER_OPTIONS, transpile } from "./_compiler";
import { Rubric } from "./model";
import { loadRubric } from "./rubric";
import { GRADER_VERSION } from "./version";

/** A lab made ready to grade. */
export interface Kit {
  readonly rubric: Rubric;
  /** The lab's folder (rubric.json, tests/, thresholds/). */
  readonly labDir: string;
  /** TypeScript sources of the provided code (the solution's src/). */
  readonly kitSrc: string;
  /** TypeScript sources the starter ships (its stubs run in place of a missing student file). */
  readonly starterSrc: string;
  /**
   * Compiled, read-only: src/** (provided code, the solution's student files
   * included: a workspace's replace them), tests/** (hidden suites),
   * thresholds/** (scenarios), worker/*.js.
   */
  readonly cacheDir: string;
  /** Hidden suite files, relative to tests/, sorted ("fork.test.js"). */
  readonly testFiles: readonly string[];
  /** The worker process's entry. */
  readonly workerEntry: string;
  /** The functions students write, each with its part and file (lab.json's editPoints). */
  readonly editPoints: readonly EditPoint[];
  /**
   * The hidden suites' copy of the reference's edit points, compiled
   * (<cacheDir>/tests/support/reference.js, exporting each by its function
   * name), or null when the lab's suites have none: with it, each part's
   * thresholds run with the reference's other parts, and a student file that
   * does not compile or load costs only the parts that need it.
   */
  readonly reference: string | null;
}

/** Where a lab's hidden suites keep the reference's edit points, under tests/. */
export const REFERENCE_MODULE = "support/reference.ts";

export interface KitOptions {
  /** The lab's folder; default labs/<lab>. */
  readonly labDir?: string;
  /** The kit's root (package.json "oslab"); default: found above this file. */
  readonly root?: string;
  /** Where compiled kits are kept; default <root>/.oslab-cache/grader. */
  readonly cacheRoot?: string;
}

/** The grader's own files its child processes run (compiled with the kit): the worker, the compiler, the reaper. */
export const WORKER_SOURCES = [
  "worker.ts",
  "_harness.ts",
  "protocol.ts",
  "_modules.ts",
  "_reaper.ts",
  "_compile-child.ts",
  "_diagnostics.ts",
  "_compiler.ts",
  "integrity.ts",
  "typecheck.ts",
  // why an item failed: both kernels recorded in the worker, compared there
  "difference/difference.ts",
  "difference/compare.ts",
  "difference/snapshot.ts",
  "difference/record.ts",
  "difference/explain.ts",
  "difference/lab-kernel.ts",
];

/** Reads the lab's rubric and compiles what a batch needs (or finds it in the cache). */
export function prepareKit(lab: string, options: KitOptions = {}): Kit {
  const root = options.root ?? repoRoot();
  const labDir = path.resolve(options.labDir ?? path.join(root, "labs", lab));
  const rubric = loadRubric(labDir);
  const def = labOfFolder(labDir, rubric.lab, root);
  const kitSrc = path.join(def.solution, "src");
  const starterSrc = path.join(def.starter, "src");
  const testsDir = path.join(labDir, "tests");

  const sources: [string, string][] = [
    ...tsFiles(kitSrc, (rel) => !rel.endsWith(".test.ts")).map((rel): [string, string] => [
      `src/${rel}`,
      path.join(kitSrc, rel),
    ]),
    ...tsFiles(testsDir, () => true).map((rel): [string, string] => [`tests/${rel}`, path.join(testsDir, rel)]),
    ...WORKER_SOURCES.map((f): [string, string] => [`worker/${f}`, ownSource(f)]),
  ];
  const scenarios = [...new Set(rubric.thresholds.map((t) => t.scenario))].sort();

  const hash = createHash("sha256").update(`${GRADER_VERSION}\0${ts.version}\0`);
  for (const [rel, file] of sources) hash.update(`${rel}\0${readFileSync(file, "utf8")}\0`);
  for (const s of scenarios) hash.update(`${s}\0${readSource(path.join(labDir, s), s)}\0`);
  const cacheRoot = options.cacheRoot ?? path.join(root, ".oslab-cache", "grader");
  const cacheDir = path.join(cacheRoot, hash.digest("hex").slice(0, 16));

  if (!cacheIntact(cacheDir)) {
    rmSync(cacheDir, { recursive: true, force: true });
    const tmp = `${cacheDir}.tmp-${process.pid}-${Date.now()}`;
    for (const [rel, file] of sources) {
      const out = path.join(tmp, rel.replace(/\.ts$/, ".js"));
      mkdirSync(path.dirname(out), { recursive: true });
      const text = readFileSync(file, "utf8");
      writeFileSync(out, file.endsWith(".js") ? text : transpile(text, rel, false).js);
    }
    for (const s of scenarios) {
      const out = path.join(tmp, "thresholds", s);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, readSource(path.join(labDir, s), s));
    }
    readOnly(tmp);
    writeFileSync(path.join(tmp, COMPLETE), contentHash(tmp));
    try {
      renameSync(tmp, cacheDir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another batch compiled the same kit first
    }
    pruneCache(cacheRoot);
  }
  const testFiles = tsFiles(testsDir, (rel) => rel.endsWith(".test.ts")).map((rel) => rel.replace(/\.ts$/, ".js"));
  if (testFiles.length === 0) throw new Error(`Cannot prepare lab "${lab}": ${testsDir} holds no *.test.ts suite`);
  return {
    rubric,
    labDir,
    kitSrc,
    starterSrc,
    cacheDir,
    testFiles,
    workerEntry: path.join(cacheDir, "worker", "worker.js"),
    editPoints: def.editPoints,
    reference: existsSync(path.join(testsDir, REFERENCE_MODULE))
      ? path.join(cacheDir, "tests", REFERENCE_MODULE.replace(/\.ts$/, ".js"))
      : null,
  };
}

/** Written last into a compiled kit: the hash of everything in it. */
const COMPLETE = ".complete";

/**
 * Whether the compiled kit in `dir` is whole and unchanged since it was
 * written: every file hashes to what its .complete says. Checked before
 * every batch, so a kit changed on disk (by anything: no grading process
 * can write it) is compiled again rather than trusted.
 */
export function cacheIntact(dir: string): boolean {
  try {
    return readFileSync(path.join(dir, COMPLETE), "utf8") === contentHash(dir);
  } catch {
    return false;
  }
}

// The hash of every file under `dir` but .complete: paths and contents, in sorted order.
function contentHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (child === COMPLETE) continue;
      if (e.isDirectory()) walk(child);
      else
        h.update(`${child}\0`)
          .update(readFileSync(path.join(dir, child)))
          .update("\0");
    }
  };
  walk("");
  return h.digest("hex");
}

/** Compiled kits unused for a week are removed (a batch in progress touches none that old). */
const CACHE_DAYS = 7;

function pruneCache(cacheRoot: string): void {
  const old = Date.now() - CACHE_DAYS * 24 * 3600 * 1000;
  for (const e of readdirSync(cacheRoot, { withFileTypes: true })) {
    const dir = path.join(cacheRoot, e.name);
    try {
      if (e.isDirectory() && statSync(dir).mtimeMs < old) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
}

// Compiled files are made read-only: submissions run beside them.
function readOnly(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readOnly(p);
    else chmodSync(p, 0o444);
  }
}

// One of the grader's own files: its TypeScript beside this file (in the
// repository), or the JavaScript tsc made of it (in dist/ or an autograder).
function ownSource(file: string): string {
  const ts = path.join(__dirname, file);
  return existsSync(ts) ? ts : ts.replace(/\.ts$/, ".js");
}

function readSource(file: string, rel: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot read threshold scenario "${rel}": ${(e as Error).message}`);
  }
}

/** TypeScript files under `dir` (relative, with "/"), sorted; none when it does not exist. */
function tsFiles(dir: string, keep: (rel: string) => boolean, rel = ""): string[] {
  if (!existsSync(path.join(dir, rel))) return [];
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...tsFiles(dir, keep, child));
    else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && keep(child)) out.push(child);
  }
  return out.sort();
}
