// Discovery: which paths are submissions, whose, and what became of every
// entry of a class folder, as an instructor meets them.

import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DiscoverOptions, discoverSubmissions, isOneSubmission } from "./discover";
import { entryText } from "./entries";
import { readSubmission } from "./intake";
import { SubmissionSource } from "./model";
import { awkwardClass, awkwardEntries } from "./test-support/awkward";
import { STUDENT_FILES, scratch, writeFiles } from "./test-support/fixtures";
import {
  canvasDownload,
  gradescopeExport,
  gradescopeExportZip,
  moodleDownload,
  moodleFlatDownload,
  zipOfZips,
} from "./test-support/lms";

const work = scratch("discover");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const three = (prefix: string): Record<string, string> =>
  Object.fromEntries(STUDENT_FILES.map((f) => [`${prefix}${f}`, `// ${prefix}${f}\n`]));

const discover = (paths: string[], options: DiscoverOptions = {}) => discoverSubmissions(paths, STUDENT_FILES, options);

/** Each source's id and the student its files name (the fixtures write "// <student>: <file>"). */
async function whose(sources: readonly SubmissionSource[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const s of sources) {
    const intake = await readSubmission(s, STUDENT_FILES);
    const students = new Set(intake.files.map((f) => /^\/\/ (.+): /.exec(f.text)?.[1] ?? "?"));
    out.push([s.id, [...students].join(" ")]);
  }
  return out;
}

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
  expect(isOneSubmission(writeFiles(path.join(work, "rars"), { "a.rar": "x" }), STUDENT_FILES)).toBe(false);
});

describe("a class folder with every awkward entry", () => {
  const klass = path.join(work, "class");
  beforeAll(() => awkwardClass(klass));

  test("has each entry accounted for, in name order: graded under its id, or not graded and why", async () => {
    const found = await discover([klass], { onDuplicate: "folder" });
    expect(found.entries.map((e) => entryText(e))).toEqual(awkwardEntries(klass).map(([e, o]) => `${e}: ${o}`));
    expect(found.sources.map((s) => s.id)).toEqual(["alice", "bob", "frank", "grace", "heidi"]);
  });

  test("reads the zip one folder down, and the one mostly node_modules/ with a warning", async () => {
    const { sources } = await discover([klass], { onDuplicate: "folder" });
    const read = (id: string) =>
      readSubmission(
        sources.find((s) => s.id === id)!,
        STUDENT_FILES,
      );
    const grace = await read("grace");
    expect(grace.files.map((f) => f.foundAt)).toEqual(STUDENT_FILES.map((f) => `handin/grace-lab3.zip/lab3/${f}`));
    const heidi = await read("heidi");
    expect(heidi.files).toHaveLength(3);
    expect(heidi.notes).toEqual([
      expect.stringMatching(
        /^"heidi\.zip" is 21(\.\d)? MiB, more than the 20 MiB a submission may be, because of node_modules\/ \(21 MiB\), which the grader never reads/,
      ),
    ]);
  });

  test("stops on the same id given twice, naming both entries, unless --on-duplicate says which", async () => {
    await expect(discover([klass])).rejects.toThrow(
      `Cannot grade: "${klass}/frank" and "${klass}/frank.zip" both give the id "frank"; remove all but one, ` +
        "or say which to grade with --on-duplicate (newest, folder, archive or both)",
    );
    const frank = async (rule: DiscoverOptions["onDuplicate"]) => {
      const found = await discover([klass], { onDuplicate: rule! });
      return found.sources.filter((s) => s.id.startsWith("frank")).map((s) => [s.id, path.basename(s.path)]);
    };
    expect(await frank("archive")).toEqual([["frank", "frank.zip"]]);
    expect(await frank("folder")).toEqual([["frank", "frank"]]);
    const touch = (when: number) => {
      const kernel = path.join(klass, "frank", "src", "kernel");
      for (const f of readdirSync(kernel)) utimesSync(path.join(kernel, f), when, when);
      utimesSync(path.join(klass, "frank.zip"), when + 60, when + 60);
    };
    touch(1_600_000_000);
    expect(await frank("newest")).toEqual([["frank", "frank.zip"]]);
    utimesSync(path.join(klass, "frank.zip"), 1_500_000_000, 1_500_000_000);
    expect(await frank("newest")).toEqual([["frank", "frank"]]);
    expect(await frank("both")).toEqual([
      ["frank", "frank"],
      ["frank-2", "frank.zip"],
    ]);
    const both = await discover([klass], { onDuplicate: "both" });
    expect(entryText(both.entries.find((e) => e.entry.endsWith("frank.zip"))!)).toBe(
      `${klass}/frank.zip: graded as frank-2; another entry is graded as frank (--on-duplicate both)`,
    );
  });
});

test("an empty class folder, or one with nothing to grade, is an error that says what it holds", async () => {
  const empty = path.join(work, "empty-class");
  mkdirSync(empty);
  await expect(discover([empty])).rejects.toThrow(`Cannot grade "${empty}": the folder is empty`);
  writeFileSync(path.join(empty, ".DS_Store"), "x");
  await expect(discover([empty])).rejects.toThrow(
    `Cannot grade "${empty}": the folder is empty (it holds hidden entries only)`,
  );
  const nothing = writeFiles(path.join(work, "nothing"), { "a.rar": "x", "b/.keep": "" });
  await expect(discover([nothing])).rejects.toThrow(
    [
      `Cannot grade "${nothing}": no submission in it:`,
      `  ${nothing}/a.rar: not graded: a .rar archive, which the grader cannot read (it reads folders, .zip, .tar.gz and .tgz)`,
      `  ${nothing}/b: not graded: it is empty (there is nothing in it to grade)`,
    ].join("\n"),
  );
});

test("a path that does not exist is named in the error", async () => {
  await expect(discover([path.join(work, "nope")])).rejects.toThrow(
    `Cannot read submission "${path.join(work, "nope")}": no such file or folder`,
  );
});

describe("an LMS's bulk download, as it comes, grades each student under their own id", () => {
  test("Gradescope's export: ids from submission_metadata.yml, its folder given or the one around it", async () => {
    const { root, ids } = gradescopeExport(path.join(work, "gradescope"));
    for (const given of [root, path.dirname(root)]) {
      const found = await discover([given]);
      expect(await whose(found.sources)).toEqual([
        [ids[1], "pair"],
        [ids[0], "jane"],
        [ids[2], "nosid"],
      ]);
      expect(found.warnings).toEqual([]);
      expect(found.entries.map((e) => entryText(e))).toEqual([
        `${root}/submission_1001: graded as 3034567 (Jane Doe, as Gradescope names them)`,
        `${root}/submission_1002: graded as 3031111+3032222 (Pat O'Brien, José Martín, as Gradescope names them)`,
        `${root}/submission_1003: graded as ana.lee (Ana Lee, as Gradescope names them)`,
        `${root}/submission_metadata.yml: not graded: Gradescope's list of who handed in each folder, read for the students' names`,
      ]);
    }
  });

  test("Gradescope's folders and its metadata that disagree are told", async () => {
    const { root } = gradescopeExport(path.join(work, "gradescope-disagree"));
    rmSync(path.join(root, "submission_1002"), { recursive: true });
    writeFiles(path.join(root, "submission_1004"), three(""));
    const found = await discover([root]);
    expect(found.warnings).toEqual([
      `Gradescope's submission_metadata.yml does not name "submission_1004": it is graded as "submission_1004".`,
      `Gradescope's submission_metadata.yml names "submission_1002", which is not here: it is not graded.`,
    ]);
    expect(found.sources.map((s) => s.id)).toEqual(["3034567", "ana.lee", "submission_1004"]);
  });

  test("Gradescope's export still zipped", async () => {
    const file = path.join(work, "gradescope-export.zip");
    const { ids } = gradescopeExportZip(file);
    const found = await discover([file]);
    expect(await whose(found.sources)).toEqual([
      [ids[1], "pair"],
      [ids[0], "jane"],
      [ids[2], "nosid"],
    ]);
  });

  test("Canvas's flat files, grouped by student; a late one named so; a .rar not graded", async () => {
    const dir = path.join(work, "canvas");
    const { ids } = canvasDownload(dir);
    const found = await discover([dir]);
    expect(await whose(found.sources)).toEqual([
      [ids[0], "jane"],
      [ids[1], "john"],
    ]);
    const john = await readSubmission(found.sources[1]!, STUDENT_FILES);
    expect(john.files.map((f) => f.foundAt)).toEqual(["uvmcopy.ts", "cow.ts", "uvmfree.ts"]);
    expect(found.entries.map((e) => entryText(e))).toEqual([
      `${dir}/doejane_1234_567890_cow-lab.zip: graded as doejane_1234 (doejane, as Canvas names them)`,
      `${dir}/roejohn_LATE_2345_678901_cow-1.ts: graded as roejohn_2345 (roejohn, late, as Canvas names them)`,
      `${dir}/roejohn_LATE_2345_678901_uvmcopy.ts: graded as roejohn_2345 (roejohn, late, as Canvas names them)`,
      `${dir}/roejohn_LATE_2345_678901_uvmfree.ts: graded as roejohn_2345 (roejohn, late, as Canvas names them)`,
      `${dir}/smithbob_3456_789012_lab.rar: not graded: a .rar archive, which the grader cannot read (it reads folders, .zip, .tar.gz and .tgz)`,
    ]);
  });

  test("Canvas: the last of a file handed in again, and the newest submission id, are graded; the rest told", async () => {
    const dir = path.join(work, "canvas-again");
    const flat = (student: string, prefix: string, names: readonly string[]): Record<string, string> =>
      Object.fromEntries(names.map((n) => [`${prefix}${n}`, `// ${student}: ${n}\n`]));
    writeFiles(dir, {
      ...flat("old", "kimmy_777_888_", ["cow.ts"]),
      ...flat("kimmy", "kimmy_777_888_", ["cow-1.ts", "uvmcopy.ts", "uvmfree.ts"]),
      ...flat("old", "twiceted_90123_11111_", ["cow.ts", "uvmcopy.ts", "uvmfree.ts"]),
      ...flat("ted", "twiceted_90123_22222_", ["cow.ts", "uvmcopy.ts", "uvmfree.ts"]),
    });
    const found = await discover([dir]);
    expect(await whose(found.sources)).toEqual([
      ["kimmy_777", "kimmy"],
      ["twiceted_90123", "ted"],
    ]);
    const kimmy = await readSubmission(found.sources[0]!, STUDENT_FILES);
    expect(kimmy.notes).toEqual([
      '"kimmy_777_888_cow.ts" was not graded: you handed this file in again, and the last one, "kimmy_777_888_cow-1.ts", was graded instead.',
    ]);
    const ted = await readSubmission(found.sources[1]!, STUDENT_FILES);
    expect(ted.notes).toEqual(
      ["cow.ts", "uvmcopy.ts", "uvmfree.ts"].map(
        (f) =>
          `"twiceted_90123_11111_${f}" was not graded: it is from an earlier submission of yours; your latest, with "twiceted_90123_22222_${f}", was graded instead.`,
      ),
    );
    const text = found.entries.map((e) => entryText(e));
    expect(text).toContain(
      `${dir}/kimmy_777_888_cow.ts: not graded: the student handed this file in again (Canvas adds -1, -2, ... to a file handed in again; the highest is the last): "kimmy_777_888_cow-1.ts" is graded instead`,
    );
    expect(text).toContain(`${dir}/kimmy_777_888_cow-1.ts: graded as kimmy_777 (kimmy, as Canvas names them)`);
    expect(text).toContain(
      `${dir}/twiceted_90123_11111_cow.ts: not graded: the student made a later submission (a higher submission id in Canvas's file names): "twiceted_90123_22222_cow.ts" is graded instead`,
    );
    expect(found.warnings).toEqual([
      `Canvas's download holds 2 submissions of twiceted (ids 11111, 22222): graded the newest, 22222 (a higher id is later); not graded: "twiceted_90123_11111_cow.ts", "twiceted_90123_11111_uvmcopy.ts", "twiceted_90123_11111_uvmfree.ts".`,
    ]);
  });

  test("Moodle's folders per participant, and its flat files", async () => {
    const dir = path.join(work, "moodle");
    const { ids } = moodleDownload(dir);
    const found = await discover([dir]);
    expect(await whose(found.sources)).toEqual([
      [ids[0], "jane"],
      [ids[1], "john"],
    ]);
    expect(found.entries.map((e) => e.status === "graded" && e.id)).toEqual([ids[0], ids[1], ids[1]]);
    const flat = path.join(work, "moodle-flat");
    const f = moodleFlatDownload(flat);
    expect(await whose((await discover([flat])).sources)).toEqual([
      [f.ids[0], "ann"],
      [f.ids[1], "ben"],
    ]);
  });

  test("a zip of per-student zips", async () => {
    const file = path.join(work, "submissions.zip");
    const { ids } = zipOfZips(file);
    const found = await discover([file]);
    expect(await whose(found.sources)).toEqual(ids.map((id) => [id, id]));
    expect(found.entries.map((e) => entryText(e))).toEqual([
      `${file}/__MACOSX: not graded: macOS's resource folder, not a submission`,
      `${file}/submissions/alice.zip: graded as alice`,
      `${file}/submissions/bob.zip: graded as bob`,
      `${file}/submissions/carol.tgz: graded as carol`,
    ]);
  });
});
