// The reaper: a small process that outlives the grader by a moment, to kill
// the processes it started. A grader killed outright (SIGKILL, a crash)
// cannot stop its workers, and a worker stuck in a student's endless loop
// never notices that its parent is gone: without the reaper it would burn a
// core forever. The grader tells the reaper each process it starts and
// each one that ended; when the grader's channel closes, the reaper kills
// those still running and exits. It does nothing else, so it never misses
// that moment. A process that leads a process group of its own (a worker
// under the unprivileged-user layer) is killed with its group.
//
// Only node's own modules are imported: this file runs from the kit's cache.

import { ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";

type ReaperMessage = { readonly watch: number } | { readonly forget: number };

/** The grader's side: a handle on its reaper. */
export class Reaper {
  readonly #child: ChildProcess;

  /** Starts the reaper (`entry`: this file, compiled). */
  constructor(entry: string) {
    this.#child = fork(entry, [], {
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      env: { PATH: process.env.PATH ?? "" },
      execArgv: ["--max-old-space-size=32"],
    });
    this.#child.unref();
    this.#channel()?.unref();
    this.#child.on("error", () => undefined);
  }

  /** Process `pid` is to be killed if the grader dies before it ends. */
  watch(pid: number | undefined): void {
    if (pid !== undefined) this.#send({ watch: pid });
  }

  /** Process `pid` ended (or the grader killed it). */
  forget(pid: number | undefined): void {
    if (pid !== undefined) this.#send({ forget: pid });
  }

  /** Lets the reaper go: the grader is ending normally. */
  close(): void {
    if (this.#child.connected) this.#child.disconnect();
  }

  #send(m: ReaperMessage): void {
    if (this.#child.connected) this.#child.send(m, (e) => void e);
  }

  #channel(): { unref(): void } | undefined {
    return (this.#child as unknown as { channel?: { unref(): void } }).channel;
  }
}

// The reaper's own side.
function main(): void {
  const watched = new Map<number, string>();
  process.on("message", (m: ReaperMessage) => {
    if ("watch" in m) watched.set(m.watch, startOf(m.watch));
    else watched.delete(m.forget);
  });
  process.on("disconnect", () => {
    for (const [pid, start] of watched) {
      // a pid reused since by another process is left alone (where /proc tells); the start
      // time, unlike the command line, stays when a process becomes another program (exec)
      if (start === "" || startOf(pid) === start) {
        for (const target of [pid, -pid]) {
          try {
            process.kill(target, "SIGKILL");
          } catch {
            // it ended meanwhile, or leads no group
          }
        }
      }
    }
    process.exit(0);
  });
}

/** When process `pid` started (field 22 of /proc/<pid>/stat, in clock ticks since boot); "" where /proc does not tell. */
function startOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

if (require.main === module) main();
