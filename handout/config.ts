// The course's own details for a handout (--config course.json): the
// course's name, the term, the due date and how to hand the work in.
// Every field is optional; what is missing takes a default that reads well
// in any course. A wrong file is refused with its name and the field.

import { readFileSync } from "node:fs";

export interface CourseConfig {
  /** The course, as it appears on the title, e.g. "CS 202: Operating Systems". */
  readonly course: string;
  /** The term, e.g. "Spring 2026". */
  readonly term: string;
  /** The due date and time, as the course writes it, e.g. "Friday 13 March, 23:59". */
  readonly due: string;
  /** How to hand in, in Markdown (links and `code` work). */
  readonly submission: string;
}

/** What a handout says when the course gives no config. */
export const DEFAULT_COURSE: CourseConfig = {
  course: "Operating Systems",
  term: "",
  due: "the date your course announces",
  submission:
    "Hand in the three files you changed, as your course staff tell you (a zip or tar.gz of your project works too: " +
    "the grader takes only those three files from it).",
};

const FIELDS = Object.keys(DEFAULT_COURSE) as (keyof CourseConfig)[];

/** Reads a course config file; throws a message naming the file and the field when it is wrong. */
export function loadCourseConfig(file: string): CourseConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `Cannot read course config "${file}": ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot read course config "${file}": not valid JSON (${(e as Error).message})`);
  }
  return parseCourseConfig(raw, file);
}

/** Checks a course config's JSON (`file` names it in messages) and fills in the defaults. */
export function parseCourseConfig(raw: unknown, file: string): CourseConfig {
  const fail = (what: string): never => {
    throw new Error(`Cannot read course config "${file}": ${what}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("the file must hold a JSON object");
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as string[]).includes(key)) {
      fail(`unknown field "${key}" (the fields are ${FIELDS.map((f) => `"${f}"`).join(", ")})`);
    }
  }
  const config: Record<string, string> = { ...DEFAULT_COURSE };
  for (const field of FIELDS) {
    const v = obj[field];
    if (v === undefined) continue;
    if (typeof v !== "string") fail(`${field} must be a string, not ${JSON.stringify(v)}`);
    const s = (v as string).trim();
    if (s === "" && field !== "term") fail(`${field} must not be empty (leave it out for the default)`);
    config[field] = s;
  }
  return config as unknown as CourseConfig;
}
