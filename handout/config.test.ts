// The course config: defaults, a full file, and every way a file can be
// wrong, each refused with the file's name and the field.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_COURSE, loadCourseConfig, parseCourseConfig } from "./config";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "oslab-course-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

test("a config with every field gives those values, trimmed", () => {
  const f = file(
    "full.json",
    JSON.stringify({
      course: " CS 202 ",
      term: "Spring 2031",
      due: "14 March, 23:59",
      submission: "Use `submit cow`.",
    }),
  );
  expect(loadCourseConfig(f)).toEqual({
    course: "CS 202",
    term: "Spring 2031",
    due: "14 March, 23:59",
    submission: "Use `submit cow`.",
  });
});

test("a field left out takes its default, and an empty object gives the defaults", () => {
  expect(parseCourseConfig({}, "c.json")).toEqual(DEFAULT_COURSE);
  expect(parseCourseConfig({ due: "Friday" }, "c.json")).toEqual({ ...DEFAULT_COURSE, due: "Friday" });
  expect(DEFAULT_COURSE.course).toBe("Operating Systems");
});

test("the term may be empty (a course without terms); other fields may not", () => {
  expect(parseCourseConfig({ term: "" }, "c.json").term).toBe("");
  expect(() => parseCourseConfig({ due: "  " }, "c.json")).toThrow(
    'Cannot read course config "c.json": due must not be empty (leave it out for the default)',
  );
});

test("a field of the wrong type is refused, naming the file, the field and the value", () => {
  const f = file("type.json", JSON.stringify({ course: "CS 202", due: 20310314 }));
  expect(() => loadCourseConfig(f)).toThrow(`Cannot read course config "${f}": due must be a string, not 20310314`);
});

test("an unknown field is refused, naming it and the fields there are", () => {
  expect(() => parseCourseConfig({ dew: "Friday" }, "c.json")).toThrow(
    'Cannot read course config "c.json": unknown field "dew" (the fields are "course", "term", "due", "submission")',
  );
});

test("a file that is not a JSON object is refused", () => {
  expect(() => loadCourseConfig(file("bad.json", "{ course: CS 202 }"))).toThrow(
    /^Cannot read course config ".*bad\.json": not valid JSON \(/,
  );
  expect(() => parseCourseConfig(["CS 202"], "c.json")).toThrow(
    'Cannot read course config "c.json": the file must hold a JSON object',
  );
  expect(() => parseCourseConfig(null, "c.json")).toThrow(
    'Cannot read course config "c.json": the file must hold a JSON object',
  );
});

test("a missing file is refused with its name", () => {
  const f = path.join(dir, "nowhere.json");
  expect(() => loadCourseConfig(f)).toThrow(`Cannot read course config "${f}": no such file`);
});

test("the example config in handout/course.example.json is valid", () => {
  const example = loadCourseConfig(path.join(__dirname, "course.example.json"));
  expect(example.course).toBe("CS 202: Operating Systems");
  expect(example.submission).toContain("Gradescope");
});
