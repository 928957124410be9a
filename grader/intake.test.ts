// Intake: which paths are submissions, and which of their files are taken.

import { createWriteStream, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import yazl from "yazl";
import { discoverSubmissions, idOf, isOneSubmission, readSubmission } from "./intake";
import { STUDENT_FILES, scratch, writeFiles } from "./test-support/fixtures";

const work = scratch("intake");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const three = (prefix: string): Record<string, string> =>
  Object.fromEntries(STUDENT_FILES.map((f) => [`${prefix}${f}`, `// ${prefix}${f}\n`]));

test("an archive's id is its name without .zip, .tar.gz or .tgz", () => {
  expect(["alice.zip", "bob.tar.gz", "carol.TGZ", "dave"].map(idOf)).toEqual(["alice", "bob", "carol", "dave"]);
});

test("a folder holding a student file at its top, or at the file's own path, is one submission", () => {
  expect(isOneSubmission(writeFiles(path.join(work, "flat"), { "cow.ts": "" }), STUDENT_FILES)).toBe(true);
  expect(isOneSubmission(writeFiles(path.join(work, "tree"), three("")), STUDENT_FILES)).toBe(true);
});

test("a folder holding one project folder is one submission; holding several, or archives, a class", () => {
  expect(isOneSubmission(writeFiles(path.join(work, "one"), three("lab/")), STUDENT_FILES)).toBe(true);
  expect(isOneSubmission(writeFiles(path.join(work, "two"), { ...three("a/"), ...three("b/") }), STUDENT_FILES)).toBe(
    false,
  );
  expect(isOneSubmission(writeFiles(path.join(work, "zips"), { "a.zip": "" }), STUDENT_FILES)).toBe(false);
});

test("a class folder gives one submission per folder or archive, sorted, other files skipped", () => {
  const klass = writeFiles(path.join(work, "class"), {
    ...three("b/"),
    ...three("a/"),
    "c.zip": "",
    "d.tar.gz": "",
    "notes.txt": "",
  });
  expect(discoverSubmissions([klass], STUDENT_FILES).map((s) => [s.id, s.kind])).toEqual([
    ["a", "folder"],
    ["b", "folder"],
    ["c", "zip"],
    ["d", "tar.gz"],
  ]);
});

test("two submissions with the same id are told apart", () => {
  const a = writeFiles(path.join(work, "x1", "sam"), three(""));
  const b = writeFiles(path.join(work, "x2", "sam"), three(""));
  expect(discoverSubmissions([a, b], STUDENT_FILES).map((s) => s.id)).toEqual(["sam", "sam-2"]);
});

test("a path that does not exist is named in the error", () => {
  expect(() => discoverSubmissions([path.join(work, "nope")], STUDENT_FILES)).toThrow(
    `Cannot read submission "${path.join(work, "nope")}": no such file or folder`,
  );
});

test("each student file is taken from the entry ending with most of its path, the others are ignored", async () => {
  const dir = writeFiles(path.join(work, "many"), {
    ...three("project/"),
    "old/cow.ts": "// old",
    "project/tests/partA.test.ts": "// the student's own tests are never used",
  });
  const intake = await readSubmission({ id: "many", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.files.map((f) => [f.path, f.foundAt])).toEqual(STUDENT_FILES.map((f) => [f, `project/${f}`]));
  expect(intake.notes).toEqual([
    'Found 2 files named cow.ts: graded "project/src/kernel/cow.ts", ignored "old/cow.ts".',
  ]);
});

test("a zip with a top-level folder and a .tar.gz give the same files", async () => {
  const zip = new yazl.ZipFile();
  for (const f of STUDENT_FILES) zip.addBuffer(Buffer.from(`// ${f}\n`), `lab/${f}`);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path.join(work, "z.zip")));
  writeFiles(path.join(work, "t", "lab"), three(""));
  await tar.c({ gzip: true, file: path.join(work, "t.tar.gz"), cwd: path.join(work, "t") }, ["lab"]);
  const z = await readSubmission({ id: "z", path: path.join(work, "z.zip"), kind: "zip" }, STUDENT_FILES);
  const t = await readSubmission({ id: "t", path: path.join(work, "t.tar.gz"), kind: "tar.gz" }, STUDENT_FILES);
  expect(z.files.map((f) => f.text)).toEqual(STUDENT_FILES.map((f) => `// ${f}\n`));
  expect(t.files).toEqual(z.files);
  expect(z.missing).toEqual([]);
});

test("a damaged archive gives a result that names it", async () => {
  writeFileSync(path.join(work, "bad.zip"), "this is not a zip");
  const intake = await readSubmission({ id: "bad", path: path.join(work, "bad.zip"), kind: "zip" }, STUDENT_FILES);
  expect(intake.error).toMatch(/^Cannot read submission "bad\.zip": not a readable zip file \(/);
  expect(intake.missing).toEqual(STUDENT_FILES);
});

test("a student file that is not UTF-8 text is reported and counts as missing", async () => {
  const dir = writeFiles(path.join(work, "latin1"), three(""));
  writeFileSync(path.join(dir, "src/kernel/cow.ts"), Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]));
  const intake = await readSubmission({ id: "latin1", path: dir, kind: "folder" }, STUDENT_FILES);
  expect(intake.missing).toEqual(["src/kernel/cow.ts"]);
  expect(intake.notes).toEqual([
    '"src/kernel/cow.ts" is not UTF-8 text, so it could not be graded; save it as UTF-8 and submit again.',
  ]);
});
