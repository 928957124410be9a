// The entries of a class, for discovery to decide on (_class.ts): a class
// folder on disk, or a class zip read from its directory alone (names,
// sizes, dates; nothing unpacked). Names are checked as a submission's are
// (_archive.ts): a link, a device, a name that is not UTF-8 or that leaves
// the archive is an entry refused, never followed.

import { Dirent, lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import yauzl from "yauzl";
import { entryPath, listSubmission, showName, skippedFolder } from "./_archive";
import { ClassItem } from "./_class";
import { isHidden } from "./_names";
import { CLASS_CEILING } from "./_source";

/** A class: where its entries are, and each entry. */
export interface ClassListing {
  /** The class's entries are in this folder, or in this zip under `prefix`. */
  readonly container: { readonly path: string; readonly kind: "folder" | "zip" };
  /** In a class zip, the folder holding the entries ("assignment_123_export"); else "". */
  readonly prefix: string;
  /** Sorted by name. */
  readonly items: readonly ClassItem[];
  /** The text of the file entry `name` when it is at most `max` bytes, else null. */
  readText(name: string, max: number): Promise<string | null>;
}

/** Files looked at in each folder of a class to find whether it is empty and when it last changed. */
const LOOKED_AT = 100_000;

const NOT_UTF8 = "has a name that is not UTF-8 text";
const LINK_NOTE = "; links are not followed";

/** The entries of class folder `dir`. */
export function listClassFolder(dir: string): ClassListing {
  const entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" }) as unknown as Dirent<Buffer>[];
  const items = entries.map((e) => folderItem(dir, e)).sort((a, b) => compare(a.name, b.name));
  const readText = (name: string, max: number): Promise<string | null> => {
    const file = path.join(dir, name);
    const st = lstatSync(file);
    return Promise.resolve(st.isFile() && st.size <= max ? readFileSync(file, "utf8") : null);
  };
  return { container: { path: dir, kind: "folder" }, prefix: "", items, readText };
}

// One entry of a class folder.
function folderItem(dir: string, e: Dirent<Buffer>): ClassItem {
  if (decodeFails(e.name)) return refused(showName(e.name), NOT_UTF8);
  const name = e.name.toString("utf8");
  const abs = path.join(dir, name);
  if (e.isDirectory()) {
    const { files, newest } = lookInside(abs);
    return { name, type: "folder", empty: files === 0, newest: newest ?? lstatSync(abs).mtimeMs };
  }
  if (e.isFile()) {
    const st = lstatSync(abs);
    return { name, type: "file", empty: st.size === 0, newest: st.mtimeMs };
  }
  if (e.isSymbolicLink()) return refused(name, `is a symbolic link (to "${readlinkSync(abs)}")${LINK_NOTE}`);
  return refused(name, "is not a plain file or a folder; only those are read");
}

function decodeFails(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

function refused(name: string, reason: string): ClassItem {
  return { name, type: "refused", reason, empty: false, newest: 0 };
}

// How many files a folder holds outside hidden folders and those never read (up to LOOKED_AT), and the newest's time.
function lookInside(root: string): { files: number; newest: number | null } {
  let files = 0;
  let newest: number | null = null;
  const walk = (dir: string, depth: number): void => {
    if (depth > 16) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (files >= LOOKED_AT || isHidden(e.name) || skippedFolder(e.name) !== null) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs, depth + 1);
      else if (e.isFile()) {
        files++;
        newest = Math.max(newest ?? 0, lstatSync(abs).mtimeMs);
      }
    }
  };
  walk(root, 0);
  return { files, newest };
}

/** Names compared by their UTF-16 code units: the same order on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- a class zip --------------------------------------------------------------------

/** One entry of a zip's directory. */
export interface CatalogEntry {
  /** Its path, "/"-separated; as stored (shown) when refused. */
  readonly path: string;
  readonly dir: boolean;
  readonly size: number;
  readonly newest: number;
  /** Set when the name is unsafe: not UTF-8, or leaves the archive. */
  readonly refused?: string;
}

/** Every entry of zip `file`'s directory (nothing unpacked), or null when it is no readable zip. */
export function readCatalog(file: string): Promise<CatalogEntry[] | null> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false }, (err, zip) => {
      if (err || !zip || zip.entryCount > CLASS_CEILING) return resolve(null);
      const out: CatalogEntry[] = [];
      zip.on("error", () => resolve(null));
      zip.on("end", () => resolve(out));
      zip.on("entry", (entry: yauzl.Entry) => {
        out.push(catalogEntry(entry));
        zip.readEntry();
      });
      zip.readEntry();
    });
  });
}

function catalogEntry(entry: yauzl.Entry): CatalogEntry {
  const raw = entry.fileName as unknown as Buffer;
  const shown = showName(raw);
  const base = { dir: shown.endsWith("/") || shown.endsWith("\\"), size: entry.uncompressedSize, newest: 0 };
  if (decodeFails(raw)) return { ...base, path: shown, refused: NOT_UTF8 };
  if (entryPath(shown) === null) return { ...base, path: shown, refused: "leaves the archive" };
  // the name as a submission's listing sees it (_archive.ts ListOptions.select): "\\" as "/"
  const name = shown.replace(/\\/g, "/").replace(/\/+$/, "");
  return { ...base, path: name, newest: entry.getLastModDate().getTime() };
}

/** The entries of class zip `file` in its folder `prefix` ("" for its top). */
export function listClassZip(file: string, catalog: readonly CatalogEntry[], prefix: string): ClassListing {
  const start = prefix === "" ? "" : `${prefix}/`;
  const children = new Map<string, CatalogEntry[]>();
  for (const e of catalog) {
    if (e.refused !== undefined || !e.path.startsWith(start) || e.path === prefix) continue;
    const name = e.path.slice(start.length).split("/")[0]!;
    const list = children.get(name);
    if (list === undefined) children.set(name, [e]);
    else list.push(e);
  }
  const items = [...children].map(([name, entries]) => zipItem(start, name, entries));
  // an unsafe name is told at the top, unless it lies in a student's folder: then their submission tells it
  for (const e of catalog)
    if (e.refused !== undefined && !children.has(e.path.replace(/\\/g, "/").slice(start.length).split("/")[0]!))
      items.push(refused(e.path, e.refused));
  items.sort((a, b) => compare(a.name, b.name));
  const readText = async (name: string, max: number): Promise<string | null> => {
    const target = `${start}${name}`;
    const limits = { archiveBytes: max, unpackedBytes: max, fileBytes: max, entries: 1 };
    const only = (n: string): string | null => (n === target ? n : null);
    const listing = await listSubmission(file, "zip", {
      wanted: () => true,
      limits,
      select: only,
      ceiling: CLASS_CEILING,
    });
    return listing.contents.get(target)?.toString("utf8") ?? null;
  };
  return { container: { path: file, kind: "zip" }, prefix, items, readText };
}

// One entry at the top of a class zip's folder, from the directory entries under it.
function zipItem(start: string, name: string, entries: readonly CatalogEntry[]): ClassItem {
  const self = `${start}${name}`;
  const file = entries.find((e) => e.path === self && !e.dir);
  if (file !== undefined) return { name, type: "file", empty: file.size === 0, newest: file.newest };
  const inside = entries.filter((e) => !e.dir && e.path !== self && readable(e.path.slice(self.length + 1)));
  const newest = entries.reduce((n, e) => Math.max(n, e.newest), 0);
  return { name, type: "folder", empty: inside.length === 0, newest };
}

// Whether a path inside a folder lies outside hidden folders and those never read.
function readable(rel: string): boolean {
  return rel.split("/").every((x) => !isHidden(x) && skippedFolder(x) === null);
}
