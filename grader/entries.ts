// The sentences that tell an instructor what became of each entry of a
// class folder: written once here, for the command's output, summary.html
// and the summary page's view model.

import { ClassEntry, LmsLayout, SkipReason, SupersededWhy } from "./model";

const LMS: Readonly<Record<LmsLayout, string>> = { gradescope: "Gradescope", canvas: "Canvas", moodle: "Moodle" };

/** "class/frank.zip: graded as frank" or "class/notes.txt: not graded: ...". */
export function entryText(e: ClassEntry): string {
  return `${e.entry}: ${entryOutcome(e)}`;
}

/** What became of an entry, without its name: "graded as frank", "not graded: ...". */
export function entryOutcome(e: ClassEntry): string {
  if (e.status === "skipped") return `not graded: ${skipText(e.reason, e.entry)}`;
  const who =
    e.student === undefined
      ? ""
      : ` (${e.student.name}${e.student.late === true ? ", late" : ""}, as ${LMS[e.student.layout]} names them)`;
  const same = e.sameIdAs === undefined ? "" : `; another entry is graded as ${e.sameIdAs} (--on-duplicate both)`;
  return `graded as ${e.id}${who}${same}`;
}

/** Why Canvas's entry gave way to another, in words. */
export function supersededText(why: SupersededWhy): string {
  return why === "resubmitted"
    ? "the student handed this file in again (Canvas adds -1, -2, ... to a file handed in again; the highest is the last)"
    : "the student made a later submission (a higher submission id in Canvas's file names)";
}

/** Why an entry is not graded, in words. */
export function skipText(r: SkipReason, entry: string): string {
  switch (r.kind) {
    case "unknown-format":
      return `a ${r.format} archive, which the grader cannot read (it reads folders, .zip, .tar.gz and .tgz)`;
    case "not-a-submission":
      return "not a submission (a submission is a folder, a .zip, a .tar.gz or a .tgz)";
    case "hidden":
      return entry.endsWith("__MACOSX")
        ? "macOS's resource folder, not a submission"
        : "a hidden entry (its name starts with a dot)";
    case "empty":
      return "it is empty (there is nothing in it to grade)";
    case "metadata":
      return `${LMS[r.layout]}'s list of who handed in each folder, read for the students' names`;
    case "refused":
      return `it ${r.reason}`;
    case "duplicate":
      return `another entry gives the same id "${r.id}", and --on-duplicate ${r.rule} grades "${r.kept}"`;
    case "superseded":
      return `${supersededText(r.why)}: "${r.by}" is graded instead`;
  }
}
