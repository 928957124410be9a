// Building the benchmark's C programs with the system's compiler, into a
// temporary folder, at bench time.

import { spawnSync } from "node:child_process";
import path from "node:path";
import { C_DIR } from "./_paths";

const COMPILERS = ["cc", "gcc", "clang"];

/** The first C compiler on PATH that runs (`cc`, then `gcc`, then `clang`); null when none does. */
export function findCompiler(): string | null {
  for (const cc of COMPILERS) {
    const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
    if (r.error === undefined && r.status === 0) return cc;
  }
  return null;
}

/**
 * Compiles bench/c/NAME.c with `cc -O2` into `outDir`; returns the
 * executable's path. Throws with the compiler's messages when it fails.
 */
export function compileC(cc: string, name: string, outDir: string): string {
  const source = path.join(C_DIR, `${name}.c`);
  const exe = path.join(outDir, name);
  const r = spawnSync(cc, ["-O2", "-o", exe, source], { encoding: "utf8" });
  if (r.error !== undefined) throw new Error(`Cannot run ${cc}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`Cannot compile "${source}" with ${cc}:\n${r.stderr}`);
  return exe;
}
