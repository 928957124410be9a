// `oslab gradescope --lab cow --out autograder.zip`: builds a Gradescope
// autograder. The zip holds, at its root:
//   setup.sh            installs Node 20 and the grader's npm dependencies
//   run_autograder      grades /autograder/submission into /autograder/results/results.json
//   package.json        the grader's runtime dependencies, pinned
//   autograder.json     the lab and the seed
//   baseline.json       the reference solution's plan and figures (computed now)
//   dist/               the grader, compiled
//   labs/<lab>/         lab.json, rubric.json, the hidden suites, the threshold scenarios
//   kit/                the student project's provided code; its student files are the starter's
// Gradescope unpacks it into /autograder/source; $OSLAB_AUTOGRADER_ROOT
// moves /autograder (for testing it anywhere).

import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import yazl from "yazl";
import { repoRoot } from "../labs/lab";
import { writeAtomic } from "./_atomic";
import { establishBaseline } from "./grade";
import { WORKER_SOURCES, prepareKit } from "./kit";
import { WorkerPool } from "./pool";

/** npm packages the grader needs at run time on Gradescope. */
const RUNTIME_PACKAGES = [
  "typescript",
  "@types/node",
  "expect",
  "jest-mock",
  "jest-each",
  "yauzl",
  "tar",
  "cli-progress",
  "zod",
  "jsonc-parser",
];

export interface AutograderOptions {
  readonly lab: string;
  readonly out: string;
  readonly labDir?: string;
  readonly root?: string;
  readonly seed?: number;
}

/** Builds the autograder zip; resolves to its entries (paths in the zip), sorted. */
export async function buildAutograder(options: AutograderOptions): Promise<string[]> {
  const root = options.root ?? repoRoot();
  const seed = options.seed ?? 1;
  const kit = prepareKit(options.lab, { root, ...(options.labDir !== undefined ? { labDir: options.labDir } : {}) });
  const pool = new WorkerPool({ entry: kit.workerEntry, memoryMb: kit.rubric.limits.memoryMb, warm: 1 });
  let baseline;
  try {
    baseline = await establishBaseline(kit, pool, seed);
  } finally {
    pool.close();
  }
  const files = new Map<string, string | Buffer>();
  files.set("setup.sh", SETUP);
  files.set("run_autograder", RUN);
  files.set("package.json", JSON.stringify(packageJson(root), null, 2) + "\n");
  files.set("autograder.json", JSON.stringify({ lab: kit.rubric.lab, seed }, null, 2) + "\n");
  files.set("baseline.json", JSON.stringify(baseline, null, 2) + "\n");
  for (const [rel, js] of compileGrader(root)) files.set(rel, js);
  const lab = `labs/${kit.rubric.lab}`;
  files.set(`${lab}/lab.json`, JSON.stringify(labJson(kit.rubric.lab, kit.labDir, root), null, 2) + "\n");
  files.set(`${lab}/rubric.json`, readFileSync(path.join(kit.labDir, "rubric.json")));
  for (const rel of listFiles(path.join(kit.labDir, "tests")))
    files.set(`${lab}/tests/${rel}`, readFileSync(path.join(kit.labDir, "tests", rel)));
  for (const th of kit.rubric.thresholds)
    files.set(`${lab}/${th.scenario}`, readFileSync(path.join(kit.labDir, th.scenario)));
  const project = path.dirname(kit.kitSrc);
  for (const rel of listFiles(kit.kitSrc)) {
    if (rel.endsWith(".test.ts")) continue;
    const student = kit.rubric.studentFiles.includes(`src/${rel}`);
    const from = student ? path.join(path.dirname(kit.starterSrc), "src", rel) : path.join(kit.kitSrc, rel);
    files.set(`kit/src/${rel}`, readFileSync(from));
  }
  if (existsSync(path.join(project, "tsconfig.json")))
    files.set("kit/tsconfig.json", readFileSync(path.join(project, "tsconfig.json")));

  const zip = new yazl.ZipFile();
  const names = [...files.keys()].sort();
  for (const name of names) {
    const body = files.get(name)!;
    const executable = name === "setup.sh" || name === "run_autograder";
    // a fixed date: the same kit gives the same zip
    zip.addBuffer(Buffer.from(body), name, {
      mtime: new Date(Date.UTC(2020, 0, 1)),
      mode: executable ? 0o100755 : 0o100644,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  writeAtomic(options.out, Buffer.concat(chunks));
  return names;
}

const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image (Ubuntu):
# Node 20 from NodeSource, then the grader's npm dependencies.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl gnupg
curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
apt-get install -y --no-install-recommends nodejs
cd /autograder/source
npm install --omit=dev --no-audit --no-fund
`;

const RUN = `#!/usr/bin/env bash
# Grades <root>/submission into <root>/results/results.json; <root> is
# /autograder on Gradescope, or $OSLAB_AUTOGRADER_ROOT.
set -euo pipefail
root="\${OSLAB_AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$root/results"
cd "$root/source"
exec node dist/grader/autograder.js "$root"
`;

// The autograder's package.json: the runtime packages at the versions installed here.
function packageJson(root: string): Record<string, unknown> {
  const dependencies: Record<string, string> = {};
  for (const name of RUNTIME_PACKAGES) {
    const pkg = JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    };
    dependencies[name] = pkg.version;
  }
  return { name: "oslab", private: true, description: "oslab's Gradescope autograder", dependencies };
}

function labJson(lab: string, labDir: string, root: string): Record<string, unknown> {
  const own = path.join(labDir, "lab.json");
  const raw = JSON.parse(readFileSync(existsSync(own) ? own : path.join(root, "labs", lab, "lab.json"), "utf8"));
  return { ...raw, name: lab, solution: "kit", starter: "kit" };
}

/**
 * The grader's modules that autograder.ts needs, compiled to dist/ (their
 * relative imports followed from the TypeScript sources under `root`).
 */
function compileGrader(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const todo = ["grader/autograder.ts", ...WORKER_SOURCES.map((f) => `grader/${f}`)];
  while (todo.length > 0) {
    const rel = todo.pop()!;
    const target = `dist/${rel.replace(/\.ts$/, ".js")}`;
    if (out.has(target)) continue;
    const text = readFileSync(path.join(root, rel), "utf8");
    const js = ts.transpileModule(text, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
      fileName: path.basename(rel),
    }).outputText;
    out.set(target, js);
    for (const spec of staticImports(text, rel))
      todo.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), `${spec}.ts`)));
  }
  return out;
}

/**
 * The relative modules a file imports at its top and that run (from the
 * syntax tree: a string that merely says `from "./x"` is not an import). A
 * type-only import runs nothing, and import() is left out on purpose: the
 * reports load that way, and the autograder writes none.
 */
function staticImports(text: string, rel: string): string[] {
  const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly !== true) spec = st.moduleSpecifier;
    else if (ts.isExportDeclaration(st) && !st.isTypeOnly) spec = st.moduleSpecifier;
    if (spec !== undefined && ts.isStringLiteral(spec) && spec.text.startsWith(".")) out.push(spec.text);
  }
  return out;
}

function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(dir, child));
    else if (e.isFile()) out.push(child);
  }
  return out.sort();
}

/** Runs the command; resolves to the exit status. */
export async function gradescopeCommand(
  args: { lab: string; out: string; labDir?: string },
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  try {
    const names = await buildAutograder({
      lab: args.lab,
      out: path.resolve(args.out),
      ...(args.labDir !== undefined ? { labDir: args.labDir } : {}),
    });
    err(`oslab gradescope: wrote ${args.out} (${names.length} files); upload it as the assignment's autograder\n`);
    return 0;
  } catch (e) {
    err(`oslab gradescope: ${(e as Error).message}\n`);
    return 2;
  }
}
