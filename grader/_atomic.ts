// Writing a file so that no reader ever sees half of it: write a temporary
// file beside it, then rename it over the old one (atomic on one filesystem).

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

let counter = 0;

/** Writes `text` to `file` atomically, making its folder when needed. */
export function writeAtomic(file: string, text: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
