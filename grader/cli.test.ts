// `oslab grade`: exit 0 when the batch completed, whatever the scores; 2,
// with a message naming the input, when the instructor's input is wrong.

import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { gradeCommand } from "./cli";
import { FIXTURE_LAB, scratch, starterSubmission } from "./test-support/fixtures";

jest.setTimeout(120_000);

const work = scratch("cli");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const args = (paths: string[], out: string) => ({ paths, lab: "cow", out, jobs: 2, seed: 1, labDir: FIXTURE_LAB });

test("a batch whose student scores 0 still exits 0 and writes the class files", async () => {
  const lines: string[] = [];
  const out = path.join(work, "out");
  const status = await gradeCommand(args([starterSubmission(path.join(work, "zed"))], out), (s) => lines.push(s));
  expect(status).toBe(0);
  expect(
    ["summary.json", "grades.csv", "summary.html", "zed/results.json"].filter((f) => !existsSync(path.join(out, f))),
  ).toEqual([]);
  expect(lines.at(-1)).toMatch(/^oslab grade: graded 1 submission\(s\) of lab cow in [\d.]+ s into /);
});

test("a path that does not exist exits 2 naming it", async () => {
  const lines: string[] = [];
  const missing = path.join(work, "nobody.zip");
  expect(await gradeCommand(args([missing], path.join(work, "out2")), (s) => lines.push(s))).toBe(2);
  expect(lines).toEqual([`oslab grade: Cannot read submission "${missing}": no such file or folder\n`]);
});
