// The Gradescope autograder, end to end: build the zip, unpack it into a
// folder laid out like /autograder, and run run_autograder on a submission.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import yauzl from "yauzl";
import { buildAutograder } from "./gradescope";
import { GradescopeResults } from "./results";
import { ROOT, labUnderTest, readJson, scratch, solutionSubmission, starterSubmission } from "./test-support/fixtures";

jest.setTimeout(180_000);

const work = scratch("gradescope");
const zipFile = path.join(work, "autograder.zip");
const lab = labUnderTest();
let names: string[];

function unzip(file: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on("end", resolve);
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            const target = path.join(dest, entry.fileName);
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, Buffer.concat(chunks), { mode: (entry.externalFileAttributes >>> 16) & 0o777 });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** A folder laid out like /autograder, holding the unpacked zip and `submission`. */
async function autograderRoot(name: string, submission: (dir: string) => void): Promise<string> {
  const root = path.join(work, name);
  await unzip(zipFile, path.join(root, "source"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "source", "node_modules"));
  submission(path.join(root, "submission"));
  return root;
}

function runAutograder(root: string): GradescopeResults {
  execFileSync("bash", [path.join(root, "source", "run_autograder")], {
    env: { ...process.env, OSLAB_AUTOGRADER_ROOT: root },
    stdio: "pipe",
  });
  return readJson<GradescopeResults>(path.join(root, "results", "results.json"));
}

beforeAll(async () => {
  names = await buildAutograder({ lab: "cow", labDir: lab.labDir, out: zipFile });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test("the zip has setup.sh and run_autograder at its root, and no solution code", () => {
  expect(names).toEqual(expect.arrayContaining(["setup.sh", "run_autograder", "package.json", "baseline.json"]));
  expect(names.filter((n) => n.startsWith("kit/src/kernel/"))).toContain("kit/src/kernel/cow.ts");
  expect(names.some((n) => n.includes("solution"))).toBe(false);
});

test("run_autograder gives the reference full marks in /autograder/results/results.json", async () => {
  const root = await autograderRoot("reference", (dir) => solutionSubmission(dir));
  const r = runAutograder(root);
  expect(r.tests.length).toBeGreaterThan(0);
  expect(r.tests.filter((t) => t.status !== "passed")).toEqual([]);
  expect(r.score).toBe(r.tests.reduce((s, t) => s + t.max_score, 0));
});

test("run_autograder gives the starter 0 on every test", async () => {
  const root = await autograderRoot("starter", (dir) => starterSubmission(dir));
  const r = runAutograder(root);
  expect(r.tests.length).toBeGreaterThan(0); // graded, not the autograder's own failure
  expect(r.score).toBe(0);
  expect(readFileSync(path.join(root, "source", "kit", "src", "kernel", "cow.ts"), "utf8")).toContain("NotImplemented");
});
