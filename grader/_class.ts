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
import { GRADESCOPE_METADATA, LmsEntry, canvasFile, gradescopeEntry, gradescopeFolder, lmsEntry } from "./_lms";
import { archiveKind, idOf, isHidden, safeId, unreadableFormat } from "./_names";
import { LmsName, SkipReason, SubmissionKind, Superseded } from "./model";

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
  /** Entries of the student's left out for later ones (Canvas), by the items' names. */
  readonly superseded?: readonly Superseded[];
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
  for (const entries of lms.values()) for (const f of studentFates(entries, context, warnings)) fates.set(f.item, f);
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

type Listed = { entry: LmsEntry; item: ClassItem };

// One student's entries, as an LMS names them: one submission when any of them can be graded.
function studentFates(entries: readonly Listed[], context: ClassContext, warnings: string[]): Fate[] {
  const left = canvasLeftOut(entries, context.studentNames, warnings);
  const members = entries
    .filter(({ item }) => !item.empty && !left.has(item))
    .map(({ entry, item }) => memberOf(entry, item, context.studentNames));
  const gradable = members.some((m) => m.kind !== "file" || context.studentNames.has(m.as));
  const empty: SkipReason = { kind: "empty" };
  if (!gradable) return entries.map(({ item }) => ({ item, reason: item.empty ? empty : skipReasonOfFile(item.name) }));
  const first = entries[0]!.entry;
  const superseded = [...left.values()];
  const group: Group = {
    id: safeId(first.id),
    student: first.student,
    members,
    ...(superseded.length > 0 ? { superseded } : {}),
  };
  return entries.map(({ item }): Fate => {
    if (item.empty) return { item, reason: empty };
    const s = left.get(item);
    return s === undefined ? { item, group } : { item, reason: { kind: "superseded", by: s.by, why: s.why } };
  });
}

/**
 * Canvas's rules for a student's flat files: only the newest submission (the
 * highest submission id) counts, told in a warning when there are several;
 * in it, of a lab file handed in again ("cow.ts", "cow-1.ts", "cow-2.ts"),
 * the highest number. The entries left out, each with the one used instead.
 */
function canvasLeftOut(
  entries: readonly Listed[],
  studentNames: ReadonlySet<string>,
  warnings: string[],
): Map<ClassItem, Superseded> {
  const left = new Map<ClassItem, Superseded>();
  const canvas = entries.filter((e) => e.entry.student.layout === "canvas" && e.entry.submission !== undefined);
  if (canvas.length === 0) return left;
  const newest = Math.max(...canvas.map((e) => e.entry.submission!));
  const latest = canvas.filter((e) => e.entry.submission === newest);
  const byName = new Map<string, { e: Listed; again: number }[]>();
  for (const e of latest) {
    const { name, again } = canvasFile(e.entry.file, studentNames);
    if (studentNames.has(name)) byName.set(name, [...(byName.get(name) ?? []), { e, again }]);
  }
  for (const versions of byName.values()) {
    const last = versions.reduce((a, b) => (b.again > a.again ? b : a));
    for (const v of versions)
      if (v !== last) left.set(v.e.item, { entry: v.e.item.name, by: last.e.item.name, why: "resubmitted" });
  }
  const older = canvas.filter((e) => e.entry.submission !== newest);
  for (const e of older) {
    const same = byName.get(canvasFile(e.entry.file, studentNames).name);
    const by = same?.reduce((a, b) => (b.again > a.again ? b : a)).e.item ?? latest[0]!.item;
    left.set(e.item, { entry: e.item.name, by: by.name, why: "later-submission" });
  }
  if (older.length > 0) {
    const ids = [...new Set(canvas.map((e) => e.entry.submission!))].sort((a, b) => a - b);
    warnings.push(
      `Canvas's download holds ${ids.length} submissions of ${canvas[0]!.entry.student.name} (ids ${ids.join(", ")}): ` +
        `graded the newest, ${newest} (a higher id is later); not graded: ${older.map((e) => `"${e.item.name}"`).join(", ")}.`,
    );
  }
  return left;
}

// A student's entry as part of their submission: a folder, an archive, or a file under its own name.
function memberOf(entry: LmsEntry, item: ClassItem, studentNames: ReadonlySet<string>): GroupMember {
  if (item.type === "folder") return { item, kind: "folder", as: entry.file === "" ? item.name : entry.file };
  const kind = archiveKind(item.name);
  if (kind !== null) return { item, kind, as: entry.file };
  const as = entry.student.layout === "canvas" ? canvasFile(entry.file, studentNames).name : entry.file;
  return { item, kind: "file", as };
}
