// Finding the submissions among the paths an instructor names, and saying
// what became of every entry. A path is read as follows:
//
//  - a .zip is one submission, unless it is a class zip: its entries (below
//    any folders it is wrapped in) are named by an LMS, or hold two archives
//    or more, or two folders holding the lab's files;
//  - a .tar.gz or .tgz is one submission;
//  - a folder is a class when it, or the one folder it is wrapped in, is an
//    LMS's bulk download (Gradescope's, Canvas's, Moodle's: _lms.ts);
//  - else a folder is ONE submission when a student file sits at its top
//    (cow.ts) or at its own path from there (src/kernel/cow.ts), or when
//    exactly one of its subfolders holds student files (a project folder
//    inside the submission, as unpacked zips have), or when it holds files
//    only, none of them an archive;
//  - any other folder is a class: each of its entries is accounted for
//    (_class.ts), and each submission is named after its entry.
//
// A folder that is empty (or holds hidden entries only) is an error, as is
// finding no submission at all. Two submissions with the same id are an
// error naming both unless --on-duplicate says which is graded.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { entryPath, sizeText } from "./_archive";
import { ClassItem, Group, planClass, skipReasonOfFile } from "./_class";
import { CatalogEntry, ClassListing, compare, listClassFolder, listClassZip, readCatalog } from "./_class-listing";
import { Candidate, Resolution, resolveDuplicates } from "./_duplicates";
import { readGradescopeMetadata } from "./_gradescope-metadata";
import { GRADESCOPE_METADATA, gradescopeFolder, lmsEntry } from "./_lms";
import { archiveKind, idOf, isHidden, safeId, unreadableFormat } from "./_names";
import { entryText } from "./entries";
import { ClassEntry, DuplicateRule, LmsName, SkipReason, SubmissionSource } from "./model";

/** The submissions the paths hold, and every entry's fate. */
export interface Discovery {
  /** Sorted by id. */
  readonly sources: readonly SubmissionSource[];
  /** Every entry, in the order of the paths and, in a class, of the entries' names. */
  readonly entries: readonly ClassEntry[];
  /** For the instructor: a Gradescope folder its metadata does not name, ... */
  readonly warnings: readonly string[];
}

export interface DiscoverOptions {
  /** What to do with entries that give the same id (default "error"). */
  readonly onDuplicate?: DuplicateRule;
}

/** Largest submission_metadata.yml read, in bytes (it holds every submission's results). */
const METADATA_BYTES = 64 << 20;

/** How many wrapping folders are looked through for a class. */
const WRAPPERS = 3;

type Slot = { readonly entry: string; readonly reason: SkipReason } | { readonly entry: string; readonly at: number };

interface Found {
  readonly candidate: Candidate;
  readonly source: Omit<SubmissionSource, "id">;
  readonly student?: LmsName;
}

/** What discovery gathers from the paths, in order. */
class Gathered {
  readonly slots: Slot[] = [];
  readonly found: Found[] = [];
  readonly warnings: string[] = [];

  add(entries: readonly string[], found: Found): void {
    for (const entry of entries) this.slots.push({ entry, at: this.found.length });
    this.found.push(found);
  }
}

/**
 * Every submission the paths name, and what became of each entry. Throws a
 * sentence naming the path when one does not exist or is an empty folder,
 * when no submission is found, and when two give one id under "error".
 */
export async function discoverSubmissions(
  paths: readonly string[],
  studentFiles: readonly string[],
  options: DiscoverOptions = {},
): Promise<Discovery> {
  const g = new Gathered();
  for (const p of paths) await discoverPath(g, p, studentFiles);
  const rule = options.onDuplicate ?? "error";
  const resolved = resolveDuplicates(
    g.found.map((f) => f.candidate),
    rule,
  );
  const entries = g.slots.map((slot) => entryOf(slot, resolved, g.found, rule));
  const sources = g.found.flatMap((f, i) => {
    const r = resolved[i]!;
    return "id" in r ? [{ id: r.id, ...f.source }] : [];
  });
  if (sources.length === 0) throw new Error(nothingToGrade(paths, entries));
  sources.sort((a, b) => compare(a.id, b.id));
  return { sources, entries, warnings: g.warnings };
}

// What became of one entry, once every id is final.
function entryOf(
  slot: Slot,
  resolved: readonly Resolution[],
  found: readonly Found[],
  rule: DuplicateRule,
): ClassEntry {
  if ("reason" in slot) return { entry: slot.entry, status: "skipped", reason: slot.reason };
  const r = resolved[slot.at]!;
  if ("dropped" in r)
    return { entry: slot.entry, status: "skipped", reason: { kind: "duplicate", ...r.dropped, rule } };
  const student = found[slot.at]!.student;
  return {
    entry: slot.entry,
    status: "graded",
    id: r.id,
    ...(student !== undefined ? { student } : {}),
    ...(r.sameIdAs !== undefined ? { sameIdAs: r.sameIdAs } : {}),
  };
}

function nothingToGrade(paths: readonly string[], entries: readonly ClassEntry[]): string {
  const shown = entries.slice(0, 10).map((e) => `  ${entryText(e)}`);
  const more = entries.length > 10 ? [`  and ${entries.length - 10} more`] : [];
  return [`Cannot grade ${paths.map((p) => `"${p}"`).join(", ")}: no submission in it:`, ...shown, ...more].join("\n");
}

// One path named by the instructor.
async function discoverPath(g: Gathered, p: string, studentFiles: readonly string[]): Promise<void> {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new Error(`Cannot read submission "${p}": no such file or folder`);
  const st = statSync(abs);
  if (st.isDirectory()) return discoverFolder(g, p, abs, studentFiles);
  if (!st.isFile()) throw new Error(`Cannot read submission "${p}": not a folder, a .zip or a .tar.gz`);
  const kind = archiveKind(abs);
  if (kind === null || st.size === 0) {
    g.slots.push({ entry: p, reason: st.size === 0 ? { kind: "empty" } : skipReasonOfFile(abs) });
    return;
  }
  const zipClass = kind === "zip" ? await classZip(abs, studentFiles) : null;
  if (zipClass !== null) {
    for (const rel of zipClass.passed) g.slots.push({ entry: `${p}/${rel}`, reason: { kind: "hidden" } });
    return planInto(
      g,
      zipClass.listing.prefix === "" ? p : `${p}/${zipClass.listing.prefix}`,
      zipClass.listing,
      studentFiles,
    );
  }
  const candidate: Candidate = {
    id: safeId(idOf(path.basename(abs))),
    entries: [p],
    newest: st.mtimeMs,
    shape: "archive",
  };
  g.add([p], { candidate, source: { path: abs, kind } });
}

// A folder named by the instructor: an LMS's class, one submission, or a class.
async function discoverFolder(g: Gathered, p: string, abs: string, studentFiles: readonly string[]): Promise<void> {
  const listing = listClassFolder(abs);
  if (listing.items.every((i) => isHidden(i.name)))
    throw new Error(
      `Cannot grade "${p}": the folder is empty${listing.items.length > 0 ? " (it holds hidden entries only)" : ""}`,
    );
  const lms = lmsClassIn(abs, listing, studentFiles);
  if (lms !== null) {
    for (const rel of lms.passed) g.slots.push({ entry: path.join(p, rel), reason: { kind: "hidden" } });
    return planInto(g, path.join(p, lms.wrappers), lms.listing, studentFiles);
  }
  if (!isOneSubmission(abs, studentFiles)) return planInto(g, p, listing, studentFiles);
  const newest = listing.items.reduce((n, i) => Math.max(n, i.newest), 0);
  const candidate: Candidate = { id: safeId(path.basename(abs)), entries: [p], newest, shape: "folder" };
  g.add([p], { candidate, source: { path: abs, kind: "folder" } });
}

// The LMS class in `abs` or in the folders it is wrapped in; null when there is none.
function lmsClassIn(
  abs: string,
  listing: ClassListing,
  studentFiles: readonly string[],
): { listing: ClassListing; wrappers: string; passed: string[] } | null {
  let dir = abs;
  let current = listing;
  const passed: string[] = [];
  for (let depth = 0; depth <= WRAPPERS; depth++) {
    if (studentFileAtTop(dir, studentFiles)) return null;
    if (hasLmsLayout(current.items)) return { listing: current, wrappers: path.relative(abs, dir), passed };
    const visible = current.items.filter((i) => !isHidden(i.name));
    if (visible.length !== 1 || visible[0]!.type !== "folder") return null;
    const wrapper = path.relative(abs, dir);
    passed.push(...current.items.filter((i) => isHidden(i.name)).map((i) => path.join(wrapper, i.name)));
    dir = path.join(dir, visible[0]!.name);
    current = listClassFolder(dir);
  }
  return null;
}

/** Whether an LMS names these entries: Gradescope's metadata beside its folders, Moodle's or Canvas's names. */
function hasLmsLayout(items: readonly ClassItem[]): boolean {
  const metadata = items.some((i) => i.type === "file" && i.name === GRADESCOPE_METADATA);
  if (metadata && items.some((i) => i.type === "folder" && gradescopeFolder(i.name))) return true;
  return items.some((i) => i.type !== "refused" && lmsEntry(i.name) !== null);
}

// Plans a class's entries into `g`, each named `shown`/<entry>.
async function planInto(
  g: Gathered,
  shown: string,
  listing: ClassListing,
  studentFiles: readonly string[],
): Promise<void> {
  const hasMetadata = listing.items.some((i) => i.type === "file" && i.name === GRADESCOPE_METADATA);
  const text = hasMetadata ? await listing.readText(GRADESCOPE_METADATA, METADATA_BYTES) : null;
  if (hasMetadata && text === null)
    g.warnings.push(
      `${path.join(shown, GRADESCOPE_METADATA)} is not read: it is more than ${sizeText(METADATA_BYTES)}.`,
    );
  const studentNames = new Set(studentFiles.map((f) => path.basename(f)));
  const plan = planClass(listing.items, {
    studentNames,
    gradescope: text === null ? null : readGradescopeMetadata(text),
  });
  g.warnings.push(...plan.warnings);
  const at = new Map<Group, number>();
  const entryOf = (item: ClassItem): string => `${shown.replace(/\/+$/, "")}/${item.name}`;
  for (const fate of plan.fates) {
    if ("reason" in fate) {
      g.slots.push({ entry: entryOf(fate.item), reason: fate.reason });
      continue;
    }
    if (!at.has(fate.group)) {
      at.set(fate.group, g.found.length);
      g.found.push(
        foundOf(
          fate.group,
          listing,
          fate.group.members.map((m) => entryOf(m.item)),
        ),
      );
    }
    g.slots.push({ entry: entryOf(fate.item), at: at.get(fate.group)! });
  }
}

// A class's group as a submission: its own folder or archive on disk, else members of the class.
function foundOf(group: Group, listing: ClassListing, entries: readonly string[]): Found {
  const { container, prefix } = listing;
  const members = group.members;
  const only = members.length === 1 ? members[0]! : null;
  const source: Omit<SubmissionSource, "id"> =
    container.kind === "folder" && only !== null && only.kind !== "file"
      ? { path: path.join(container.path, only.item.name), kind: only.kind }
      : {
          path: container.path,
          kind: container.kind,
          members: members.map((m) => ({
            path: prefix === "" ? m.item.name : `${prefix}/${m.item.name}`,
            kind: m.kind,
            as: m.as,
          })),
        };
  const shape = members.every((m) => m.kind === "folder")
    ? "folder"
    : members.every((m) => m.kind === "zip" || m.kind === "tar.gz")
      ? "archive"
      : "files";
  const newest = members.reduce((n, m) => Math.max(n, m.item.newest), 0);
  const candidate: Candidate = { id: group.id, entries, newest, shape };
  const told = group.superseded === undefined ? source : { ...source, superseded: group.superseded };
  return group.student === undefined
    ? { candidate, source: told }
    : { candidate, source: told, student: group.student };
}

// --- is a folder or a zip one submission? ----------------------------------------------

/** Whether folder `dir` is one student's submission (see the rules at the top of this file). */
export function isOneSubmission(dir: string, studentFiles: readonly string[]): boolean {
  if (studentFileAtTop(dir, studentFiles)) return true;
  const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => !isHidden(e.name));
  const classLike = (name: string): boolean =>
    archiveKind(name) !== null || unreadableFormat(name) !== null || lmsEntry(name) !== null;
  if (entries.some((e) => !e.isDirectory() && classLike(e.name))) return false;
  if (entries.some((e) => e.isDirectory() && lmsEntry(e.name) !== null)) return false;
  const holders = entries.filter((e) => e.isDirectory() && holdsStudentFile(path.join(dir, e.name), studentFiles));
  return holders.length === 1 || (holders.length === 0 && entries.every((e) => !e.isDirectory()));
}

function studentFileAtTop(dir: string, studentFiles: readonly string[]): boolean {
  return studentFiles.some((f) => existsSync(path.join(dir, f)) || existsSync(path.join(dir, path.basename(f))));
}

function holdsStudentFile(dir: string, studentFiles: readonly string[]): boolean {
  const names = new Set(studentFiles.map((f) => path.basename(f)));
  const walk = (d: string, depth: number): boolean => {
    if (depth > 8) return false;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isFile() && names.has(e.name)) return true;
      if (e.isDirectory() && entryPath(e.name) !== "" && walk(path.join(d, e.name), depth + 1)) return true;
    }
    return false;
  };
  return walk(dir, 0);
}

/** The class in zip `file`, or null when it is one submission (see the rules at the top of this file). */
async function classZip(
  file: string,
  studentFiles: readonly string[],
): Promise<{ listing: ClassListing; passed: string[] } | null> {
  const catalog = await readCatalog(file);
  if (catalog === null) return null;
  let prefix = "";
  let listing = listClassZip(file, catalog, prefix);
  const passed: string[] = [];
  for (let depth = 0; depth < WRAPPERS; depth++) {
    const visible = listing.items.filter((i) => !isHidden(i.name));
    if (visible.length !== 1 || visible[0]!.type !== "folder" || zipHoldsAtTop(catalog, prefix, studentFiles)) break;
    const start = prefix === "" ? "" : `${prefix}/`;
    passed.push(...listing.items.filter((i) => isHidden(i.name)).map((i) => `${start}${i.name}`));
    prefix = `${start}${visible[0]!.name}`;
    listing = listClassZip(file, catalog, prefix);
  }
  if (zipHoldsAtTop(catalog, prefix, studentFiles)) return null;
  if (hasLmsLayout(listing.items)) return { listing, passed };
  const archives = listing.items.filter(
    (i) => i.type === "file" && (archiveKind(i.name) ?? unreadableFormat(i.name)) !== null,
  );
  const names = new Set(studentFiles.map((f) => path.basename(f)));
  const start = prefix === "" ? "" : `${prefix}/`;
  const holders = listing.items.filter(
    (i) => i.type === "folder" && catalog.some((e) => e.path.startsWith(`${start}${i.name}/`) && holds(e, names)),
  );
  return archives.length >= 2 || holders.length >= 2 ? { listing, passed } : null;
}

// Whether a student file sits at the top of the zip's folder `prefix`, or at its own path from there.
function zipHoldsAtTop(catalog: readonly CatalogEntry[], prefix: string, studentFiles: readonly string[]): boolean {
  const start = prefix === "" ? "" : `${prefix}/`;
  const wanted = new Set(studentFiles.flatMap((f) => [`${start}${f}`, `${start}${path.basename(f)}`]));
  return catalog.some((e) => e.refused === undefined && wanted.has(e.path));
}

function holds(e: CatalogEntry, names: ReadonlySet<string>): boolean {
  return (
    e.refused === undefined &&
    !e.dir &&
    names.has(e.path.slice(e.path.lastIndexOf("/") + 1)) &&
    entryPath(e.path) !== ""
  );
}
