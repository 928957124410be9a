import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readSubmissionHistory, submissionHistory } from "./_submission-metadata";
import { releaseHints } from "./_tokens";
import { scratch } from "./test-support/fixtures";

const dir = scratch("metadata");

/** A made-up submission_metadata.json in Gradescope's documented shape. */
function metadata(createdAt: string, previous: { time: string; results: unknown }[]): Record<string, unknown> {
  return {
    id: 123456,
    created_at: createdAt,
    assignment: { due_date: "2026-12-10T23:00:00.000000-08:00", id: 25828, title: "Copy-on-write fork()" },
    submission_method: "upload",
    users: [{ email: "student@example.edu", id: 1234, name: "Student User" }],
    previous_submissions: previous.map((p) => ({ submission_time: p.time, score: 40.0, results: p.results })),
  };
}

const shown = { score: 40, extra_data: { status: "graded", hintsShown: true } };
const failed = { score: 0, extra_data: { status: "grader-error", hintsShown: false } };

function write(name: string, value: unknown): string {
  const file = path.join(dir, name, "submission_metadata.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

test("reads this submission's time and what each earlier one's results say", () => {
  const file = write(
    "read",
    metadata("2026-12-02T12:00:00.365935-08:00", [
      { time: "2026-12-02T09:00:00.087023-08:00", results: shown },
      { time: "2026-12-02T10:00:00.087023-08:00", results: failed },
    ]),
  );
  expect(readSubmissionHistory(file)).toEqual({
    at: Date.parse("2026-12-02T20:00:00.365Z"),
    zone: "-08:00",
    previous: [
      { at: Date.parse("2026-12-02T17:00:00.087Z"), record: "shown" },
      { at: Date.parse("2026-12-02T18:00:00.087Z"), record: "grader-failure" },
    ],
  });
});

test("tokens used up, a run the grader failed not counted, and the same answer on a later regrade", () => {
  const rule = { tokens: 2, hours: 24 };
  const earlier = [
    { time: "2026-12-01T20:00:00.000000-08:00", results: shown },
    { time: "2026-12-02T08:00:00.000000-08:00", results: failed },
    { time: "2026-12-02T09:00:00.000000-08:00", results: shown },
  ];
  const now = "2026-12-02T12:00:00.000000-08:00";
  const usedUp = readSubmissionHistory(write("used-up", metadata(now, earlier)))!;
  const held = releaseHints(rule, usedUp, true);
  // the grader's failure at 08:00 cost nothing: the token of 20:00 yesterday comes back first
  expect(held).toEqual({ kind: "held", rule, back: Date.parse("2026-12-02T20:00:00.000-08:00") });
  // without the failed run marked, it would not change the answer; with one token fewer spent, hints show
  const oneSpent = readSubmissionHistory(write("one-spent", metadata(now, earlier.slice(1))))!;
  expect(releaseHints(rule, oneSpent, true)).toMatchObject({ kind: "released", left: 0 });
  // the same submission regraded next week: its history now lists the newer submissions, and itself
  const later = [
    ...earlier,
    { time: now, results: shown },
    { time: "2026-12-05T10:00:00.000000-08:00", results: shown },
  ];
  const regraded = readSubmissionHistory(write("regraded", metadata(now, later)))!;
  expect(releaseHints(rule, regraded, true)).toEqual(held);
});

test("no metadata file: graded outside Gradescope", () => {
  expect(readSubmissionHistory(path.join(dir, "none", "submission_metadata.json"))).toBeNull();
});

test("a file that is not what Gradescope documents is refused, naming the file and the place", () => {
  const bad = write("bad", metadata("yesterday", [{ time: "2026-12-02T09:00:00-08:00", results: shown }]));
  expect(() => readSubmissionHistory(bad)).toThrow(
    `Cannot read Gradescope's metadata "${bad}": created_at must be a time such as 2018-07-01T14:22:32.365935-07:00, not "yesterday"`,
  );
  const list = write("list", { created_at: "2026-12-02T09:00:00Z", previous_submissions: [{ score: 1 }] });
  expect(() => readSubmissionHistory(list)).toThrow("previous_submissions[0].submission_time is missing");
  const broken = write("broken", "{ not json");
  expect(() => readSubmissionHistory(broken)).toThrow(`Cannot read Gradescope's metadata "${broken}": `);
});

test("the documented keys beyond the two read are passed over; previous_submissions may be absent", () => {
  expect(submissionHistory({ created_at: "2026-12-02T09:00:00Z", extra: { any: 1 } }, "m.json")).toEqual({
    at: Date.parse("2026-12-02T09:00:00Z"),
    zone: "Z",
    previous: [],
  });
});
