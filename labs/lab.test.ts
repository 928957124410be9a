// Reading a lab's definition: the kit's labs/<name>, or a lab's folder
// anywhere (--lab-dir), whose solution and starter are the kit's.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { labOfFolder, loadLab, loadLabDir, repoRoot } from "./lab";

const ROOT = repoRoot();
const COW = path.join(ROOT, "labs", "cow");
const tmp = mkdtempSync(path.join(os.tmpdir(), "oslab-lab-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder `name` in the scratch folder holding lab.json's `text`. */
function labJson(name: string, text: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "lab.json"), text);
  return dir;
}
const cowJson = readFileSync(path.join(COW, "lab.json"), "utf8");

test("labs/cow reads, its solution and starter in the kit", () => {
  expect(loadLab("cow", ROOT)).toMatchObject({
    name: "cow",
    dir: COW,
    solution: path.join(ROOT, "solution"),
    starter: path.join(ROOT, "starter"),
  });
});

test("a copy of labs/cow in a folder of another name anywhere reads, its solution and starter still the kit's", () => {
  const dir = path.join(tmp, "elsewhere", "mylab");
  cpSync(COW, dir, { recursive: true });
  expect(loadLabDir(dir, ROOT)).toEqual({ ...loadLab("cow", ROOT), dir });
});

test("a lab the kit does not have is named, with the labs it has", () => {
  expect(() => loadLab("mylab", ROOT)).toThrow(
    `Cannot read lab "mylab": the kit has no ${path.join(ROOT, "labs", "mylab", "lab.json")} (its labs: cow); ` +
      "for a lab folder elsewhere, give --lab-dir",
  );
});

test("a folder without lab.json (a rubric and suites only) takes the kit's lab its rubric names", () => {
  const dir = path.join(tmp, "rubric-only");
  mkdirSync(dir, { recursive: true });
  expect(labOfFolder(dir, "cow", ROOT)).toEqual(loadLab("cow", ROOT));
});

test.each([
  [cowJson.replace('"title":', '"titel":'), 'unknown key "titel" (did you mean "title"?)'],
  [
    cowJson.replace('"function": "cowfault"', '"func": "cowfault"'),
    'editPoints[1]: unknown key "func" (did you mean "function"?)',
  ],
  [cowJson.replace('"name": "cow",', ""), "name is missing"],
  [
    cowJson.replace('"starter": "starter",', '"starter": "starter",,'),
    'line 5, column 24: expected a key in double quotes ("key")',
  ],
])("a mistake in lab.json is named with its file and place: %#", (text, expected) => {
  const dir = labJson(`bad-${expected.length}`, text);
  expect(() => loadLabDir(dir, ROOT)).toThrow(`Cannot read lab "${path.join(dir, "lab.json")}": ${expected}`);
});
