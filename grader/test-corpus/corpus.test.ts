// The corpus of untrusted submissions (see README.md here), graded in one
// batch of the real lab with small limits, beside the reference, which must
// still get full marks. Each hostile or broken submission gets a result
// that says in words what was wrong, and the batch goes on. The hostile
// code (test-support/hostile.ts) is held to outcomes, not mechanisms: the
// stubs' score, the reference's marks, no file written, no secret in any
// output, nothing running ten seconds after the grader.

import { randomBytes } from "node:crypto";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchOutcome, gradeBatch } from "../grade";
import { formatFlag } from "../integrity";
import { prepareKit } from "../kit";
import { SubmissionResult } from "../model";
import type { IsolationLayer } from "../sandbox/isolation";
import { renderReport, prepareTemplates } from "../report/report";
import { GradescopeResults, gradescopeResults } from "../results";
import { loadRubric } from "../rubric";
import {
  CODE_CASES,
  VICTIM,
  buildCorpus,
  corpusPaths,
  escapeMarker,
  fingerprint,
  lineOf,
  targetsOf,
} from "../test-support/corpus";
import { COPIES_ALWAYS, HOSTILE_CASES, TRACE_ENTRY, TRACE_LINE, Targets } from "../test-support/hostile";
import { ROOT, STUDENT_FILES, labUnderTest, readJson, scratch } from "../test-support/fixtures";

jest.setTimeout(600_000);

const tmp = scratch("corpus");
const paths = corpusPaths(tmp);
const { klass, out } = paths;
const labDir = paths.lab;
const LIMITS = {
  // the engine's own budgets stop loops and allocation, the same on a loaded machine;
  // time is only the outside backstop, well above them
  engineSteps: 20_000,
  engineMemoryMb: 32,
  testSeconds: 10,
  wallSeconds: 30,
  compileSeconds: 5,
  fileKb: 64,
  unpackedMb: 4,
  archiveMb: 1,
  entries: 200,
  outputKb: 2,
  submissionOutputKb: 8,
};
/** Secrets only the test knows: one in the grader's environment, one in a file no submission is given. */
const SECRET_ENV = `oslab-corpus-env-${randomBytes(12).toString("hex")}`;
const SECRET_FILE = `oslab-corpus-file-${randomBytes(12).toString("hex")}`;
let batch: BatchOutcome;
let targets: Targets;
/** The kit's compiled cache and the lab, as they were before the batch and after it. */
let kitBefore: Record<string, string>;
let kitAfter: Record<string, string>;
let labBefore: Record<string, string>;
let labAfter: Record<string, string>;
/** The victim's folder right after the grader returned, and ten seconds later. */
let victimAtExit: Record<string, string>;
let victimLater: Record<string, string>;

beforeAll(async () => {
  // the real lab, with the corpus's small limits
  const real = labUnderTest().labDir;
  const rubric = JSON.parse(readFileSync(path.join(real, "rubric.json"), "utf8"));
  rubric.limits = { ...rubric.limits, ...LIMITS };
  cpSync(path.join(real, "tests"), path.join(labDir, "tests"), { recursive: true });
  cpSync(path.join(real, "thresholds"), path.join(labDir, "thresholds"), { recursive: true });
  writeFileSync(path.join(labDir, "rubric.json"), JSON.stringify(rubric));
  // the batch's own compiled kit, in the scratch folder: what the hostile code aims at
  const kit = prepareKit("cow", { labDir, cacheRoot: paths.cacheRoot });
  targets = targetsOf(tmp, kit.cacheDir);
  buildCorpus(klass, tmp, targets);
  writeFileSync(paths.secretFile, SECRET_FILE);
  kitBefore = fingerprint(paths.cacheRoot);
  labBefore = fingerprint(labDir);
  process.env.OSLAB_GRADER_FAULT = "score:grader-bug";
  process.env[paths.secretVariable] = SECRET_ENV;
  try {
    batch = await gradeBatch([klass], {
      lab: "cow",
      labDir,
      out,
      jobs: 2,
      cacheRoot: paths.cacheRoot,
      // CI runs the corpus under each layer (OSLAB_CORPUS_ISOLATION=bwrap, user, none); by default the strongest
      ...(process.env.OSLAB_CORPUS_ISOLATION !== undefined
        ? { isolation: process.env.OSLAB_CORPUS_ISOLATION as IsolationLayer }
        : {}),
    });
  } finally {
    delete process.env.OSLAB_GRADER_FAULT;
    delete process.env[paths.secretVariable];
  }
  victimAtExit = fingerprint(path.join(out, VICTIM));
  kitAfter = fingerprint(paths.cacheRoot);
  labAfter = fingerprint(labDir);
  await sleep(10_000);
  victimLater = fingerprint(path.join(out, VICTIM));
});

afterAll(() => {
  // a process that outlived the grader (the test then failed) is stopped here, by the pid it wrote
  for (const file of [paths.heartbeat, `${paths.heartbeat}.pids`]) {
    if (!existsSync(file)) continue;
    for (const pid of readFileSync(file, "utf8").split(/\s+/).filter(Boolean))
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone
      }
  }
  for (const f of [paths.repoPlant, paths.repoCachePlant, paths.cacheRoot]) rmSync(f, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

function result(id: string): SubmissionResult {
  const r = batch.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`no result for ${id}`);
  return r;
}
const item = (id: string, itemId: string) => result(id).items.find((i) => i.id === itemId)!;
const lost = (id: string) =>
  result(id)
    .items.filter((i) => !i.passed)
    .map((i) => i.id);
/** The tests (not thresholds: their scenarios run every part's code) that did not get full marks. */
const lostTests = (id: string) =>
  result(id)
    .items.filter((i) => !i.passed && i.kind === "test")
    .map((i) => i.id);
/** Item ids of the rubric's part (tests, or thresholds). */
const partItems = (part: string, kind: "test" | "threshold" = "test") =>
  result("reference")
    .items.filter((i) => i.part === part && i.kind === kind)
    .map((i) => i.id);

test("every submission of the corpus gets a result, and the batch went on past each of them", () => {
  const ids = readdirSync(klass)
    .map((n) => n.replace(/\.(zip|tar\.gz)$/, ""))
    .filter((id) => id !== "empty-folder"); // no submission: listed as not graded (below)
  expect(batch.results.map((r) => r.id).sort()).toEqual(ids.sort());
  expect(batch.results.filter((r) => r.status !== "graded").map((r) => r.id)).toEqual(["grader-bug"]);
  for (const id of ids) expect(existsSync(path.join(out, id, "results.json"))).toBe(true);
});

test("the reference, graded among them, still gets full marks on every test and threshold", () => {
  expect(lost("reference")).toEqual([]);
  expect(result("reference").problems).toEqual([]);
  expect(result("reference").flags).toEqual([]);
});

test("nothing was written outside the batch's output folder", () => {
  expect(existsSync(escapeMarker(tmp))).toBe(false);
  expect(readdirSync(tmp).sort()).toEqual(["class", "lab", "out", "secret.txt"]);
});

describe("archives and files", () => {
  const at = (name: string) => `Cannot read submission "${name}":`;

  test("entries that climb out, absolute paths and drive letters are refused and named; the rest is graded", () => {
    const climb = path.relative(path.join(klass, "x", "y"), escapeMarker(tmp));
    expect(lost("zip-climbs")).toEqual([]);
    expect(result("zip-climbs").problems).toEqual([`${at("zip-climbs.zip")} entry "${climb}" leaves the archive`]);
    expect(lost("zip-absolute")).toEqual([]);
    expect(result("zip-absolute").problems).toEqual([
      `${at("zip-absolute.zip")} entry "${escapeMarker(tmp)}" leaves the archive`,
      `${at("zip-absolute.zip")} entry "C:\\oslab\\escaped.txt" leaves the archive`,
    ]);
  });

  test("links and devices are refused and named; a student file that is a link counts as missing", () => {
    expect(lostTests("tar-links")).toEqual(partItems("B"));
    expect(item("tar-links", "B1").output).toBe(
      "Not graded: Your submission has no cow.ts; it is expected at src/kernel/cow.ts.",
    );
    expect(result("tar-links").problems).toEqual([
      `${at("tar-links.tar.gz")} entry "lab/src/kernel/cow.ts" is a symbolic link (to "/etc/passwd"); links are not followed`,
      `${at("tar-links.tar.gz")} entry "lab/notes.txt" is a hard link (to "${escapeMarker(tmp)}"); links are not followed`,
      "Your submission has no cow.ts; it is expected at src/kernel/cow.ts.",
    ]);
    expect(lost("tar-devices")).toEqual([]);
    expect(result("tar-devices").problems).toEqual([
      `${at("tar-devices.tar.gz")} entry "lab/zero" is a character device; only plain files are read`,
      `${at("tar-devices.tar.gz")} entry "lab/pipe" is a named pipe; only plain files are read`,
    ]);
  });

  test("zip bombs are stopped at the file limit, by the declared size or while unpacking; a tar bomb at the total", () => {
    for (const id of ["zip-bomb", "zip-bomb-lying"]) {
      expect(lostTests(id)).toEqual(partItems("B"));
      expect(result(id).problems[0]).toBe(
        `${at(`${id}.zip`)} entry "lab/src/kernel/cow.ts" unpacks to more than 64 KiB, the most a student file may have`,
      );
    }
    expect(result("tar-bomb").score).toBe(0);
    expect(result("tar-bomb").problems).toEqual([
      `${at("tar-bomb.tar.gz")} it unpacks to more than 4 MiB in all, the most a submission may`,
    ]);
  });

  test("corrupt and empty archives, an empty folder, names that are not UTF-8, only unrelated files: 0, and why", () => {
    const only = (id: string) => {
      expect(result(id).score).toBe(0);
      expect(item(id, "A1").output).toBe(`Not graded: ${result(id).problems[0]}`);
      return result(id).problems;
    };
    expect(only("zip-corrupt")[0]).toMatch(
      /^Cannot read submission "zip-corrupt\.zip": it is not a readable zip file \(.+\)$/,
    );
    expect(only("zip-empty")).toEqual([`${at("zip-empty.zip")} the archive is empty`]);
    expect(only("tar-empty")).toEqual([`${at("tar-empty.tar.gz")} the archive is empty`]);
    // an empty folder is no submission: not graded, and listed with why
    expect(batch.results.some((r) => r.id === "empty-folder")).toBe(false);
    expect(batch.summary.entries?.find((e) => e.entry === `${klass}/empty-folder`)).toEqual({
      entry: `${klass}/empty-folder`,
      status: "skipped",
      reason: { kind: "empty" },
    });
    expect(only("names-not-utf8")).toEqual([
      `${at("names-not-utf8.zip")} none of the lab's files (uvmcopy.ts, cow.ts, uvmfree.ts) could be read (see the messages below)`,
      ...["uvmcopy.ts", "cow.ts", "uvmfree.ts"].map(
        (f) => `${at("names-not-utf8.zip")} entry "lab-\\xE9\\xE8/src/kernel/${f}" has a name that is not UTF-8 text`,
      ),
    ]);
    expect(only("only-unrelated")).toEqual([
      `${at("only-unrelated")} it holds none of the lab's files (uvmcopy.ts, cow.ts, uvmfree.ts), only "README.md", "notes.txt"`,
    ]);
  });
});

describe("code", () => {
  const C1 = (id: string) => item(id, "C1").output;
  /** Every item of parts A and B kept its points: the trouble stayed in part C's code. */
  const onlyC = (id: string) =>
    expect(lost(id).filter((i) => !partItems("C").includes(i) && !i.startsWith("T"))).toEqual([]);

  test("an endless loop is stopped and called an endless loop", () => {
    onlyC("loops-forever");
    expect(item("loops-forever", "C1")).toMatchObject({ score: 0, passed: false });
    expect(C1("loops-forever")).toMatch(/endless loop/);
    expect(C1("loops-forever")).toMatch(/was stopped/);
  });

  // the engine runs promise callbacks when a call returns to the kernel, each one a step, so a
  // callback that queues itself without end runs out of steps (under Node it hangs)
  test("an endless loop of promise callbacks is stopped and called an endless loop", () => {
    onlyC("promise-loop");
    expect(item("promise-loop", "C1")).toMatchObject({ score: 0, passed: false });
    expect(C1("promise-loop")).toMatch(/endless loop/);
    // the same items as the plain endless loop, thresholds included: the callbacks run within their unit
    expect(lost("promise-loop")).toEqual(lost("loops-forever"));
  });

  test("allocating without end (arrays, strings, buffers) fails its own test and nothing else, and is stopped", () => {
    for (const id of ["allocates-arrays", "allocates-strings", "allocates-buffers"]) {
      onlyC(id);
      expect(item(id, "C1")).toMatchObject({ score: 0, passed: false });
      expect(C1(id)).toMatch(/was stopped/);
    }
  });

  // the engine's WebAssembly memory is capped at the limit (QuickJS's own count misses most of its
  // heap in this build), so a native fill that never polls fails too, inside the engine
  test("allocating without end is stopped at the engine's own memory limit, the same every run", () => {
    for (const id of ["allocates-arrays", "allocates-strings", "allocates-buffers"])
      expect(C1(id)).toContain(`used more than ${LIMITS.engineMemoryMb} MiB of memory`);
  });

  test("a recursion without end fails its test, told as a stack overflow", () => {
    onlyC("recurses-forever");
    expect(item("recurses-forever", "C1")).toMatchObject({ score: 0, passed: false });
    expect(C1("recurses-forever")).toMatch(/stack/i);
  });

  test("process.exit does not exist for the student's code, and is flagged", () => {
    onlyC("calls-process-exit");
    expect(item("calls-process-exit", "C1")).toMatchObject({ score: 0, passed: false });
    expect(C1("calls-process-exit")).toMatch(/process/);
    expect(result("calls-process-exit").flags!.map((f) => [f.line, f.rule])).toEqual([
      [lineOf(CODE_CASES["calls-process-exit"]!["src/kernel/uvmfree.ts"]!, "process.exit"), "process"],
    ]);
  });

  test("a thrown string, null, or an object whose toString throws is told in words", () => {
    expect(C1("throws-string")).toContain('Your code threw the string "out of ideas" instead of an Error');
    expect(C1("throws-null")).toContain("Your code threw null instead of an Error");
    expect(C1("throws-object")).toMatch(/Your code threw an object \(\{ toString: [^]*\}\) instead of an Error/);
    for (const id of ["throws-string", "throws-null", "throws-object"]) onlyC(id);
  });

  test("printing megabytes keeps a few KiB per test and per submission", () => {
    expect(C1("prints-megabytes")).toContain("... (more output not shown: a test may print 2048 characters)");
    const logs = result("prints-megabytes").items.map((i) => i.detail.split("It printed:\n")[1] ?? "");
    expect(logs.join("").length).toBeLessThan(8192 + 1000);
    expect(logs.join("")).toContain("... (more output not shown: the submission printed more than 8192 characters)");
    expect(statSync(path.join(out, "prints-megabytes", "results.json")).size).toBeLessThan(64 * 1024);
    expect(statSync(path.join(out, "prints-megabytes", "details.json")).size).toBeLessThan(128 * 1024);
  });
});

describe("integrity", () => {
  const flags = (id: string) => result(id).flags!.map(formatFlag);
  const text = (id: string, file: string) => CODE_CASES[id]![file]!;

  test("importing fs is flagged at its line, refused at run time, and writes nothing", () => {
    const cow = text("imports-fs", "src/kernel/cow.ts");
    expect(flags("imports-fs")).toEqual([
      `src/kernel/cow.ts:${lineOf(cow, 'import { writeFileSync } from "fs"')}:1 imports "fs", a Node.js module; the lab's files may import only from "./defs"`,
    ]);
    expect(lostTests("imports-fs")).toEqual(partItems("B"));
    expect(item("imports-fs", "B1").output).toContain(
      'Not graded: cow.ts does not load.\nsrc/kernel/cow.ts could not be loaded: Error: Cannot import "fs": the lab\'s files may import only from "./defs"',
    );
    expect(existsSync(escapeMarker(tmp))).toBe(false);
  });

  test("require, eval, Function, process and globalThis are flagged each at its line; the part's tests score 0", () => {
    const cow = text("uses-globals", "src/kernel/cow.ts");
    const at = (needle: string, col: number) => `src/kernel/cow.ts:${lineOf(cow, needle)}:${col}`;
    expect(flags("uses-globals")).toEqual([
      `${at('require("fs")', 14)} uses require(), which loads any module; the lab's files may import only from "./defs"`,
      `${at('eval("1 + 1")', 15)} uses eval, which runs text as code; the lab's files may not`,
      `${at("new Function", 17)} uses Function, which turns text into code; the lab's files may not`,
      `${at("process.pid", 13)} uses process, Node.js's handle on the running program; the lab's files may not touch it`,
      `${at("globalThis;", 13)} uses globalThis, the object that holds every global; the lab's files may not reach past "./defs"`,
    ]);
    expect(lost("uses-globals")).toEqual(partItems("B"));
    expect(item("uses-globals", "B1").output).toBe(
      "Passed, but scores 0: the integrity check flagged src/kernel/cow.ts (the flags are listed with your results).",
    );
    const r = readJson<GradescopeResults>(path.join(out, "uses-globals", "results.json"));
    expect(r.extra_data.integrity).toEqual(flags("uses-globals"));
    expect(r.output).toContain(
      'The integrity check flagged your code (the tests of part B score 0). The lab\'s files may use only what "./defs" gives them:\n' +
        `  ${flags("uses-globals")[0]}`,
    );
    const html = renderReport(
      { result: result("uses-globals"), rubric: loadRubric(labDir), pictures: [] },
      prepareTemplates(),
    ).html;
    expect(html).toContain(`${at('eval("1 + 1")', 15)} uses eval, which runs text as code`);
  });

  test("names from the test framework are flagged", () => {
    const copy = text("uses-jest", "src/kernel/uvmcopy.ts");
    expect(result("uses-jest").flags!.map((f) => [f.line, f.rule])).toEqual([
      [lineOf(copy, "expect(1)"), "test-framework"],
      [lineOf(copy, "jest.fn"), "test-framework"],
    ]);
    expect(lost("uses-jest")).toEqual(partItems("A"));
  });

  test("reaching for the hart, the allocator or the machine is flagged, and the import fails at run time", () => {
    const copy = text("reaches-hardware", "src/kernel/uvmcopy.ts");
    expect(result("reaches-hardware").flags!.map((f) => [f.line, f.rule])).toEqual([
      [lineOf(copy, '"./hart"'), "hardware"],
      [lineOf(copy, '"./kalloc"'), "hardware"],
      [lineOf(copy, '"../hw/machine"'), "hardware"],
    ]);
    expect(lostTests("reaches-hardware")).toEqual(partItems("A"));
    expect(item("reaches-hardware", "A1").output).toContain(
      'Not graded: uvmcopy.ts does not load.\nsrc/kernel/uvmcopy.ts could not be loaded: Error: Cannot import "./hart": the lab\'s files may import only from "./defs"',
    );
  });

  test("tricks the static check cannot see get nothing at run time: no host Function, no process to send results", () => {
    expect(result("escapes-at-runtime").flags).toEqual([]);
    expect(lost("escapes-at-runtime")).toEqual([]);
    // the starter's stubs, with a try at forging "passed" for the tests: every test of part A still fails
    expect(item("fakes-ipc", "A1")).toMatchObject({ score: 0, passed: false });
    expect(item("fakes-ipc", "A1").output).toContain("NotImplemented: uvmcopy: see handout, part A");
    expect(result("fakes-ipc").items.filter((i) => i.kind === "test" && i.passed)).toEqual([]);
  });
});

describe("hostile code: it earns nothing, changes nothing, reads nothing, and costs only its own limits", () => {
  const passedItems = (id: string) =>
    result(id)
      .items.filter((i) => i.passed)
      .map((i) => i.id);
  /** Built on the stubs, unflagged (else the case would prove nothing): graded, with the plain stubs' score and passes. */
  const asTheStubs = (id: string) => {
    expect({ id, flags: result(id).flags ?? [] }).toEqual({ id, flags: [] });
    expect({ id, status: result(id).status, score: result(id).score, passed: passedItems(id) }).toEqual({
      id,
      status: "graded",
      score: result("starter").score,
      passed: passedItems("starter"),
    });
  };
  /** Built on the reference, unflagged: full marks, as the reference. */
  const asTheReference = (id: string) => {
    expect({ id, flags: result(id).flags ?? [], lost: lost(id) }).toEqual({ id, flags: [], lost: [] });
  };
  /** Its code never ran in one of the grader's processes: the first thing it does there is write this marker. */
  const neverOut = (id: string) =>
    expect({ id, marker: existsSync(`${escapeMarker(tmp)}-${id}`) }).toEqual({ id, marker: false });
  /** The victim's files on disk are what the grader made of it. */
  const victimIsTheGradersOwn = () => {
    expect(lost(VICTIM)).toEqual([]);
    expect(readJson(path.join(out, VICTIM, "results.json"))).toEqual(gradescopeResults(result(VICTIM)));
    const { finishKey: _, ...details } = readJson<SubmissionResult & { finishKey: unknown }>(
      path.join(out, VICTIM, "details.json"),
    );
    void _;
    expect(details).toEqual(result(VICTIM));
    expect(readdirSync(path.join(out, VICTIM)).sort()).toEqual(readdirSync(path.join(out, "reference")).sort());
  };
  /** Every text the batch produced: each file under the output folder, and the results it returned. */
  const everyOutput = (): string[] => {
    const texts = [JSON.stringify(batch)];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else texts.push(readFileSync(path.join(dir, e.name), "utf8"));
    };
    walk(out);
    return texts;
  };
  const foundIn = (texts: readonly string[], needles: readonly string[]) =>
    needles.filter((n) => texts.some((t) => t.includes(n)));
  /** A line of each hidden suite and of each solution file that no output of a grading has reason to hold. */
  const hiddenLines = (): string[] => {
    const suites = path.join(ROOT, "labs", "cow", "tests");
    const firstLines = readdirSync(suites)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(path.join(suites, f), "utf8").split("\n")[0]!);
    const solved = STUDENT_FILES.map((f) => {
      const lines = readFileSync(path.join(ROOT, "solution", f), "utf8").split("\n");
      const begin = lines.findIndex((l) => l.includes("// BEGIN SOLUTION"));
      return lines
        .slice(begin + 1)
        .find((l) => !l.trim().startsWith("//"))!
        .trim();
    });
    return [...firstLines, ...solved];
  };

  test("the plain stubs, graded in the same batch, unflagged: what every forging attempt is held to", () => {
    expect(result("starter").status).toBe("graded");
    expect(result("starter").flags ?? []).toEqual([]);
    expect(item("starter", "A1").output).toContain("NotImplemented: uvmcopy: see handout, part A");
  });

  test("a replaced global Error with stack-trace hooks (prepareStackTrace, captureStackTrace) reaches nothing", () => {
    asTheStubs("replaces-error");
    neverOut("replaces-error");
  });

  test("stack overflows thrown across the boundary, by deep recursion or by recursion through defs, reach nothing", () => {
    for (const id of ["overflows-stack", "overflows-through-defs"]) {
      asTheStubs(id);
      neverOut(id);
    }
  });

  test("constructor.constructor through every value that crosses (defs, its results and errors, NotImplemented, arguments, module, require) reaches nothing", () => {
    asTheStubs("reaches-constructors");
    neverOut("reaches-constructors");
  });

  test("values handed back to the kernel (a Proxy, getters, a thenable, a cycle, a BigInt, deep nesting) reach nothing", () => {
    neverOut("returns-proxies");
  });

  // an object nested 100,000 deep is copied out with its depth bounded: it reaches the kernel as
  // undefined (which ignores uvmfree's value), as a cycle does, and costs nothing
  test("values handed back to the kernel cost no mark", () => {
    asTheReference("returns-proxies");
  });

  test("every method of the built-in prototypes replaced by a spy reaches nothing and costs no mark", () => {
    asTheReference("poisons-prototypes");
    neverOut("poisons-prototypes");
  });

  test("running out of memory and catching it reaches nothing: part C fails, told in words", () => {
    expect(result("exhausts-memory").flags ?? []).toEqual([]);
    expect(lost("exhausts-memory").filter((i) => !partItems("C").includes(i) && !i.startsWith("T"))).toEqual([]);
    expect(item("exhausts-memory", "C1")).toMatchObject({ score: 0, passed: false });
    expect(item("exhausts-memory", "C1").output).toMatch(/memory/);
    neverOut("exhausts-memory");
  });

  // the refused allocation counts even though the code caught it: see the engine's memory limit above
  test("running out of memory is told at the engine's own memory limit", () => {
    expect(item("exhausts-memory", "C1").output).toContain(`used more than ${LIMITS.engineMemoryMb} MiB of memory`);
  });

  test("writing to the compiled kit, the repo's kit cache or the repo: nothing is written", () => {
    expect(kitAfter).toEqual(kitBefore);
    for (const f of targets.plant) expect({ f, exists: existsSync(f) }).toEqual({ f, exists: false });
    asTheStubs("writes-cache");
    neverOut("writes-cache");
  });

  test("writing to another submission's results, the output folder or the lab: nothing is written", () => {
    victimIsTheGradersOwn();
    expect(labAfter).toEqual(labBefore);
    for (const f of targets.plant) expect({ f, exists: existsSync(f) }).toEqual({ f, exists: false });
    asTheStubs("writes-others");
    neverOut("writes-others");
  });

  test("a process meant to outlive the grader: none does; ten seconds after the grader the victim's result is unchanged", () => {
    expect(existsSync(paths.heartbeat)).toBe(false);
    expect(existsSync(`${paths.heartbeat}.pids`)).toBe(false);
    expect(victimLater).toEqual(victimAtExit);
    victimIsTheGradersOwn();
    asTheStubs("outlives-grader");
    neverOut("outlives-grader");
  });

  test("the grader's environment: its secret is in no output, no result, no report of anyone", () => {
    expect(existsSync(path.join(out, "reads-env", "report.html"))).toBe(true); // the reports were written, and are read below
    expect(foundIn(everyOutput(), [SECRET_ENV])).toEqual([]);
    asTheStubs("reads-env");
    neverOut("reads-env");
  });

  test("files it was not given (a secret, the hidden suites, the solution): none of them is in any output", () => {
    expect(foundIn(everyOutput(), [SECRET_FILE, ...hiddenLines()])).toEqual([]);
    asTheStubs("reads-files");
    neverOut("reads-files");
  });

  test("forged results (the channel, stdout, stderr, protocol lines printed) earn nothing", () => {
    for (const id of ["forges-score", "fakes-ipc"]) {
      asTheStubs(id);
      neverOut(id);
    }
  });

  test("types that keep the checker busy cost their own budget: their tests run, the other submissions' checks finish", () => {
    const notChecked = /^TypeScript could not check your files for type errors/;
    expect(lostTests("recursive-types")).toEqual([]);
    expect(result("recursive-types").problems.filter((p) => notChecked.test(p))).toHaveLength(1);
    expect(batch.results.filter((r) => r.problems.some((p) => notChecked.test(p))).map((r) => r.id)).toEqual([
      "recursive-types",
    ]);
    const cow = CODE_CASES["has-type-error"]!["src/kernel/cow.ts"]!;
    expect(result("has-type-error").typeErrors.map((d) => [d.file, d.line, d.code])).toEqual([
      ["src/kernel/cow.ts", lineOf(cow, "export const typo"), 2322],
    ]);
    expect(lost("has-type-error")).toEqual([]);
  });

  // every unit (test, threshold scenario) starts from a fresh state of the student's code
  test("code that knows it is measured (by a flag part C's tests left) scores no more on thresholds than the same mistake", () => {
    const thresholds = (id: string) => result(id).items.filter((i) => i.kind === "threshold");
    const points = (id: string) => thresholds(id).reduce((n, i) => n + i.score, 0);
    // what the mistake costs when nothing hides it
    expect(
      thresholds(COPIES_ALWAYS)
        .filter((i) => !i.passed)
        .map((i) => i.id),
    ).toEqual(["T5", "T6"]);
    expect(result("knows-when-measured").flags ?? []).toEqual([]);
    expect(points("knows-when-measured")).toBeLessThanOrEqual(points(COPIES_ALWAYS));
  });

  test("what the code saw in the hidden tests, kept in a global, is not in what a later visible test printed", () => {
    const id = "leaks-hidden-trace";
    for (const file of ["report.md", "results.json"]) {
      const text = readFileSync(path.join(out, id, file), "utf8");
      expect({ file, printed: text.includes(TRACE_LINE) }).toEqual({ file, printed: true }); // C1 shows what it printed
      expect({ file, leaked: text.includes(TRACE_ENTRY) }).toEqual({ file, leaked: false });
    }
  });

  test("every hostile submission of hostile.ts is held to one of the outcomes above", () => {
    const held = new Set([
      "replaces-error",
      "overflows-stack",
      "overflows-through-defs",
      "reaches-constructors",
      "returns-proxies",
      "poisons-prototypes",
      "exhausts-memory",
      "writes-cache",
      "writes-others",
      "outlives-grader",
      "reads-env",
      "reads-files",
      "forges-score",
      "knows-when-measured",
      "leaks-hidden-trace",
    ]);
    expect(Object.keys(HOSTILE_CASES).sort()).toEqual([...held].sort());
  });
});

test("a grader error is the grader's, told as such to the student and the instructor, and costs nobody else", () => {
  const bug = result("grader-bug");
  expect(bug.status).toBe("grader-error");
  expect(bug.problems[0]).toBe(
    "Grader error: the grader failed while scoring your submission — this is not your fault; your instructor has been told.",
  );
  const r = readJson<GradescopeResults>(path.join(out, "grader-bug", "results.json"));
  expect(r.extra_data.status).toBe("grader-error");
  expect(r.output).toContain(`\n\n${bug.problems[0]}`);
  const row = batch.summary.rows.find((x) => x.id === "grader-bug")!;
  expect(row.problems[0]).toMatch(
    /^Grader error \(a bug of the grader's, not the student's\): grader-bug: Error: Injected grader fault \(OSLAB_GRADER_FAULT\): a test made the score stage fail for grader-bug/,
  );
});
