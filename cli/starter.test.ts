// The starter is generated from the solution and must never carry an answer.

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Lab, loadLab } from "../labs/lab";
import { compareStarter, generateStarter, listFiles, shipped, writeStarter } from "./starter";

const run = promisify(execFile);
const root = path.join(__dirname, "..");
const lab = loadLab("cow", root);

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "oslab-starter-"));
}

// The lines of code inside the solution blocks that appear nowhere else in
// the solution's shipped files: what must never reach a student.
function solutionLines(): string[] {
  const blocks: string[] = [];
  const outside = new Set<string>();
  for (const rel of listFiles(lab.solution)) {
    if (!shipped(rel)) continue;
    const text = readFileSync(path.join(lab.solution, rel), "utf8");
    const start = text.indexOf("// BEGIN SOLUTION");
    const end = text.indexOf("// END SOLUTION");
    const inside = start < 0 ? "" : text.slice(start, end);
    const rest = start < 0 ? text : text.slice(0, start) + text.slice(end);
    for (const l of rest.split("\n")) outside.add(l.trim());
    for (const l of inside.split("\n").slice(1)) {
      const t = l.trim();
      if (t.length > 0 && !t.startsWith("//")) blocks.push(t);
    }
  }
  return blocks.filter((l) => !outside.has(l));
}

test("the committed starter/ is exactly what solution/ generates", () => {
  expect(compareStarter(generateStarter(lab), lab.starter)).toEqual([]);
});

test("no solution line, marker or kit-internal test reaches the starter", () => {
  const files = generateStarter(lab);
  const secret = solutionLines();
  expect(secret.length).toBeGreaterThan(10);
  for (const [rel, text] of files) {
    expect(text).not.toMatch(/BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN|END HIDDEN/);
    for (const line of secret) {
      if (text.includes(line)) throw new Error(`starter/${rel} contains the solution line: ${line}`);
    }
    expect(rel).not.toMatch(/^src\/.*\.test\.ts$/);
    expect(path.basename(rel)).not.toBe("test-support.ts");
  }
  // nothing from the hidden suites either
  const hidden = existsSync(path.join(lab.dir, "tests")) ? listFiles(path.join(lab.dir, "tests")) : [];
  for (const h of hidden) expect([...files.keys()].some((rel) => rel.endsWith(path.basename(h)))).toBe(false);
});

test("each edit point becomes exactly one NotImplemented stub naming its function and handout part", () => {
  const files = generateStarter(lab);
  for (const e of lab.editPoints) {
    const text = files.get(e.file)!;
    const stubs = text.match(/throw new NotImplemented\("[^"]*"\)/g) ?? [];
    expect(stubs).toEqual([`throw new NotImplemented("${e.function}: see handout, part ${e.part}")`]);
    expect(text).toMatch(/import \{[^}]*\bNotImplemented\b[^}]*\} from "\.\/defs";/);
  }
  const all = [...files.values()].join("\n");
  expect(all.match(/throw new NotImplemented\(/g)).toHaveLength(3);
});

// A one-file lab in a temp folder, for the generator's error cases.
function fixtureLab(source: string, editPoint = true): Lab {
  const dir = tempDir();
  mkdirSync(path.join(dir, "solution", "src", "kernel"), { recursive: true });
  writeFileSync(path.join(dir, "solution", "src", "kernel", "f.ts"), source);
  return {
    name: "fixture",
    title: "fixture",
    dir,
    solution: path.join(dir, "solution"),
    starter: path.join(dir, "starter"),
    editPoints: editPoint ? [{ part: "Z", title: "f", file: "src/kernel/f.ts", function: "f" }] : [],
  };
}

test("a solution block that is never closed is refused with the file and line", () => {
  const l = fixtureLab("export function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n}\n");
  expect(() => generateStarter(l)).toThrow(
    "Cannot generate the starter: src/kernel/f.ts:2: BEGIN SOLUTION is never closed",
  );
});

test("a solution block outside an edit point is refused", () => {
  const l = fixtureLab(
    "export function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}\n",
    false,
  );
  expect(() => generateStarter(l)).toThrow(
    "Cannot generate the starter: src/kernel/f.ts:2 has a solution block but is not an edit point of the lab (lab.json)",
  );
});

test("an edit point with two solution blocks is refused", () => {
  const block = "  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n";
  const l = fixtureLab(`export function f(): number {\n${block}${block}}\n`);
  expect(() => generateStarter(l)).toThrow(
    "Cannot generate the starter: src/kernel/f.ts must have exactly one solution block, found 2",
  );
});

test("hint lines survive as comments and hidden lines vanish", () => {
  const l = fixtureLab(
    'import { x } from "./defs";\n// BEGIN HIDDEN\nconst secret = 42;\n// END HIDDEN\n' +
      "export function f(): number {\n  // BEGIN SOLUTION\n  // starter: Add one.\n  return x + 1;\n  // END SOLUTION\n}\n",
  );
  const text = generateStarter(l).get("src/kernel/f.ts")!;
  expect(text).toBe(
    'import { NotImplemented, x } from "./defs";\n' +
      "export function f(): number {\n" +
      "  // TODO (part Z): write f(). The comment above says what it must do.\n" +
      "  // Add one.\n" +
      '  throw new NotImplemented("f: see handout, part Z");\n' +
      "}\n",
  );
});

test("writing the starter replaces changed files, removes stray ones and keeps node_modules", () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, "node_modules", "pkg"), { recursive: true });
  writeFileSync(path.join(dir, "node_modules", "pkg", "index.js"), "kept");
  writeFileSync(path.join(dir, "stray.txt"), "old");
  writeFileSync(path.join(dir, "a.txt"), "old");
  const files = new Map([
    ["a.txt", "new"],
    ["sub/b.txt", "b"],
  ]);
  expect(writeStarter(files, dir).sort()).toEqual([
    "a.txt differs",
    "stray.txt should not be there",
    "sub/b.txt is missing",
  ]);
  expect(readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("new");
  expect(existsSync(path.join(dir, "stray.txt"))).toBe(false);
  expect(readFileSync(path.join(dir, "node_modules", "pkg", "index.js"), "utf8")).toBe("kept");
  expect(compareStarter(files, dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

test("a program that never forks, execs or exits runs on the starter's kernel", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadScenario } = require(
    path.join(lab.starter, "src/scenario/parse"),
  ) as typeof import("../solution/src/scenario/parse");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runScenario } = require(
    path.join(lab.starter, "src/scenario/run"),
  ) as typeof import("../solution/src/scenario/run");
  const result = runScenario(loadScenario(path.join(lab.starter, "scenarios/segfault.json")));
  expect(result.failures).toEqual([]);
  expect(result.counters.demandZeroFaults).toBe(4);
  expect(result.counters.segfaults).toBe(2);
});

// Copies starter/ alone into a temp folder, optionally drops in the
// solution's three files, and runs its `npm test` (Jest) there.
async function studentRun(withSolution: boolean): Promise<{ code: number; output: string }> {
  const dir = tempDir();
  cpSync(lab.starter, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  if (withSolution) {
    for (const e of lab.editPoints) cpSync(path.join(lab.solution, e.file), path.join(dir, e.file));
  }
  const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
  try {
    const r = await run(process.execPath, [jest, "--ci", "--json"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, output: err.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface JestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { status: string; title: string; failureMessages: string[] }[] }[];
}

test("copied alone, the untouched starter fails every public test, naming the function and handout part", async () => {
  const { code, output } = await studentRun(false);
  const r = JSON.parse(output) as JestJson;
  expect(code).toBe(1);
  expect(r.numPassedTests).toBe(0);
  expect(r.numFailedTests).toBeGreaterThanOrEqual(15);
  for (const suite of r.testResults) {
    for (const t of suite.assertionResults) {
      expect(t.status).toBe("failed");
      expect(t.failureMessages.join("\n")).toMatch(
        /^NotWrittenYet: waiting on (uvmcopy|cowfault|uvmfree)\(\) in src\/kernel\/\w+\.ts: not written yet \(handout, "Part [ABC]: /,
      );
    }
  }
}, 120_000);

test("copied alone with the solution's three files dropped in, every public test passes", async () => {
  const { code, output } = await studentRun(true);
  const r = JSON.parse(output) as JestJson;
  expect(r.numFailedTests).toBe(0);
  expect(r.numPassedTests).toBeGreaterThanOrEqual(15);
  expect(code).toBe(0);
}, 120_000);
