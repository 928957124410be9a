// The operating-system layer against stand-in workers (test-fixtures/, not
// submissions): each layer available here runs a stand-in that tries to
// write the kit's cache, the repository and /tmp, read the grader's
// environment and files it was not given, reach the network and start
// processes; every attempt must fail or leak nothing, the IPC channel must
// work, the pid reported must be node's, and killing the sandbox must leave
// nothing it started alive. CI runs as root with bubblewrap installed: both
// real layers must run there.

import { fork } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { launchOf } from "./_launch";
import { cleanEnv } from "./_node";
import { allPids } from "./_proc";
import { sandboxUser } from "./_user";
import { WorkerPool } from "../pool";
import type { RunRequest } from "../protocol";
import { SAMPLE_RUBRIC, perfectResult } from "../report/_samples";
import { gradescopeResults } from "../results";
import { rssKb } from "../run";
import { summarize } from "../summary";
import { IsolationLayer, Sandboxed, chooseIsolation, forkSandboxed, pickIsolation, whyUnavailable } from "./isolation";

const ROOT = path.resolve(__dirname, "..", "..");
const INTRUDER = path.join(__dirname, "test-fixtures", "intruder.js");
const ENGINE = path.join(__dirname, "test-fixtures", "engine.js");
const HOG = path.join(__dirname, "test-fixtures", "hog.js");
const SECRET = "OSLAB_SANDBOX_TEST_SECRET";
/** Time allowed for a sandbox to start and answer: a budget for a loaded machine, not a race. */
const SLOW = 60_000;

interface Attempt {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

interface IntruderReport {
  readonly pid: number;
  readonly uid: number;
  readonly env: Record<string, string>;
  readonly secret: string | null;
  readonly writes: readonly Attempt[];
  readonly reads: readonly Attempt[];
  readonly given: Attempt;
  readonly network: Attempt;
  readonly spawn: Attempt;
  readonly detached: Attempt;
  readonly exec: Attempt;
}

/** Folders the stand-ins attack: a stand-in kit cache (inside the repository, like the real one) and the escape targets. */
function targets(tag: string) {
  const cache = path.join(ROOT, ".oslab-cache", `sandbox-test-${tag}`);
  mkdirSync(cache, { recursive: true });
  const compiled = path.join(cache, "kit.js");
  const given = mkdtempSync(path.join(os.tmpdir(), "oslab-sandbox-test-given-"));
  chmodSync(given, 0o755);
  writeFileSync(path.join(given, "cow.js"), "// the submission\n");
  writeFileSync(compiled, "// the kit, compiled\n");
  chmodSync(compiled, 0o444);
  return {
    cache,
    compiled,
    given,
    inCache: path.join(cache, "planted.js"),
    inRepo: path.join(ROOT, `oslab-sandbox-escape-${tag}`),
    inTmp: path.join(os.tmpdir(), `oslab-sandbox-escape-${tag}`),
  };
}

/** Processes whose command line holds `marker`. */
function withMarker(marker: string): number[] {
  return allPids().filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker);
    } catch {
      return false;
    }
  });
}

/** Waits until no process holds `marker` (nothing to wait for when none does), within SLOW. */
async function goneWithin(marker: string): Promise<number[]> {
  const until = Date.now() + SLOW / 2;
  while (withMarker(marker).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return withMarker(marker);
}

/** Whether process `pid` ended (or is a zombie) within SLOW. */
async function endedWithin(pid: number): Promise<boolean> {
  const ended = (): boolean => {
    try {
      return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return true;
    }
  };
  const until = Date.now() + SLOW / 2;
  while (!ended() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return ended();
}

function nextMessage<T>(s: {
  on(e: "message", l: (m: T) => void): unknown;
  off(e: "message", l: (m: T) => void): unknown;
}): Promise<T> {
  return new Promise((resolve) => {
    const l = (m: T): void => {
      s.off("message", l);
      resolve(m);
    };
    s.on("message", l);
  });
}

function closed(s: Sandboxed): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) resolve();
    else s.child.once("close", () => resolve());
  });
}

/** The engine stand-in copied into a folder of its own whose node_modules is a link to the repository's. */
function linkedEngine(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-sandbox-linked-"));
  chmodSync(dir, 0o755);
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  copyFileSync(ENGINE, path.join(dir, "engine.js"));
  linked.push(dir);
  return path.join(dir, "engine.js");
}

const linked: string[] = [];
afterAll(() => linked.forEach((d) => rmSync(d, { recursive: true, force: true })));

const LAYERS: readonly Exclude<IsolationLayer, "none">[] = ["bwrap", "user"];

describe.each(LAYERS)("the %s layer", (layer) => {
  const why = whyUnavailable(layer);

  if (process.env.CI !== undefined)
    test("is available in CI (root, bubblewrap installed)", () => expect(why).toBeNull());
  if (why !== null) {
    test.skip(`is not available here: ${why}`, () => undefined);
    return;
  }

  const tag = `${layer}-${process.pid}`;
  let t: ReturnType<typeof targets>;
  const marker = `oslab-sandbox-marker-${tag}`;
  let server: net.Server;
  let connections = 0;
  let sandbox: Sandboxed;
  let report: IntruderReport;
  let given: string;

  beforeAll(async () => {
    t = targets(tag);
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    process.env[SECRET] = "the grader's secret";
    given = path.join(t.given, "cow.js");
    sandbox = forkSandboxed(INTRUDER, { layer, read: [t.cache, given], stderr: "pipe" });
    await nextMessage(sandbox.child);
    const answer = nextMessage<IntruderReport>(sandbox.child);
    sandbox.child.send({
      secretName: SECRET,
      write: [t.compiled, t.inCache, t.inRepo, t.inTmp],
      read: [
        path.join(ROOT, "labs", "cow", "tests", "partA.hidden.test.ts"),
        path.join(ROOT, "solution", "src", "kernel", "cow.ts"),
        "/etc/passwd",
      ],
      given,
      port: (server.address() as net.AddressInfo).port,
      marker,
    });
    report = await answer;
  }, SLOW);

  afterAll(async () => {
    sandbox?.kill();
    if (sandbox !== undefined) await closed(sandbox);
    server?.close();
    delete process.env[SECRET];
    if (t !== undefined)
      for (const p of [t.cache, t.given, t.inRepo, t.inTmp]) rmSync(p, { recursive: true, force: true });
  }, SLOW);

  test("the IPC channel works, and the pid reported is the node process's", () => {
    const pid = sandbox.pid!;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    expect(status).toMatch(/^Name:\s+node$/m);
    // the pid the process sees itself (1 in its own namespace under bwrap) is that process's
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)![1]!.trim().split(/\s+/);
    expect(Number(nspid[nspid.length - 1])).toBe(report.pid);
    expect(report.uid).not.toBe(0);
    if (layer === "bwrap") expect(pid).not.toBe(sandbox.child.pid);
  });

  test("it makes no core file, and no file over 32 MiB", () => {
    const limits = readFileSync(`/proc/${sandbox.pid!}/limits`, "utf8");
    expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes\s*$/m);
    expect(limits).toMatch(new RegExp(`^Max file size\\s+${32 << 20}\\s+${32 << 20}\\s+bytes\\s*$`, "m"));
  });

  test("it writes nothing: not the kit's cache, the repository or /tmp", () => {
    expect(report.writes.map((w) => w.ok)).toEqual([false, false, false, false]);
    expect(readFileSync(t.compiled, "utf8")).toBe("// the kit, compiled\n");
    for (const p of [t.inCache, t.inRepo, t.inTmp]) expect(existsSync(p)).toBe(false);
  });

  test("it reads no variable of the grader's environment", () => {
    expect(report.secret).toBeNull();
    const allowed = ["PATH", "LANG", "TZ", "NO_COLOR", "FORCE_COLOR", "PWD", "TMPDIR"];
    expect(Object.keys(report.env).filter((k) => !allowed.includes(k))).toEqual([]);
  });

  test("it reads what it was given, and no other file (hidden suite, reference solution, /etc)", () => {
    expect(report.given).toEqual({ ok: true, value: "// the submission\n" });
    expect(report.reads.map((r) => r.ok)).toEqual([false, false, false]);
  });

  test("it starts no process, detached or not", async () => {
    expect([report.spawn.ok, report.detached.ok, report.exec.ok]).toEqual([false, false, false]);
    expect(await goneWithin(marker)).toEqual([]);
  });

  // Node 20's permission model has no say over the network (Node 25's has);
  // under the user layer, without a network namespace, it stays reachable
  const guarded = layer === "bwrap" || Number(process.versions.node.split(".")[0]) >= 25;
  (guarded ? test : test.skip)(
    guarded ? "it reaches no network" : "it reaches no network (not under the user layer with Node < 25: documented)",
    () => {
      expect(report.network.ok).toBe(false);
      expect(connections).toBe(0);
    },
  );

  test(
    "killed, it ends, its folder removed",
    async () => {
      const folder = sandbox.folder;
      const node = sandbox.pid!;
      if (layer === "user") expect(existsSync(folder!)).toBe(true);
      sandbox.kill();
      await closed(sandbox);
      expect(sandbox.child.signalCode).toBe("SIGKILL");
      if (folder !== null) expect(existsSync(folder)).toBe(false);
      expect(await endedWithin(node)).toBe(true);
      expect(await goneWithin(marker)).toEqual([]);
    },
    SLOW,
  );

  test(
    "a grading worker's pid is its node process's: the memory watch sees what it allocates",
    async () => {
      const pool = new WorkerPool({ entry: HOG, memoryMb: 64, warm: 1, isolation: layer });
      try {
        const worker = await pool.take();
        const allocated = new Promise((r) => worker.onMessage(r));
        worker.send({ mib: 200 } as unknown as RunRequest);
        expect(await allocated).toEqual({ type: "allocated", mib: 200 });
        expect(readFileSync(`/proc/${worker.pid}/status`, "utf8")).toMatch(/^Name:\s+node$/m);
        expect(rssKb(worker.pid)).toBeGreaterThan(200 * 1024);
        worker.kill();
        expect(await worker.exited).toEqual({ code: null, signal: "SIGKILL" });
      } finally {
        pool.close();
      }
    },
    SLOW,
  );

  test.each([
    ["the repository's node_modules", () => ENGINE],
    ["a node_modules that links to it (as the Gradescope autograder's test lays out)", linkedEngine],
  ])(
    "the QuickJS engine loads its WebAssembly from %s and runs",
    async (_where, script) => {
      const engine = forkSandboxed(script(), { layer, stderr: "pipe" });
      try {
        await nextMessage(engine.child);
        const answer = nextMessage<{ value?: unknown; error?: string }>(engine.child);
        engine.child.send({ code: "[1, 2, 3].map((x) => x * 2).join()" });
        expect(await answer).toEqual({ value: "2,4,6" });
      } finally {
        engine.kill();
        await closed(engine);
      }
    },
    SLOW,
  );
});

describe("beneath Node's permission model", () => {
  const why = whyUnavailable("bwrap");
  (why === null ? test : test.skip)(
    why === null ? "bubblewrap alone kills everything the process started, detached or not" : `bubblewrap: ${why}`,
    async () => {
      const marker = `oslab-sandbox-marker-alone-${process.pid}`;
      const l = launchOf("bwrap", [INTRUDER, path.join(ROOT, "node_modules")], [], false);
      const child = fork(INTRUDER, [], {
        execPath: l.execPath,
        execArgv: [...l.execArgv],
        env: cleanEnv(),
        cwd: "/",
        stdio: ["ignore", "ignore", "ignore", "ipc"],
      });
      const messages = (): Promise<unknown> => new Promise((r) => child.once("message", r));
      await messages();
      const answer = messages() as Promise<IntruderReport>;
      child.send({ secretName: SECRET, write: ["/escape"], read: [], given: INTRUDER, port: 1, marker });
      const r = await answer;
      // without the permission model the process can start others: the namespace must end them
      expect([r.spawn.ok, r.detached.ok]).toEqual([true, true]);
      expect(r.writes[0]!.ok).toBe(false); // a read-only root
      expect(withMarker(marker).length).toBe(2);
      const exited = new Promise((res) => child.once("close", res));
      child.kill("SIGKILL");
      await exited;
      expect(await goneWithin(marker)).toEqual([]);
    },
    SLOW,
  );
});

describe("the user layer's checks", () => {
  const why = whyUnavailable("user");
  (why === null ? test : test.skip)(
    why === null ? "a path the sandbox user cannot read is refused, named" : `user layer: ${why}`,
    () => {
      const user = sandboxUser();
      const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-sandbox-private-"));
      try {
        const inner = path.join(dir, "kit");
        mkdirSync(inner);
        chmodSync(dir, 0o700);
        expect(() => forkSandboxed(INTRUDER, { layer: "user", read: [inner] })).toThrow(
          `Cannot run student code as an unprivileged user: user "${user.name}" (uid ${user.uid}) cannot enter "${dir}" (mode 700, owner uid 0). Make it readable by all (chmod o+rX), or grade under another layer`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("what a result says of its layer", () => {
  test("results.json names the layer, and a result graded without isolation tells the student", () => {
    const under = (isolation: IsolationLayer) => gradescopeResults({ ...perfectResult(), isolation });
    const SAYS = "Graded without the grader's sandbox (--isolation none): your code ran with the grader's own rights.";
    expect(under("bwrap").extra_data.isolation).toBe("bwrap");
    expect(under("bwrap").output).not.toContain(SAYS);
    expect(under("none").extra_data.isolation).toBe("none");
    expect(under("none").output.split("\n").slice(-1)).toEqual([SAYS]);
  });

  test("summary.json names the batch's layer", () => {
    const meta = { graderVersion: "test", seed: 1, warnings: [], isolation: "user" as const };
    expect(summarize(SAMPLE_RUBRIC, [perfectResult()], meta).isolation).toBe("user");
  });
});

describe("pickIsolation", () => {
  const HOW =
    "Install bubblewrap (Debian, Ubuntu: apt-get install bubblewrap) where user namespaces are allowed, " +
    "or run the grader as root so that student code runs as an unprivileged user";
  const only =
    (...ok: IsolationLayer[]) =>
    (l: IsolationLayer): string | null =>
      ok.includes(l) || l === "none" ? null : `no ${l} here`;

  test("takes bubblewrap first, the unprivileged user next, and never none unless asked", () => {
    expect(pickIsolation(undefined, only("bwrap", "user"))).toBe("bwrap");
    expect(pickIsolation(undefined, only("user"))).toBe("user");
    expect(pickIsolation("user", only("bwrap", "user"))).toBe("user");
    expect(pickIsolation("none", only())).toBe("none");
  });

  test("with no layer working, refuses, saying why each failed, how to install one, and that none must be asked for", () => {
    expect(() => pickIsolation(undefined, only())).toThrow(
      `Cannot isolate student code, so nothing was graded (bwrap: no bwrap here; user: no user here). ${HOW}; ` +
        "or, only for code you trust, pass --isolation none to grade without isolation.",
    );
  });

  test("a layer asked for that does not work here is refused, with why", () => {
    expect(() => pickIsolation("bwrap", only("user"))).toThrow(
      `Cannot isolate student code with --isolation bwrap: no bwrap here. ${HOW}.`,
    );
  });
});

describe("chooseIsolation", () => {
  test("takes the strongest layer available unless told, and none only when told", () => {
    expect(chooseIsolation("none")).toBe("none");
    const strongest = whyUnavailable("bwrap") === null ? "bwrap" : whyUnavailable("user") === null ? "user" : null;
    if (strongest === null) expect(() => chooseIsolation()).toThrow(/pass --isolation none/);
    else expect(chooseIsolation()).toBe(strongest);
  });
});
