// The checkers, with their budgets: a submission whose files make the
// compiler loop, hang or crash is told so in words and costs its own budget
// of CPU time; the other checkers keep serving the rest of the batch, and the
// stopped one comes back warm. The real compiler's findings come back whole.

import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompileFile } from "./_compile-child";
import { Compiled, Compiler, CompilerOptions } from "./compile";
import { prepareKit } from "./kit";
import { whyUnavailable } from "./sandbox/isolation";
import { FIXTURE_LAB, STUDENT_FILES, scratch, solutionText } from "./test-support/fixtures";

jest.setTimeout(120_000);

const work = scratch("compile");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FILES = [{ rel: "src/kernel/cow.ts", text: "export const x = 1;\n", submitted: true }];
const HOSTILE = [{ rel: "src/kernel/cow.ts", text: "// HOSTILE\n", submitted: true }];

/** A stand-in compiler process: ready at once; `onCompile` runs for each request (`m`, with `send`). */
function fakeCompiler(name: string, onCompile: string, options: Partial<CompilerOptions> = {}): Compiler {
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
  return new Compiler({
    entry,
    project: work,
    studentFiles: ["src/kernel/cow.ts"],
    cpuMs: 500,
    wallMs: 60_000, // a loaded machine may take long to give 0.5 s of CPU: the budget, not the backstop, stops a loop
    memoryMb: 64,
    ...options,
  });
}

const compiled = `send({ type: "compiled", id: m.id, files: [{ rel: "src/kernel/cow.ts", js: "//js" }], syntaxErrors: [], syntaxErrorsNotShown: 0, flags: [] });`;
const typed = `send({ type: "typed", id: m.id, typeErrors: [] });`;
const spin = "for (;;) {}";

test("a type check that never ends is stopped at its budget of CPU time: the tests run anyway, without type errors", async () => {
  const c = fakeCompiler("slow-types", `${compiled} ${spin}`);
  try {
    const out = await c.compile(FILES);
    expect(out).toEqual({
      files: [{ rel: "src/kernel/cow.ts", js: "//js" }],
      syntaxErrors: [],
      typeErrors: [],
      notShown: { syntax: 0, type: 0 },
      flags: [],
      notTypeChecked:
        "TypeScript could not check your files for type errors: the compiler used more than 0.5 s of CPU time on them (the grader's limit) and was stopped (the tests ran anyway).",
      stopped: { kind: "cpu", ms: 500 },
      cpuMs: out.cpuMs,
      checker: 0,
    });
    expect(out.cpuMs).toBeGreaterThan(500);
  } finally {
    c.close();
  }
});

test("a compiler that waits for nothing is stopped by the wall-clock backstop, its budget of CPU time unspent", async () => {
  const c = fakeCompiler("waits", compiled, { wallMs: 1000 });
  try {
    const out = await c.compile(FILES);
    expect(out.notTypeChecked).toBe(
      "TypeScript could not check your files for type errors: the compiler took more than 1 s (the grader's limit) and was stopped (the tests ran anyway).",
    );
    expect(out.stopped).toEqual({ kind: "wall", ms: 1000 });
    expect(out.cpuMs).toBeLessThan(500);
  } finally {
    c.close();
  }
});

test("files that make transpiling loop, or crash the compiler, run no test; the next submission gets a fresh compiler", async () => {
  const marker = path.join(work, "looped-once");
  const c = fakeCompiler(
    "loop-once",
    `if (!require("fs").existsSync(${JSON.stringify(marker)})) { require("fs").writeFileSync(${JSON.stringify(marker)}, ""); ${spin} }
     ${compiled} ${typed}`,
  );
  try {
    expect((await c.compile(FILES)).notCompiled).toBe(
      "Your files could not be compiled: the compiler used more than 0.5 s of CPU time on them (the grader's limit) and was stopped, so no test ran.",
    );
    expect(existsSync(marker)).toBe(true);
    expect(await c.compile(FILES)).toMatchObject({ files: [{ rel: "src/kernel/cow.ts", js: "//js" }], typeErrors: [] });
    expect(c.starts.count).toBe(2);
  } finally {
    c.close();
  }
  const crash = fakeCompiler(
    "crash",
    `process.stderr.write("RangeError: Maximum call stack size exceeded\\n"); process.exit(7);`,
  );
  try {
    const out = await crash.compile(FILES);
    expect(out.notCompiled).toBe(
      "Your files could not be compiled: the compiler overflowed its stack on them, so no test ran.",
    );
    expect(out.stopped).toEqual({ kind: "stack" });
  } finally {
    crash.close();
  }
});

test("a compiler that never gets ready is stopped at the backstop: the grader's fault, told as such", async () => {
  const c = fakeCompiler("never-ready", "", { wallMs: 1000 });
  writeFileSync(path.join(work, "never-ready.js"), "setInterval(() => undefined, 1000);");
  try {
    await expect(c.compile(FILES)).rejects.toThrow(
      `Cannot start the compiler's process (${path.join(work, "never-ready.js")}): it was not ready after 1 s`,
    );
  } finally {
    c.close();
  }
});

test("k hostile submissions hold k checkers for their own budgets; the rest of the batch is served by the others", async () => {
  const c = fakeCompiler("lanes", `if (m.files[0].text.includes("HOSTILE")) ${spin} ${compiled} ${typed}`, {
    checkers: 3,
  });
  try {
    await c.warm();
    const finished: string[] = [];
    const ask = (name: string, files: readonly CompileFile[]): Promise<Compiled> =>
      c.compile(files).then((out) => (finished.push(name), out));
    const hostile = [ask("hostile 1", HOSTILE), ask("hostile 2", HOSTILE)];
    const normal = await Promise.all(["a", "b", "c", "d"].map((n) => ask(n, FILES)));
    const stopped = await Promise.all(hostile);
    expect(finished.slice(0, 4)).toEqual(["a", "b", "c", "d"]); // the hostile two, in either order, after
    expect(stopped.map((o) => [o.checker, o.stopped])).toEqual([
      [0, { kind: "cpu", ms: 500 }],
      [1, { kind: "cpu", ms: 500 }],
    ]);
    expect(normal.map((o) => [o.checker, o.stopped])).toEqual([
      [2, undefined],
      [2, undefined],
      [2, undefined],
      [2, undefined],
    ]);
  } finally {
    c.close();
  }
});

/** The real compiler on the fixture lab's kit. */
function realCompiler(options: Partial<CompilerOptions>): Compiler {
  const kit = prepareKit("cow", { labDir: FIXTURE_LAB });
  return new Compiler({
    entry: path.join(kit.cacheDir, "worker", "_compile-child.js"),
    project: path.dirname(kit.kitSrc),
    studentFiles: STUDENT_FILES,
    cpuMs: 30_000,
    memoryMb: 1024,
    ...options,
  });
}

/** The reference's files, with `cow` in place of its cow.ts. */
function reference(cow: string): CompileFile[] {
  return STUDENT_FILES.map((rel) => ({
    rel,
    text: rel === "src/kernel/cow.ts" ? cow : solutionText(rel),
    submitted: true,
  }));
}

test("the real compiler: JavaScript for every file, syntax errors, integrity flags and type errors of the submitted ones", async () => {
  const c = realCompiler({});
  void c.warm();
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
    // a file not submitted is checked as given (the starter's stub), never as the reference's
    const stubbed = await c.compile([
      {
        rel: "src/kernel/cow.ts",
        text: 'import { uvmfree } from "./uvmfree";\nexport const f = uvmfree;\n',
        submitted: true,
      },
      { rel: "src/kernel/uvmfree.ts", text: "export const stub = 1;\n", submitted: false },
    ]);
    expect(stubbed.typeErrors.map((d) => [d.file, d.code])).toEqual([["src/kernel/cow.ts", 2305]]);
    const broken = await c.compile([{ rel: "src/kernel/cow.ts", text: "export function ( {", submitted: true }]);
    expect(broken.syntaxErrors.length).toBeGreaterThan(0);
    expect(broken.typeErrors).toEqual([]);
  } finally {
    c.close();
  }
});

// Ten thousand template strings crossed with ten thousand, twice: the type
// checker works on it for tens of seconds of CPU before it gives up.
const RECURSIVE_TYPES = `
type D = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
type N4 = \`\${D}\${D}\${D}\${D}\`;
type Cross<T, P extends string> = T extends unknown ? \`\${P}\${T & string}-\${N4}\` : never;
export const x1: Cross<N4, "a"> = "a0000-0000";
export const x2: Cross<N4, "b"> = "b0000-0000";
`;

test("the real compiler: recursive types cost their own submission its budget of CPU time, and nobody else waits behind them", async () => {
  const budget = 2000;
  // the backstop far off: on a loaded machine, the CPU budget still stops the hostile file, not the wall clock
  const c = realCompiler({ cpuMs: budget, wallMs: 120_000, checkers: 2 });
  try {
    await c.warm();
    const finished: string[] = [];
    const ask = (name: string, cow: string): Promise<Compiled> =>
      c.compile(reference(cow)).then((out) => (finished.push(name), out));
    const cow = solutionText("src/kernel/cow.ts");
    const hostile = ask("hostile", cow + RECURSIVE_TYPES);
    const names = ["a", "b", "c", "d"];
    const normal = await Promise.all(names.map((n) => ask(n, `${cow}\nexport const ${n}: number = "${n}";\n`)));
    const stopped = await hostile;
    // the hostile file: its own budget spent, compiled and flagged all the same, told its type check did not finish
    expect(stopped.stopped).toEqual({ kind: "cpu", ms: budget });
    expect(stopped.cpuMs).toBeGreaterThan(budget);
    expect(stopped.files.map((f) => f.rel)).toEqual(STUDENT_FILES);
    expect(stopped.notTypeChecked).toBe(
      "TypeScript could not check your files for type errors: the compiler used more than 2 s of CPU time on them (the grader's limit) and was stopped (the tests ran anyway).",
    );
    // the others: type-checked whole, on the other checker, not queued behind it
    expect(finished).toEqual([...names, "hostile"]);
    for (const out of normal) {
      expect(out.notTypeChecked).toBeUndefined();
      expect(out.typeErrors.map((d) => [d.file, d.code, d.message])).toEqual([
        ["src/kernel/cow.ts", 2322, "Type 'string' is not assignable to type 'number'."],
      ]);
      expect(out.checker).not.toBe(stopped.checker);
      expect(out.cpuMs).toBeLessThan(budget);
    }
    // the stopped checker comes back warm and serves again
    const again = await Promise.all([ask("e", cow), ask("f", cow)]);
    expect(again.map((o) => [o.typeErrors, o.notTypeChecked])).toEqual([
      [[], undefined],
      [[], undefined],
    ]);
    expect(c.starts.count).toBe(3);
  } finally {
    c.close();
  }
});

for (const layer of ["bwrap", "user"] as const) {
  (whyUnavailable(layer) === null ? test : test.skip)(
    `the real compiler under isolation ${layer}: type errors found, recursive types stopped at their budget of CPU time`,
    async () => {
      const budget = 2000;
      const c = realCompiler({ cpuMs: budget, wallMs: 120_000, isolation: layer });
      try {
        const cow = solutionText("src/kernel/cow.ts");
        const stopped = await c.compile(reference(cow + RECURSIVE_TYPES));
        expect([stopped.stopped, stopped.files.length]).toEqual([{ kind: "cpu", ms: budget }, 3]);
        expect(stopped.cpuMs).toBeGreaterThan(budget); // counted in the checker, below the sandbox's own processes
        // started in the sandbox's "/", the checker still knows Node's types (console)
        const typed = await c.compile(reference(`${cow}\nconsole.log(1);\nexport const a: number = "a";\n`));
        expect(typed.typeErrors.map((d) => [d.file, d.code])).toEqual([["src/kernel/cow.ts", 2322]]);
        expect(typed.notTypeChecked).toBeUndefined();
      } finally {
        c.close();
      }
    },
  );
}
