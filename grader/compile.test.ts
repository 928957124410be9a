// The compiler's process, with its time limit: a submission whose files
// make the compiler hang or crash is told so in words, and the next
// submission gets a fresh compiler. The real compiler's findings come back
// whole.

import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Compiler } from "./compile";
import { prepareKit } from "./kit";
import { FIXTURE_LAB, STUDENT_FILES, scratch, solutionText } from "./test-support/fixtures";

jest.setTimeout(60_000);

const work = scratch("compile");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FILES = [{ rel: "src/kernel/cow.ts", text: "export const x = 1;\n", submitted: true }];

/** A stand-in compiler process: ready at once; `onCompile` runs for each request (`m`, with `send`). */
function fakeCompiler(name: string, onCompile: string): Compiler {
  const entry = path.join(work, `${name}.js`);
  writeFileSync(
    entry,
    `const send = (m) => process.send(m);
     process.on("message", (m) => {
       if (m.type === "init") return send({ type: "ready" });
       ${onCompile}
     });
     process.on("disconnect", () => process.exit(0));`,
  );
  return new Compiler({ entry, project: work, studentFiles: ["src/kernel/cow.ts"], timeoutMs: 500, memoryMb: 64 });
}

const compiled = `send({ type: "compiled", id: m.id, files: [{ rel: "src/kernel/cow.ts", js: "//js" }], syntaxErrors: [], flags: [] });`;

test("a type check that never ends is stopped: the tests run anyway, without type errors", async () => {
  const c = fakeCompiler("slow-types", compiled);
  try {
    expect(await c.compile(FILES)).toEqual({
      files: [{ rel: "src/kernel/cow.ts", js: "//js" }],
      syntaxErrors: [],
      typeErrors: [],
      flags: [],
      notTypeChecked:
        "TypeScript could not check your files for type errors: the compiler took more than 1 s (the grader's limit) and was stopped (the tests ran anyway).",
    });
  } finally {
    c.close();
  }
});

test("files that never compile, or crash the compiler, run no test; the next submission gets a fresh compiler", async () => {
  const marker = path.join(work, "hung-once");
  const c = fakeCompiler(
    "hang-once",
    `if (!require("fs").existsSync(${JSON.stringify(marker)})) { require("fs").writeFileSync(${JSON.stringify(marker)}, ""); return; }
     ${compiled} send({ type: "typed", id: m.id, typeErrors: [] });`,
  );
  try {
    expect((await c.compile(FILES)).notCompiled).toBe(
      "Your files could not be compiled: the compiler took more than 1 s (the grader's limit) and was stopped, so no test ran.",
    );
    expect(existsSync(marker)).toBe(true);
    expect(await c.compile(FILES)).toEqual({
      files: [{ rel: "src/kernel/cow.ts", js: "//js" }],
      syntaxErrors: [],
      typeErrors: [],
      flags: [],
    });
  } finally {
    c.close();
  }
  const crash = fakeCompiler(
    "crash",
    `process.stderr.write("RangeError: Maximum call stack size exceeded\\n"); process.exit(7);`,
  );
  try {
    expect((await crash.compile(FILES)).notCompiled).toBe(
      "Your files could not be compiled: the compiler overflowed its stack on them, so no test ran.",
    );
  } finally {
    crash.close();
  }
});

test("the real compiler: JavaScript for every file, syntax errors, integrity flags and type errors of the submitted ones", async () => {
  const kit = prepareKit("cow", { labDir: FIXTURE_LAB });
  const c = new Compiler({
    entry: path.join(kit.cacheDir, "worker", "_compile-child.js"),
    project: path.dirname(kit.kitSrc),
    studentFiles: STUDENT_FILES,
    timeoutMs: 30_000,
    memoryMb: 1024,
  });
  c.warm();
  try {
    const cow = solutionText("src/kernel/cow.ts").replace(
      "export function cowfault",
      'import { readFileSync } from "fs";\nexport const bad: number = "x";\nexport const f = readFileSync;\nexport function cowfault',
    );
    const out = await c.compile([
      { rel: "src/kernel/uvmcopy.ts", text: solutionText("src/kernel/uvmcopy.ts"), submitted: true },
      { rel: "src/kernel/cow.ts", text: cow, submitted: true },
      { rel: "src/kernel/uvmfree.ts", text: "export function uvmfree( {", submitted: false },
    ]);
    expect(out.files.map((f) => f.rel)).toEqual(STUDENT_FILES);
    expect(out.syntaxErrors).toEqual([]); // the starter's stub is not the student's to answer for
    expect(out.flags.map((f) => [f.file, f.rule])).toEqual([["src/kernel/cow.ts", "node-module"]]);
    expect(out.typeErrors.map((d) => [d.file, d.code])).toEqual([["src/kernel/cow.ts", 2322]]);
    const broken = await c.compile([{ rel: "src/kernel/cow.ts", text: "export function ( {", submitted: true }]);
    expect(broken.syntaxErrors.length).toBeGreaterThan(0);
    expect(broken.typeErrors).toEqual([]);
  } finally {
    c.close();
  }
});
