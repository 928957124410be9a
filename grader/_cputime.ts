// CPU time of a process and what it started, read from Linux's /proc, so a
// budget counts the work a process did, not how long the machine took to
// let it: the same file costs the same on a loaded machine as on an idle one.
//
// A process is read with its descendants (a process started through a
// sandbox, such as bubblewrap, is a tree: the program that does the work is
// a child of the one the grader forked).

import { readFileSync, readdirSync } from "node:fs";

// /proc counts in clock ticks of USER_HZ, which Linux fixes at 100 a second
// on every architecture Node runs on
const MS_PER_TICK = 10;

/** `pid` and every process below it, found now (empty where /proc cannot tell). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (fields === null) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const tree: number[] = [];
  const next = [pid];
  while (next.length > 0) {
    const p = next.pop()!;
    tree.push(p);
    next.push(...(children.get(p) ?? []));
  }
  return tree;
}

/**
 * The CPU time (user and system, of the processes and of the children they
 * waited for) the processes `pids` have used so far, in ms; a process that
 * has ended counts nothing. Null where /proc cannot be read at all.
 */
export function cpuTimeMs(pids: readonly number[]): number | null {
  let ticks = 0;
  let read = false;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f === null) continue;
    read = true;
    // fields 14 to 17 of stat(5): utime, stime, cutime, cstime
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return read ? ticks * MS_PER_TICK : null;
}

// The fields of /proc/<pid>/stat after the command's name (which may hold
// spaces and parentheses, so it is skipped up to its last ")"): [0] is
// field 3 of stat(5), the state.
function statFields(pid: number): string[] | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}
