// What becomes of each entry of a class (a folder of submissions, or a
// class zip): the pure core of discovery. Entries in, each entry's fate
// out: part of a student's submission, or skipped with a reason. Nothing is
// dropped without one.
//
// - An entry an LMS names (_lms.ts) joins the other entries of its student;
//   a student's entries are one submission when one of them is a folder, an
//   archive the grader reads, or one of the lab's files.
// - Any other folder is a submission named after it, unless it is empty.
// - A .zip, .tar.gz or .tgz is a submission named after it without its
//   extension, unless it is 0 bytes.
// - Other archives (.rar, .7z, ...) are not read; other files are not
//   submissions; hidden entries and __MACOSX are passed over; links,
//   devices and unsafe names are refused. Each of these is said.

import { GradescopeSubmitter } from "./_gradescope-metadata";
import { GRADESCOPE_METADATA, LmsEntry, canvasFileName, gradescopeEntry, gradescopeFolder, lmsEntry } from "./_lms";
import { archiveKind, idOf, isHidden, safeId, unreadableFormat } from "./_names";
import { LmsName, SkipReason, SubmissionKind } from "./model";

/** One entry of a class, as listed (by _class-listing.ts). */
export interface ClassItem {
  /** Its name; bytes that are not UTF-8 shown as \xNN. */
  readonly name: string;
  readonly type: "folder" | "file" | "refused";
  /** For "refused": why ("is a symbolic link (to ...); links are not followed"). */
  readonly reason?: string;
  /** A folder with no file outside hidden folders and those never read; a file of 0 bytes. */
  readonly empty: boolean;
  /** When it was last modified (a folder: its newest file), in ms since 1970. */
  readonly newest: number;
}

/** One entry of a submission: a class entry, read as `as`. */
export interface GroupMember {
  readonly item: ClassItem;
  readonly kind: SubmissionKind | "file";
  readonly as: string;
}

/** One student's submission in a class, made of one or more of its entries. */
export interface Group {
  /** The id, safe for a folder name. */
  readonly id: string;
  readonly student?: LmsName;
  readonly members: readonly GroupMember[];
}

/** Each entry's fate, in the order of the items. */
export type Fate =
  { readonly item: ClassItem; readonly group: Group } | { readonly item: ClassItem; readonly reason: SkipReason };

export interface ClassPlan {
  readonly fates: readonly Fate[];
  readonly groups: readonly Group[];
  /** For the instructor: a Gradescope folder its metadata does not name, ... */
  readonly warnings: readonly string[];
}

export interface ClassContext {
  /** The lab's file names ("cow.ts"). */
  readonly studentNames: ReadonlySet<string>;
  /** Gradescope's metadata when the class has it, else null. */
  readonly gradescope: ReadonlyMap<string, readonly GradescopeSubmitter[]> | null;
}

/** What becomes of each of `items`. */
export function planClass(items: readonly ClassItem[], context: ClassContext): ClassPlan {
  const fates = new Map<ClassItem, Fate>();
  const lms = new Map<string, { entry: LmsEntry; item: ClassItem }[]>();
  const warnings: string[] = [];
  for (const item of items) {
    const fixed = fixedFate(item, context);
    if (fixed !== null) {
      fates.set(item, { item, reason: fixed });
      continue;
    }
    const entry = lmsOf(item, context, warnings);
    if (entry === null) fates.set(item, genericFate(item));
    else lms.set(entry.key, [...(lms.get(entry.key) ?? []), { entry, item }]);
  }
  for (const entries of lms.values()) for (const f of studentFates(entries, context)) fates.set(f.item, f);
  for (const folder of context.gradescope?.keys() ?? [])
    if (!items.some((i) => i.name === folder))
      warnings.push(`Gradescope's ${GRADESCOPE_METADATA} names "${folder}", which is not here: it is not graded.`);
  const ordered = items.map((i) => fates.get(i)!);
  const groups = [...new Set(ordered.flatMap((f) => ("group" in f ? [f.group] : [])))];
  return { fates: ordered, groups, warnings };
}

// The fate of an entry whatever its name may say: refused, hidden, the LMS's metadata.
function fixedFate(item: ClassItem, context: ClassContext): SkipReason | null {
  if (item.type === "refused") return { kind: "refused", reason: item.reason ?? "is not a plain file or a folder" };
  if (isHidden(item.name)) return { kind: "hidden" };
  if (item.name === GRADESCOPE_METADATA && context.gradescope !== null)
    return { kind: "metadata", layout: "gradescope" };
  return null;
}

// The LMS's name for an entry, or null; a Gradescope folder its metadata misses keeps its name, with a warning.
function lmsOf(item: ClassItem, context: ClassContext, warnings: string[]): LmsEntry | null {
  if (context.gradescope !== null && item.type === "folder" && gradescopeFolder(item.name)) {
    const submitters = context.gradescope.get(item.name);
    if (submitters === undefined)
      warnings.push(
        `Gradescope's ${GRADESCOPE_METADATA} does not name "${item.name}": it is graded as "${item.name}".`,
      );
    return gradescopeEntry(item.name, submitters);
  }
  return lmsEntry(item.name);
}

// An entry no LMS names: a folder or a readable archive is a submission of its own.
function genericFate(item: ClassItem): Fate {
  const kind = item.type === "folder" ? "folder" : archiveKind(item.name);
  if (item.empty) return { item, reason: { kind: "empty" } };
  if (kind !== null) {
    const id = safeId(kind === "folder" ? item.name : idOf(item.name));
    return { item, group: { id, members: [{ item, kind, as: item.name }] } };
  }
  return { item, reason: skipReasonOfFile(item.name) };
}

/** Why a file that is no submission is not graded: an archive the grader cannot read, or not a submission. */
export function skipReasonOfFile(name: string): SkipReason {
  const format = unreadableFormat(name);
  return format === null ? { kind: "not-a-submission" } : { kind: "unknown-format", format };
}

// One student's entries, as an LMS names them: one submission when any of them can be graded.
function studentFates(entries: readonly { entry: LmsEntry; item: ClassItem }[], context: ClassContext): Fate[] {
  const siblings = new Set(entries.map((e) => e.entry.file));
  const members = entries
    .filter(({ item }) => !item.empty)
    .map(({ entry, item }) => memberOf(entry, item, context.studentNames, siblings));
  const gradable = members.some((m) => m.kind !== "file" || context.studentNames.has(m.as));
  const empty: SkipReason = { kind: "empty" };
  if (!gradable) return entries.map(({ item }) => ({ item, reason: item.empty ? empty : skipReasonOfFile(item.name) }));
  const first = entries[0]!.entry;
  const group: Group = { id: safeId(first.id), student: first.student, members };
  return entries.map(({ item }) => (item.empty ? { item, reason: empty } : { item, group }));
}

// A student's entry as part of their submission: a folder, an archive, or a file under its own name.
function memberOf(
  entry: LmsEntry,
  item: ClassItem,
  studentNames: ReadonlySet<string>,
  siblings: ReadonlySet<string>,
): GroupMember {
  if (item.type === "folder") return { item, kind: "folder", as: entry.file === "" ? item.name : entry.file };
  const kind = archiveKind(item.name);
  if (kind !== null) return { item, kind, as: entry.file };
  const as = entry.student.layout === "canvas" ? canvasFileName(entry.file, studentNames, siblings) : entry.file;
  return { item, kind: "file", as };
}
