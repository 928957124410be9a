// The bubblewrap layer's command line. The process gets namespaces of its
// own for everything (no network: its own loopback only; its own process
// numbers, where it is process 1, so that when it dies the kernel kills
// everything it started), an unprivileged uid (65534) in a user namespace
// that cannot make more, a new session (no terminal to push keys into),
// and a root of its own holding only what node needs to start, the paths
// it may read (bound read-only at their own paths), a private /tmp, /proc
// and a minimal /dev; the root is made read-only last. It dies with the
// bubblewrap process that started it.

import { accessSync, constants } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PathOp, nodeRuntimePaths, replicatePath } from "./_host";

/** uid and gid inside the sandbox: "nobody". */
export const SANDBOX_ID = 65534;
/** Size of the private /tmp, in bytes (where bubblewrap can set it). */
const TMP_BYTES = 16 * 1024 * 1024;

/** bubblewrap's binary: the first "bwrap" on the PATH or in the usual places; null when there is none. */
export function bwrapBinary(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/usr/local/bin", "/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const p = path.join(dir, "bwrap");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

let options: ReadonlySet<string> | null = null;

// The options this bubblewrap knows (0.4 has no --size, --disable-userns came in 0.8).
function known(bwrap: string): ReadonlySet<string> {
  if (options === null) {
    const help = spawnSync(bwrap, ["--help"], { encoding: "utf8" });
    options = new Set((`${help.stdout}${help.stderr}`.match(/--[a-z-]+/g) ?? []).values());
  }
  return options;
}

/**
 * bubblewrap's options for a process that may read `read` (files or
 * folders, each shown read-only at its own path), up to the "--" after
 * which the command comes.
 */
export function bwrapArgs(bwrap: string, read: readonly string[]): string[] {
  const has = known(bwrap);
  const seen = new Set<string>();
  const ops: PathOp[] = [...nodeRuntimePaths(), ...read].flatMap((p) => replicatePath(p, seen));
  return [
    "--unshare-all",
    "--unshare-user",
    ...(has.has("--disable-userns") ? ["--disable-userns"] : []),
    "--uid",
    String(SANDBOX_ID),
    "--gid",
    String(SANDBOX_ID),
    "--hostname",
    "oslab-sandbox",
    "--die-with-parent",
    "--new-session",
    "--as-pid-1",
    "--cap-drop",
    "ALL",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    ...(has.has("--size") ? ["--size", String(TMP_BYTES)] : []),
    "--tmpfs",
    "/tmp",
    ...ops.flatMap((op) => (op.kind === "bind" ? ["--ro-bind", op.path, op.path] : ["--symlink", op.target, op.path])),
    "--remount-ro",
    "/",
    "--chdir",
    "/",
    "--",
  ];
}
