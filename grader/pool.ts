// A pool of warm worker processes. Each worker is forked ahead of time, loads
// the test runner, says "ready", and then serves exactly one submission (or
// what is left of one after a time-out) before it is discarded; a new one is
// forked in the background to take its place. Workers get a heap limit, an
// environment of their own (none of the grader's variables) and no stdin,
// and run under the batch's isolation layer (sandbox/isolation.ts).

import { Reaper } from "./_reaper";
import { RunRequest, WorkerMessage } from "./protocol";
import { IsolationLayer, Sandboxed, forkSandboxed } from "./sandbox/isolation";

export interface PoolOptions {
  /** The worker's compiled entry (Kit.workerEntry). */
  readonly entry: string;
  /** Heap limit of a worker, in MB. */
  readonly memoryMb: number;
  /** Workers kept ready beyond those in use. */
  readonly warm: number;
  /**
   * How many workers the pool will be asked for, when the caller knows
   * (a batch: its submissions and the reference's run): no spare is forked
   * that no request would use. A take past it still gets a worker, forked then.
   */
  readonly expected?: number;
  /** Kills the workers if the grader dies first. */
  readonly reaper?: Reaper;
  /**
   * The layer workers run under; default "none", for the kit's own code
   * alone (the reference's run, tests' stand-ins): gradeBatch always says.
   */
  readonly isolation?: IsolationLayer;
  /** What a worker may read besides its entry (and node_modules): the kit's compiled cache. */
  readonly read?: readonly string[];
}

const STDERR_LIMIT = 4000;

/** One worker process, ready for its single request. */
export class Worker {
  readonly #box: Sandboxed;
  #stderr = "";
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** When fork() was called, and how long the worker took to be ready (ms). */
  readonly forkedAt: number;
  readyMs = 0;

  constructor(box: Sandboxed) {
    this.#box = box;
    const child = box.child;
    this.forkedAt = performance.now();
    child.stderr?.on("data", (d: Buffer) => {
      if (this.#stderr.length < STDERR_LIMIT) this.#stderr += d.toString("utf8").slice(0, STDERR_LIMIT);
    });
    child.stdout?.resume(); // what the code prints goes to the console hooks; anything else is dropped
    // "close", not "exit": Node may emit "exit" while the worker's last IPC
    // messages (its results, "done") are still queued; "close" comes after them
    this.#exited = new Promise((resolve) => child.once("close", (code, signal) => resolve(box.ending(code, signal))));
  }

  /** The node process's pid (under bubblewrap, not bubblewrap's): /proc/<pid> tells its CPU time and memory. */
  get pid(): number | undefined {
    return this.#box.pid;
  }

  /** What the worker wrote to stderr (the start of it): V8's out-of-memory report lands there. */
  get stderr(): string {
    return this.#stderr;
  }

  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }

  onMessage(listener: (m: WorkerMessage) => void): void {
    this.#box.child.on("message", listener);
  }

  send(req: RunRequest): void {
    this.#box.child.send(req);
  }

  /** Stops the worker and all it started, at once (SIGKILL: a synchronous loop ignores anything gentler). */
  kill(): void {
    this.#box.kill();
  }
}

export class WorkerPool {
  readonly #options: PoolOptions;
  readonly #ready: Worker[] = [];
  readonly #starting = new Set<Promise<Worker | string>>();
  readonly #waiters: { resolve: (w: Worker) => void; reject: (e: Error) => void }[] = [];
  #closed = false;
  #failedStarts = 0;
  #broken: Error | null = null;
  /** Workers forked so far. */
  forked = 0;
  /** Workers handed out so far. */
  #taken = 0;

  constructor(options: PoolOptions) {
    this.#options = options;
    for (let i = 0; i < options.warm; i++) this.#spawn();
  }

  /** A ready worker, for one request; forks a replacement in the background. */
  take(): Promise<Worker> {
    if (this.#broken !== null) return Promise.reject(this.#broken);
    this.#taken++;
    const w = this.#ready.shift();
    if (w !== undefined) {
      this.#spawn();
      return Promise.resolve(w);
    }
    const p = new Promise<Worker>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#spawn();
    return p;
  }

  /** Kills the idle workers; those in use end with their request. */
  close(): void {
    this.#closed = true;
    for (const w of this.#ready.splice(0)) w.kill();
  }

  #spawn(): void {
    const spares = Math.max(0, Math.min(this.#options.warm, (this.#options.expected ?? Infinity) - this.#taken));
    if (this.#closed || this.#ready.length + this.#starting.size >= spares + this.#waiters.length) return;
    const starting = this.#start();
    this.#starting.add(starting);
    void starting.then((w) => {
      this.#starting.delete(starting);
      if (typeof w === "string") return this.#failed(w);
      this.#failedStarts = 0;
      if (this.#closed) return w.kill();
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) waiter.resolve(w);
      else this.#ready.push(w);
    });
  }

  // A worker died before it was ready: that is the grader's fault, not a student's.
  #failed(stderr: string): void {
    if (++this.#failedStarts < 3) return this.#spawn();
    this.#broken = new Error(
      `Cannot start a grading worker (${this.#options.entry}): ${stderr.trim() || "it exited at once"}`,
    );
    for (const w of this.#waiters.splice(0)) w.reject(this.#broken);
  }

  #start(): Promise<Worker | string> {
    this.forked++;
    let box: Sandboxed;
    try {
      box = forkSandboxed(this.#options.entry, {
        layer: this.#options.isolation ?? "none",
        read: this.#options.read ?? [],
        // --single-threaded: no background threads for V8's garbage collector and compilers; a worker lives
        // half a second on a machine whose cores the lanes already fill, and their upkeep cost it about 5% CPU
        execArgv: [`--max-old-space-size=${this.#options.memoryMb}`, "--stack-size=984", "--single-threaded"],
        stdout: "pipe",
        stderr: "pipe",
        serialization: "advanced",
      });
    } catch (e) {
      return Promise.resolve((e as Error).message); // the layer cannot run it (a path its user cannot read)
    }
    const child = box.child;
    const w = new Worker(box);
    const reaper = this.#options.reaper;
    reaper?.watch(child.pid);
    void w.exited.then(() => reaper?.forget(child.pid));
    return new Promise((resolve) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type !== "ready") return;
        child.off("message", onMessage);
        w.readyMs = performance.now() - w.forkedAt;
        resolve(w);
      };
      child.on("message", onMessage);
      void w.exited.then(() => resolve(w.stderr)); // died before it was ready
    });
  }
}
