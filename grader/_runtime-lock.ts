// The autograder's npm dependencies, pinned: a package.json naming the
// packages the grader loads on Gradescope, at the versions the kit's own
// package-lock.json installs, and a package-lock.json holding exactly those
// packages and everything they need, cut from the kit's lock (its
// versions and integrity hashes), so that `npm ci` on Gradescope installs
// byte for byte what the kit was tested with, and nothing else.

import { readFileSync } from "node:fs";
import path from "node:path";

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly [key: string]: unknown;
}

interface Lock {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** The autograder's package.json and package-lock.json, as JSON values. */
export interface RuntimeManifest {
  readonly packageJson: Record<string, unknown>;
  readonly lock: Record<string, unknown>;
}

/**
 * The manifest for `packages` (top-level names), cut from `<root>/package-lock.json`;
 * `engines` is copied into package.json. Throws, naming the package, when the lock lacks one.
 */
export function runtimeManifest(root: string, packages: readonly string[], engines: unknown): RuntimeManifest {
  const file = path.join(root, "package-lock.json");
  const lock = JSON.parse(readFileSync(file, "utf8")) as Lock;
  if (lock.lockfileVersion < 2)
    throw new Error(
      `Cannot pin the autograder's packages: "${file}" is lockfile version ${lock.lockfileVersion}, not 2 or 3`,
    );
  const dependencies: Record<string, string> = {};
  for (const name of [...packages].sort()) {
    const entry = lock.packages[`node_modules/${name}`];
    if (entry?.version === undefined)
      throw new Error(
        `Cannot pin the autograder's packages: "${file}" has no "node_modules/${name}" (run npm install)`,
      );
    dependencies[name] = entry.version;
  }
  const root_ = { name: "oslab-autograder", version: "0.0.0", dependencies, engines };
  const kept: Record<string, unknown> = { "": root_ };
  for (const loc of closure(lock, Object.keys(dependencies)).sort()) kept[loc] = withoutDevFlags(lock.packages[loc]!);
  return {
    packageJson: { ...root_, private: true, description: "oslab's Gradescope autograder" },
    lock: {
      name: root_.name,
      version: root_.version,
      lockfileVersion: lock.lockfileVersion,
      requires: true,
      packages: kept,
    },
  };
}

// Every lock location the named top-level packages reach through their
// dependencies (optional ones and required peers included).
function closure(lock: Lock, names: readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = names.map((n) => `node_modules/${n}`);
  while (todo.length > 0) {
    const loc = todo.pop()!;
    if (seen.has(loc)) continue;
    seen.add(loc);
    const e = lock.packages[loc]!;
    const optionalPeer = (d: string) => e.peerDependenciesMeta?.[d]?.optional === true;
    const wanted = [
      ...Object.keys(e.dependencies ?? {}),
      ...Object.keys(e.optionalDependencies ?? {}),
      ...Object.keys(e.peerDependencies ?? {}).filter((d) => !optionalPeer(d)),
    ];
    for (const dep of wanted) {
      const at = resolve(lock, loc, dep);
      if (at !== null) todo.push(at);
      else if (!(dep in (e.optionalDependencies ?? {})))
        throw new Error(`Cannot pin the autograder's packages: "${loc}" needs "${dep}", which the lock does not hold`);
    }
  }
  return [...seen];
}

// Where Node finds `dep` from the package at `loc`: its own node_modules, then each one above.
function resolve(lock: Lock, loc: string, dep: string): string | null {
  let base = loc;
  for (;;) {
    const at = `${base}/node_modules/${dep}`;
    if (lock.packages[at] !== undefined) return at;
    const up = base.lastIndexOf("/node_modules/");
    if (up < 0) break;
    base = base.slice(0, up);
  }
  return lock.packages[`node_modules/${dep}`] !== undefined ? `node_modules/${dep}` : null;
}

// In the kit's lock, a package only its tools need is marked dev; here every package is the grader's own.
function withoutDevFlags(e: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = e;
  return rest;
}
