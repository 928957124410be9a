// What a name says about an entry of a class: an archive the grader reads
// (and of which kind), one it cannot read, a hidden entry; and the
// student's id a name gives.

import { SubmissionKind } from "./model";

/** The kinds of archive the grader reads. */
export type ArchiveKind = Exclude<SubmissionKind, "folder">;

const ARCHIVES: readonly [string, ArchiveKind][] = [
  [".tar.gz", "tar.gz"],
  [".tgz", "tar.gz"],
  [".zip", "zip"],
];

/** Archives and compressed files the grader does not read, longest first. */
const UNREADABLE = [
  ".tar.bz2",
  ".tar.zst",
  ".tar.xz",
  ".tar.lz",
  ".tbz2",
  ".lzma",
  ".tbz",
  ".txz",
  ".rar",
  ".tar",
  ".bz2",
  ".zst",
  ".cab",
  ".arj",
  ".lzh",
  ".iso",
  ".dmg",
  ".7z",
  ".xz",
  ".gz",
  ".lz",
  ".z",
];

/** The archive kind a file name says, or null. */
export function archiveKind(name: string): ArchiveKind | null {
  const lower = name.toLowerCase();
  for (const [ext, kind] of ARCHIVES) if (lower.endsWith(ext)) return kind;
  return null;
}

/** The extension of an archive the grader cannot read (".rar"), or null. */
export function unreadableFormat(name: string): string | null {
  const lower = name.toLowerCase();
  if (archiveKind(lower) !== null) return null;
  return UNREADABLE.find((ext) => lower.endsWith(ext) && lower.length > ext.length) ?? null;
}

/** A name starting with a dot, or macOS's __MACOSX. */
export function isHidden(name: string): boolean {
  return name.startsWith(".") || name === "__MACOSX";
}

/** A file or folder name without its archive extension: the student's id. */
export function idOf(name: string): string {
  const lower = name.toLowerCase();
  for (const [ext] of ARCHIVES) if (lower.endsWith(ext)) return name.slice(0, -ext.length);
  return name;
}

/** The files a batch writes beside the students' folders, which no student's folder may take. */
export const BATCH_FILES: readonly string[] = ["summary.json", "grades.csv", "summary.html"];

/**
 * An id usable as a folder name: anything but letters, digits, ".", "-",
 * "_", "@" and "+" becomes "_", and a name the batch's own files use
 * ("summary.json") gains a "_" in front.
 */
export function safeId(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._@+-]/g, "_").replace(/^\.+/, "_");
  if (s === "") return "_";
  return BATCH_FILES.includes(s.toLowerCase()) ? `_${s}` : s;
}
