// The reaper: a small process that outlives the grader by a moment, to kill
// the processes it started. A grader killed outright (SIGKILL, a crash)
// cannot stop its workers, and a worker stuck in a student's endless loop
// never notices that its parent is gone: without the reaper it would burn a
// core forever. The grader tells the reaper each process it starts and
// each one that ended; when the grader's channel closes, the reaper kills
// those still running and exits. It does nothing else, so it never misses
// that moment.
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
    if ("watch" in m) watched.set(m.watch, commandOf(m.watch));
    else watched.delete(m.forget);
  });
  process.on("disconnect", () => {
    for (const [pid, command] of watched) {
      // a pid reused since by another program is left alone (where /proc tells)
      if (command === "" || commandOf(pid) === command) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // it ended meanwhile
        }
      }
    }
    process.exit(0);
  });
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

if (require.main === module) main();
