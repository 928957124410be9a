// The corpus of untrusted submissions (see README.md here), graded in one
// batch of the real lab with small limits, beside the reference, which must
// still get full marks. Each hostile or broken submission gets a result
// that says in words what was wrong, and the batch goes on.

import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BatchOutcome, gradeBatch } from "../grade";
import { formatFlag } from "../integrity";
import { SubmissionResult } from "../model";
import { renderReport, prepareTemplates } from "../report/report";
import { GradescopeResults } from "../results";
import { loadRubric } from "../rubric";
import { CODE_CASES, buildCorpus, escapeMarker, lineOf } from "../test-support/corpus";
import { labUnderTest, readJson, scratch } from "../test-support/fixtures";

jest.setTimeout(150_000);

const tmp = scratch("corpus");
const klass = path.join(tmp, "class");
const out = path.join(tmp, "out");
const labDir = path.join(tmp, "lab");
const LIMITS = {
  wallSeconds: 8,
  memoryMb: 160,
  testSeconds: 1,
  fileKb: 64,
  unpackedMb: 4,
  archiveMb: 1,
  entries: 200,
  outputKb: 2,
  submissionOutputKb: 8,
};
let batch: BatchOutcome;

beforeAll(async () => {
  // the real lab, with the corpus's small limits
  const real = labUnderTest().labDir;
  const rubric = JSON.parse(readFileSync(path.join(real, "rubric.json"), "utf8"));
  rubric.limits = { ...rubric.limits, ...LIMITS };
  writeFileSync(path.join(tmp, "rubric.json"), JSON.stringify(rubric));
  cpSync(path.join(real, "tests"), path.join(labDir, "tests"), { recursive: true });
  cpSync(path.join(real, "thresholds"), path.join(labDir, "thresholds"), { recursive: true });
  cpSync(path.join(tmp, "rubric.json"), path.join(labDir, "rubric.json"));
  rmSync(path.join(tmp, "rubric.json"));
  buildCorpus(klass, tmp);
  process.env.OSLAB_GRADER_FAULT = "score:grader-bug";
  try {
    batch = await gradeBatch([klass], { lab: "cow", labDir, out, jobs: 2, reports: false });
  } finally {
    delete process.env.OSLAB_GRADER_FAULT;
  }
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
  expect(readdirSync(tmp).sort()).toEqual(["class", "lab", "out"]);
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

  test("an endless loop, synchronous or of promise callbacks, is stopped and called a time-out", () => {
    for (const id of ["loops-forever", "promise-loop"]) {
      onlyC(id);
      expect(C1(id)).toMatch(
        /did not finish within 1 s: the code never returned \(an endless loop, or promise callbacks that never stop\?\) and was stopped/,
      );
    }
  });

  test("allocating without end (arrays, strings, buffers) is stopped at the memory limit and said so", () => {
    for (const id of ["allocates-arrays", "allocates-strings", "allocates-buffers"]) {
      onlyC(id);
      expect(C1(id)).toContain(
        "used more than 160 MiB of memory (the grader's limit) and was stopped: something allocates without end",
      );
    }
  });

  test("process.exit does not exist for the student's code, and is flagged", () => {
    onlyC("calls-process-exit");
    expect(C1("calls-process-exit")).toContain(
      "Error: process is not available to the lab's code: it runs without access to the Node.js process",
    );
    expect(result("calls-process-exit").flags!.map((f) => [f.line, f.rule])).toEqual([
      [lineOf(CODE_CASES["calls-process-exit"]!["src/kernel/uvmfree.ts"]!, "process.exit"), "process"],
    ]);
  });

  test("a thrown string, null, or an object whose toString throws is told in words", () => {
    expect(C1("throws-string")).toContain('Your code threw the string "out of ideas" instead of an Error');
    expect(C1("throws-null")).toContain("Your code threw null instead of an Error");
    expect(C1("throws-object")).toContain(
      "Your code threw an object ({ toString: [Function: toString] }) instead of an Error",
    );
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
      'Error: src/kernel/cow.ts could not be loaded: Error: Cannot import "fs": the lab\'s files may import only from "./defs"',
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
      'Error: src/kernel/uvmcopy.ts could not be loaded: Error: Cannot import "./hart": the lab\'s files may import only from "./defs"',
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
