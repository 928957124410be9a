// Processes as Linux's /proc shows them.

import { readFileSync, readdirSync } from "node:fs";

/** The children of process `pid`, now (empty when it has none, or /proc cannot tell). */
export function childPids(pid: number): number[] {
  try {
    // one line per thread; a process that starts others from its main thread lists them here
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return text === "" ? [] : text.split(/\s+/).map(Number);
  } catch {
    return allPids().filter((p) => parentOf(p) === pid);
  }
}

/** Every process's pid, now. */
export function allPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** The parent of process `pid`; null when it has ended. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command's name may hold spaces and parentheses: the fields start after its last ")"
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}
