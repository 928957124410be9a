// The student's `npm test` runs each test that passes once more with their
// files in the grader's engine (solution/tests/engine), and fails it there
// with the reason when the engine disagrees with Node. Run as a student runs
// it: Jest in a copy of the starter, with files dropped in.

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadLab, repoRoot } from "../../../labs/lab";
import { explain } from "../../tests/engine/_explain";
import type { Grading } from "../../tests/engine/_grading";
import { nodeOnlyUses } from "../../tests/engine/_node-globals";

const run = promisify(execFile);
const root = repoRoot();
const lab = loadLab("cow", root);
const cache = mkdtempSync(path.join(os.tmpdir(), "oslab-agreement-cache-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const HEADLINE = "Passes in Node, fails in the grader's engine: this test would fail when graded.";
const ENGINE =
  "The grader runs your files in QuickJS, a JavaScript engine without Node's extras, with a budget for each test.";
const BUDGETS =
  "The grader's budgets for each test: 3,000 engine steps, 64 MiB of engine memory, 256 KiB of engine stack, " +
  "and 20,000,000 steps of the simulated machine (tests/engine/grading.json).";

interface JestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { status: string; title: string; failureMessages: string[] }[] }[];
}

/** Jest in a copy of the starter with `files` (path → text) written over it; its JSON report and all it printed. */
async function studentRun(
  files: ReadonlyMap<string, string>,
): Promise<{ code: number; json: JestJson; printed: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-agreement-"));
  cpSync(lab.starter, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [rel, text] of files) writeFileSync(path.join(dir, rel), text);
  const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
  const args = [jest, "--ci", "--json", `--cacheDirectory=${cache}`];
  try {
    const r = await run(process.execPath, args, { cwd: dir, maxBuffer: 64 << 20 });
    return { code: 0, json: JSON.parse(r.stdout) as JestJson, printed: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, json: JSON.parse(err.stdout) as JestJson, printed: err.stdout + err.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The solution's edit point `rel`, with `body` lines first in its solution block and `above` lines above its function. */
function solutionWith(rel: string, body: string[], above: string[] = []): string {
  const lines = readFileSync(path.join(lab.solution, rel), "utf8").split("\n");
  const begin = lines.findIndex((l) => l.trim() === "// BEGIN SOLUTION");
  const fn = lines.findIndex((l) => l.startsWith("export function "));
  lines.splice(begin + 1, 0, ...body);
  lines.splice(fn, 0, ...above);
  return lines.join("\n");
}

/** Where `word` is on the first line holding `line`, as the engine's stack names it: "rel:line:column". */
function place(rel: string, text: string, line: string, word: string): { at: string; line: number } {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.includes(line));
  return { at: `${rel}:${i + 1}:${lines[i]!.indexOf(word) + 1}`, line: i + 1 };
}

/** A test's failure messages: the one paragraph about the engine, with `cause` in its middle. */
function paragraph(cause: string): string[] {
  return [[HEADLINE, "", ENGINE, cause, BUDGETS].join("\n")];
}

/** What the student reads when `fn` used Node's global `name` at `p`: the grader's words, then where to remove it. */
function missingGlobal(fn: string, file: string, name: string, p: { at: string; line: number }): string {
  return (
    `In the engine, ${fn}() threw at ${p.at}: ReferenceError: ${name} is not defined: the grader runs your code ` +
    'in an engine without Node.js\'s globals (no process, require, Buffer, timers or Intl); use only what "./defs" exports. ' +
    `Remove ${name} (line ${p.line}) from ${file}: Node has it, the grader's engine does not.`
  );
}

function failureOf(json: JestJson, title: string): string[] {
  const t = json.testResults.flatMap((r) => r.assertionResults).find((a) => a.title === title);
  if (t === undefined) throw new Error(`no test "${title}" in the run`);
  return t.failureMessages;
}

test("code that passes in Node but uses process or Intl, or loops past the engine's steps, fails with why, naming the file and function", async () => {
  // a debug switch read once from the environment; a number formatted with Intl; a sweep that is quick in Node
  const uvmcopy = solutionWith(
    "src/kernel/uvmcopy.ts",
    [
      "  if (!debugChecked) {",
      "    debugChecked = true;",
      '    if (process.env.COW_DEBUG) console.log("uvmcopy");',
      "  }",
    ],
    ["let debugChecked = false;", ""],
  );
  const cow = solutionWith("src/kernel/cow.ts", [
    '  const shown = new Intl.NumberFormat("en-US").format(va);',
    '  if (shown === "") return "not-cow";',
  ]);
  const uvmfree = solutionWith("src/kernel/uvmfree.ts", [
    "  let sweep = 0;",
    "  for (let i = 0; i < 3_000_000; i++) sweep = (sweep + i) | 0;",
    "  if (sweep === 1) return;",
  ]);
  const grading = JSON.parse(readFileSync(path.join(lab.starter, "tests/engine/grading.json"), "utf8"));
  const small = {
    ...grading,
    engine: { steps: 3_000, memoryBytes: 64 << 20, stackBytes: 256 << 10 },
    stepBudget: 20_000_000,
  };
  const { code, json } = await studentRun(
    new Map([
      ["src/kernel/uvmcopy.ts", uvmcopy],
      ["src/kernel/cow.ts", cow],
      ["src/kernel/uvmfree.ts", uvmfree],
      ["tests/engine/grading.json", JSON.stringify(small)],
    ]),
  );
  expect(code).toBe(1);
  const proc = place("src/kernel/uvmcopy.ts", uvmcopy, "process.env.COW_DEBUG", "process");
  expect(failureOf(json, "fork maps every page of the parent in the child, to the same frames")).toEqual(
    paragraph(missingGlobal("uvmcopy", "src/kernel/uvmcopy.ts", "process", proc)),
  );
  const intl = place("src/kernel/cow.ts", cow, "new Intl.NumberFormat", "Intl");
  const cowTest = "a write to a COW page whose frame has one reference makes it writable again without a copy";
  expect(failureOf(json, cowTest)).toEqual(paragraph(missingGlobal("cowfault", "src/kernel/cow.ts", "Intl", intl)));
  expect(failureOf(json, "exit frees every frame of a process that shares nothing, page tables included")).toEqual(
    paragraph(
      "In the engine, uvmfree() in src/kernel/uvmfree.ts ran out of a budget, and the grader says: " +
        '"Your code ran for more than 3,000 engine steps without returning and was stopped: an endless loop, or a loop that never reaches its end?" ' +
        "Node counts nothing and ran your code to its end. In the engine, each call from your code into the kernel is a step, " +
        "and so is every few hundred turns of a loop of your own: look for a loop that turns far more often than there are pages to visit.",
    ),
  );
  // each test runs the files afresh in the engine, as the grader runs each unit: the switch read "once" (a
  // module variable Node keeps from test to test) is read again in every test that forks, and fails it too
  expect(failureOf(json, "after fork, text pages are shared read-only and are not marked COW")).toEqual(
    paragraph(missingGlobal("uvmcopy", "src/kernel/uvmcopy.ts", "process", proc)),
  );
  // every test that fails passed in Node
  const failures = json.testResults.flatMap((r) => r.assertionResults).flatMap((a) => a.failureMessages);
  expect(failures.length).toBe(json.numFailedTests);
  for (const f of failures) expect(f.startsWith(`${HEADLINE}\n`)).toBe(true);
}, 300_000);

// A student's own test whose machine a beforeEach hook boots: its engine run
// gets hooks of its own, and Jest's afterEach still closes a run it opened.
const HOOKED_TEST = `import { Proc } from "../src/kernel/index";
import { bootMachine, fork, refsAt, spawnInit } from "./support/harness";

let parent: Proc;
let boots = 0;
let closes = 0;
beforeEach(() => {
  bootMachine();
  parent = spawnInit();
  boots++;
});
afterEach(() => {
  closes++;
});
afterAll(() => {
  // Node's run, the engine's, and the one Jest's afterEach closes
  expect([boots, closes]).toEqual([3, 3]);
});

test("a fork from the parent a hook spawned shares its data page", () => {
  expect(fork(parent)).not.toBe("ENOMEM");
  expect(refsAt(parent, 0x14000)).toBe(2);
});
`;

test("a correct solution passes in Node and in the engine, hooks and all, and nothing is said about the engine", async () => {
  const files = new Map(
    lab.editPoints.map((e) => [e.file, readFileSync(path.join(lab.solution, e.file), "utf8")] as const),
  );
  files.set("tests/hooked.test.ts", HOOKED_TEST);
  const { code, json, printed } = await studentRun(files);
  expect(json.numFailedTests).toBe(0);
  expect(json.numPassedTests).toBeGreaterThanOrEqual(16);
  expect(failureOf(json, "a fork from the parent a hook spawned shares its data page")).toEqual([]);
  expect(code).toBe(0);
  expect(printed).not.toContain("grader's engine");
}, 300_000);

describe("what a student reads when the engine disagrees", () => {
  const grading = JSON.parse(readFileSync(path.join(lab.solution, "tests/engine/grading.json"), "utf8")) as Grading;
  const budgets =
    "The grader's budgets for each test: 50,000 engine steps, 64 MiB of engine memory, 256 KiB of engine stack, " +
    "and 20,000,000 steps of the simulated machine (tests/engine/grading.json).";
  const at50k = { ...grading, engine: { ...grading.engine, steps: 50_000 }, stepBudget: 20_000_000 };

  test("an error Node does not throw, in a file that uses none of Node's globals: a feature the engine lacks", () => {
    const fault = {
      kind: "thrown",
      name: "TypeError",
      message: "not a function",
      at: "src/kernel/cow.ts:12:5",
    } as const;
    const { message: text } = explain({
      call: { file: "src/kernel/cow.ts", fn: "cowfault" },
      fault,
      failure: "TypeError: not a function",
      nodeOnly: new Map([["src/kernel/cow.ts", []]]),
      grading: at50k,
    });
    expect(text).toBe(
      [
        HEADLINE,
        "",
        ENGINE,
        "In the engine, cowfault() threw at src/kernel/cow.ts:12:5: TypeError: not a function. " +
          "Node ran the same code without this error: it uses something Node has and the engine does not, " +
          "such as a function only Node's engine (V8) provides, like Error.captureStackTrace, or Node's locale data (Intl).",
        budgets,
      ].join("\n"),
    );
  });

  test("checks that fail with no error from the student's code, in a file with a guarded Node global: that global named", () => {
    const { message: text } = explain({
      call: null,
      fault: null,
      failure: "expect(received).toBe(expected)",
      nodeOnly: new Map([["src/kernel/uvmfree.ts", [{ name: "process", line: 7 }]]]),
      grading: at50k,
    });
    expect(text).toBe(
      [
        HEADLINE,
        "",
        ENGINE,
        "Nothing your functions did failed in the engine, but the test's checks did:",
        "",
        "expect(received).toBe(expected)",
        "",
        "Your code computes something else in the engine: it uses process (src/kernel/uvmfree.ts, line 7), which the engine does not have.",
        budgets,
      ].join("\n"),
    );
  });
});

describe("finding the uses of Node's globals the engine lacks", () => {
  const globals = new Set(["process", "Buffer", "Intl", "setTimeout", "require"]);
  const uses = (text: string) => nodeOnlyUses(text, "cow.ts", globals);

  test("finds each use with its line, a guarded one too", () => {
    expect(
      uses(
        `const a = 1;\nif (typeof process !== "undefined") a;\nconst b = Buffer.from([a]);\nsetTimeout(() => b, 1);`,
      ),
    ).toEqual([
      { name: "process", line: 2 },
      { name: "Buffer", line: 3 },
      { name: "setTimeout", line: 4 },
    ]);
  });

  test("a property, a type or a name the file declares itself is not a use", () => {
    const text = [
      "const o = { process: 1, Intl: 2 };",
      "const p = o.process + o.Intl;",
      "let b: Buffer | undefined;",
      "function f(setTimeout: number): number { return setTimeout; }",
      "const require = (x: string) => x;",
      "require(String(p + f(1)) + String(b));",
    ].join("\n");
    expect(uses(text)).toEqual([]);
  });
});
