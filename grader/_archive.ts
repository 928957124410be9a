// Listing what a submission holds, whatever its form (a folder, a .zip, a
// .tar.gz), and reading the contents of only the entries the caller wants.
//
// A submission is a stranger's file, so nothing is ever extracted to disk:
// an entry's name is only compared, and the few wanted entries are read into
// memory. An entry that climbs out of the archive ("../x", "/etc/x", "C:\x"),
// a link, a device, or a name that is not UTF-8 is refused and named, never
// followed or opened. Sizes are checked twice: what the archive declares,
// and what actually comes out while it streams, so a zip bomb or a lying
// header stops at the limit instead of filling memory.
//
// A zip over its size limit only because of folders the grader never reads
// (node_modules/, .git/) is still read, up to OVERSIZE times the limit: its
// other entries must fit the limit, and their sizes come from the zip's
// directory, so the skipped folders are never unpacked. A .tar.gz must be
// unpacked to be walked, so its limit stays as it is.

import { Dirent, Stats, createReadStream, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Parser, ReadEntry } from "tar";
import yauzl from "yauzl";
import { SubmissionKind } from "./model";

/** How much of a submission is read, at most. */
export interface ArchiveLimits {
  /** Largest archive file, in bytes. */
  readonly archiveBytes: number;
  /** Most bytes unpacked: the entries read, and for a .tar.gz every byte it unpacks to. */
  readonly unpackedBytes: number;
  /** Largest entry read, in bytes. */
  readonly fileBytes: number;
  /** Most entries in an archive, or files in a folder. */
  readonly entries: number;
}

/** An entry that was not read, and why: "leaves the archive", "is a symbolic link (to ...)". */
export interface Refusal {
  readonly path: string;
  readonly reason: string;
  /** Set when it was refused for being bigger than `fileBytes`. */
  readonly tooBig?: true;
}

/** Entries of a submission: every path (relative, with "/"), and the contents of the wanted ones. */
export interface Listing {
  readonly paths: string[];
  readonly contents: Map<string, Buffer>;
  /** Entries refused (unsafe names, links, devices, too big), in the order met. */
  readonly refused: Refusal[];
  /** Set when a zip over its size limit was read, its excess all in folders never read. */
  oversize?: Oversize;
}

/** A zip over its size limit because of folders the grader never reads. */
export interface Oversize {
  /** The zip's size, or for a part of a class zip the compressed size of its entries. */
  readonly bytes: number;
  readonly limit: number;
  /** Compressed bytes in each folder never read ("node_modules"), largest first. */
  readonly skipped: readonly { readonly folder: string; readonly bytes: number }[];
}

export interface ListOptions {
  /** Whether an entry's contents are wanted (its path relative to the submission, with "/"). */
  readonly wanted: (entryPath: string) => boolean;
  readonly limits: ArchiveLimits;
  /**
   * A zip only: the entries that belong to the submission, renamed (a
   * folder's or file's of a class zip), given each entry's name as stored
   * with "/" separators; null: not the submission's, never counted or read.
   * The size limit then applies to the compressed size of the entries taken.
   */
  readonly select?: (name: string) => string | null;
  /** A zip only: most entries in all, folders never read included (default OVERSIZE times `limits.entries`). */
  readonly ceiling?: number;
}

/** Folders never looked into: installs, version control, macOS's archive droppings. */
const SKIPPED = new Set(["node_modules", ".git", "__MACOSX", "dist", ".stryker-tmp"]);

/** How many times its limits a zip may be when the excess is all in folders never read. */
export const OVERSIZE = 10;

/** The first folder of a path that is never looked into ("node_modules"), or null. */
export function skippedFolder(name: string): string | null {
  return name.split(/[\\/]/).find((x) => SKIPPED.has(x)) ?? null;
}

/** Lists a submission of any kind; rejects with a sentence ("it is not a readable zip file (...)"). */
export function listSubmission(file: string, kind: SubmissionKind, options: ListOptions): Promise<Listing> {
  switch (kind) {
    case "folder":
      return new Promise((resolve) => resolve(listFolder(file, options)));
    case "zip":
      return listZip(file, options);
    case "tar.gz":
      return listTar(file, options);
  }
}

/** Lists an archive held in memory (one found inside a submission), as listSubmission does a file. */
export function listArchiveBytes(bytes: Buffer, kind: "zip" | "tar.gz", options: ListOptions): Promise<Listing> {
  return kind === "zip" ? listZip(bytes, options) : listTar(bytes, options);
}

/**
 * A name from an archive made safe to compare: "/" separators; null when
 * it climbs out or is absolute (also "C:..." and "\\server\..."); "" when
 * it lies in a folder never looked into.
 */
export function entryPath(name: string): string | null {
  const p = name.replace(/\\/g, "/");
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p) || p.includes("\0")) return null;
  const parts = p.split("/").filter((x) => x !== "" && x !== ".");
  if (parts.includes("..")) return null;
  if (parts.some((x) => SKIPPED.has(x))) return "";
  return parts.join("/");
}

/** A name's bytes shown as text: invalid UTF-8 bytes as \xNN. */
export function showName(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  if (text !== null) return text;
  let out = "";
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase()}`;
  return out;
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

const NOT_UTF8 = "has a name that is not UTF-8 text";
const LEAVES = "leaves the archive";
const LINK_NOTE = "; links are not followed";

function tooBig(max: number): string {
  return `unpacks to more than ${sizeText(max)}, the most a student file may have`;
}

// An entry refused for its size.
function bigRefusal(p: string, limits: ArchiveLimits): Refusal {
  return { path: p, reason: tooBig(limits.fileBytes), tooBig: true };
}

/** The sentence for a submission that unpacks to more than its limit. */
export function tooMuch(limits: ArchiveLimits): string {
  return `it unpacks to more than ${sizeText(limits.unpackedBytes)} in all, the most a submission may`;
}

/** The sentence for a submission with too many entries. */
export function tooMany(limits: ArchiveLimits): string {
  return `it holds more than ${limits.entries} entries, the most a submission may`;
}

function tooManyInAll(ceiling: number): string {
  return `it holds more than ${ceiling} entries in all, counting the folders the grader never reads (node_modules/, .git/)`;
}

/** A size for messages: "64 KiB", "1.5 MiB". */
export function sizeText(bytes: number): string {
  const [n, unit] = bytes >= 1048576 ? [bytes / 1048576, "MiB"] : [bytes / 1024, "KiB"];
  return `${Math.round(n * 10) / 10} ${unit}`;
}

// --- a folder ------------------------------------------------------------------

function listFolder(root: string, options: ListOptions): Listing {
  const { limits } = options;
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  const budget = { read: 0 };
  let seen = 0;
  const walk = (rel: string): void => {
    // names as bytes: a name that is not UTF-8 would otherwise be changed on the way
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true, encoding: "buffer" });
    for (const e of entries as unknown as Dirent<Buffer>[]) {
      if (++seen > limits.entries) throw new Error(tooMany(limits));
      const name = decodeUtf8(e.name);
      const shown = rel === "" ? showName(e.name) : `${rel}/${showName(e.name)}`;
      if (name === null) {
        listing.refused.push({ path: shown, reason: NOT_UTF8 });
        continue;
      }
      if (e.isDirectory()) {
        if (!SKIPPED.has(name)) walk(shown);
        continue;
      }
      takeFile(listing, { abs: path.join(root, shown), rel: shown, type: e }, options, budget);
    }
  };
  walk("");
  return listing;
}

/**
 * One plain file on disk taken as the entry `as` of a submission (an LMS's
 * flat file: "doejane_123_456_cow.ts" read as "cow.ts"), checked as a file
 * of a submission's folder is.
 */
export function listFile(file: string, as: string, options: ListOptions): Listing {
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  takeFile(listing, { abs: file, rel: as, type: lstatSync(file) }, options, { read: 0 });
  return listing;
}

// A file of a folder: refused when it is not a plain file, a hard link or
// too big; listed; and read when wanted. Throws past the unpacked limit.
function takeFile(
  listing: Listing,
  file: { readonly abs: string; readonly rel: string; readonly type: FileType },
  options: ListOptions,
  budget: { read: number },
): void {
  const { abs, rel } = file;
  const { limits } = options;
  const special = specialKind(file.type, abs);
  if (special !== null) {
    listing.refused.push({ path: rel, reason: special });
    return;
  }
  listing.paths.push(rel);
  if (!options.wanted(rel)) return;
  const st = statSync(abs);
  const refusal: Refusal | null =
    st.nlink > 1
      ? { path: rel, reason: `is a hard link (one of ${st.nlink} names of a file)${LINK_NOTE}` }
      : st.size > limits.fileBytes
        ? bigRefusal(rel, limits)
        : null;
  if (refusal !== null) {
    listing.refused.push(refusal);
    return;
  }
  budget.read += st.size;
  if (budget.read > limits.unpackedBytes) throw new Error(tooMuch(limits));
  listing.contents.set(rel, readFileSync(abs));
}

/** What a directory entry or lstat says a file is. */
type FileType = Pick<
  Stats,
  "isFile" | "isSymbolicLink" | "isCharacterDevice" | "isBlockDevice" | "isFIFO" | "isSocket"
>;

// What a folder entry is when it is not a plain file or a folder: a reason to refuse it.
function specialKind(e: FileType, abs: string): string | null {
  if (e.isFile()) return null;
  if (e.isSymbolicLink()) {
    let target = "";
    try {
      target = ` (to "${readlinkSync(abs)}")`;
    } catch {
      target = "";
    }
    return `is a symbolic link${target}${LINK_NOTE}`;
  }
  if (e.isCharacterDevice()) return "is a character device; only plain files are read";
  if (e.isBlockDevice()) return "is a block device; only plain files are read";
  if (e.isFIFO()) return "is a named pipe; only plain files are read";
  if (e.isSocket()) return "is a socket; only plain files are read";
  return "is not a plain file; only plain files are read";
}

// --- a zip -----------------------------------------------------------------------

/** The Unix file type bits of a zip entry made on Unix, or null. */
function zipFileType(entry: yauzl.Entry): number | null {
  if (entry.versionMadeBy >> 8 !== 3) return null; // 3: made on Unix, so the top 16 bits are st_mode
  return (entry.externalFileAttributes >>> 16) & 0o170000;
}

const ZIP_TYPES: Readonly<Record<number, string>> = {
  0o120000: `is a symbolic link${LINK_NOTE}`,
  0o020000: "is a character device; only plain files are read",
  0o060000: "is a block device; only plain files are read",
  0o010000: "is a named pipe; only plain files are read",
  0o140000: "is a socket; only plain files are read",
};

const ZIP_OPTIONS = { lazyEntries: true, decodeStrings: false, validateEntrySizes: false } as const;

// decodeStrings false: yauzl would stop at the first unsafe name; we refuse that entry alone
function listZip(input: string | Buffer, options: ListOptions): Promise<Listing> {
  const size = typeof input === "string" ? lstatSync(input).size : input.length;
  const whole = options.select === undefined ? size : null;
  return new Promise((resolve, reject) => {
    if (whole !== null && whole > options.limits.archiveBytes * OVERSIZE)
      return reject(new Error(archiveTooBig(whole, options.limits)));
    const opened = (err: Error | null, zip?: yauzl.ZipFile): void => {
      if (err || !zip) return reject(new Error(`it is not a readable zip file (${err?.message ?? "unknown error"})`));
      new ZipWalk(zip, options, whole, resolve, reject).start();
    };
    if (typeof input === "string") yauzl.open(input, ZIP_OPTIONS, opened);
    else yauzl.fromBuffer(input, ZIP_OPTIONS, opened);
  });
}

/** One pass over a zip's directory: each entry checked, the wanted ones read, the sizes counted. */
class ZipWalk {
  readonly listing: Listing = { paths: [], contents: new Map(), refused: [] };
  private failed = false;
  /** Bytes unpacked from the entries read. */
  private read = 0;
  /** Entries of the submission outside the folders never read. */
  private counted = 0;
  /** Compressed bytes of the submission's entries: all of them, and those outside the folders never read. */
  private selectedBytes = 0;
  private takenBytes = 0;
  private readonly skipped = new Map<string, number>();

  constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly options: ListOptions,
    /** The zip's size when the whole zip is the submission, else null. */
    private readonly whole: number | null,
    private readonly resolve: (l: Listing) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  start(): void {
    const ceiling = this.options.ceiling ?? this.options.limits.entries * OVERSIZE;
    if (this.zip.entryCount > ceiling) return this.fail(tooManyInAll(ceiling));
    this.zip.on("error", (e: Error) => this.fail(`the zip file is damaged (${e.message})`));
    this.zip.on("end", () => this.finish());
    this.zip.on("entry", (entry: yauzl.Entry) => this.entry(entry));
    this.zip.readEntry();
  }

  fail(why: string, close = true): void {
    if (this.failed) return;
    this.failed = true;
    if (close) this.zip.close();
    this.reject(new Error(why));
  }

  private next(): void {
    this.zip.readEntry();
  }

  // The checks of one entry, in order: its name, the folders never read, the limits, its type.
  private entry(entry: yauzl.Entry): void {
    if (this.failed) return;
    const rawName = entry.fileName as unknown as Buffer;
    const raw = decodeUtf8(rawName);
    const stored = raw ?? showName(rawName);
    const name = this.options.select === undefined ? stored : this.options.select(stored.replace(/\\/g, "/"));
    if (name === null) return this.next();
    this.selectedBytes += entry.compressedSize;
    const rel = raw === null ? null : entryPath(name);
    if (rel === "") return this.skip(name, entry);
    if (++this.counted > this.options.limits.entries) return this.fail(tooMany(this.options.limits));
    this.takenBytes += entry.compressedSize;
    if (raw === null) return this.refuse(name, NOT_UTF8);
    if (rel === null) return this.refuse(name, LEAVES);
    if (name.endsWith("/") || name.endsWith("\\")) return this.next();
    const type = zipFileType(entry);
    if (type === 0o040000) return this.next();
    if (type !== null && type !== 0 && type !== 0o100000)
      return this.refuse(rel, ZIP_TYPES[type] ?? "is not a plain file; only plain files are read");
    this.listing.paths.push(rel);
    if (!this.options.wanted(rel)) return this.next();
    if (entry.uncompressedSize > this.options.limits.fileBytes) {
      this.listing.refused.push(bigRefusal(rel, this.options.limits));
      return this.next();
    }
    if (this.read + entry.uncompressedSize > this.options.limits.unpackedBytes)
      return this.fail(tooMuch(this.options.limits));
    this.zip.openReadStream(entry, (e, stream) => {
      if (e || !stream) return this.refuse(rel, `is damaged (${e?.message ?? "unknown error"})`);
      this.readStream(rel, entry, stream);
    });
  }

  // an entry in a folder never read: only its compressed size is counted, for the warning
  private skip(name: string, entry: yauzl.Entry): void {
    const folder = skippedFolder(name);
    if (folder !== null) this.skipped.set(folder, (this.skipped.get(folder) ?? 0) + entry.compressedSize);
    this.next();
  }

  private refuse(p: string, reason: string): void {
    this.listing.refused.push({ path: p, reason });
    this.next();
  }

  // the header's size may lie: count what really comes out, and stop at the limit
  private readStream(rel: string, entry: yauzl.Entry, stream: Readable): void {
    const { limits } = this.options;
    const chunks: Buffer[] = [];
    let got = 0;
    let done = false;
    const finish = (refusal: string | Refusal | null): void => {
      if (done) return;
      done = true;
      if (refusal === null) this.listing.contents.set(rel, Buffer.concat(chunks));
      else this.listing.refused.push(typeof refusal === "string" ? { path: rel, reason: refusal } : refusal);
      this.next();
    };
    stream.on("data", (c: Buffer) => {
      got += c.length;
      this.read += c.length;
      if (got > limits.fileBytes) {
        stream.destroy();
        finish(bigRefusal(rel, limits));
      } else if (this.read > limits.unpackedBytes) {
        stream.destroy();
        done = true;
        this.fail(tooMuch(limits));
      } else chunks.push(c);
    });
    stream.on("error", (se: Error) => finish(`is damaged (${se.message})`));
    stream.on("end", () =>
      finish(
        got === entry.uncompressedSize
          ? null
          : `is damaged (its header says ${entry.uncompressedSize} bytes, it unpacks to ${got})`,
      ),
    );
  }

  // Over its size limit, the zip is read only when its excess is all in folders never read.
  private finish(): void {
    if (this.failed) return;
    const { limits } = this.options;
    const bytes = this.whole ?? this.selectedBytes;
    if (bytes > limits.archiveBytes) {
      if (this.takenBytes > limits.archiveBytes || this.skipped.size === 0)
        return this.fail(archiveTooBig(bytes, limits), false);
      const skipped = [...this.skipped].map(([folder, n]) => ({ folder, bytes: n }));
      skipped.sort((a, b) => b.bytes - a.bytes || (a.folder < b.folder ? -1 : 1));
      this.listing.oversize = { bytes, limit: limits.archiveBytes, skipped };
    }
    this.resolve(this.listing);
  }
}

/** The sentence for an archive bigger than its limit. */
export function archiveTooBig(size: number, limits: ArchiveLimits): string {
  return `it is ${sizeText(size)}, more than the ${sizeText(limits.archiveBytes)} a submission may be`;
}

// --- a .tar.gz -------------------------------------------------------------------

const TAR_REFUSED: Readonly<Record<string, string>> = {
  CharacterDevice: "is a character device; only plain files are read",
  BlockDevice: "is a block device; only plain files are read",
  FIFO: "is a named pipe; only plain files are read",
};

function listTar(file: string | Buffer, options: ListOptions): Promise<Listing> {
  const { limits } = options;
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  return new Promise((resolve, reject) => {
    const size = typeof file === "string" ? lstatSync(file).size : file.length;
    if (size > limits.archiveBytes) return reject(new Error(archiveTooBig(size, limits)));
    let failed = false;
    let read = 0;
    let unpacked = 0;
    let entries = 0;
    const input = typeof file === "string" ? createReadStream(file) : Readable.from([file]);
    const gunzip = createGunzip();
    const parser = new Parser({ strict: true });
    const fail = (why: string): void => {
      if (failed) return;
      failed = true;
      input.destroy();
      gunzip.destroy();
      reject(new Error(why));
    };
    // every byte of a .tar.gz is unpacked to walk it: count them all
    let zeros = true; // an empty tar is only zero blocks, which the parser takes for a damaged one
    gunzip.on("data", (c: Buffer) => {
      if (zeros && c.some((b) => b !== 0)) zeros = false;
      unpacked += c.length;
      if (unpacked > limits.unpackedBytes) fail(tooMuch(limits));
    });
    parser.on("entry", (entry: ReadEntry) => {
      if (failed) return entry.resume();
      if (++entries > limits.entries) {
        fail(tooMany(limits));
        return entry.resume();
      }
      const refuse = (p: string, reason: string): void => {
        listing.refused.push({ path: p, reason });
        entry.resume();
      };
      if (entry.path.includes("\uFFFD")) return refuse(entry.path, NOT_UTF8);
      const rel = entryPath(entry.path);
      if (rel === null) return refuse(entry.path, LEAVES);
      if (rel === "") return entry.resume();
      switch (entry.type) {
        case "File":
        case "OldFile":
        case "ContiguousFile":
          break;
        case "Directory":
        case "GNUDumpDir":
          return entry.resume();
        case "SymbolicLink":
          return refuse(rel, `is a symbolic link (to "${entry.linkpath ?? ""}")${LINK_NOTE}`);
        case "Link":
          return refuse(rel, `is a hard link (to "${entry.linkpath ?? ""}")${LINK_NOTE}`);
        default:
          return refuse(rel, TAR_REFUSED[entry.type] ?? "is not a plain file; only plain files are read");
      }
      listing.paths.push(rel);
      if (!options.wanted(rel)) return entry.resume();
      if (entry.size > limits.fileBytes) {
        listing.refused.push(bigRefusal(rel, limits));
        return entry.resume();
      }
      const chunks: Buffer[] = [];
      let got = 0;
      entry.on("data", (c: Buffer) => {
        got += c.length;
        read += c.length;
        if (got <= limits.fileBytes) chunks.push(c);
        if (read > limits.unpackedBytes) fail(tooMuch(limits));
      });
      entry.on("end", () => {
        if (got > limits.fileBytes) listing.refused.push(bigRefusal(rel, limits));
        else listing.contents.set(rel, Buffer.concat(chunks));
      });
    });
    parser.on("error", (e: Error) => {
      if (entries === 0 && zeros && (e as NodeJS.ErrnoException).code === "TAR_BAD_ARCHIVE") {
        failed = true;
        resolve(listing);
      } else fail(`it is not a readable .tar.gz file (${e.message})`);
    });
    parser.on("end", () => {
      if (!failed) resolve(listing);
    });
    // Errors are taken from each stream itself: stream.pipeline(input, gunzip)
    // reports success once gunzip's writable side finishes, and a truncated
    // gzip's "unexpected end of file" then came after, with no listener.
    const broken = (e: Error): void => fail(`it is not a readable .tar.gz file (${gzipMessage(e)})`);
    input.on("error", broken);
    gunzip.on("error", broken);
    input.pipe(gunzip).pipe(parser);
  });
}

function gzipMessage(e: Error): string {
  return (e as NodeJS.ErrnoException).code === "Z_DATA_ERROR" ? `not gzip-compressed: ${e.message}` : e.message;
}
