// What a Node process needs of the host's file system to start: the node
// binary, its ELF interpreter and the shared libraries it maps, each at the
// path the dynamic loader looks for it. bubblewrap's sandbox shows these and
// nothing else of the system (no shell, no other program, no /etc), so a
// process that escaped everything else still finds nothing to run.

import {
  closeSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
} from "node:fs";
import path from "node:path";

/** One step of making a path of the host appear at the same path in a sandbox. */
export type PathOp =
  | { readonly kind: "bind"; readonly path: string }
  | { readonly kind: "symlink"; readonly target: string; readonly path: string };

/** Symbolic links followed at most while replicating one path (as the kernel's own limit). */
const MAX_LINKS = 40;

/**
 * The operations that make `p` resolve in a sandbox as it does here: each
 * symbolic link met on the way is made again (same target), and the real
 * file or folder it leads to is bound. `seen` (paths already made) keeps
 * the list free of repeats across calls.
 */
export function replicatePath(p: string, seen: Set<string>, links = 0): PathOp[] {
  const parts = path
    .resolve(p)
    .split("/")
    .filter((x) => x !== "");
  let real = "/";
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(real, parts[i]!);
    if (lstatSync(next).isSymbolicLink()) {
      if (links >= MAX_LINKS) throw new Error(`Cannot sandbox "${p}": too many symbolic links on its path`);
      const target = readlinkSync(next);
      const rest = path.join(path.resolve(real, target), ...parts.slice(i + 1));
      const link: PathOp[] = seen.has(next) ? [] : [{ kind: "symlink", target, path: next }];
      seen.add(next);
      return [...link, ...replicatePath(rest, seen, links + 1)];
    }
    real = next;
  }
  if (seen.has(real)) return [];
  seen.add(real);
  return [{ kind: "bind", path: real }];
}

/**
 * The files the node binary running this process needs in order to start:
 * itself, its ELF interpreter (the path written in the binary) and the
 * shared libraries this process maps, each with the links in its folder
 * that name it (the loader asks for "libstdc++.so.6", the file is
 * "libstdc++.so.6.0.30"). Read once per process.
 */
export function nodeRuntimePaths(): readonly string[] {
  runtime ??= [process.execPath, ...interpreterOf(process.execPath), ...mappedLibraries().flatMap(withNames)];
  return runtime;
}

let runtime: string[] | null = null;

/** Shared libraries mapped into this process (real paths), from /proc/self/maps. */
function mappedLibraries(): string[] {
  const out = new Set<string>();
  for (const line of readFileSync("/proc/self/maps", "utf8").split("\n")) {
    const at = line.indexOf("/");
    if (at < 0) continue;
    const file = line.slice(at).replace(/ \(deleted\)$/, "");
    if (/\.so(\.[\d.]+)?$/.test(path.basename(file))) out.add(file);
  }
  return [...out].sort();
}

// A library and the links beside it that resolve to it (the names the loader asks for).
function withNames(real: string): string[] {
  const dir = path.dirname(real);
  const stem = path.basename(real).split(".so")[0]!;
  const names = [real];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(stem) || name === path.basename(real)) continue;
    const p = path.join(dir, name);
    try {
      if (lstatSync(p).isSymbolicLink() && realpathSync(p) === real) names.push(p);
    } catch {
      // a dangling link: nothing to name
    }
  }
  return names;
}

/** The ELF interpreter a binary asks for ("/lib64/ld-linux-x86-64.so.2"); none for a static binary. */
export function interpreterOf(binary: string): string[] {
  const fd = openSync(binary, "r");
  try {
    const read = (at: number, n: number): Buffer => {
      const b = Buffer.alloc(n);
      readSync(fd, b, 0, n, at);
      return b;
    };
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) return [];
    const wide = h[4] === 2;
    const le = h[5] === 1;
    const u16 = (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const word = (b: Buffer, at: number): number =>
      wide ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : le ? b.readUInt32LE(at) : b.readUInt32BE(at);
    const phoff = word(h, wide ? 0x20 : 0x1c);
    const size = u16(h, wide ? 0x36 : 0x2a);
    const count = u16(h, wide ? 0x38 : 0x2c);
    for (let i = 0; i < count; i++) {
      const ph = read(phoff + i * size, size);
      if ((le ? ph.readUInt32LE(0) : ph.readUInt32BE(0)) !== 3) continue; // PT_INTERP
      const text = read(word(ph, wide ? 8 : 4), word(ph, wide ? 32 : 16)).toString("latin1");
      return [text.replace(/\0.*$/s, "")];
    }
    return [];
  } finally {
    closeSync(fd);
  }
}

/** The node_modules folders Node's resolution reaches from `p` (each folder above it that has one). */
export function moduleFoldersAbove(p: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    const nm = path.join(dir, "node_modules");
    try {
      if (lstatSync(nm).isDirectory() || lstatSync(nm).isSymbolicLink()) out.push(nm);
    } catch {
      // none here
    }
    if (path.dirname(dir) === dir) return out;
  }
}
