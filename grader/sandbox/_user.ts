// The unprivileged-user layer's pieces: which user the process runs as
// ("oslab-sandbox" where the Gradescope setup made it, else "nobody"), and
// whether that user can read what the process must load (the grader runs
// as root and would never notice a folder only root can enter).

import { readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface SandboxUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The user student code runs as: "oslab-sandbox" when /etc/passwd has it, else "nobody" (65534). */
export function sandboxUser(passwd = "/etc/passwd"): SandboxUser {
  let text = "";
  try {
    text = readFileSync(passwd, "utf8");
  } catch {
    // no passwd file: nobody's customary ids
  }
  const users = new Map<string, SandboxUser>();
  for (const line of text.split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name !== undefined && /^\d+$/.test(uid ?? "") && /^\d+$/.test(gid ?? ""))
      users.set(name, { name, uid: Number(uid), gid: Number(gid) });
  }
  return users.get("oslab-sandbox") ?? users.get("nobody") ?? { name: "nobody", uid: 65534, gid: 65534 };
}

/**
 * Why `user` cannot read `p` (a file, or a folder it must list and enter),
 * judged by the permission bits of `p` and of every folder above it; null
 * when it can.
 */
export function whyUnreadable(p: string, user: SandboxUser): string | null {
  const abs = path.resolve(p);
  const chain: string[] = [];
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const why = lacks(dir, user, 0o1, "enter");
    if (why !== null) return why;
  }
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (e) {
    return `"${abs}" cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  return lacks(abs, user, isDir ? 0o5 : 0o4, isDir ? "list" : "read");
}

// `bits` (r=4, x=1, as for "others") that `user` lacks on `p`, in words; null when it has them.
function lacks(p: string, user: SandboxUser, bits: number, verb: string): string | null {
  const st = statSync(p);
  const shift = st.uid === user.uid ? 6 : st.gid === user.gid ? 3 : 0;
  if (((st.mode >> shift) & bits) === bits) return null;
  const mode = (st.mode & 0o777).toString(8).padStart(3, "0");
  return `user "${user.name}" (uid ${user.uid}) cannot ${verb} "${p}" (mode ${mode}, owner uid ${st.uid})`;
}
