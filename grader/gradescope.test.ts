// The Gradescope autograder, end to end: build the zip, unpack it into a
// folder laid out like /autograder, run setup.sh there (Node is installed
// here, so it must not touch apt or NodeSource: stubs that fail loudly come
// first on PATH), then run_autograder on submissions. Grading is slow: two
// runs in all, the reference's and one mistake's.

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import yauzl from "yauzl";
import { NODE_LTS_MAJOR, SANDBOX_USER } from "./_autograder-scripts";
import { describeKind } from "./difference/describe";
import { RUNTIME_PACKAGES, buildAutograder, builtNotice } from "./gradescope";
import { GradescopeResults } from "./results";
import { sandboxUser } from "./sandbox/_user";
import { LAB, ROOT, labUnderTest, readJson, scratch } from "./test-support/fixtures";

jest.setTimeout(900_000);

// passable by all (mkdtemp makes it 700): without bubblewrap, the grader runs student code as an
// unprivileged user, who must reach <root>/source as on Gradescope, where /autograder is 755
const work = scratch("gradescope");
chmodSync(work, 0o755);
const zipFile = path.join(work, "autograder.zip");
const root = path.join(work, "autograder");
const stubs = path.join(work, "stubs");
const lab = labUnderTest();
let names: string[];
const files = new Map<string, Buffer>();

function unzip(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on("end", resolve);
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Writes the zip's files into <root>/source as Gradescope does (scripts executable). */
function unpack(): void {
  for (const [name, body] of files) {
    const target = path.join(root, "source", name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, body, { mode: name === "setup.sh" || name === "run_autograder" ? 0o755 : 0o644 });
  }
  mkdirSync(path.join(root, "results"), { recursive: true });
}

/** Commands setup.sh must not run when Node is installed: each fails loudly. useradd only records its call. */
function writeStubs(): void {
  mkdirSync(stubs, { recursive: true });
  for (const cmd of ["apt-get", "apt", "curl", "gpg", "wget"])
    writeFileSync(path.join(stubs, cmd), `#!/bin/sh\necho "STUB ${cmd} called: $*" >&2\nexit 97\n`, { mode: 0o755 });
  writeFileSync(path.join(stubs, "useradd"), `#!/bin/sh\necho "$*" >> "${stubs}/useradd.log"\n`, { mode: 0o755 });
}

function run(script: string): string {
  return execFileSync("bash", [path.join(root, "source", script)], {
    env: { ...process.env, PATH: `${stubs}:${process.env.PATH}`, OSLAB_AUTOGRADER_ROOT: root },
    encoding: "utf8",
    stdio: "pipe",
  });
}

/** Puts the example submission `name` in <root>/submission and grades it. */
function grade(name: string): GradescopeResults {
  rmSync(path.join(root, "submission"), { recursive: true, force: true });
  cpSync(path.join(ROOT, "examples", "submissions", name), path.join(root, "submission"), { recursive: true });
  run("run_autograder");
  return readJson<GradescopeResults>(path.join(root, "results", "results.json"));
}

beforeAll(async () => {
  names = await buildAutograder({ lab: "cow", labDir: lab.labDir, out: zipFile });
  await unzip(zipFile);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the zip", () => {
  test("has the scripts and the pinned packages at its root", () => {
    expect(names).toEqual(
      expect.arrayContaining(["setup.sh", "run_autograder", "package.json", "package-lock.json", "baseline.json"]),
    );
    const pkg = JSON.parse(files.get("package.json")!.toString()) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...RUNTIME_PACKAGES].sort());
  });

  test("holds the reference solution where grading needs it, and the starter's stubs as the kit's student files", () => {
    const reference = files.get(`labs/${LAB.name}/tests/support/reference.ts`)!.toString();
    expect(reference).toContain("REFERENCE BEGIN");
    for (const f of ["uvmcopy", "cow", "uvmfree"])
      expect(files.get(`kit/src/kernel/${f}.ts`)!.toString()).toBe(
        readFileSync(path.join(LAB.starter, "src", "kernel", `${f}.ts`), "utf8"),
      );
    // the comment says so, by name
    expect(readFileSync(path.join(ROOT, "grader", "gradescope.ts"), "utf8")).toContain(
      "labs/cow/tests/support/reference.ts holds the reference's",
    );
  });

  test("the command warns that the zip holds the reference solution, by its path", () => {
    const notice = builtNotice(zipFile, names);
    expect(notice).toContain(`labs/${LAB.name}/tests/support/reference.ts`);
    expect(notice).toMatch(/whoever holds the zip has the solution; keep it private/);
    expect(builtNotice(zipFile, ["setup.sh"])).not.toMatch(/WARNING/);
  });

  test("pins every package the shipped code imports", () => {
    const imported = new Set<string>();
    const spec = /(?:from\s+|require\(|import\()\s*"([^"./][^"]*)"/g;
    for (const [name, body] of files) {
      if (!/\.(js|ts)$/.test(name)) continue;
      for (const m of body.toString().matchAll(spec)) {
        const s = m[1]!;
        if (s.startsWith("node:") || s.startsWith("@lab/") || BUILTINS.has(s)) continue;
        imported.add(s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!);
      }
    }
    expect([...imported].filter((p) => !RUNTIME_PACKAGES.includes(p))).toEqual([]);
    expect(imported.size).toBeGreaterThan(5);
  });

  test("setup.sh installs Node from NodeSource's signed repository, never by a piped script", () => {
    const setup = files.get("setup.sh")!.toString();
    expect(setup).toContain(`https://deb.nodesource.com/node_${NODE_LTS_MAJOR}.x nodistro main`);
    expect(setup).toContain("signed-by=/etc/apt/keyrings/nodesource.gpg");
    expect(setup).not.toMatch(/\|\s*(sudo\s+)?(-E\s+)?bash/);
    expect(setup).toContain("npm ci");
  });

  test("setup.sh makes the user the sandbox runs student code as", () => {
    const passwd = path.join(work, "passwd");
    writeFileSync(
      passwd,
      `nobody:x:65534:65534::/:/sbin/nologin\n${SANDBOX_USER}:x:998:998::/nonexistent:/bin/false\n`,
    );
    expect(sandboxUser(passwd).name).toBe(SANDBOX_USER);
  });
});

describe("in a folder laid out like /autograder", () => {
  beforeAll(() => {
    unpack();
    writeStubs();
  });

  test("setup.sh with a Node older than the kit's floor goes to NodeSource's repository, through apt", () => {
    const old = path.join(work, "old-node");
    mkdirSync(old, { recursive: true });
    // a node that fails the floor's check (as Node 18 would)
    writeFileSync(path.join(old, "node"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const r = spawnSync("bash", [path.join(root, "source", "setup.sh")], {
      env: { ...process.env, PATH: `${old}:${stubs}:${process.env.PATH}`, OSLAB_AUTOGRADER_ROOT: root },
      encoding: "utf8",
    });
    const floor = /\d+/.exec(readJson<{ engines: { node: string } }>(path.join(ROOT, "package.json")).engines.node)![0];
    expect(r.stdout).toContain(
      `oslab setup: no Node ${floor} or later with npm; installing Node ${NODE_LTS_MAJOR} from NodeSource`,
    );
    // the stub stops it at its first step, before anything is changed
    expect(r.stderr).toContain("STUB apt-get called: update");
    expect(r.status).toBe(97);
  });

  test("setup.sh with Node installed: no apt, no NodeSource; npm ci from the lock, the sandbox's user, the kit compiled", () => {
    const said = run("setup.sh");
    expect(said).toContain(`oslab setup: using the installed Node ${process.version}`);
    expect(readFileSync(path.join(stubs, "useradd.log"), "utf8")).toContain(`--system`);
    expect(readFileSync(path.join(stubs, "useradd.log"), "utf8")).toMatch(new RegExp(`${SANDBOX_USER}\\n$`));
    const lock = JSON.parse(files.get("package-lock.json")!.toString()) as {
      packages: Record<string, { version: string }>;
    };
    for (const p of RUNTIME_PACKAGES) {
      const installed = readJson<{ version: string }>(path.join(root, "source", "node_modules", p, "package.json"));
      expect(installed.version).toBe(lock.packages[`node_modules/${p}`]!.version);
    }
    expect(existsSync(path.join(root, "source", ".oslab-cache", "grader"))).toBe(true);
  });

  test("run_autograder gives the reference full marks in <root>/results/results.json", () => {
    const r = grade("reference");
    const items = r.tests.filter((t) => t.extra_data.kind !== "hints");
    expect(items.length).toBeGreaterThan(0);
    expect(r.tests.filter((t) => t.status !== "passed")).toEqual([]);
    expect(r.score).toBe(items.reduce((s, t) => s + t.max_score, 0));
    expect(r.extra_data.hintsShown).toBe(false);
  });

  test("a grader failure is told to the instructor in run_autograder's output, and to the student as not their fault", () => {
    process.env.OSLAB_GRADER_FAULT = "score:submission";
    let stdout: string;
    try {
      rmSync(path.join(root, "submission"), { recursive: true, force: true });
      cpSync(path.join(ROOT, "examples", "submissions", "reference"), path.join(root, "submission"), {
        recursive: true,
      });
      stdout = run("run_autograder");
    } finally {
      delete process.env.OSLAB_GRADER_FAULT;
    }
    const r = readJson<GradescopeResults>(path.join(root, "results", "results.json"));
    expect(r.extra_data.status).toBe("grader-error");
    expect(r.output).toContain("this is not your fault");
    expect(stdout).toMatch(/oslab autograder: grader error: .*Injected grader fault \(OSLAB_GRADER_FAULT\)/s);
  });

  test("a mistake's hidden hints reach the student under release tokens: a grader failure and later submissions do not count", () => {
    const rubricFile = path.join(root, "source", "labs", LAB.name, "rubric.json");
    const rubric = JSON.parse(readFileSync(rubricFile, "utf8")) as Record<string, unknown>;
    writeFileSync(rubricFile, JSON.stringify({ ...rubric, releaseTokens: { tokens: 2, hours: 24 } }));
    const result = (extra: Record<string, unknown>) => ({ score: 80, extra_data: extra });
    writeFileSync(
      path.join(root, "submission_metadata.json"),
      JSON.stringify({
        id: 4,
        created_at: "2026-12-02T12:00:00.000000-08:00",
        users: [{ email: "student@example.edu", id: 1, name: "Student User" }],
        previous_submissions: [
          { submission_time: "2026-12-02T09:00:00.000000-08:00", score: 80, results: result({ hintsShown: true }) },
          // the kit's own failure costs nothing
          {
            submission_time: "2026-12-02T10:00:00.000000-08:00",
            score: 0,
            results: result({ status: "grader-error" }),
          },
          // graded again later: the submissions after this one do not count
          { submission_time: "2026-12-02T13:00:00.000000-08:00", score: 80, results: result({ hintsShown: true }) },
          { submission_time: "2026-12-02T14:00:00.000000-08:00", score: 80, results: result({ hintsShown: true }) },
        ],
      }),
    );
    const r = grade("no-sfence-after-downgrade");
    const a = r.tests.find((t) => t.number === "A hints")!;
    const failed = new Set(
      r.tests.filter((t) => t.visibility === "hidden" && t.status === "failed").map((t) => t.number),
    );
    const hidden = (rubric.tests as { id: string; title: string; hint: string }[]).filter((t) => failed.has(t.id));
    expect(hidden.map((t) => t.id)).toEqual(["A7", "A12", "A13"]);
    // the hint is what first differed from the reference kernel, as its kind alone (grader/difference)
    expect(a.output).toContain(describeKind("stale-tlb"));
    for (const t of hidden) expect(a.output).not.toContain(t.title);
    expect(a).toMatchObject({ visibility: "visible", score: 0, max_score: 0, status: "failed" });
    expect(r.output).toContain("This submission used one: 0 of 2 left");
    expect(r.extra_data.hintsShown).toBe(true);
  });
});

const BUILTINS = new Set(builtinModules);
