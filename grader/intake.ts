// Stage 1, intake: taking from a submission the student files of the
// rubric's allow-list, wherever they sit inside; nothing else of a
// submission is ever used. Which paths are submissions is discover.ts's.
//
// A submission is a folder, a .zip, a .tar.gz or .tgz, or entries of a
// class folder or class zip (_source.ts); when it holds none of the lab's
// files but one archive, that archive is read. The student's id comes with
// it (SubmissionSource).

import path from "node:path";
import { ArchiveLimits, Listing, Oversize, sizeText } from "./_archive";
import { listSource } from "./_source";
import { Intake, Limits, StudentFile, SubmissionKind, SubmissionSource } from "./model";
import { DEFAULT_LIMITS } from "./rubric";

/** How much of a submission is read, from the rubric's limits. */
export function intakeLimits(limits: Limits): ArchiveLimits {
  return {
    archiveBytes: limits.archiveMb * 1048576,
    unpackedBytes: limits.unpackedMb * 1048576,
    fileBytes: limits.fileKb * 1024,
    entries: limits.entries,
  };
}

/** Refused entries named one by one in a submission's notes; the rest are counted. */
const REFUSALS_SHOWN = 10;

export { archiveKind, idOf, safeId } from "./_names";

/**
 * Reads one submission: for each student file, the entry whose path ends
 * with the most of that file's path (src/kernel/cow.ts beats kernel/cow.ts
 * beats cow.ts), then the shallowest, then the first in name order. Never
 * throws: a submission that cannot be read, or holds none of the student
 * files, gets `error`; each entry refused (an unsafe name, a link, a
 * device, too big) is named in `notes`, and the others are still graded.
 */
export async function readSubmission(
  source: SubmissionSource,
  studentFiles: readonly string[],
  limits: ArchiveLimits = intakeLimits(DEFAULT_LIMITS),
): Promise<Intake> {
  const names = new Set(studentFiles.map((f) => path.basename(f)));
  const shown = shownName(source);
  const unreadable = (why: string, notes: readonly string[] = []): Intake => {
    const error = `Cannot read submission "${shown}": ${why}`;
    return { source, files: [], missing: [...studentFiles], notes: [error, ...notes], error };
  };
  let listing: Listing;
  try {
    listing = await listSource(source, {
      wanted: (p) => names.has(p.slice(p.lastIndexOf("/") + 1)),
      limits,
    });
  } catch (e) {
    return unreadable((e as Error).message);
  }
  const files: StudentFile[] = [];
  const missing: string[] = [];
  const notes: string[] = [...refusalNotes(listing, shown, source.kind), ...supersededNotes(source)];
  if (listing.oversize !== undefined) notes.push(oversizeNote(listing.oversize, shown));
  if (listing.paths.length === 0 && listing.refused.length === 0)
    return unreadable(source.kind === "folder" ? "the folder is empty" : "the archive is empty");
  for (const want of studentFiles) {
    const candidates = [...listing.contents.keys()]
      .map((p) => ({ p, match: suffixMatch(p, want) }))
      .filter((c) => c.match > 0)
      .sort((a, b) => b.match - a.match || depth(a.p) - depth(b.p) || a.p.localeCompare(b.p));
    const best = candidates[0];
    if (best === undefined) {
      missing.push(want);
      continue;
    }
    if (candidates.length > 1) {
      const others = candidates.slice(1).map((c) => `"${c.p}"`);
      notes.push(
        `Found ${candidates.length} files named ${path.basename(want)}: graded "${best.p}", ignored ${others.join(", ")}.`,
      );
    }
    const text = decodeUtf8(listing.contents.get(best.p)!);
    if (text === null) {
      missing.push(want);
      notes.push(`"${best.p}" is not UTF-8 text, so it could not be graded; save it as UTF-8 and submit again.`);
      continue;
    }
    files.push({ path: want, foundAt: best.p, text });
  }
  notes.push(...unusedNotes(source, listing, missing, files));
  if (files.length === 0) return unreadable(noStudentFile(listing, studentFiles), notes);
  return { source, files, missing, notes };
}

// Each of the student's files left out for a later one (Canvas), and the one graded instead.
function supersededNotes(source: SubmissionSource): string[] {
  return (source.superseded ?? []).map((s) =>
    s.why === "resubmitted"
      ? `"${s.entry}" was not graded: you handed this file in again, and the last one, "${s.by}", was graded instead.`
      : `"${s.entry}" was not graded: it is from an earlier submission of yours; your latest, with "${s.by}", was graded instead.`,
  );
}

/**
 * What was handed in but not used, for the student: each file whose name is
 * a missing student file's but for case or a prefix or suffix ("Uvmcopy.ts",
 * "my_cow.ts"), with a "did you mean"; and with an LMS's flat files, every
 * other file handed in (a whole folder or archive has too many to name).
 */
function unusedNotes(
  source: SubmissionSource,
  listing: Listing,
  missing: readonly string[],
  files: readonly StudentFile[],
): string[] {
  const used = new Set(files.map((f) => f.foundAt));
  const flat = new Set((source.members ?? []).filter((m) => m.kind === "file").map((m) => m.as));
  const notes: string[] = [];
  for (const p of listing.paths) {
    if (used.has(p)) continue;
    const meant = missing.find((want) => nearMiss(p.slice(p.lastIndexOf("/") + 1), path.basename(want)));
    if (meant !== undefined)
      notes.push(`"${p}" was handed in but not used: did you mean ${meant}? Names must match exactly, case included.`);
    else if (flat.has(p)) notes.push(`"${p}" was handed in but not used: it is not one of the lab's files.`);
  }
  return notes;
}

// Whether `name` differs from the file name `want` only by case, or by something before or after its name.
function nearMiss(name: string, want: string): boolean {
  const a = name.toLowerCase();
  const b = want.toLowerCase();
  if (a === b) return name !== want;
  const stem = b.replace(/\.[^.]+$/, "");
  const ext = b.slice(stem.length);
  return a.endsWith(ext) && a.slice(0, a.length - ext.length).includes(stem);
}

/** How a submission is named in its messages: its folder or archive, or its one member. */
function shownName(source: SubmissionSource): string {
  const m = source.members;
  if (m === undefined) return path.basename(source.path);
  return m.length === 1 ? m[0]!.path.slice(m[0]!.path.lastIndexOf("/") + 1) : source.id;
}

// What a zip over its size limit because of node_modules/ (and the like) tells the student.
function oversizeNote(o: Oversize, shown: string): string {
  const folders = o.skipped.map((s) => `${s.folder}/ (${sizeText(s.bytes)})`).join(", ");
  return (
    `"${shown}" is ${sizeText(o.bytes)}, more than the ${sizeText(o.limit)} a submission may be, because of ${folders}, ` +
    `which the grader never reads: only your files were read from it. Leave ${o.skipped.map((s) => `${s.folder}/`).join(" and ")} out of your submission.`
  );
}

// One note per refused entry: 'Cannot read submission "alice.zip": entry "../../etc/x" leaves the archive'.
function refusalNotes(listing: Listing, shown: string, kind: SubmissionKind): string[] {
  const what = kind === "folder" ? "file" : "entry";
  const notes = listing.refused
    .slice(0, REFUSALS_SHOWN)
    .map((r) => `Cannot read submission "${shown}": ${what} "${r.path}" ${r.reason}`);
  const more = listing.refused.length - REFUSALS_SHOWN;
  if (more > 0)
    notes.push(`Cannot read submission "${shown}": ${more} more ${what === "file" ? "files" : "entries"} refused`);
  return notes;
}

// Why no student file was found: only other files, or files that could not be read.
function noStudentFile(listing: Listing, studentFiles: readonly string[]): string {
  const expected = studentFiles.map((f) => path.basename(f)).join(", ");
  const names = new Set(studentFiles.map((f) => path.basename(f)));
  const named = (p: string): boolean => names.has(p.slice(p.lastIndexOf("/") + 1));
  if (listing.paths.some(named) || listing.refused.some((r) => named(r.path)))
    return `none of the lab's files (${expected}) could be read (see the messages below)`;
  const others = listing.paths.slice(0, 5).map((p) => `"${p}"`);
  const more = listing.paths.length > 5 ? ` and ${listing.paths.length - 5} more` : "";
  return others.length === 0
    ? `it holds none of the lab's files (${expected}); every entry was refused (see the messages below)`
    : `it holds none of the lab's files (${expected}), only ${others.join(", ")}${more}`;
}

/** How many trailing path components of `entry` equal those of `want`. */
function suffixMatch(entry: string, want: string): number {
  const a = entry.split("/");
  const b = want.split("/");
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function depth(p: string): number {
  return p.split("/").length;
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}
