// Atomic writes: the file appears whole, and no temporary file is left behind.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { tempBeside, writeAtomic } from "./_write";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "oslab-write-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("writeAtomic() writes the file, creating its folder, and leaves nothing else", () => {
  const file = path.join(dir, "out", "cow.html");
  expect(writeAtomic(file, "<p>one</p>")).toBe(file);
  writeAtomic(file, "<p>two</p>");
  expect(readFileSync(file, "utf8")).toBe("<p>two</p>");
  expect(readdirSync(path.join(dir, "out"))).toEqual(["cow.html"]);
});

test("when the file cannot be replaced, writeAtomic() throws and removes its temporary file", () => {
  const file = path.join(dir, "cow.html");
  mkdirSync(path.join(file, "in-the-way"), { recursive: true }); // a non-empty folder where the file should go
  expect(() => writeAtomic(file, "x")).toThrow(/ENOTEMPTY|EISDIR|EEXIST/);
  expect(readdirSync(dir)).toEqual(["cow.html"]);
});

test("temporary names are hidden, beside the file, and never repeat", () => {
  const a = tempBeside("/x/cow.pdf");
  const b = tempBeside("/x/cow.pdf");
  expect(path.dirname(a)).toBe("/x");
  expect(path.basename(a).startsWith(".cow.pdf.")).toBe(true);
  expect(a).not.toBe(b);
});
