// The test corpus of untrusted submissions (grader/test-corpus/): one
// submission for each way a submission can be hostile or broken, made here
// from examples/submissions/reference and starter (edited, given the hostile
// code of hostile.ts, or packed into archives written byte by byte), so that
// no binary or dangerous file is committed. grader/test-corpus/corpus.test.ts
// grades them all in one batch and says what each must get.

import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { makeTar, makeTarGz, makeZip } from "./archives";
import { ROOT, STUDENT_FILES } from "./fixtures";
import { COPIES_ALWAYS, HOSTILE_CASES, Targets } from "./hostile";

export const REFERENCE = path.join(ROOT, "examples", "submissions", "reference");
export const STARTER = path.join(ROOT, "examples", "submissions", "starter");

/** Where a hostile submission tries to write, to show it never could. */
export function escapeMarker(tmp: string): string {
  return path.join(tmp, "oslab-corpus-escaped");
}

/** The submission whose results the hostile ones try to change: a copy of the reference. */
export const VICTIM = "classmate";

/** The corpus's scratch folder, laid out: what the batch reads and writes, and what the attacks aim at. */
export function corpusPaths(tmp: string) {
  const tag = path.basename(tmp);
  return {
    klass: path.join(tmp, "class"),
    out: path.join(tmp, "out"),
    lab: path.join(tmp, "lab"),
    /** The batch's own kit cache, under the repo (the kit finds node_modules from there): hostile code that wrote to it would harm no other run. */
    cacheRoot: path.join(ROOT, ".oslab-cache", "test-corpus", tag),
    /** A file only the test knows, and the grader's environment variable that holds a secret. */
    secretFile: path.join(tmp, "secret.txt"),
    secretVariable: "OSLAB_CORPUS_SECRET",
    heartbeat: path.join(tmp, "oslab-corpus-heartbeat"),
    /** Files a hostile submission tries to create in the repository and in its kit cache. */
    repoPlant: path.join(ROOT, `oslab-corpus-planted-${tag}`),
    repoCachePlant: path.join(ROOT, ".oslab-cache", "grader", `oslab-corpus-planted-${tag}`),
  };
}

/** Where the attacks aim, for the batch that grades with the compiled kit `kit`. */
export function targetsOf(tmp: string, kit: string): Targets {
  const p = corpusPaths(tmp);
  const files = (dir: string, ext: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(ext))
          .map((f) => path.join(dir, f))
      : [];
  return {
    marker: escapeMarker(tmp),
    out: p.out,
    victim: VICTIM,
    kit,
    kitFiles: ["src/kernel/kalloc.js", "worker/worker.js", "tests/partA.hidden.test.js"],
    lab: p.lab,
    plant: [
      path.join(kit, "planted.js"),
      p.repoCachePlant,
      p.repoPlant,
      path.join(p.out, "planted.txt"),
      path.join(p.out, VICTIM, "planted.txt"),
      path.join(p.lab, "tests", "planted.hidden.test.ts"),
    ],
    heartbeat: p.heartbeat,
    read: [
      p.secretFile,
      ...files(path.join(ROOT, "labs", "cow", "tests"), ".ts"),
      ...STUDENT_FILES.map((f) => path.join(ROOT, "solution", f)),
      ...files(path.join(kit, "tests"), ".js"),
    ],
  };
}

/** Every file under `dir` (relative path) with a hash of its bytes and its mode: to tell that nothing changed. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else {
        const bytes = readFileSync(path.join(dir, child));
        out[child] = createHash("sha256").update(bytes).digest("hex");
      }
    }
  };
  walk("");
  return out;
}

/** The text of a reference file. */
export function referenceText(rel: string, from = REFERENCE): string {
  return readFileSync(path.join(from, rel), "utf8");
}

/** A reference file with `code` put at the start of its function's body (after "// BEGIN SOLUTION"). */
export function withBody(rel: string, code: string, from = REFERENCE): string {
  const text = referenceText(rel, from);
  const at = text.indexOf("// BEGIN SOLUTION");
  if (at < 0) throw new Error(`corpus: ${rel} has no "// BEGIN SOLUTION" line`);
  const lineEnd = text.indexOf("\n", at) + 1;
  return text.slice(0, lineEnd) + code.replace(/^/gm, "  ") + "\n" + text.slice(lineEnd);
}

/** A reference file with `lines` put after its first line (the file's comment), before the imports. */
export function withTop(rel: string, lines: string, from = REFERENCE): string {
  const text = referenceText(rel, from);
  const nl = text.indexOf("\n") + 1;
  return text.slice(0, nl) + lines + "\n" + text.slice(nl);
}

/** The 1-based line of `needle`'s first occurrence in `text`. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`corpus: no ${JSON.stringify(needle)}`);
  return text.slice(0, at).split("\n").length;
}

/** A folder submission: the reference's files with some replaced. */
function folder(klass: string, id: string, replace: Readonly<Record<string, string>> = {}, from = REFERENCE): void {
  for (const f of STUDENT_FILES) {
    const target = path.join(klass, id, f);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, replace[f] ?? referenceText(f, from));
  }
}

/** The reference's files as archive entries under `prefix`. */
function entries(prefix: string, skip: readonly string[] = []): { name: string; data: string }[] {
  return STUDENT_FILES.filter((f) => !skip.includes(f)).map((f) => ({ name: `${prefix}${f}`, data: referenceText(f) }));
}

const COW = "src/kernel/cow.ts";
const UVMCOPY = "src/kernel/uvmcopy.ts";
const UVMFREE = "src/kernel/uvmfree.ts";

/** Source texts of the code cases, by submission id and file (the test finds their lines). */
export const CODE_CASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "loops-forever": { [UVMFREE]: withBody(UVMFREE, "for (;;) {\n  // spin\n}") },
  "promise-loop": {
    [UVMFREE]: withBody(UVMFREE, "const spin = (): void => {\n  void Promise.resolve().then(spin);\n};\nspin();"),
  },
  "allocates-arrays": {
    [UVMFREE]: withBody(UVMFREE, "const keep: number[][] = [];\nfor (;;) keep.push(new Array(1 << 20).fill(7));"),
  },
  "allocates-strings": {
    [UVMFREE]: withBody(
      UVMFREE,
      'const keep: string[] = [];\nfor (;;) keep.push(new Array(1 << 18).fill("ab").join(""));',
    ),
  },
  "allocates-buffers": {
    [UVMFREE]: withBody(
      UVMFREE,
      "const keep: Uint8Array[] = [];\nfor (;;) keep.push(new Uint8Array(16 << 20).fill(1));",
    ),
  },
  "recurses-forever": {
    [UVMFREE]: withBody(UVMFREE, "const down = (n: number): number => down(n + 1) + 1;\ndown(0);"),
  },
  "calls-process-exit": { [UVMFREE]: withBody(UVMFREE, "process.exit(0);") },
  "throws-string": { [UVMFREE]: withBody(UVMFREE, 'throw "out of ideas";') },
  "throws-null": { [UVMFREE]: withBody(UVMFREE, "throw null;") },
  "throws-object": {
    [UVMFREE]: withBody(
      UVMFREE,
      'throw {\n  toString(): string {\n    throw new Error("no string for you");\n  },\n};',
    ),
  },
  "prints-megabytes": {
    [UVMFREE]: withBody(
      UVMFREE,
      'for (let i = 0; i < 100000; i++) console.log("tearing down", i, "x".repeat(100));\nthrow new Error("printed a lot");',
    ),
  },
  "imports-fs": {
    [COW]: withBody(COW, 'writeFileSync(MARKER, "cow.ts was here");').replace(
      "import {\n  PGROUNDDOWN",
      'import { writeFileSync } from "fs";\n\nconst MARKER = "MARKER_PATH";\n\nimport {\n  PGROUNDDOWN',
    ),
  },
  "uses-globals": {
    [COW]:
      referenceText(COW) +
      [
        "",
        "export function sneaky(): unknown[] {",
        '  const fs = require("fs");',
        '  const two = eval("1 + 1");',
        '  const f = new Function("return 1");',
        "  const p = process.pid;",
        "  const g = globalThis;",
        "  return [fs, two, f, p, g];",
        "}",
        "",
      ].join("\n"),
  },
  "uses-jest": {
    [UVMCOPY]:
      referenceText(UVMCOPY) +
      ["", "export function cheat(): void {", "  expect(1).toBe(1);", "  jest.fn();", "}", ""].join("\n"),
  },
  "reaches-hardware": {
    [UVMCOPY]: withTop(
      UVMCOPY,
      [
        'import { hart } from "./hart";',
        'import { kinit } from "./kalloc";',
        'import type { Machine } from "../hw/machine";',
        "export const machine = (): Machine => hart();",
        "export const reset = kinit;",
        'export const counters = (): unknown => (hart() as unknown as Record<string, unknown>)["#c"];',
      ].join("\n"),
    ),
  },
  // A type error, whose report must not wait behind recursive-types' type check.
  "has-type-error": { [COW]: referenceText(COW) + '\nexport const typo: number = "not a number";\n' },
  // Types that keep the checker busy for minutes (2^16 members, each a tuple 16 deep, compared pairwise).
  "recursive-types": {
    [COW]:
      referenceText(COW) +
      [
        "",
        "type Exp<T, N extends unknown[]> = N extends [unknown, ...infer R] ? Exp<[T, 1], R> | Exp<[T, 2], R> : T;",
        "type Sixteen = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];",
        "export const slow: Exp<1, Sixteen> = 0 as unknown as Exp<2, Sixteen>;",
        "",
      ].join("\n"),
  },
  // Tricks the integrity check cannot see (names built at run time): the realm stops them.
  "escapes-at-runtime": {
    [COW]: withBody(
      COW,
      [
        'const k = ["constr", "uctor"].join("");',
        "try {",
        "  const F = (sfence_vma as unknown as Record<string, Record<string, (s: string) => () => unknown>>)[k]![k]!;",
        '  const host = F("return this")() as Record<string, unknown>;',
        '  (host["pro" + "cess"] as { exit(n: number): void }).exit(0);',
        "} catch {",
        "  // the realm's Function makes no code from strings",
        "}",
        "try {",
        '  panic("probe: x");',
        "} catch (e) {",
        "  try {",
        "    const F = (e as Record<string, Record<string, (s: string) => () => unknown>>)[k]![k]!;",
        '    F("return process")();',
        "  } catch {",
        "    // nor from an error's",
        "  }",
        "}",
      ].join("\n"),
    ).replace('  writePte,\n} from "./defs";', '  writePte,\n  panic,\n} from "./defs";'),
  },
  // The starter's stubs, and a try at sending the grader forged results for every test.
  "fakes-ipc": {
    [UVMCOPY]: referenceText(UVMCOPY, STARTER).replace(
      '  throw new NotImplemented("uvmcopy: see handout, part A");',
      [
        '  const k = ["constr", "uctor"].join("");',
        "  try {",
        "    const F = ([] as unknown as Record<string, Record<string, (s: string) => () => unknown>>)[k]![k]!;",
        '    const proc = F("return process")() as { send(m: unknown): void };',
        '    for (const key of ["A1", "A2", "B1", "C1"]) {',
        '      proc.send({ type: "start", key });',
        '      proc.send({ type: "result", key, status: "passed", message: "", logs: "" });',
        "    }",
        "  } catch {",
        "    // no process to send with",
        "  }",
        '  throw new NotImplemented("uvmcopy: see handout, part A");',
      ].join("\n"),
    ),
  },
};

/**
 * Writes the corpus into the class folder `klass`; a hostile submission
 * aims its writes at `escapeMarker(tmp)` and at `targets`.
 */
export function buildCorpus(klass: string, tmp: string, targets: Targets): void {
  mkdirSync(klass, { recursive: true });
  const marker = escapeMarker(tmp);
  cpSync(REFERENCE, path.join(klass, "reference"), { recursive: true });
  cpSync(REFERENCE, path.join(klass, "grader-bug"), { recursive: true }); // the test makes scoring it fail
  cpSync(REFERENCE, path.join(klass, VICTIM), { recursive: true });
  cpSync(STARTER, path.join(klass, "starter"), { recursive: true }); // what every forged score is held to
  // what the hostile cases made from it are held to
  cpSync(path.join(ROOT, "examples", "submissions", COPIES_ALWAYS), path.join(klass, COPIES_ALWAYS), {
    recursive: true,
  });

  // archives and files
  const write = (name: string, bytes: Buffer): void => writeFileSync(path.join(klass, name), bytes);
  const climb = path.relative(path.join(klass, "x", "y"), marker);
  write("zip-climbs.zip", makeZip([{ name: climb, data: "escaped" }, ...entries("lab/")]));
  write(
    "zip-absolute.zip",
    makeZip([...entries(""), { name: marker, data: "escaped" }, { name: "C:\\oslab\\escaped.txt", data: "escaped" }]),
  );
  write(
    "tar-links.tar.gz",
    makeTarGz([
      ...entries("lab/", [COW]),
      { name: `lab/${COW}`, type: "symlink", linkname: "/etc/passwd" },
      { name: "lab/notes.txt", type: "hardlink", linkname: marker },
    ]),
  );
  write(
    "tar-devices.tar.gz",
    makeTarGz([...entries("lab/"), { name: "lab/zero", type: "chardev" }, { name: "lab/pipe", type: "fifo" }]),
  );
  const bomb = Buffer.alloc(32 << 20, 0x20);
  write("zip-bomb.zip", makeZip([...entries("lab/", [COW]), { name: `lab/${COW}`, data: bomb }]));
  write(
    "zip-bomb-lying.zip",
    makeZip([...entries("lab/", [COW]), { name: `lab/${COW}`, data: bomb, declaredSize: 1000 }]),
  );
  write("tar-bomb.tar.gz", makeTarGz([...entries("lab/"), { name: "lab/zeros.bin", data: Buffer.alloc(24 << 20) }]));
  const good = makeZip(entries("lab/"));
  write("zip-corrupt.zip", good.subarray(0, good.length - 40));
  write("zip-empty.zip", makeZip([]));
  write("tar-empty.tar.gz", gzipSync(makeTar([])));
  mkdirSync(path.join(klass, "empty-folder"));
  const latin = (f: string): Buffer =>
    Buffer.concat([Buffer.from("lab-"), Buffer.from([0xe9, 0xe8]), Buffer.from(`/${f}`)]);
  write("names-not-utf8.zip", makeZip(STUDENT_FILES.map((f) => ({ name: latin(f), data: referenceText(f) }))));
  mkdirSync(path.join(klass, "only-unrelated"));
  writeFileSync(path.join(klass, "only-unrelated", "README.md"), "# My COW lab\n");
  writeFileSync(path.join(klass, "only-unrelated", "notes.txt"), "I will finish it tomorrow\n");

  // code
  for (const [id, files] of Object.entries(CODE_CASES)) {
    const replace = Object.fromEntries(
      Object.entries(files).map(([f, text]) => [f, text.replace("MARKER_PATH", marker)]),
    );
    folder(klass, id, replace, id === "fakes-ipc" ? STARTER : REFERENCE);
  }

  // hostile code
  for (const [id, c] of Object.entries(HOSTILE_CASES)) {
    const from = path.join(ROOT, "examples", "submissions", c.from);
    const replace = Object.fromEntries(
      Object.entries(c.files).map(([f, make]) => [f, make(referenceText(f, from), id, targets)]),
    );
    folder(klass, id, replace, from);
  }
}
