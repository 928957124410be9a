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

import { Dirent, createReadStream, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
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
}

/** Entries of a submission: every path (relative, with "/"), and the contents of the wanted ones. */
export interface Listing {
  readonly paths: string[];
  readonly contents: Map<string, Buffer>;
  /** Entries refused (unsafe names, links, devices, too big), in the order met. */
  readonly refused: Refusal[];
}

export interface ListOptions {
  /** Whether an entry's contents are wanted (its path relative to the submission, with "/"). */
  readonly wanted: (entryPath: string) => boolean;
  readonly limits: ArchiveLimits;
}

/** Folders never looked into: installs, version control, macOS's archive droppings. */
const SKIPPED = new Set(["node_modules", ".git", "__MACOSX", "dist", ".stryker-tmp"]);

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

function tooMuch(limits: ArchiveLimits): string {
  return `it unpacks to more than ${sizeText(limits.unpackedBytes)} in all, the most a submission may`;
}

function tooMany(limits: ArchiveLimits): string {
  return `it holds more than ${limits.entries} entries, the most a submission may`;
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
  let seen = 0;
  let read = 0;
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
      const child = shown;
      const abs = path.join(root, child);
      if (e.isDirectory()) {
        if (!SKIPPED.has(name)) walk(child);
        continue;
      }
      const special = specialKind(e, abs);
      if (special !== null) {
        listing.refused.push({ path: child, reason: special });
        continue;
      }
      listing.paths.push(child);
      if (!options.wanted(child)) continue;
      const st = statSync(abs);
      if (st.nlink > 1) {
        listing.refused.push({
          path: child,
          reason: `is a hard link (one of ${st.nlink} names of a file)${LINK_NOTE}`,
        });
        continue;
      }
      if (st.size > limits.fileBytes) {
        listing.refused.push({ path: child, reason: tooBig(limits.fileBytes) });
        continue;
      }
      read += st.size;
      if (read > limits.unpackedBytes) throw new Error(tooMuch(limits));
      listing.contents.set(child, readFileSync(abs));
    }
  };
  walk("");
  return listing;
}

// What a folder entry is when it is not a plain file or a folder: a reason to refuse it.
function specialKind(e: Dirent<Buffer>, abs: string): string | null {
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

function listZip(file: string, options: ListOptions): Promise<Listing> {
  const { limits } = options;
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  return new Promise((resolve, reject) => {
    const size = lstatSync(file).size;
    if (size > limits.archiveBytes) return reject(new Error(archiveTooBig(size, limits)));
    // decodeStrings false: yauzl would stop at the first unsafe name; we refuse that entry alone
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false }, (err, zip) => {
      if (err || !zip) return reject(new Error(`it is not a readable zip file (${err?.message ?? "unknown error"})`));
      let failed = false;
      const fail = (why: string): void => {
        if (failed) return;
        failed = true;
        zip.close();
        reject(new Error(why));
      };
      if (zip.entryCount > limits.entries) return fail(tooMany(limits));
      let read = 0;
      zip.on("error", (e: Error) => fail(`the zip file is damaged (${e.message})`));
      zip.on("end", () => {
        if (!failed) resolve(listing);
      });
      zip.on("entry", (entry: yauzl.Entry) => {
        if (failed) return;
        const rawName = entry.fileName as unknown as Buffer;
        const raw = decodeUtf8(rawName);
        const next = (): void => zip.readEntry();
        if (raw === null) {
          listing.refused.push({ path: showName(rawName), reason: NOT_UTF8 });
          return next();
        }
        const rel = entryPath(raw);
        if (rel === null) {
          listing.refused.push({ path: raw, reason: LEAVES });
          return next();
        }
        if (rel === "" || raw.endsWith("/") || raw.endsWith("\\")) return next();
        const type = zipFileType(entry);
        if (type !== null && type !== 0 && type !== 0o100000 && type !== 0o040000) {
          listing.refused.push({
            path: rel,
            reason: ZIP_TYPES[type] ?? "is not a plain file; only plain files are read",
          });
          return next();
        }
        if (type === 0o040000) return next();
        listing.paths.push(rel);
        if (!options.wanted(rel)) return next();
        if (entry.uncompressedSize > limits.fileBytes) {
          listing.refused.push({ path: rel, reason: tooBig(limits.fileBytes) });
          return next();
        }
        if (read + entry.uncompressedSize > limits.unpackedBytes) return fail(tooMuch(limits));
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            listing.refused.push({ path: rel, reason: `is damaged (${e?.message ?? "unknown error"})` });
            return next();
          }
          const chunks: Buffer[] = [];
          let got = 0;
          let done = false;
          const finish = (refusal: string | null): void => {
            if (done) return;
            done = true;
            if (refusal === null) listing.contents.set(rel, Buffer.concat(chunks));
            else listing.refused.push({ path: rel, reason: refusal });
            next();
          };
          // the header's size may lie: count what really comes out, and stop at the limit
          stream.on("data", (c: Buffer) => {
            got += c.length;
            read += c.length;
            if (got > limits.fileBytes) {
              stream.destroy();
              finish(tooBig(limits.fileBytes));
            } else if (read > limits.unpackedBytes) {
              stream.destroy();
              done = true;
              fail(tooMuch(limits));
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
        });
      });
      zip.readEntry();
    });
  });
}

function archiveTooBig(size: number, limits: ArchiveLimits): string {
  return `it is ${sizeText(size)}, more than the ${sizeText(limits.archiveBytes)} a submission may be`;
}

// --- a .tar.gz -------------------------------------------------------------------

const TAR_REFUSED: Readonly<Record<string, string>> = {
  CharacterDevice: "is a character device; only plain files are read",
  BlockDevice: "is a block device; only plain files are read",
  FIFO: "is a named pipe; only plain files are read",
};

function listTar(file: string, options: ListOptions): Promise<Listing> {
  const { limits } = options;
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  return new Promise((resolve, reject) => {
    const size = lstatSync(file).size;
    if (size > limits.archiveBytes) return reject(new Error(archiveTooBig(size, limits)));
    let failed = false;
    let read = 0;
    let unpacked = 0;
    let entries = 0;
    const input = createReadStream(file);
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
      if (entry.size > limits.fileBytes) return refuse(rel, tooBig(limits.fileBytes));
      const chunks: Buffer[] = [];
      let got = 0;
      entry.on("data", (c: Buffer) => {
        got += c.length;
        read += c.length;
        if (got <= limits.fileBytes) chunks.push(c);
        if (read > limits.unpackedBytes) fail(tooMuch(limits));
      });
      entry.on("end", () => {
        if (got > limits.fileBytes) listing.refused.push({ path: rel, reason: tooBig(limits.fileBytes) });
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
