// Small examples of the bulk downloads an instructor gets from an LMS,
// written when a test runs (nothing binary is kept in the repository), each
// as its LMS documents or is seen to lay it out (see grader/_lms.ts):
//
// - Gradescope's "Export Submissions": assignment_<id>_export/ holding a
//   submission_<id>/ folder per submission (the files as uploaded) and
//   submission_metadata.yml naming each folder's submitters, with the
//   results, history and test output the real file also carries;
// - Canvas's "Download Submissions": flat files
//   <lastfirst>_[LATE_]<userid>_<submissionid>_<file>, "-1" before the
//   extension of a file handed in again;
// - Moodle's "Download all submissions" with "in folders":
//   "<Full Name>_<participant>_assignsubmission_file_/" per participant
//   (and _onlinetext_ for the online text), or without, flat files
//   "<Full Name>_<participant>_assignsubmission_file_<file>";
// - a zip of per-student zips.
//
// Each function takes the student files to write for a student (a map from
// the lab's paths to text) and returns what a test should find: each
// student's id and the folder or file written.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeTarGz, makeZip } from "./archives";
import { STUDENT_FILES, writeFiles } from "./fixtures";

/** A student's files: the lab's paths (src/kernel/cow.ts) to their text. */
export type Files = Readonly<Record<string, string>>;

/** Which files each student hands in (by the student's name in the fixture). */
export type FilesOf = (student: string) => Files;

/** Stub student files: a comment naming the student in each. */
export const stubFiles: FilesOf = (student) =>
  Object.fromEntries(STUDENT_FILES.map((f) => [f, `// ${student}: ${f}\n`]));

/** The files of a submission as zip entries under `prefix`. */
export function zipOf(files: Files, prefix = ""): Buffer {
  return makeZip(Object.entries(files).map(([name, data]) => ({ name: `${prefix}${name}`, data })));
}

const base = (f: string): string => f.slice(f.lastIndexOf("/") + 1);

/**
 * Gradescope's export, unzipped into `dir`: three submissions (one of a
 * pair of students, one whose student has no roster id), returned as the
 * ids they are graded under.
 */
export function gradescopeExport(dir: string, files: FilesOf = stubFiles): { root: string; ids: string[] } {
  const root = path.join(dir, "assignment_4242_export");
  writeFiles(path.join(root, "submission_1001"), files("jane"));
  // Gradescope keeps the uploaded files as they were: here, flat
  writeFiles(
    path.join(root, "submission_1002"),
    Object.fromEntries(Object.entries(files("pair")).map(([f, t]) => [base(f), t])),
  );
  writeFiles(path.join(root, "submission_1003"), files("nosid"));
  writeFileSync(path.join(root, "submission_metadata.yml"), GRADESCOPE_METADATA);
  return { root, ids: ["3034567", "3031111+3032222", "ana.lee"] };
}

// As Ruby's YAML writes it, with the details the grader must pass over.
const GRADESCOPE_METADATA = `---
submission_1001:
  :submitters:
  - :name: Jane Doe
    :sid: '3034567'
    :email: jane.doe@example.edu
  :created_at: 2024-03-01 21:14:02.530127000 -08:00
  :score: 96.0
  :status: processed
  :results:
    score: 96.0
    tests:
    - name: "A1 fork shares every frame"
      output: |
        submission_9999:
          :submitters:
          - :name: Not A Student
      score: 2.0
  :history:
  - :created_at: 2024-02-28 10:00:00.000000000 -08:00
    :score: 40.0
    :submitters:
    - :name: Someone Else
      :sid: '999'
submission_1002:
  :submitters: &1
  - :name: "Pat O'Brien"
    :sid: '3031111'
    :email: pat@example.edu
  - :name: "Jos\\u00e9 Mart\\u00edn"
    :sid: '3032222'
    :email: jose@example.edu
  :created_at: 2024-03-01 22:01:40.000000000 -08:00
  :score: 80.0
  :status: "processed with a\n    long message that runs on"
submission_1003:
  :submitters:
  - :name: Ana Lee
    :sid:
    :email: ana.lee@example.edu
  :created_at: 2024-03-02 08:30:00.000000000 -08:00
  :score:
`;

/**
 * Canvas's download, unzipped into `dir`: a student who handed in a zip, a
 * late one who handed in the three files (one of them again, so "-1"), and
 * one who handed in a .rar; returned with the ids graded.
 */
export function canvasDownload(dir: string, files: FilesOf = stubFiles): { ids: string[]; notGraded: string[] } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "doejane_1234_567890_cow-lab.zip"), zipOf(files("jane"), "cow-lab/"));
  for (const [f, text] of Object.entries(files("john"))) {
    const name = base(f) === "cow.ts" ? "cow-1.ts" : base(f);
    writeFileSync(path.join(dir, `roejohn_LATE_2345_678901_${name}`), text);
  }
  writeFileSync(path.join(dir, "smithbob_3456_789012_lab.rar"), "Rar!\x1a\x07\x00");
  return { ids: ["doejane_1234", "roejohn_2345"], notGraded: ["smithbob_3456_789012_lab.rar"] };
}

/**
 * Moodle's download in folders, unzipped into `dir`: a participant who
 * handed in a zip, one who handed in a project folder's files and an online
 * text; returned with the ids graded.
 */
export function moodleDownload(dir: string, files: FilesOf = stubFiles): { ids: string[] } {
  const jane = path.join(dir, "Jane Doe_101_assignsubmission_file_");
  mkdirSync(jane, { recursive: true });
  writeFileSync(path.join(jane, "lab3.zip"), zipOf(files("jane"), "lab3/"));
  writeFiles(
    path.join(dir, "John Roe_102_assignsubmission_file_"),
    Object.fromEntries(Object.entries(files("john")).map(([f, t]) => [`cow-lab/${f}`, t])),
  );
  writeFiles(path.join(dir, "John Roe_102_assignsubmission_onlinetext_"), { "onlinetext.html": "<p>done</p>" });
  return { ids: ["Jane_Doe_101", "John_Roe_102"] };
}

/** Moodle's download without folders, into `dir`: each participant's files flat. */
export function moodleFlatDownload(dir: string, files: FilesOf = stubFiles): { ids: string[] } {
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files("ann")))
    writeFileSync(path.join(dir, `Ann Lee_103_assignsubmission_file_${base(f)}`), text);
  writeFileSync(path.join(dir, "Ben Ng_104_assignsubmission_file_lab.zip"), zipOf(files("ben")));
  return { ids: ["Ann_Lee_103", "Ben_Ng_104"] };
}

/** A zip of per-student zips (and a .tar.gz), as `file`; returned with the ids graded. */
export function zipOfZips(file: string, files: FilesOf = stubFiles): { ids: string[] } {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    makeZip([
      { name: "submissions/alice.zip", data: zipOf(files("alice"), "alice-lab/") },
      { name: "submissions/bob.zip", data: zipOf(files("bob")) },
      {
        name: "submissions/carol.tgz",
        data: makeTarGz(Object.entries(files("carol")).map(([name, data]) => ({ name, data }))),
      },
      { name: "__MACOSX/submissions/._alice.zip", data: "\0" },
    ]),
  );
  return { ids: ["alice", "bob", "carol"] };
}

/** Gradescope's export as it is downloaded, zipped, as `file`; returned with the ids graded. */
export function gradescopeExportZip(file: string, files: FilesOf = stubFiles): { ids: string[] } {
  const entries = Object.entries(files("jane")).map(([f, data]) => ({
    name: `assignment_4242_export/submission_1001/${f}`,
    data,
  }));
  const pair = Object.entries(files("pair")).map(([f, data]) => ({
    name: `assignment_4242_export/submission_1002/${base(f)}`,
    data,
  }));
  const nosid = Object.entries(files("nosid")).map(([f, data]) => ({
    name: `assignment_4242_export/submission_1003/${f}`,
    data,
  }));
  const metadata = { name: "assignment_4242_export/submission_metadata.yml", data: GRADESCOPE_METADATA };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, makeZip([...entries, ...pair, ...nosid, metadata]));
  return { ids: ["3034567", "3031111+3032222", "ana.lee"] };
}
