// Listing a submission whatever its shape: a whole folder or archive; the
// members of a class folder that make one submission (an LMS's flat files
// "doejane_123_456_cow.ts", read as "cow.ts"); a folder or an archive inside
// a class zip (a zip of per-student zips); and, when what was listed holds
// none of the lab's files but exactly one archive (a student who zipped
// their zip, a Moodle folder holding lab.zip), that archive instead, one
// level deep and never more.
//
// Every part is read by _archive.ts, with the same checks and limits as a
// whole submission; the limits hold for the members together.

import path from "node:path";
import {
  ListOptions,
  Listing,
  listArchiveBytes,
  listFile,
  listSubmission,
  sizeText,
  tooMany,
  tooMuch,
} from "./_archive";
import { ArchiveKind, archiveKind } from "./_names";
import { SubmissionKind, SubmissionMember, SubmissionSource } from "./model";

/** Most entries of a class zip in all (its students' node_modules/ and .git/ included). */
export const CLASS_CEILING = 2_000_000;

/** A part of a submission that can list itself and the archive inside it at a path. */
interface Part {
  list: Lister;
  /** The listing of the archive at `p` (a path of this part's listing). */
  inner(p: string, kind: ArchiveKind, options: ListOptions): Promise<Listing>;
}

/** Lists a submission; rejects with a sentence, as listSubmission does. */
export async function listSource(source: SubmissionSource, options: ListOptions): Promise<Listing> {
  const members = source.members;
  if (members === undefined) return withInner(wholePart(source.path, source.kind), options);
  if (members.length === 1) return withInner(memberPart(source, members[0]!), options);
  const parts: { member: SubmissionMember; listing: Listing }[] = [];
  let read = 0;
  let entries = 0;
  for (const m of members) {
    const listing = await memberPart(source, m).list(options);
    parts.push({ member: m, listing });
    for (const b of listing.contents.values()) read += b.length;
    entries += listing.paths.length + listing.refused.length;
    if (read > options.limits.unpackedBytes) throw new Error(tooMuch(options.limits));
    if (entries > options.limits.entries) throw new Error(tooMany(options.limits));
  }
  return merged(parts);
}

// The listing of a part, or when it holds none of the lab's files but one archive, that archive's.
async function withInner(part: Part, options: ListOptions): Promise<Listing> {
  const outer = await part.list(options);
  if (outer.paths.some(options.wanted) || outer.refused.some((r) => options.wanted(r.path))) return outer;
  const archives = outer.paths.filter((p) => archiveKind(p) !== null);
  if (archives.length !== 1) return outer;
  const p = archives[0]!;
  const inner = await part.inner(p, archiveKind(p)!, options);
  const within = prefixed(p, inner);
  return { ...within, refused: [...outer.refused, ...within.refused] };
}

// A folder or an archive on disk, read whole.
function wholePart(file: string, kind: SubmissionKind): Part {
  const list: Lister = (options) => listSubmission(file, kind, options);
  if (kind === "folder")
    return { list, inner: (p, k, options) => listSubmission(path.join(file, ...p.split("/")), k, options) };
  return { list, inner: (p, k, options) => archiveIn(list, p, k)(options) };
}

// One member of a class folder (on disk) or of a class zip.
function memberPart(source: SubmissionSource, m: SubmissionMember): Part {
  if (source.kind === "folder") {
    const abs = inside(source.path, m.path);
    if (m.kind !== "file") return wholePart(abs, m.kind);
    return { list: (options) => Promise.resolve(listFile(abs, m.as, options)), inner: noInner };
  }
  if (source.kind !== "zip") throw new Error(`listSource: members of a ${source.kind} are not read`);
  if (m.kind === "file")
    return { list: fromClassZip(source.path, (n) => (n === m.path ? m.as : null)), inner: noInner };
  const list =
    m.kind === "folder"
      ? fromClassZip(source.path, under(m.path))
      : archiveIn(
          fromClassZip(source.path, (n) => (n === m.path ? n : null)),
          m.path,
          m.kind,
        );
  return { list, inner: (p, k, options) => archiveIn(list, p, k)(options) };
}

// A listing of the entries of class zip `zip` that `select` takes.
function fromClassZip(zip: string, select: (name: string) => string | null): Lister {
  return (options) => listSubmission(zip, "zip", { ...options, select, ceiling: CLASS_CEILING });
}

// The listing of the archive at `p` in what `list` reads.
function archiveIn(list: Lister, p: string, kind: ArchiveKind): Lister {
  return async (options) => listArchiveBytes(await entryBytes(list, p, options), kind, options);
}

type Lister = (options: ListOptions) => Promise<Listing>;

const noInner = (): Promise<Listing> => Promise.reject(new Error("listSource: a plain file holds no archive"));

// Renames the entries under folder `prefix` of a class zip to their path inside it; the others are not taken.
function under(prefix: string): (name: string) => string | null {
  const start = `${prefix}/`;
  return (name) => (name.startsWith(start) && name.length > start.length ? name.slice(start.length) : null);
}

// `rel` (a member's path, "/"-separated, found by the intake) inside folder `root`; never outside it.
function inside(root: string, rel: string): string {
  const abs = path.join(root, ...rel.split("/"));
  const back = path.relative(root, abs);
  if (back === "" || back.startsWith("..") || path.isAbsolute(back))
    throw new Error(`listSource: member "${rel}" is not inside "${root}"`);
  return abs;
}

// The bytes of entry `p`, read as a whole archive may be (at most its size limit).
async function entryBytes(list: Lister, p: string, options: ListOptions): Promise<Buffer> {
  const max = options.limits.archiveBytes;
  const limits = { ...options.limits, fileBytes: max, unpackedBytes: Math.max(max, options.limits.unpackedBytes) };
  const listing = await list({ ...options, limits, wanted: (x) => x === p });
  const bytes = listing.contents.get(p);
  if (bytes !== undefined) return bytes;
  const refusal = listing.refused.find((r) => r.path === p);
  if (refusal?.tooBig === true)
    throw new Error(`"${p}" unpacks to more than ${sizeText(max)}, the most a submission may be`);
  throw new Error(`"${p}" ${refusal?.reason ?? "could not be read"}`);
}

// A listing seen from one folder up: every path under `dir`.
function prefixed(dir: string, l: Listing): Listing {
  const out: Listing = {
    paths: l.paths.map((p) => `${dir}/${p}`),
    contents: new Map([...l.contents].map(([p, b]) => [`${dir}/${p}`, b])),
    refused: l.refused.map((r) => ({ ...r, path: `${dir}/${r.path}` })),
  };
  if (l.oversize !== undefined) out.oversize = l.oversize;
  return out;
}

// Several members' listings as one, each folder's or archive's under its name.
function merged(parts: readonly { member: SubmissionMember; listing: Listing }[]): Listing {
  const out: Listing = { paths: [], contents: new Map(), refused: [] };
  for (const { member, listing } of parts) {
    const p = member.kind === "file" ? listing : prefixed(member.as, listing);
    out.paths.push(...p.paths);
    for (const [k, v] of p.contents) out.contents.set(k, v);
    out.refused.push(...p.refused);
    if (out.oversize === undefined && p.oversize !== undefined) out.oversize = p.oversize;
  }
  return out;
}
