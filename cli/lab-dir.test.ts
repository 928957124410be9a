// A lab folder anywhere, as an instructor meets it: labs/cow copied to a
// folder "mylab" elsewhere, its points and a hint changed, gets a grade and a
// handout that show the change (--lab-dir); the same copy with a typo'd
// rubric stops every command before anything is graded or written.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gradeCommand } from "../grader/cli";
import { handoutCommand } from "../handout/handout";
import { repoRoot } from "../labs/lab";
import { runCommand } from "../solution/src/cli/run";
import { starterSubmission } from "../grader/test-support/fixtures";
import { inLab } from "./scenario-commands";

jest.setTimeout(300_000);

const COW = path.join(repoRoot(), "labs", "cow");
const tmp = mkdtempSync(path.join(os.tmpdir(), "oslab-lab-dir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HINT = "Changed in mylab: map each of the parent's frames in the child.";

type Item = Record<string, unknown>;
type RawRubric = { tests: Item[]; thresholds: Item[] };

/** The item of the rubric's `list` whose id is `id`. */
const item = (r: RawRubric, list: "tests" | "thresholds", id: string): Item => r[list].find((t) => t.id === id)!;

/** labs/cow copied to `<tmp>/<where>/mylab`, its rubric changed by `change`. */
function copyOfCow(where: string, change: (rubric: RawRubric) => void): string {
  const dir = path.join(tmp, where, "mylab");
  cpSync(COW, dir, { recursive: true });
  const rubric = JSON.parse(readFileSync(path.join(dir, "rubric.json"), "utf8"));
  change(rubric);
  writeFileSync(path.join(dir, "rubric.json"), JSON.stringify(rubric, null, 2));
  return dir;
}

describe("a copy of labs/cow elsewhere, with A1 worth 9 points and a new hint", () => {
  const mylab = copyOfCow("changed", (r) => {
    item(r, "tests", "A1").points = 9;
    item(r, "tests", "A1").hint = HINT;
  });
  const kitPoints = item(JSON.parse(readFileSync(path.join(COW, "rubric.json"), "utf8")), "tests", "A1").points;

  test("oslab grade --lab-dir grades with its points and shows its hint", async () => {
    const out = path.join(tmp, "graded");
    const lines: string[] = [];
    const status = await gradeCommand(
      { paths: [starterSubmission(path.join(tmp, "alice"))], lab: "cow", labDir: mylab, out, jobs: 1, seed: 1 },
      (s) => lines.push(s),
    );
    expect({ status, lines }).toMatchObject({ status: 0 }); // the lines tell why when it is not
    const results = JSON.parse(readFileSync(path.join(out, "alice", "results.json"), "utf8"));
    const a1 = results.tests.find((t: { name: string }) => t.name.startsWith("A1 "));
    expect(a1).toMatchObject({ score: 0, max_score: 9 });
    expect(kitPoints).not.toBe(9);
    expect(JSON.stringify(results)).toContain(HINT);
  });

  test("oslab handout --lab-dir shows its points in the handout's tables", async () => {
    const out = path.join(tmp, "handout");
    const said: string[] = [];
    expect(await handoutCommand({ labDir: mylab, out, pdf: false, answers: false }, { out: (s) => said.push(s) })).toBe(
      0,
    );
    expect(said).toEqual([`wrote ${path.join(out, "cow.html")}`]);
    const html = readFileSync(path.join(out, "cow.html"), "utf8");
    expect(html).toMatch(/<td>fork shares every present page with the child<\/td>\s*<td[^>]*>9<\/td>/);
  });

  test("oslab run and trace --lab-dir read the scenario from the lab folder", () => {
    const file = path.join(mylab, "thresholds", "n-sharers.json");
    const scenario = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...scenario, name: "mylab-n-sharers" }));
    const lines: string[] = [];
    expect(
      runCommand({ file: inLab("thresholds/n-sharers.json", mylab), json: false, audit: true }, (s) => lines.push(s)),
    ).toBe(0);
    expect(lines[0]).toMatch(/^mylab-n-sharers: /);
    expect(inLab("/abs/x.json", mylab)).toBe("/abs/x.json");
  });
});

describe("a copy of labs/cow elsewhere whose rubric has typos", () => {
  const mylab = copyOfCow("typos", (r) => {
    const [a7, b1] = [item(r, "tests", "A7"), item(r, "tests", "B1")];
    [a7.visiblity, a7.visibility] = [a7.visibility, undefined];
    [b1.Hint, b1.hint] = [b1.hint, undefined];
    item(r, "thresholds", "T4").figure = "cowCopy";
  });
  const file = path.join(mylab, "rubric.json");
  const MESSAGE =
    `Cannot read rubric "${file}": 3 mistakes:\n` +
    '  tests.A7: unknown key "visiblity" (did you mean "visibility"?)\n' +
    '  tests.B1: unknown key "Hint" (did you mean "hint"?)\n' +
    '  thresholds.T4.figure is no counter of the machine: "cowCopy" (did you mean "cowCopies"?)';

  test("oslab grade stops with every mistake, exit 2, before grading anything", async () => {
    const out = path.join(tmp, "typos-graded");
    const lines: string[] = [];
    const status = await gradeCommand(
      { paths: [starterSubmission(path.join(tmp, "bob"))], lab: "cow", labDir: mylab, out, jobs: 1, seed: 1 },
      (s) => lines.push(s),
    );
    expect({ status, lines }).toEqual({ status: 2, lines: [`oslab grade: ${MESSAGE}\n`] });
    expect(existsSync(path.join(out, "bob"))).toBe(false);
  });

  test("oslab handout stops with the same message, exit 2, writing nothing", async () => {
    const out = path.join(tmp, "typos-handout");
    const err: string[] = [];
    expect(await handoutCommand({ labDir: mylab, out, pdf: false, answers: false }, { err: (s) => err.push(s) })).toBe(
      2,
    );
    expect(err).toEqual([`oslab handout: ${MESSAGE}`]);
    expect(existsSync(out)).toBe(false);
  });
});
