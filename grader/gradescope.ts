// `oslab gradescope --lab cow --out autograder.zip`: builds a Gradescope
// autograder. Gradescope unpacks it into /autograder/source, runs setup.sh
// once when it builds the image, then run_autograder for each submission
// ($OSLAB_AUTOGRADER_ROOT moves /autograder, for testing it anywhere). The
// zip holds, at its root:
//   setup.sh, run_autograder   the two scripts (_autograder-scripts.ts)
//   package.json, package-lock.json
//                       the grader's runtime packages, pinned, with their
//                       integrity hashes: cut from the kit's own lock, for npm ci
//   autograder.json     the lab and the seed
//   baseline.json       the reference solution's plan and figures (computed now)
//   dist/               the grader, compiled
//   labs/<lab>/         lab.json, rubric.json, the threshold scenarios, and the
//                       hidden suites with their support files
//   kit/src/            the student project's code, but its command line (cli/);
//                       its student files are the starter's stubs, which run in
//                       place of a file a submission lacks
// The reference solution IS shipped, because grading needs it: the hidden
// suites run each part of a submission with the reference's other parts
// (for cow, labs/cow/tests/support/reference.ts holds the reference's
// uvmcopy, cowfault and uvmfree). Student code cannot read it: it runs in
// the QuickJS engine, which holds no file system, under the operating-system
// sandbox; and students never see the zip itself.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import yazl from "yazl";
import { repoRoot } from "../labs/lab";
import { writeAtomic } from "./_atomic";
import { NODE_LTS_MAJOR, RUN_AUTOGRADER, setupScript } from "./_autograder-scripts";
import { runtimeManifest } from "./_runtime-lock";
import { establishBaseline } from "./grade";
import { Kit, WORKER_SOURCES, prepareKit } from "./kit";
import { WorkerPool } from "./pool";

/**
 * npm packages the grader loads on Gradescope: the bare imports of dist/,
 * the kit and the hidden suites (a test checks the list against them), and
 * Node's types for the type check.
 */
export const RUNTIME_PACKAGES = [
  "typescript",
  "@types/node",
  "expect",
  "jest-mock",
  "jest-each",
  "yauzl",
  "tar",
  "zod",
  "jsonc-parser",
  "quickjs-emscripten-core",
  "@jitl/quickjs-wasmfile-release-sync",
];

/** The kit's folders the autograder leaves out: the student project's command line, which grading never loads. */
const KIT_LEFT_OUT = ["cli/"];

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
  const files = new Map<string, string | Buffer>([
    ...runtimeFiles(root),
    ["autograder.json", json({ lab: kit.rubric.lab, seed })],
    ["baseline.json", json(baseline)],
    ...compileGrader(root),
    ...labFiles(kit, root),
    ...kitFiles(kit),
  ]);
  return writeZip(options.out, files);
}

// The scripts, and the packages they install.
function runtimeFiles(root: string): [string, string][] {
  const kitPackage = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    engines?: { node?: string };
  };
  const manifest = runtimeManifest(root, RUNTIME_PACKAGES, kitPackage.engines);
  return [
    ["setup.sh", setupScript({ nodeFloor: nodeFloor(kitPackage.engines?.node), nodeMajor: NODE_LTS_MAJOR })],
    ["run_autograder", RUN_AUTOGRADER],
    ["package.json", json(manifest.packageJson)],
    ["package-lock.json", json(manifest.lock)],
  ];
}

// labs/<lab>/: lab.json, the rubric, the hidden suites and their support files, the threshold scenarios.
function labFiles(kit: Kit, root: string): [string, string | Buffer][] {
  const lab = `labs/${kit.rubric.lab}`;
  return [
    [`${lab}/lab.json`, json(labJson(kit.rubric.lab, kit.labDir, root))],
    [`${lab}/rubric.json`, readFileSync(path.join(kit.labDir, "rubric.json"))],
    ...listFiles(path.join(kit.labDir, "tests")).map((rel): [string, Buffer] => [
      `${lab}/tests/${rel}`,
      readFileSync(path.join(kit.labDir, "tests", rel)),
    ]),
    ...kit.rubric.thresholds.map((th): [string, Buffer] => [
      `${lab}/${th.scenario}`,
      readFileSync(path.join(kit.labDir, th.scenario)),
    ]),
  ];
}

// kit/: the project's provided code and tsconfig.json; its student files are the starter's.
function kitFiles(kit: Kit): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (const rel of listFiles(kit.kitSrc)) {
    if (rel.endsWith(".test.ts") || KIT_LEFT_OUT.some((dir) => rel.startsWith(dir))) continue;
    const student = kit.rubric.studentFiles.includes(`src/${rel}`);
    const from = student ? path.join(path.dirname(kit.starterSrc), "src", rel) : path.join(kit.kitSrc, rel);
    out.push([`kit/src/${rel}`, readFileSync(from)]);
  }
  const tsconfig = path.join(path.dirname(kit.kitSrc), "tsconfig.json");
  if (existsSync(tsconfig)) out.push(["kit/tsconfig.json", readFileSync(tsconfig)]);
  return out;
}

// Writes the zip, its entries sorted and dated alike (the same kit gives the same zip); resolves to their names.
async function writeZip(out: string, files: ReadonlyMap<string, string | Buffer>): Promise<string[]> {
  const zip = new yazl.ZipFile();
  const names = [...files.keys()].sort();
  for (const name of names) {
    const executable = name === "setup.sh" || name === "run_autograder";
    zip.addBuffer(Buffer.from(files.get(name)!), name, {
      mtime: new Date(Date.UTC(2020, 0, 1)),
      mode: executable ? 0o100755 : 0o100644,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  writeAtomic(out, Buffer.concat(chunks));
  return names;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** The major of the kit's Node floor, from package.json's engines.node (">=20"). */
function nodeFloor(range: string | undefined): number {
  const m = /^>=\s*(\d+)(\.\d+){0,2}$/.exec(range?.trim() ?? "");
  if (m === null)
    throw new Error(
      `Cannot build the autograder: package.json's engines.node must read ">=N", not ${JSON.stringify(range)}`,
    );
  return Number(m[1]);
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

/**
 * What the command tells the instructor once the zip is written: where it is,
 * and that it holds the reference solution (the names of `names` under a
 * lab's tests/support/), so whoever holds the zip holds the solution.
 */
export function builtNotice(out: string, names: readonly string[]): string {
  const solution = names.filter((n) => /^labs\/[^/]+\/tests\/support\/reference\.ts$/.test(n));
  const warning =
    solution.length === 0
      ? ""
      : `oslab gradescope: WARNING: the zip holds the reference solution (${solution.join(", ")}): ` +
        "whoever holds the zip has the solution; keep it private (upload it to Gradescope only, never share or publish it)\n";
  return `oslab gradescope: wrote ${out} (${names.length} files); upload it as the assignment's autograder\n${warning}`;
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
    err(builtNotice(args.out, names));
    return 0;
  } catch (e) {
    err(`oslab gradescope: ${(e as Error).message}\n`);
    return 2;
  }
}
