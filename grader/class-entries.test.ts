// End to end, as an instructor meets it: `oslab grade` on a class folder
// holding every awkward entry, beside a Canvas download, accounts for every
// entry in its output, summary.json and summary.html, and grades each
// student under their own id. One batch (grading is costly).

import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gradeCommand } from "./cli";
import { entryText } from "./entries";
import { escapeHtml } from "./summary";
import { BatchSummary } from "./model";
import { awkwardClass, awkwardEntries } from "./test-support/awkward";
import { FIXTURE_LAB, STUDENT_FILES, readJson, scratch, solutionText } from "./test-support/fixtures";
import { FilesOf, canvasDownload } from "./test-support/lms";

jest.setTimeout(300_000);

const work = scratch("class-entries");
const klass = path.join(work, "class");
const canvas = path.join(work, "canvas");
const out = path.join(work, "out");
let code: number;
let said: string;
let summary: BatchSummary;

/** The reference's files, each naming its student on its first line. */
const reference: FilesOf = (student) =>
  Object.fromEntries(STUDENT_FILES.map((f) => [f, `// ${student}: ${f}\n${solutionText(f)}`]));

const canvasEntries = (): [string, string][] => [
  [`${canvas}/doejane_1234_567890_cow-lab.zip`, "graded as doejane_1234 (doejane, as Canvas names them)"],
  [`${canvas}/roejohn_LATE_2345_678901_cow-1.ts`, "graded as roejohn_2345 (roejohn, late, as Canvas names them)"],
  [`${canvas}/roejohn_LATE_2345_678901_uvmcopy.ts`, "graded as roejohn_2345 (roejohn, late, as Canvas names them)"],
  [`${canvas}/roejohn_LATE_2345_678901_uvmfree.ts`, "graded as roejohn_2345 (roejohn, late, as Canvas names them)"],
  [
    `${canvas}/smithbob_3456_789012_lab.rar`,
    "not graded: a .rar archive, which the grader cannot read (it reads folders, .zip, .tar.gz and .tgz)",
  ],
];

beforeAll(async () => {
  awkwardClass(klass, reference);
  canvasDownload(canvas, reference);
  const lines: string[] = [];
  code = await gradeCommand(
    { paths: [klass, canvas], lab: "cow", labDir: FIXTURE_LAB, out, jobs: 2, seed: 1, onDuplicate: "folder" },
    (s) => lines.push(s),
  );
  said = lines.join("");
  summary = readJson<BatchSummary>(path.join(out, "summary.json"));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const expected = (): [string, string][] => [...awkwardEntries(klass), ...canvasEntries()];

test("the command lists every entry before grading: graded under its id, or not graded and why", () => {
  expect(code).toBe(0);
  const listed = said.split("\n").filter((l) => l.startsWith("  "));
  expect(listed).toEqual(expected().map(([entry, outcome]) => `  ${entry}: ${outcome}`));
  expect(said).toContain("oslab grade: 16 entries: 9 graded as 7 submission(s), 7 not graded\n");
});

test("summary.json lists every entry; each student is graded under their own id, with full marks", () => {
  expect(summary.entries!.map((e) => entryText(e))).toEqual(expected().map(([e, o]) => `${e}: ${o}`));
  expect(summary.rows.map((r) => [r.id, r.score === r.maxScore])).toEqual(
    ["alice", "bob", "doejane_1234", "frank", "grace", "heidi", "roejohn_2345"].map((id) => [id, true]),
  );
});

test("grades.csv has a row for each student graded, and none for what was not", () => {
  const ids = readFileSync(path.join(out, "grades.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")[0]);
  expect(ids).toEqual(summary.rows.map((r) => r.id));
});

test("summary.html lists every entry with what became of it", () => {
  const html = readFileSync(path.join(out, "summary.html"), "utf8");
  for (const [entry, outcome] of expected()) {
    expect(html).toContain(escapeHtml(entry));
    expect(html).toContain(escapeHtml(outcome));
  }
});

test("the zip mostly node_modules/ is graded, and its student told why it was too big", () => {
  const heidi = summary.rows.find((r) => r.id === "heidi")!;
  expect(heidi.problems).toEqual([
    expect.stringMatching(
      /^"heidi\.zip" is 21 MiB, more than the 20 MiB a submission may be, because of node_modules\//,
    ),
  ]);
});
