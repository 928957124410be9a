// What Gradescope's autograder tells about the submission being graded:
// /autograder/submission_metadata.json (not the export's
// submission_metadata.yml, which _gradescope-metadata.ts reads). Of it the
// kit reads only what release tokens need, per Gradescope's documentation:
//
//   { "created_at": "2018-07-01T14:22:32.365935-07:00",   // this submission's time
//     "previous_submissions": [
//       { "submission_time": "2017-04-06T14:24:48.087023-07:00",
//         "score": 0.0,
//         "results": { ... } } ],                           // its results.json
//     ... }
//
// Other keys are passed over; the two read are checked, and a mistake names
// the file and the place.

import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseJsonText } from "./_json";
import { describeProblems, fileError, jsonSchemaOf, problemsOf } from "./_schema-issues";
import { SubmissionHistory, pastRecordOf } from "./_tokens";

// An ISO 8601 time with its offset, as Gradescope writes them.
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const time = z.string({ error: "must be a time such as 2018-07-01T14:22:32.365935-07:00" }).regex(TIME, {
  error: (iss) => `must be a time such as 2018-07-01T14:22:32.365935-07:00, not ${JSON.stringify(iss.input)}`,
});

const METADATA = z.looseObject(
  {
    created_at: time,
    previous_submissions: z
      .array(z.looseObject({ submission_time: time, results: z.unknown() }, { error: "must be an object" }), {
        error: "must be a list",
      })
      .default([]),
  },
  { error: "must be an object" },
);

/** This submission's history from the metadata file; null when there is no such file (graded outside Gradescope). */
export function readSubmissionHistory(file: string): SubmissionHistory | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`Cannot read Gradescope's metadata "${file}": ${(e as Error).message}`);
  }
  const json = parseJsonText(text);
  if (!json.ok) throw new Error(`Cannot read Gradescope's metadata "${file}": ${json.message}`);
  return submissionHistory(json.value, file);
}

/** The history in a metadata file's JSON value; `file` names it in messages. */
export function submissionHistory(value: unknown, file: string): SubmissionHistory {
  const parsed = METADATA.safeParse(value, { reportInput: true });
  if (!parsed.success)
    throw fileError(
      `Cannot read Gradescope's metadata "${file}"`,
      describeProblems(problemsOf(parsed.error.issues), value, jsonSchemaOf(METADATA)),
    );
  const m = parsed.data;
  return {
    at: Date.parse(m.created_at),
    zone: TIME.exec(m.created_at)![2]!,
    previous: m.previous_submissions.map((p) => ({
      at: Date.parse(p.submission_time),
      record: pastRecordOf(p.results),
    })),
  };
}
