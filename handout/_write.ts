// Writing an output file whole or not at all: the bytes go to a temporary
// file beside it, which is then renamed over it (a rename within one folder
// is atomic), so a reader never sees half a handout.

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes `data` to `file` atomically, creating its folder; returns `file`. */
export function writeAtomic(file: string, data: string | Uint8Array): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempBeside(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}

/** A temporary name in `file`'s folder, hidden, unique to this process and call. */
export function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
}

let counter = 0;
