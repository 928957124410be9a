// Listing what a submission holds, whatever its form (a folder, a .zip, a
// .tar.gz), and reading the contents of only the entries the caller wants.
// Nothing is ever extracted to disk: an entry's name is only compared, so an
// entry that climbs out of the archive ("../x") can do no harm.

import { createReadStream, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Parser, ReadEntry } from "tar";
import yauzl from "yauzl";
import { SubmissionKind } from "./model";

/** Entries of a submission: every path (relative, with "/"), and the contents of the wanted ones. */
export interface Listing {
  readonly paths: string[];
  readonly contents: Map<string, Buffer>;
  /** Wanted entries that were not read, with the reason. */
  readonly refused: { path: string; reason: string }[];
}

export interface ListOptions {
  /** Whether an entry's contents are wanted (its path relative to the submission, with "/"). */
  readonly wanted: (entryPath: string) => boolean;
  /** Largest entry read, in bytes. */
  readonly maxBytes: number;
}

/** Folders never looked into: installs, version control, macOS's archive droppings. */
const SKIPPED = new Set(["node_modules", ".git", "__MACOSX", "dist", ".stryker-tmp"]);

/** Lists a submission of any kind; rejects with a sentence when it cannot be read. */
export function listSubmission(file: string, kind: SubmissionKind, options: ListOptions): Promise<Listing> {
  switch (kind) {
    case "folder":
      return Promise.resolve(listFolder(file, options));
    case "zip":
      return listZip(file, options);
    case "tar.gz":
      return listTar(file, options);
  }
}

/** A name from an archive made safe to compare: "/" separators, or null when it climbs out or is absolute. */
export function entryPath(name: string): string | null {
  const p = name.replace(/\\/g, "/");
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return null;
  const parts = p.split("/").filter((x) => x !== "" && x !== ".");
  if (parts.includes("..")) return null;
  if (parts.some((x) => SKIPPED.has(x))) return "";
  return parts.join("/");
}

function listFolder(root: string, options: ListOptions): Listing {
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIPPED.has(e.name)) walk(child);
      } else if (e.isFile()) {
        listing.paths.push(child);
        if (!options.wanted(child)) continue;
        const size = statSync(path.join(root, child)).size;
        if (size > options.maxBytes) listing.refused.push({ path: child, reason: tooBig(size, options.maxBytes) });
        else listing.contents.set(child, readFileSync(path.join(root, child)));
      }
    }
  };
  walk("");
  return listing;
}

function listZip(file: string, options: ListOptions): Promise<Listing> {
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  return new Promise((resolve, reject) => {
    // decodeStrings false: yauzl would stop at the first unsafe name; we refuse that entry alone
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new Error(`not a readable zip file (${err?.message ?? "unknown error"})`));
      zip.on("error", (e: Error) => reject(new Error(`the zip file is damaged (${e.message})`)));
      zip.on("end", () => resolve(listing));
      zip.on("entry", (entry: yauzl.Entry) => {
        const raw = (entry.fileName as unknown as Buffer).toString("utf8");
        const rel = entryPath(raw);
        if (rel === null) {
          listing.refused.push({ path: raw, reason: "its path leaves the archive" });
          return zip.readEntry();
        }
        if (rel === "" || raw.endsWith("/")) return zip.readEntry();
        listing.paths.push(rel);
        if (!options.wanted(rel)) return zip.readEntry();
        if (entry.uncompressedSize > options.maxBytes) {
          listing.refused.push({ path: rel, reason: tooBig(entry.uncompressedSize, options.maxBytes) });
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(new Error(`the zip entry "${rel}" cannot be read (${e?.message})`));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", (se: Error) => reject(new Error(`the zip entry "${rel}" cannot be read (${se.message})`)));
          stream.on("end", () => {
            listing.contents.set(rel, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function listTar(file: string, options: ListOptions): Promise<Listing> {
  const listing: Listing = { paths: [], contents: new Map(), refused: [] };
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (why: string): void => {
      if (!failed) reject(new Error(why));
      failed = true;
    };
    const parser = new Parser({ strict: true });
    parser.on("entry", (entry: ReadEntry) => {
      const rel = entryPath(entry.path);
      if (rel === null) {
        listing.refused.push({ path: entry.path, reason: "its path leaves the archive" });
        return entry.resume();
      }
      if (rel === "" || entry.type !== "File") return entry.resume();
      listing.paths.push(rel);
      if (!options.wanted(rel)) return entry.resume();
      if (entry.size > options.maxBytes) {
        listing.refused.push({ path: rel, reason: tooBig(entry.size, options.maxBytes) });
        return entry.resume();
      }
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => listing.contents.set(rel, Buffer.concat(chunks)));
    });
    parser.on("error", (e: Error) => fail(`not a readable .tar.gz file (${e.message})`));
    parser.on("end", () => {
      if (!failed) resolve(listing);
    });
    const input = createReadStream(file);
    input.on("error", (e) => fail(e.message));
    input.pipe(parser);
  });
}

function tooBig(size: number, max: number): string {
  return `it is ${size} bytes, more than the ${max} a student file may have`;
}
