import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W } from "../../solution/src/hw/riscv";
import { parseScenario } from "../../solution/src/scenario/parse";
import { StepView, Timeline, buildTimeline } from "../../solution/src/scenario/timeline";
import { Kit, prepareKit } from "../kit";
import { createWorkspace, removeWorkspace } from "../workspace";
import { FIXTURE_LAB, ROOT, STUDENT_FILES, scratch, solutionSubmission } from "../test-support/fixtures";
import { SubmissionResult } from "../model";
import { runRequestOf } from "../request";
import {
  firstDivergence,
  itemsToPicture,
  pictureKey,
  pictureOf,
  pictureScenarios,
  picturesFor,
  roundOf,
  referenceTimeline,
  stateDifference,
  submissionTimelines,
} from "./pictures";

/** The compiled student files and the sandbox budgets for `workspace`, as a report's run gets them. */
function sandboxed(
  kit: Kit,
  workspace: string,
  steps?: number,
): { files: { rel: string; js: string }[]; engine: ReturnType<typeof runRequestOf>["engine"] } {
  const r = runRequestOf(kit, workspace, 1);
  return { files: [...r.files], engine: steps === undefined ? r.engine : { ...r.engine, steps } };
}

jest.setTimeout(60_000);

const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const COW = PTE_V | PTE_R | PTE_U | PTE_COW;

function step(runs: { name: string; pid: number; flags: number; ref: number }[], counters = {}): StepView {
  const base = buildTimeline(parseScenario({ version: 1, name: "x", steps: [] })).steps[0]!;
  return {
    ...base,
    counters: { ...base.counters, ...counters },
    processes: runs.map((r) => ({
      name: r.name,
      pid: r.pid,
      state: "running",
      killedBy: null,
      asid: r.pid,
      root: 0,
      runs: [{ va: 0x14000, pages: 2, flags: r.flags, frame: 10 * r.pid, ref: r.ref }],
    })),
  };
}

describe("stateDifference", () => {
  it("ignores frame numbers and the A and D bits", () => {
    const a = step([{ name: "P", pid: 1, flags: RW | 0xc0, ref: 1 }]);
    const b = step([{ name: "P", pid: 2, flags: RW, ref: 1 }]);
    expect(stateDifference(a, { ...b, processes: b.processes.map((p) => ({ ...p, pid: 1 })) })).toBeNull();
  });

  it("names the first page that differs and what each kernel has there", () => {
    expect(
      stateDifference(
        step([{ name: "P", pid: 1, flags: RW, ref: 2 }]),
        step([{ name: "P", pid: 1, flags: COW, ref: 2 }]),
      ),
    ).toEqual({
      why: "P's page at 0x00014000: on your kernel it is writable, not copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write, with 2 references to its frame.",
      focus: { process: "P", va: 0x14000 },
    });
  });

  it("names a process that exists on one side only, or whose state differs", () => {
    const one = step([{ name: "P", pid: 1, flags: RW, ref: 1 }]);
    expect(stateDifference(one, step([])!)?.why).toBe("Process P exists on your kernel only.");
    const killed = {
      ...one,
      processes: one.processes.map((p) => ({ ...p, state: "killed", killedBy: "SIGSEGV", runs: [] })),
    };
    expect(stateDifference(killed, one)?.why).toBe(
      "Process P is killed by SIGSEGV on your kernel, running on the reference kernel.",
    );
  });
});

/** The failure of step 4, a read, as the run records it: as text and as data. */
const FAILED_READ = {
  failures: ["step 4 (read P data): read [1] at data but expected [0]"],
  failedSteps: [
    {
      path: "steps[3]",
      number: "4",
      round: null,
      index: 4,
      text: "read P data",
      message: "read [1] at data but expected [0]",
    },
  ],
};

describe("firstDivergence", () => {
  const scenario = {
    version: 1,
    name: "s",
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "fork", proc: "P", as: "C" },
      { op: "write", proc: "C", addr: "data", bytes: [1] },
      { op: "read", proc: "P", addr: "data", bytes: 1, expect: [0] },
    ],
  };
  const ref = buildTimeline(parseScenario(scenario));

  it("finds nothing when the runs agree", () => {
    expect(firstDivergence(ref, ref)).toBeNull();
  });

  it("takes the step where a page first differs, before the failure it leads to", () => {
    // the parent's data page left writable at fork: the state differs at step 2, the read fails at step 4
    const fork = ref.steps[2]!;
    const mine: Timeline = {
      steps: ref.steps.map((s, i) =>
        i < 2
          ? s
          : {
              ...s,
              processes: s.processes.map((p) =>
                p.name === "P" ? { ...p, runs: p.runs.map((r) => (r.va === 0x14000 ? { ...r, flags: RW } : r)) } : p,
              ),
            },
      ),
      result: {
        ...ref.result,
        ok: false,
        ...FAILED_READ,
      },
    };
    const d = firstDivergence(mine, ref)!;
    expect(d.index).toBe(2);
    expect(fork.path).toBe("steps[1]");
    expect(d.focus).toEqual({ process: "P", va: 0x14000 });
    expect(d.why).toBe(
      "P's page at 0x00014000: on your kernel it is writable, not copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write, with 2 references to its frame.",
    );
  });

  it("takes the failed step when nothing differs before it", () => {
    const mine: Timeline = {
      ...ref,
      result: {
        ...ref.result,
        ...FAILED_READ,
      },
    };
    expect(firstDivergence(mine, ref)).toEqual({
      index: 4,
      why: "The scenario failed here on your kernel: read [1] at data but expected [0]",
      focus: null,
    });
  });

  it("takes the step where the threshold's figure first differs", () => {
    const mine: Timeline = {
      ...ref,
      steps: ref.steps.map((s, i) =>
        i >= 3 ? { ...s, counters: { ...s.counters, framesCopied: s.counters.framesCopied + 1 } } : s,
      ),
    };
    expect(firstDivergence(mine, ref, "framesCopied")).toEqual({
      index: 3,
      why: "framesCopied is 2 after this step on your kernel, 1 on the reference kernel.",
      focus: null,
    });
    // without the figure, the counter is the last resort, and still found
    expect(firstDivergence(mine, ref)?.index).toBe(3);
  });

  it("falls back to the audit's finding after the last step", () => {
    const mine: Timeline = { ...ref, result: { ...ref.result, audit: ["frame 9: reference count 2, but 1 mapping"] } };
    expect(firstDivergence(mine, ref)).toEqual({
      index: ref.steps.length - 1,
      why: "After the last step, the kernel's check found: frame 9: reference count 2, but 1 mapping",
      focus: null,
    });
  });
});

describe("roundOf", () => {
  const timeline = buildTimeline(
    parseScenario({
      version: 1,
      name: "r",
      steps: [
        { op: "spawn", as: "P", image: "init" },
        {
          op: "repeat",
          times: 3,
          steps: [
            { op: "fork", proc: "P", as: "C" },
            { op: "exit", proc: "C", status: 0 },
            { op: "wait", proc: "P", expectStatus: 0 },
          ],
        },
      ],
    }),
  );

  it("counts which time round a step in a repeat is, of how many", () => {
    const exits = timeline.steps.flatMap((s, i) => (s.text === "exit C 0" ? [i] : []));
    expect(exits).toHaveLength(3);
    expect(exits.map((i) => roundOf(timeline.steps, i))).toEqual([
      { round: 1, rounds: 3 },
      { round: 2, rounds: 3 },
      { round: 3, rounds: 3 },
    ]);
    expect(roundOf(timeline.steps, 1)).toEqual({ round: 1, rounds: 1 }); // spawn, outside the repeat
  });
});

describe("pictureScenarios and itemsToPicture", () => {
  const dir = scratch("pictures-rubric");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rubricText = readFileSync(path.join(FIXTURE_LAB, "rubric.json"), "utf8");
  const raw = JSON.parse(rubricText);
  raw.tests[0].scenario = "thresholds/child-writes.json";
  writeFileSync(path.join(dir, "rubric.json"), JSON.stringify(raw));
  const kit = prepareKit("cow", { labDir: FIXTURE_LAB, root: ROOT });

  it("takes every threshold's scenario, a test's own, or else its part's threshold scenarios", () => {
    expect([...pictureScenarios(dir, kit.rubric)]).toEqual([
      ["T1", ["thresholds/child-writes.json"]],
      ["T2", ["thresholds/child-writes.json"]],
      ["A1", ["thresholds/child-writes.json"]], // its own
      ["B1", ["thresholds/child-writes.json"]], // part B's thresholds'; A2 and C1 have none
    ]);
  });

  it("refuses a scenario that is not a string, naming the field", () => {
    raw.tests[1].scenario = 3;
    writeFileSync(path.join(dir, "rubric.json"), JSON.stringify(raw));
    expect(() => pictureScenarios(dir, kit.rubric)).toThrow(
      `Cannot read rubric "${path.join(dir, "rubric.json")}": tests[1].scenario must be a non-empty string`,
    );
  });

  it("pictures failed items that are not hidden and were graded", () => {
    const item = (id: string, over: object = {}) => ({
      id,
      kind: "test" as const,
      part: "A",
      title: id,
      maxScore: 1,
      score: 0,
      passed: false,
      visibility: "visible" as const,
      output: "failed",
      detail: "",
      ...over,
    });
    const result = {
      status: "graded",
      items: [
        item("A1"),
        item("A2", { visibility: "hidden" }),
        item("A3", { passed: true, score: 1 }),
        item("A4", { output: "depends on A1" }),
        item("A5", { output: "Not graded: your code does not compile." }),
        item("A6"),
        ...["B1", "B2", "B3", "B4"].map((id) => item(id)),
      ],
    } as unknown as SubmissionResult;
    const all = new Map(result.items.map((i) => [i.id, ["s.json"]]));
    all.delete("A6");
    all.set("B4", []);
    expect(itemsToPicture(result, all).map((i) => i.id)).toEqual(["A1", "B1", "B2", "B3"]);
    expect(itemsToPicture({ ...result, status: "grader-error" }, all)).toEqual([]);
  });
});

describe("a submission's timelines, in a child process", () => {
  let kit: Kit;
  const dir = scratch("pictures-run");
  beforeAll(() => {
    kit = prepareKit("cow", { labDir: FIXTURE_LAB, root: ROOT });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = path.join(FIXTURE_LAB, "thresholds", "child-writes.json");

  async function timelinesOf(folder: string, timeoutMs = 20_000, engineSteps?: number) {
    const files = STUDENT_FILES.map((f) => ({ path: f, foundAt: f, text: readFileSync(path.join(folder, f), "utf8") }));
    const ws = createWorkspace(kit, {
      source: { id: "x", path: folder, kind: "folder" },
      files,
      missing: [],
      notes: [],
    });
    try {
      return await submissionTimelines(
        {
          kit: kit.cacheDir,
          ...sandboxed(kit, ws.dir, engineSteps),
          studentFiles: kit.rubric.studentFiles,
          stepBudget: kit.rubric.limits.stepBudget,
          timeoutMs,
          memoryMb: 256,
        },
        [scenario, path.join(dir, "no-such.json")],
      );
    } finally {
      removeWorkspace(ws);
    }
  }

  it("runs the reference's files exactly as the reference runs, and says why a file cannot run", async () => {
    const [mine, missing] = await timelinesOf(solutionSubmission(path.join(dir, "ref")));
    expect(mine).toEqual(referenceTimeline(scenario));
    expect(missing).toMatch(/^ScenarioError: .*no-such\.json/);
  });

  it("runs the submission's own kernel: the parent's page left writable shows at fork", async () => {
    const folder = path.join(ROOT, "examples", "submissions", "parent-pte-left-writable");
    const [mine] = await timelinesOf(folder);
    const d = firstDivergence(mine as Timeline, referenceTimeline(scenario))!;
    expect((mine as Timeline).steps[d.index]!.text).toBe("fork A as B");
    expect(d.why).toBe(
      "A's page at 0x00011000: on your kernel it is writable, not copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write, with 2 references to its frame.",
    );
    expect(d.focus).toEqual({ process: "A", va: 0x11000 });
  });

  it("a kernel that never returns is stopped by the engine's step budget, and the other scenarios still run", async () => {
    const folder = solutionSubmission(path.join(dir, "loop"), [
      {
        file: "src/kernel/uvmcopy.ts",
        from: "pte = (pte & ~PTE_W) | PTE_COW;",
        to: "for (;;) pte = (pte & ~PTE_W) | PTE_COW;",
      },
    ]);
    const [looped, missing] = await timelinesOf(folder, 60_000);
    expect(looped).toBe(
      `Your code ran for more than ${kit.rubric.limits.engineSteps.toLocaleString("en-US")} engine steps without returning and was stopped: an endless loop, or a loop that never reaches its end?`,
    );
    expect(missing).toMatch(/^ScenarioError: Cannot read scenario .*no-such\.json/);
    // when the engine's budget would let it run on, the child's budget of CPU time stops it (the
    // same on a loaded machine: a report's pictures do not depend on how busy the grader is)
    expect(await timelinesOf(folder, 1500, 1e12)).toEqual([
      "the scenarios used more than 2 s of CPU time",
      "the scenarios used more than 2 s of CPU time",
    ]);
  });

  it("gives up on a kernel that allocates without end, at the memory limit (buffers included)", async () => {
    const folder = solutionSubmission(path.join(dir, "hog"), [
      {
        file: "src/kernel/uvmfree.ts",
        from: "  freewalk(pagetable);\n",
        to: "  const keep: Uint8Array[] = [];\n  for (;;) keep.push(new Uint8Array(16 << 20).fill(1));\n",
      },
    ]);
    // stopped by the engine's own memory limit (the rubric's engineMemoryMb), the same on any
    // machine, not by the outside watch or the 20 s timeout: the child goes on to the next scenario
    const [hog, missing] = await timelinesOf(folder, 20_000);
    expect(hog).toBe(
      `Your code used more than ${kit.rubric.limits.engineMemoryMb} MiB of memory in the engine and was stopped: something allocates without end?`,
    );
    expect(missing).toMatch(/^ScenarioError: Cannot read scenario .*no-such\.json/);
  });

  it("shows a page-table leak: the leaked page-table pages are in your kernel's picture only", async () => {
    const folder = path.join(ROOT, "examples", "submissions", "teardown-leaks-pagetables");
    const [mine] = await timelinesOf(folder);
    const ref = referenceTimeline(scenario);
    const d = firstDivergence(mine as Timeline, ref)!;
    const picture = pictureOf("C1", { name: "x", file: "x.json" }, mine as Timeline, ref, d);
    expect(picture.mine.after.text).toBe("exit B 0");
    // B's level-0 tables stay allocated on the leaking kernel (it frees only the root), and nowhere on the reference
    const tables = picture.mine.before.processes.find((p) => p.name === "B")!.tables!;
    expect(tables.length).toBeGreaterThanOrEqual(2); // a root and a level-0 table at least
    const leaked = picture.mine.after.leaked ?? [];
    expect(leaked.length).toBe(tables.length - 1);
    for (const l of leaked)
      expect({ ...l, ofB: tables.includes(l.frame) }).toEqual({ ...l, ref: 1, table: true, ofB: true });
    expect(picture.reference.after.leaked).toEqual([]);
    expect(pictureKey(picture.mine)).not.toBe(pictureKey(picture.reference));
  });

  it("draws a picture for a failed threshold of a real result", async () => {
    const folder = path.join(ROOT, "examples", "submissions", "cow-copy-leaks-old-frame");
    const files = STUDENT_FILES.map((f) => ({ path: f, foundAt: f, text: readFileSync(path.join(folder, f), "utf8") }));
    const ws = createWorkspace(kit, {
      source: { id: "x", path: folder, kind: "folder" },
      files,
      missing: [],
      notes: [],
    });
    try {
      const result = {
        status: "graded",
        items: [
          { id: "T1", kind: "threshold", passed: false, visibility: "visible", output: "framesCopied = 3" },
          { id: "T2", kind: "threshold", passed: false, visibility: "visible", output: "B.minorFaults = 2" },
        ],
      } as unknown as SubmissionResult;
      const { pictures, problems } = await picturesFor(result, kit.rubric, {
        labDir: FIXTURE_LAB,
        scenarios: pictureScenarios(FIXTURE_LAB, kit.rubric),
        run: {
          kit: kit.cacheDir,
          ...sandboxed(kit, ws.dir),
          studentFiles: kit.rubric.studentFiles,
          stepBudget: kit.rubric.limits.stepBudget,
          timeoutMs: 20_000,
          memoryMb: 256,
        },
      });
      expect(problems).toEqual([]);
      // T2's picture would be T1's again: it points at T1's instead
      expect(pictures.map((p) => [p.itemId, p.sameAs])).toEqual([
        ["T1", undefined],
        ["T2", "T1"],
      ]);
      expect(pictures[0]!.scenario).toBe("child-writes-two-pages");
      const p = pictures[0]!;
      // the copy kept the old frame's reference: the parent's page still counts 2 after the child's write
      expect(p.mine.after.text).toBe("memset B bss");
      expect(p.mine.before.text).toBe("fork A as B");
      expect(p.reference.after.path).toBe(p.mine.after.path);
      expect(p.divergence.why).toBe(
        "A's page at 0x00011000: on your kernel it is read-only, copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write, with 1 reference to its frame.",
      );
    } finally {
      removeWorkspace(ws);
    }
  });
});
