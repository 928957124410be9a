// A class folder holding every awkward entry an instructor meets, written
// when a test runs, with what must become of each entry.

import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { makeZip } from "./archives";
import { writeFiles } from "./fixtures";
import { FilesOf, stubFiles, zipOf } from "./lms";

/** Bytes of node_modules/ in heidi.zip: more than the default 20 MiB a submission may be. */
export const HEIDI_NODE_MODULES = 21 << 20;

/**
 * Writes the class into `dir`: alice/ (a project folder), bob.zip, carol.rar,
 * notes.txt, frank/ and frank.zip (the same id), empty/ (a .DS_Store only),
 * grace/ (a zip one folder down), heidi.zip (mostly node_modules/), a
 * .DS_Store, and link/ (a symbolic link).
 */
export function awkwardClass(dir: string, files: FilesOf = stubFiles): string {
  writeFiles(
    path.join(dir, "alice"),
    Object.fromEntries(Object.entries(files("alice")).map(([f, t]) => [`cow-lab/${f}`, t])),
  );
  writeFileSync(path.join(dir, "bob.zip"), zipOf(files("bob"), "bob-lab/"));
  writeFileSync(path.join(dir, "carol.rar"), "Rar!\x1a\x07\x00 carol's lab");
  writeFileSync(path.join(dir, "notes.txt"), "grace asked for an extension\n");
  writeFiles(path.join(dir, "frank"), files("frank"));
  writeFileSync(path.join(dir, "frank.zip"), zipOf(files("frank (zip)")));
  writeFiles(path.join(dir, "empty"), { ".DS_Store": "\0\0\0\x01Bud1" });
  mkdirSync(path.join(dir, "grace", "handin"), { recursive: true });
  writeFileSync(path.join(dir, "grace", "handin", "grace-lab3.zip"), zipOf(files("grace"), "lab3/"));
  writeFileSync(
    path.join(dir, "heidi.zip"),
    makeZip([
      ...Object.entries(files("heidi")).map(([f, data]) => ({ name: `heidi/${f}`, data })),
      {
        name: "heidi/node_modules/typescript/lib/typescript.js",
        data: randomBytes(HEIDI_NODE_MODULES),
        method: "store",
      },
    ]),
  );
  writeFileSync(path.join(dir, ".DS_Store"), "\0\0\0\x01Bud1");
  symlinkSync("/etc", path.join(dir, "link"));
  return dir;
}

/** What the listing of the class says of each entry, in order, given the class as named ("class"). */
export function awkwardEntries(shown: string): [string, string][] {
  return [
    [".DS_Store", "not graded: a hidden entry (its name starts with a dot)"],
    ["alice", "graded as alice"],
    ["bob.zip", "graded as bob"],
    [
      "carol.rar",
      "not graded: a .rar archive, which the grader cannot read (it reads folders, .zip, .tar.gz and .tgz)",
    ],
    ["empty", "not graded: it is empty (there is nothing in it to grade)"],
    ["frank", "graded as frank"],
    [
      "frank.zip",
      `not graded: another entry gives the same id "frank", and --on-duplicate folder grades "${shown}/frank"`,
    ],
    ["grace", "graded as grace"],
    ["heidi.zip", "graded as heidi"],
    ["link", 'not graded: it is a symbolic link (to "/etc"); links are not followed'],
    ["notes.txt", "not graded: not a submission (a submission is a folder, a .zip, a .tar.gz or a .tgz)"],
  ].map(([name, outcome]) => [`${shown}/${name!}`, outcome!]);
}
