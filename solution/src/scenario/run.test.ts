// Running scenarios: each op, expectations and their failures, kills,
// snapshots, the JSON's processes, determinism, and stopping on a panic.
//
// init's layout (layout.ts): text 0x10000-0x13fff, data 0x14000, bss
// 0x15000, heap from 0x16000, stack 0x7ffff000. Spawning it takes 7 frames:
// a root and one level-0 table, 4 text pages and 1 data page.

import * as cowModule from "../kernel/cow";
import { KernelPanic, NotImplemented, mappings } from "../kernel/index";
import * as uvmcopyModule from "../kernel/uvmcopy";
import { parseScenario } from "./parse";
import { RunOptions, ScenarioResult, StepContext, runScenario } from "./run";

afterEach(() => jest.restoreAllMocks());

function run(steps: unknown[], rest: object = {}, options: RunOptions = {}): ScenarioResult {
  return runScenario(parseScenario({ version: 1, ...rest, steps }), options);
}

/** Runs the scenario and returns the labels `name` had after the last step. */
function labelsAfter(steps: unknown[], name: string): Record<string, number> {
  let last: StepContext | null = null;
  const r = run(steps, {}, { onStep: (ctx) => (last = ctx) });
  expect(r.failures).toEqual([]);
  return Object.fromEntries(last!.labels(name));
}

const spawnA = { op: "spawn", as: "A", image: "init" };
const spawnP = { op: "spawn", as: "P", image: "init" };

describe("the ops", () => {
  test("write stores bytes and read with expect checks them; a mismatch fails the scenario naming the step", () => {
    const steps = [spawnA, { op: "write", proc: "A", addr: "bss+1", bytes: [1, 2, 3] }];
    const ok = run([...steps, { op: "read", proc: "A", addr: "bss", bytes: 4, expect: [0, 1, 2, 3] }]);
    expect(ok.ok).toBe(true);
    expect(ok.failures).toEqual([]);

    const bad = run([...steps, { op: "read", proc: "A", addr: "bss", bytes: 4, expect: [0, 1, 2, 4] }]);
    expect(bad.ok).toBe(false);
    expect(bad.failures).toEqual(["step 3 (read A bss): read [0, 1, 2, 3] at bss but expected [0, 1, 2, 4]"]);
  });

  test("memset stores one value over many pages; touch makes one access per page, a write storing 0xA5", () => {
    const r = run([
      spawnA,
      { op: "sbrk", proc: "A", bytes: 3 * 4096, label: "h" },
      { op: "memset", proc: "A", addr: "bss+4090", value: 9, bytes: 8 }, // crosses into the heap
      { op: "touch", proc: "A", addr: "h+100", pages: 2, access: "write" },
      { op: "touch", proc: "A", addr: "stack", pages: 1, access: "read" },
      { op: "read", proc: "A", addr: "bss+4089", bytes: 10, expect: [0, 9, 9, 9, 9, 9, 9, 9, 9, 0] },
      { op: "read", proc: "A", addr: "h+99", bytes: 2, expect: [0, 0xa5] },
      { op: "read", proc: "A", addr: "h+4195", bytes: 3, expect: [0, 0xa5, 0] },
      { op: "expect", counter: "demandZeroFaults", equals: 4 }, // bss, two heap pages, the stack
      { op: "expect", proc: "A", figure: "rssPages", equals: 9 }, // init's 5 loaded pages and those 4
    ]);
    expect(r.failures).toEqual([]);
  });

  test("sbrk's label names the old break; malloc's names a page-aligned block above the break", () => {
    const labels = labelsAfter(
      [
        spawnA,
        { op: "sbrk", proc: "A", bytes: 10, label: "old" },
        { op: "malloc", proc: "A", bytes: 100, label: "m" },
        { op: "malloc", proc: "A", bytes: 1, label: "n" },
      ],
      "A",
    );
    // the heap starts at 0x16000; the break is then 0x1600a, so the first
    // block starts on the next page, and the second on the page after it
    expect(labels).toEqual({
      text: 0x10000,
      data: 0x14000,
      bss: 0x15000,
      heap: 0x16000,
      stack: 0x7ffff000,
      old: 0x16000,
      m: 0x17000,
      n: 0x18000,
    });
  });

  test("fork gives the child the parent's memory and labels; exit and wait pass the status", () => {
    const r = run([
      spawnP,
      { op: "malloc", proc: "P", bytes: 4096, label: "buf" },
      { op: "memset", proc: "P", addr: "buf", value: 1, bytes: 4096 },
      { op: "fork", proc: "P", as: "C" },
      { op: "read", proc: "C", addr: "buf+4095", bytes: 1, expect: [1] },
      { op: "write", proc: "C", addr: "buf", bytes: [2] },
      { op: "read", proc: "P", addr: "buf", bytes: 1, expect: [1] },
      { op: "exit", proc: "C", status: 42 },
      { op: "wait", proc: "P", expectStatus: 42 },
      { op: "expect", proc: "C", figure: "pid", equals: 2 },
      { op: "expect", proc: "C", figure: "state", equals: "exited" },
      { op: "expect", counter: "cowCopies", equals: 1 },
    ]);
    expect(r.failures).toEqual([]);
    expect(r.processes.C).toMatchObject({ pid: 2, state: "exited", killedBy: null, minorFaults: 1 });
  });

  test("exec replaces the image and drops every label but the built-in ones", () => {
    const steps = [
      spawnA,
      { op: "malloc", proc: "A", bytes: 4096, label: "buf" },
      { op: "write", proc: "A", addr: "data", bytes: [0xff] },
      { op: "exec", proc: "A", image: "small" },
    ];
    const images = { images: { small: { text: 1, stack: 1 } } };
    let last: StepContext | null = null;
    const r = run([...steps, { op: "read", proc: "A", addr: "text+5", bytes: 1, expect: [5] }], images, {
      onStep: (ctx) => (last = ctx),
    });
    expect(r.failures).toEqual([]);
    // small has 1 text page, so data, bss and the heap all start at 0x11000
    expect(Object.fromEntries(last!.labels("A"))).toEqual({
      text: 0x10000,
      data: 0x11000,
      bss: 0x11000,
      heap: 0x11000,
      stack: 0x7ffff000,
    });
    expect(r.processes.A).toMatchObject({ rssPages: 1, state: "running" });
  });

  test("wait fails when no child has exited, and with statusAddr stores the status through copyout", () => {
    const none = run([spawnP, { op: "fork", proc: "P", as: "C" }, { op: "wait", proc: "P" }]);
    expect(none.failures).toEqual(["step 3 (wait P): no child of P has exited, so there is nothing to wait for"]);

    const r = run([
      spawnP,
      { op: "touch", proc: "P", addr: "bss", pages: 1, access: "write" },
      { op: "fork", proc: "P", as: "C" },
      { op: "exit", proc: "C", status: 258 },
      { op: "wait", proc: "P", statusAddr: "bss+8", expectStatus: 258 },
      { op: "read", proc: "P", addr: "bss+8", bytes: 4, expect: [2, 1, 0, 0] },
      // C is gone, so P's bss frame has one reference left: the COW fault reuses it
      { op: "expect", counter: "cowReuses", equals: 1 },
      { op: "expect", counter: "cowCopies", equals: 0 },
      { op: "expect", proc: "P", figure: "minorFaults", equals: 2 },
    ]);
    expect(r.failures).toEqual([]);
  });

  test("expect checks a counter or a figure against equals, atMost and atLeast, and says what it found", () => {
    const r = run([
      spawnA,
      { op: "touch", proc: "A", addr: "bss", pages: 1, access: "read" },
      { op: "expect", counter: "pageFaults", equals: 1 },
      { op: "expect", counter: "pageFaults", atMost: 1, atLeast: 1 },
      { op: "expect", proc: "A", figure: "rssPages", atLeast: 6 },
      { op: "expect", proc: "A", figure: "killedBy", equals: null },
      { op: "expect", counter: "pageFaults", atMost: 0 },
      { op: "expect", counter: "framesInUse", atLeast: 9 },
      { op: "expect", proc: "A", figure: "sharedPages", equals: 1 },
      { op: "expect", proc: "A", figure: "state", equals: "killed" },
    ]);
    expect(r.failures).toEqual([
      "step 7 (expect pageFaults): counter pageFaults is 1, expected at most 0",
      "step 8 (expect framesInUse): counter framesInUse is 8, expected at least 9",
      "step 9 (expect A sharedPages): A's sharedPages is 0, expected to equal 1",
      'step 10 (expect A state): A\'s state is "running", expected to equal "killed"',
    ]);
  });

  test("snapshot records the counters and figures as they were at that step", () => {
    const r = run([
      spawnA,
      { op: "snapshot", label: "before" },
      { op: "touch", proc: "A", addr: "bss", pages: 1, access: "write" },
      { op: "snapshot", label: "after" },
    ]);
    expect(r.snapshots.before!.counters.pageFaults).toBe(0);
    expect(r.snapshots.before!.processes.A!.rssPages).toBe(5);
    expect(r.snapshots.after!.counters.pageFaults).toBe(1);
    expect(r.snapshots.after!.processes.A!.rssPages).toBe(6);
    expect(r.snapshots.after).toEqual({ counters: r.counters, processes: r.processes });
  });
});

test("a spawn with no frame left for the image fails, undoes itself, and the name cannot be used", () => {
  const r = run([spawnA, { op: "read", proc: "A", addr: "text", bytes: 1 }], { machine: { frames: 6 } });
  expect(r.failures).toEqual([
    "step 1 (spawn A from init): spawn failed: ENOMEM (no frame left for the image)",
    "step 2 (read A text): process A was never created (its fork or spawn failed)",
  ]);
  expect(r.counters.framesInUse).toBe(0);
  expect(r.processes).toEqual({});
});

describe("expectError", () => {
  test("a fork that must fail with ENOMEM passes when it does, and binds no name", () => {
    // 7 frames: init takes them all, and the child needs a root page table
    const r = run([spawnA, { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" }], { machine: { frames: 7 } });
    expect(r.failures).toEqual([]);
    expect(Object.keys(r.processes)).toEqual(["A"]);
    expect(r.counters.framesInUse).toBe(7);
  });

  test("a fork that must fail but succeeds fails the scenario; one that fails unexpectedly too, and the run goes on", () => {
    const unexpected = run([spawnA, { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" }]);
    expect(unexpected.failures).toEqual(["step 2 (fork A as B): fork was expected to fail with ENOMEM but succeeded"]);

    const failed = run(
      [spawnA, { op: "fork", proc: "A", as: "B" }, { op: "write", proc: "A", addr: "data", bytes: [1] }],
      { machine: { frames: 7 } },
    );
    expect(failed.failures).toEqual(["step 2 (fork A as B): fork failed with ENOMEM"]);
    expect(failed.counters.framesCopied).toBe(0);
    expect(failed.processes.A!.privatePages).toBe(5); // the write ran: data is still A's own
  });

  test("sbrk, malloc and exec that must fail with ENOMEM leave the process as it was", () => {
    let last: StepContext | null = null;
    const r = run(
      [
        spawnA,
        { op: "sbrk", proc: "A", bytes: 0x7fff0000, label: "x", expectError: "ENOMEM" },
        { op: "malloc", proc: "A", bytes: 0x7fff0000, label: "y", expectError: "ENOMEM" },
        { op: "malloc", proc: "A", bytes: 8, label: "z" },
        // 9 frames: init's 7 leave 2, and a new init image needs 7
        { op: "exec", proc: "A", image: "init", expectError: "ENOMEM" },
        { op: "write", proc: "A", addr: "z", bytes: [1] },
        { op: "read", proc: "A", addr: "text+3", bytes: 1, expect: [3] },
      ],
      { machine: { frames: 9 } },
      { onStep: (ctx) => (last = ctx) },
    );
    expect(r.failures).toEqual([]);
    const labels = last!.labels("A");
    expect([labels.has("x"), labels.has("y"), labels.get("z")]).toEqual([false, false, 0x16000]);
    expect(r.counters.framesInUse).toBe(8); // init's 7 and the page written at z
  });
});

describe("a killed process", () => {
  const killA = [spawnA, { op: "touch", proc: "A", addr: "text", pages: 1, access: "write" }];

  test("the step that kills it does not fail; a later step that uses it does, an expect does not", () => {
    const r = run([
      ...killA,
      { op: "expect", proc: "A", figure: "killedBy", equals: "SIGSEGV" },
      { op: "expect", proc: "A", figure: "state", equals: "killed" },
      { op: "expect", proc: "A", figure: "minorFaults", equals: 0 },
      { op: "read", proc: "A", addr: "bss", bytes: 1 },
      { op: "expect", counter: "segfaults", equals: 1 },
    ]);
    expect(r.failures).toEqual([
      "step 6 (read A bss): process A was killed by SIGSEGV at step 2 and cannot run any more",
    ]);
    expect(r.processes.A).toEqual({
      pid: 1,
      minorFaults: 0,
      rssPages: 5,
      sharedPages: 0,
      privatePages: 5,
      state: "killed",
      killedBy: "SIGSEGV",
    });
  });

  test("an expect that says otherwise fails, and so does a read with expect that the kill cut short", () => {
    const r = run([
      spawnA,
      { op: "read", proc: "A", addr: 0, bytes: 1, expect: [0] },
      { op: "expect", proc: "A", figure: "state", equals: "running" },
    ]);
    expect(r.failures).toEqual([
      "step 2 (read A 0x0): the read did not complete: the process was killed by SIGSEGV",
      'step 3 (expect A state): A\'s state is "killed", expected to equal "running"',
    ]);
  });

  test("a fault with no free frame kills with SIGKILL", () => {
    const r = run(
      [
        spawnA,
        { op: "touch", proc: "A", addr: "bss", pages: 1, access: "read" },
        { op: "expect", proc: "A", figure: "killedBy", equals: "SIGKILL" },
        { op: "expect", counter: "oomKills", equals: 1 },
        { op: "expect", counter: "framesInUse", equals: 0 },
      ],
      { machine: { frames: 7 } },
    );
    expect(r.failures).toEqual([]);
  });

  test("its parent's wait sees exit status -1", () => {
    const steps = [spawnP, { op: "fork", proc: "P", as: "C" }, { op: "write", proc: "C", addr: 0, bytes: [1] }];
    expect(run([...steps, { op: "wait", proc: "P", expectStatus: -1 }]).failures).toEqual([]);
    expect(run([...steps, { op: "wait", proc: "P", expectStatus: 0 }]).failures).toEqual([
      "step 4 (wait P): the child (pid 2) exited with status -1 (it was killed by SIGSEGV), expected 0",
    ]);
  });

  test("a waiter killed by the COW fault of its own wait's copyout is a kill like any other, not a failed step", () => {
    // 12 frames: P's 8 (init and bss), C1's 2 page tables, C2's 2 and its
    // stack page and table: after C1 exits, 2 frames are free, and C2's
    // stack takes them. P's bss is shared with C2, so storing the status
    // there needs a copy, and no frame is left for it.
    const r = run(
      [
        spawnP,
        { op: "touch", proc: "P", addr: "bss", pages: 1, access: "write" },
        { op: "fork", proc: "P", as: "C1" },
        { op: "fork", proc: "P", as: "C2" },
        { op: "exit", proc: "C1" },
        { op: "touch", proc: "C2", addr: "stack", pages: 1, access: "write" },
        { op: "expect", counter: "framesInUse", equals: 12 },
        { op: "wait", proc: "P", statusAddr: "bss" },
        { op: "expect", proc: "P", figure: "killedBy", equals: "SIGKILL" },
        { op: "expect", counter: "oomKills", equals: 1 },
        { op: "read", proc: "C2", addr: "bss", bytes: 1, expect: [0xa5] },
        { op: "wait", proc: "P" },
      ],
      { machine: { frames: 12 } },
    );
    expect(r.failures).toEqual(["step 12 (wait P): process P was killed by SIGKILL at step 8 and cannot run any more"]);
  });

  test("an exited process cannot run either", () => {
    const r = run([
      spawnA,
      { op: "exit", proc: "A" },
      { op: "touch", proc: "A", addr: "bss", pages: 1, access: "read" },
    ]);
    expect(r.failures).toEqual(["step 3 (touch A bss): process A has exited and cannot run any more"]);
  });
});

describe("the result", () => {
  const loop = [
    spawnP,
    { op: "malloc", proc: "P", bytes: 8192, label: "buf" },
    { op: "memset", proc: "P", addr: "buf", value: 3, bytes: 8192 },
    { op: "fork", proc: "P", as: "B" },
    { op: "exit", proc: "B", status: 1 },
    { op: "wait", proc: "P", expectStatus: 1 },
    {
      op: "repeat",
      times: 3,
      steps: [
        { op: "fork", proc: "P", as: "C" },
        { op: "touch", proc: "C", addr: "buf", pages: 2, access: "write" },
        { op: "snapshot", label: "in-loop" },
        { op: "exit", proc: "C" },
        { op: "wait", proc: "P", expectStatus: 0 },
      ],
    },
    { op: "exit", proc: "P" },
  ];

  test("processes lists every name ever bound, a name bound in a repeat as its last binding", () => {
    const r = run(loop);
    expect(r.failures).toEqual([]);
    expect(Object.keys(r.processes)).toEqual(["P", "B", "C"]);
    // pids: P 1, B 2, then C 3, 4 and 5
    expect(r.processes.C).toMatchObject({ pid: 5, state: "exited", minorFaults: 2 });
    expect(r.processes.B).toMatchObject({ pid: 2, state: "exited" });
    expect(r.processes.P!.state).toBe("exited");
  });

  test("a snapshot inside a repeat holds the last time round", () => {
    const r = run(loop);
    const s = r.snapshots["in-loop"]!;
    expect(s.processes.C!.pid).toBe(5);
    expect(s.processes.C!.state).toBe("running");
    expect(s.counters.cowCopies).toBe(6); // 2 pages copied each time round
  });

  test("framesInUse is back to 0 once no process is left", () => {
    const r = run(loop);
    expect(r.counters.framesInUse).toBe(0);
    expect(r.counters.pageTableFrames).toBe(0);
    expect(r.counters.framesAllocated).toBe(r.counters.framesFreed);
    expect(r.audit).toEqual([]);
  });

  test("the same scenario run twice gives the same JSON", () => {
    expect(JSON.stringify(run(loop))).toBe(JSON.stringify(run(loop)));
  });

  test("a machine without a TLB (tlbEntries 0) gives the same results; only the cycles differ", () => {
    // the loop touches each page about once per step; reading one page again
    // and again is what a TLB serves without a walk
    const steps = [
      ...loop.slice(0, -1),
      { op: "repeat", times: 5, steps: [{ op: "read", proc: "P", addr: "buf", bytes: 4 }] },
    ];
    const cached = run(steps);
    const uncached = run(steps, { machine: { tlbEntries: 0 } });
    expect(uncached.failures).toEqual([]);
    expect(uncached.processes).toEqual(cached.processes);
    const { cycles: slow, ...rest } = uncached.counters;
    const { cycles: fast, ...cachedRest } = cached.counters;
    expect(rest).toEqual(cachedRest);
    expect(slow).toBeGreaterThan(fast); // every access walks the page table
  });

  test("with one ASID for every process (machine.asids 2), only the fences and cycles change", () => {
    const steps = [
      ...loop.slice(0, 4),
      { op: "write", proc: "B", addr: "buf", bytes: [8] },
      { op: "write", proc: "P", addr: "buf", bytes: [9] },
      { op: "read", proc: "B", addr: "buf", bytes: 2, expect: [8, 3] },
      { op: "read", proc: "P", addr: "buf", bytes: 2, expect: [9, 3] },
    ];
    const many = run(steps);
    const one = run(steps, { machine: { asids: 2 } });
    expect(one.failures).toEqual([]);
    expect(one.processes).toEqual(many.processes);
    const { cycles: _c1, tlbFlushes: oneFlushes, ...oneRest } = one.counters;
    const { cycles: _c2, tlbFlushes: manyFlushes, ...manyRest } = many.counters;
    expect(oneRest).toEqual(manyRest);
    expect(oneFlushes).toBeGreaterThan(manyFlushes); // each switch between P and B recycles ASID 1
  });

  test("machine.seed changes which frames are used, not the counters or figures", () => {
    const framesOfP = (seed?: number): { r: ScenarioResult; frames: number[] } => {
      let frames: number[] = [];
      const steps = loop.slice(0, -1); // P stays alive
      const r = run(steps, seed === undefined ? {} : { machine: { seed } }, {
        onStep: (ctx) => {
          const p = ctx.processes.get("P");
          if (p?.pagetable != null) frames = mappings(p.pagetable).map((m) => m.pte >>> 10);
        },
      });
      return { r, frames };
    };
    const plain = framesOfP();
    const seeded = framesOfP(12345);
    expect(seeded.frames).not.toEqual(plain.frames);
    expect(seeded.frames).toHaveLength(plain.frames.length);
    expect(seeded.r.counters).toEqual(plain.r.counters);
    expect(seeded.r.processes).toEqual(plain.r.processes);
    expect(seeded.r.failures).toEqual([]);
  });
});

describe("a kernel that breaks stops the run", () => {
  const steps = [
    spawnA,
    { op: "fork", proc: "A", as: "B" },
    { op: "write", proc: "B", addr: "data", bytes: [1] },
    { op: "snapshot", label: "later" },
  ];

  test("an unimplemented lab function stops it with the message in failures", () => {
    jest.spyOn(uvmcopyModule, "uvmcopy").mockImplementation(() => {
      throw new NotImplemented("uvmcopy: not written yet");
    });
    const r = run(steps);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual(["step 2 (fork A as B): NotImplemented: uvmcopy: not written yet"]);
    expect(r.snapshots.later).toBeUndefined();
  });

  test("a kernel panic stops it with the message in failures", () => {
    jest.spyOn(cowModule, "cowfault").mockImplementation(() => {
      throw new KernelPanic("cowfault: the PTE is not what it was");
    });
    const r = run(steps);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual(["step 3 (write B data): KernelPanic: cowfault: the PTE is not what it was"]);
    expect(r.snapshots.later).toBeUndefined();
  });
});

test("a fork expected to fail that succeeds fails the step, and its child still shows under its name", () => {
  const r = runScenario(
    parseScenario({
      version: 1,
      steps: [
        { op: "spawn", as: "A", image: "init" },
        { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" },
      ],
    }),
  );
  expect(r.failures).toEqual(["step 2 (fork A as B): fork was expected to fail with ENOMEM but succeeded"]);
  expect(r.processes.B).toMatchObject({ pid: 2, state: "running" });
});

describe("steps are named as people count them", () => {
  test("a failure inside a repeat names its step by number and round, and is kept as data with its place in the timeline", () => {
    const indexes: number[] = [];
    const r = run(
      [
        spawnP,
        {
          op: "repeat",
          times: 2,
          steps: [
            { op: "fork", proc: "P", as: "C" },
            { op: "wait", proc: "P" },
          ],
        },
      ],
      {},
      { onStep: (ctx) => indexes.push(ctx.index) },
    );
    expect(indexes).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.failures).toEqual([
      "step 2.2, round 1 (wait P): no child of P has exited, so there is nothing to wait for",
      "step 2.2, round 2 (wait P): no child of P has exited, so there is nothing to wait for",
    ]);
    expect(r.failedSteps).toEqual([
      {
        path: "steps[1].steps[1]",
        number: "2.2",
        round: 1,
        index: 3,
        text: "wait P",
        message: "no child of P has exited, so there is nothing to wait for",
      },
      expect.objectContaining({ number: "2.2", round: 2, index: 5 }),
    ]);
  });

  test("a process killed in a repeat is said to be killed at that step and round", () => {
    const r = run([
      spawnP,
      { op: "repeat", times: 1, steps: [{ op: "touch", proc: "P", addr: 0, pages: 1, access: "read" }] },
      { op: "read", proc: "P", addr: "data", bytes: 1 },
    ]);
    expect(r.failures).toEqual([
      "step 3 (read P data): process P was killed by SIGSEGV at step 2.1, round 1 and cannot run any more",
    ]);
  });

  test("an expect step hands its hook what it compared and whether it held; other steps hand nothing", () => {
    const seen: (StepContext["expected"] | string)[] = [];
    run(
      [
        spawnA,
        { op: "expect", counter: "framesInUse", atLeast: 7 },
        { op: "expect", proc: "A", figure: "killedBy", equals: "SIGSEGV" },
      ],
      {},
      { onStep: (ctx) => seen.push(ctx.expected ?? ctx.path) },
    );
    expect(seen).toEqual([
      "start",
      "steps[0]",
      { subject: "framesInUse", bound: { atLeast: 7 }, actual: 7, held: true },
      { subject: { proc: "A", figure: "killedBy" }, bound: { equals: "SIGSEGV" }, actual: null, held: false },
    ]);
  });
});
