// The operating-system layer under the engine: every process that runs or
// reads student code (the grading workers, the compiler's process, the
// report's picture child) is forked through forkSandboxed, under one of
// three layers:
//
//   bwrap  bubblewrap: namespaces of its own (no network, its own process
//          numbers, an unprivileged uid), a read-only root holding only node,
//          its libraries and the paths given, a private /tmp; killed whole.
//   user   the grader is root: the process runs as the user "oslab-sandbox"
//          (or "nobody"), in a process group of its own killed as a group.
//   none   a plain child process (only when asked: `--isolation none`).
//
// Under bwrap and user, Node's permission model lets the process read only
// the paths given, write nothing, and start no process or thread; its
// environment is clean, it makes no core file. A layer's availability is
// found by running a trivial command under it, once per grader process.

import { ChildProcess, fork, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bwrapBinary } from "./_bwrap";
import { moduleFoldersAbove } from "./_host";
import { Launch, launchOf } from "./_launch";
import { cleanEnv, permissionFlag } from "./_node";
import { childPids } from "./_proc";
import { sandboxUser, whyUnreadable } from "./_user";

export type IsolationLayer = "bwrap" | "user" | "none";

/** The layers, strongest first. */
export const ISOLATION_LAYERS: readonly IsolationLayer[] = ["bwrap", "user", "none"];

/** Each layer in a few words, for the command's output. */
export const ISOLATION_WORDS: Readonly<Record<IsolationLayer, string>> = {
  bwrap: "bubblewrap: no network, read-only view of the kit, unprivileged, killed with all it starts",
  user: `run as an unprivileged user under Node's permission model (network not isolated)`,
  none: "NO isolation: student code runs with the grader's rights",
};

const probed = new Map<IsolationLayer, string | null>();

/** Why `layer` cannot be used on this machine, or null when it can (found once per process). */
export function whyUnavailable(layer: IsolationLayer): string | null {
  if (layer === "none") return null;
  if (!probed.has(layer)) probed.set(layer, probe(layer));
  return probed.get(layer)!;
}

/**
 * The layer to run student code under: `wanted` when it works here; with
 * nothing asked, the strongest that works. Throws, saying why and what to
 * do, when none does: the grader never falls back to no isolation itself.
 */
export function chooseIsolation(wanted?: IsolationLayer): IsolationLayer {
  return pickIsolation(wanted, whyUnavailable);
}

/** chooseIsolation's decision, given why each layer cannot be used here (null: it can). */
export function pickIsolation(
  wanted: IsolationLayer | undefined,
  why: (layer: IsolationLayer) => string | null,
): IsolationLayer {
  if (wanted !== undefined) {
    const reason = why(wanted);
    if (reason === null) return wanted;
    throw new Error(`Cannot isolate student code with --isolation ${wanted}: ${reason}. ${HOW_TO}.`);
  }
  const reasons: string[] = [];
  for (const layer of ISOLATION_LAYERS.filter((l) => l !== "none")) {
    const reason = why(layer);
    if (reason === null) return layer;
    reasons.push(`${layer}: ${reason}`);
  }
  throw new Error(
    `Cannot isolate student code, so nothing was graded (${reasons.join("; ")}). ${HOW_TO}; ` +
      "or, only for code you trust, pass --isolation none to grade without isolation.",
  );
}

const HOW_TO =
  "Install bubblewrap (Debian, Ubuntu: apt-get install bubblewrap) where user namespaces are allowed, " +
  "or run the grader as root so that student code runs as an unprivileged user";

// A trivial command under the layer: node must start, and its permission model must refuse a read.
const PROBE = `try { require("fs").readFileSync(process.execPath) } catch (e) { if (e.code === "ERR_ACCESS_DENIED") process.stdout.write("ok") }`;

function probe(layer: Exclude<IsolationLayer, "none">): string | null {
  if (process.platform !== "linux") return `it needs Linux (this is ${process.platform})`;
  if (permissionFlag() === null) return `Node ${process.version} has no permission model (Node 20 and later have)`;
  if (layer === "bwrap" && bwrapBinary() === null) return "bubblewrap (bwrap) is not installed";
  if (layer === "user" && process.getuid?.() !== 0)
    return "the grader does not run as root, so it cannot run student code as another user";
  const l = launchOf(layer, [], ["-e", PROBE]);
  const r = spawnSync(l.execPath, l.execArgv, {
    ...ids(l),
    cwd: "/",
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.status === 0 && r.stdout === "ok") return null;
  const said = `${r.stderr ?? ""}`.trim().split("\n").slice(0, 3).join(" ");
  return `a trial command under it failed (${said || r.error?.message || `exit code ${r.status}`})`;
}

function ids(l: Launch): { uid?: number; gid?: number } {
  return l.uid !== undefined && l.gid !== undefined ? { uid: l.uid, gid: l.gid } : {};
}

export interface SandboxOptions {
  readonly layer: IsolationLayer;
  /**
   * Files and folders the process may read, besides its script, node itself
   * and the node_modules folders Node's resolution reaches from them. They
   * must not change while it runs, and under bwrap only these exist.
   */
  readonly read?: readonly string[];
  /** Node's own options (heap, stack). */
  readonly execArgv?: readonly string[];
  /** Variables beyond the clean environment (PATH, LANG, TZ, NO_COLOR, FORCE_COLOR). */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdout?: "pipe" | "ignore";
  readonly stderr?: "pipe" | "ignore";
  readonly serialization?: "json" | "advanced";
}

/** A sandboxed node process. */
export class Sandboxed {
  /** The process fork() started (bubblewrap's, under bwrap): its IPC channel, stdio and events. */
  readonly child: ChildProcess;
  readonly layer: IsolationLayer;
  /** The folder made for the process under the user layer (its temporary folder inside), removed when it ends. */
  readonly folder: string | null;
  #pid: number | undefined;

  constructor(child: ChildProcess, layer: IsolationLayer, folder: string | null) {
    this.child = child;
    this.layer = layer;
    this.folder = folder;
    child.once("close", () => this.#cleanUp());
  }

  /**
   * The pid of the node process running the script, seen from here: the
   * one whose /proc tells its CPU time and memory. Under bwrap it is
   * bubblewrap's only child, known once it has started (undefined before).
   */
  get pid(): number | undefined {
    if (this.layer !== "bwrap" || this.#pid !== undefined) return this.#pid ?? this.child.pid;
    const kids = this.child.pid === undefined ? [] : childPids(this.child.pid);
    if (kids.length === 1) this.#pid = kids[0];
    return this.#pid;
  }

  /**
   * How the node process ended, from how the forked process did: under
   * bwrap, bubblewrap exits with 128 + the signal that killed node.
   */
  ending(code: number | null, signal: NodeJS.Signals | null): { code: number | null; signal: NodeJS.Signals | null } {
    if (this.layer !== "bwrap" || code === null || code <= 128) return { code, signal };
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
    return name === undefined ? { code, signal } : { code: null, signal: name as NodeJS.Signals };
  }

  /** Kills the process and everything it started (SIGKILL: a synchronous loop ignores anything gentler). */
  kill(): void {
    const pid = this.child.pid;
    // the user layer's group: the process and whatever it started without leaving the group
    if (this.layer === "user" && pid !== undefined) signal(-pid);
    // under bwrap the node process dies with bubblewrap (--die-with-parent), and all it
    // started with it (it is process 1 of its namespace); bubblewrap, our own child,
    // cannot have been replaced by another process yet
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    // now, not only at "close": a grader about to exit may not live to see that event
    this.#cleanUp();
  }

  #cleanUp(): void {
    if (this.layer === "user" && this.child.pid !== undefined) signal(-this.child.pid);
    if (this.folder !== null) rmSync(this.folder, { recursive: true, force: true });
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // nothing left to kill
  }
}

/**
 * Forks `entry` (a node script) under `options.layer`, with a clean
 * environment and stdin closed; its IPC channel is open. Throws when the
 * layer cannot run it (the user layer's user cannot read a path, named).
 */
export function forkSandboxed(entry: string, options: SandboxOptions): Sandboxed {
  const layer = options.layer;
  // a path that does not exist is left out: the process finds it missing, and says so itself
  const given = [entry, ...(options.read ?? [])].map((p) => path.resolve(p)).filter((p) => existsSync(p));
  const folder = layer === "user" ? realpathSync(mkdtempSync(path.join(os.tmpdir(), "oslab-sandbox-"))) : null;
  try {
    const read = layer === "none" ? [] : readSet(given);
    const tmp = layer === "user" ? userFolder(folder!, read) : null;
    const l = launchOf(layer, read, options.execArgv ?? []);
    const child = fork(entry, [], {
      execPath: l.execPath,
      execArgv: [...l.execArgv],
      ...ids(l),
      detached: l.detached,
      cwd: tmp ?? (layer === "bwrap" ? "/" : process.cwd()),
      env: cleanEnv({ ...(tmp !== null ? { TMPDIR: tmp } : {}), ...options.env }),
      stdio: ["ignore", options.stdout ?? "ignore", options.stderr ?? "ignore", "ipc"],
      serialization: options.serialization ?? "json",
    });
    return new Sandboxed(child, layer, folder);
  } catch (e) {
    if (folder !== null) rmSync(folder, { recursive: true, force: true });
    throw e;
  }
}

// The paths a process may read: those given and the node_modules folders
// above them, each as it is named and as its real path (Node's permission
// model compares real paths: a linked node_modules is read through its target).
function readSet(given: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of given.flatMap((g) => [g, ...moduleFoldersAbove(path.dirname(g))])) {
    out.add(p);
    try {
      out.add(realpathSync(p));
    } catch {
      // a link to nothing: nothing to read through it
    }
  }
  return [...out];
}

// The user layer: checks that the sandbox user can read `read`; makes its
// temporary folder in `folder` (the user's own, mode 700; `folder` lets only
// the user's group pass through).
function userFolder(folder: string, read: readonly string[]): string {
  const user = sandboxUser();
  for (const p of read.filter((r) => existsSync(r))) {
    const why = whyUnreadable(p, user);
    if (why !== null)
      throw new Error(
        `Cannot run student code as an unprivileged user: ${why}. Make it readable by all (chmod o+rX), or grade under another layer`,
      );
  }
  chownSync(folder, 0, user.gid);
  chmodSync(folder, 0o710);
  const tmp = path.join(folder, "tmp");
  mkdirSync(tmp, { mode: 0o700 });
  chownSync(tmp, user.uid, user.gid);
  return tmp;
}
