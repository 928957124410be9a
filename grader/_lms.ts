// How the LMS bulk downloads name their entries, and which student each
// entry belongs to. Pure: names in, students out.
//
// - Gradescope's "Export Submissions": a folder per submission named
//   submission_<id>, beside submission_metadata.yml naming its submitters
//   (_gradescope-metadata.ts). The id is the roster's student id (sid),
//   several joined with "+" for a group, else the e-mail's name, else the
//   student's name, else the folder's.
// - Canvas's "Download Submissions": flat files named
//   <name>_<userid>_<submissionid>_<file>, "_LATE" after the name when late,
//   and "-1", "-2" before the extension of a file submitted again. The files
//   of one student share <name>_<userid>, their id.
// - Moodle's "Download all submissions": a folder per participant and
//   plugin, "<Full Name>_<participantid>_assignsubmission_file_", or with
//   "Download submissions in folders" off, flat files
//   "<Full Name>_<participantid>_assignsubmission_file_<file>". The entries
//   of one participant share "<Full Name>_<participantid>", their id.

import { GradescopeSubmitter } from "./_gradescope-metadata";
import { LmsName } from "./model";

/** The file Gradescope's export names its submitters in. */
export const GRADESCOPE_METADATA = "submission_metadata.yml";

/** What an LMS's name for an entry says: whose it is and, for a flat file, the file's own name. */
export interface LmsEntry {
  /** Entries with the same key are one student's. */
  readonly key: string;
  /** The student's id, before it is made safe for a folder name. */
  readonly id: string;
  readonly student: LmsName;
  /** A flat file's name as the student handed it in ("cow.ts"); "" for a folder. */
  readonly file: string;
  /** Canvas's submission id: a later submission has a higher one. */
  readonly submission?: number;
}

/** Whether a folder's name is a Gradescope submission's ("submission_231506478"). */
export function gradescopeFolder(name: string): boolean {
  return /^submission_\d+$/.test(name);
}

/** A Gradescope folder's student: from the metadata's submitters, else the folder's own name. */
export function gradescopeEntry(folder: string, submitters: readonly GradescopeSubmitter[] | undefined): LmsEntry {
  const named = (submitters ?? []).filter((s) => s.name !== "" || s.sid !== "" || s.email !== "");
  const idOf = (s: GradescopeSubmitter): string => s.sid || s.email.replace(/@.*$/, "") || s.name;
  const id = named.length === 0 ? folder : named.map(idOf).join("+");
  const name = named.length === 0 ? folder : named.map((s) => s.name || idOf(s)).join(", ");
  return { key: folder, id, student: { layout: "gradescope", name }, file: "" };
}

const MOODLE = /^(.+)_(\d+)_assignsubmission_[a-z]+_(.*)$/;
const CANVAS = /^([^_]+?)(_LATE)?_(\d+)_(\d+)_(.+)$/i;

/** The student a Moodle or Canvas entry name belongs to, or null when it is named neither way. */
export function lmsEntry(name: string): LmsEntry | null {
  const m = MOODLE.exec(name);
  if (m !== null) {
    const key = `${m[1]!}_${m[2]!}`;
    return { key, id: key, student: { layout: "moodle", name: m[1]! }, file: m[3]! };
  }
  const c = CANVAS.exec(name);
  if (c === null) return null;
  const key = `${c[1]!}_${c[3]!}`;
  const student: LmsName =
    c[2] === undefined ? { layout: "canvas", name: c[1]! } : { layout: "canvas", name: c[1]!, late: true };
  return { key, id: key, student, file: c[5]!, submission: Number(c[4]!) };
}

/**
 * Canvas's name for a file handed in again: "cow-1.ts" is "cow.ts" handed
 * in a second time (Canvas adds -1, -2, ...; the highest is the last), when
 * "cow.ts" is one of the lab's file names. A file handed in once is `again` 0.
 */
export function canvasFile(file: string, studentNames: ReadonlySet<string>): { name: string; again: number } {
  const m = /^(.*)-(\d+)(\.[^.]+)$/.exec(file);
  if (m === null) return { name: file, again: 0 };
  const original = `${m[1]!}${m[3]!}`;
  return studentNames.has(original) ? { name: original, again: Number(m[2]!) } : { name: file, again: 0 };
}
