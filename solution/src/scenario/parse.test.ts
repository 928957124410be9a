import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ScenarioError, loadScenario, parseScenario } from "./parse";

/** The message parseScenario() refuses `json` with (a ScenarioError), or a failure. */
function refusal(json: unknown): string {
  try {
    parseScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

const A = { op: "spawn", as: "A", image: "init" };
const v1 = (steps: unknown[], rest: object = {}) => ({ version: 1, ...rest, steps });

const OPS = "spawn, sbrk, malloc, write, memset, touch, read, fork, exec, exit, wait, repeat, snapshot, expect";
const COUNTERS =
  "pageFaults, cowFaults, cowCopies, cowReuses, demandZeroFaults, segfaults, oomKills, framesCopied, " +
  "framesZeroed, framesAllocated, framesFreed, framesInUse, pageTableFrames, tlbFlushes, cycles";

test("a scenario with only a version and steps gets the defaults: its fallback name, 32768 frames, 64 TLB entries, init", () => {
  expect(parseScenario({ version: 1, steps: [] }, "fallback")).toEqual({
    version: 1,
    name: "fallback",
    description: "",
    machine: { frames: 32768, tlbEntries: 64 },
    images: { init: { text: 4, data: 1, bss: 1, stack: 1 } },
    steps: [],
  });
});

test("the machine's fields and the images are read; init stays beside the file's own images", () => {
  const s = parseScenario({
    version: 1,
    name: "n",
    description: "d",
    machine: { frames: 100, tlbEntries: 0, seed: -3, asids: 3, stepBudget: 1000 },
    images: { big: { text: 2, bss: 1024 } },
    steps: [],
  });
  expect(s.name).toBe("n");
  expect(s.description).toBe("d");
  expect(s.machine).toEqual({ frames: 100, tlbEntries: 0, seed: -3, asids: 3, stepBudget: 1000 });
  expect(s.images).toEqual({
    init: { text: 4, data: 1, bss: 1, stack: 1 },
    big: { text: 2, data: 0, bss: 1024, stack: 0 },
  });
});

test("an image named init in the file replaces the default one", () => {
  const s = parseScenario(v1([A], { images: { init: { text: 1, stack: 2 } } }));
  expect(s.images).toEqual({ init: { text: 1, data: 0, bss: 0, stack: 2 } });
});

test("every op's fields are read into its step, addresses parsed and exit's status defaulted to 0", () => {
  const s = parseScenario(
    v1([
      A,
      { op: "sbrk", proc: "A", bytes: -4096, label: "old", expectError: "ENOMEM" },
      { op: "malloc", proc: "A", bytes: 100, label: "buf" },
      { op: "write", proc: "A", addr: "buf+0x10", bytes: [1, 255] },
      { op: "memset", proc: "A", addr: 4096, value: 7, bytes: 3 },
      { op: "touch", proc: "A", addr: "heap", pages: 2, access: "read" },
      { op: "read", proc: "A", addr: "0x10", bytes: 2, expect: [0, 1] },
      { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" },
      { op: "fork", proc: "A", as: "C" },
      { op: "exec", proc: "C", image: "init", expectError: "ENOMEM" },
      { op: "exit", proc: "C" },
      { op: "wait", proc: "A", expectStatus: -1, statusAddr: "old+4" },
      { op: "repeat", times: 2, steps: [{ op: "snapshot", label: "s" }] },
      { op: "expect", counter: "cowCopies", atMost: 3, atLeast: 1 },
      { op: "expect", proc: "C", figure: "killedBy", equals: null },
    ]),
  );
  const at = (label: string, offset: number, text: string) => ({ label, offset, text });
  expect(s.steps).toEqual([
    A,
    { op: "sbrk", proc: "A", bytes: -4096, label: "old", expectError: "ENOMEM" },
    { op: "malloc", proc: "A", bytes: 100, label: "buf" },
    { op: "write", proc: "A", addr: at("buf", 16, "buf+0x10"), bytes: [1, 255] },
    { op: "memset", proc: "A", addr: 4096, value: 7, bytes: 3 },
    { op: "touch", proc: "A", addr: at("heap", 0, "heap"), pages: 2, access: "read" },
    { op: "read", proc: "A", addr: 16, bytes: 2, expect: [0, 1] },
    { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" },
    { op: "fork", proc: "A", as: "C" },
    { op: "exec", proc: "C", image: "init", expectError: "ENOMEM" },
    { op: "exit", proc: "C", status: 0 },
    { op: "wait", proc: "A", expectStatus: -1, statusAddr: at("old", 4, "old+4") },
    { op: "repeat", times: 2, steps: [{ op: "snapshot", label: "s" }] },
    { op: "expect", counter: "cowCopies", atMost: 3, atLeast: 1 },
    { op: "expect", proc: "C", figure: "killedBy", equals: null },
  ]);
});

describe("an invalid file is refused with a message naming the field", () => {
  test.each([
    ["a bad version", { version: 2, steps: [] }, "version: must be 1 (this kit reads version 1 scenarios), not 2"],
    ["no version", { steps: [] }, "version: must be 1 (this kit reads version 1 scenarios), not nothing"],
    ["not an object", [], "must be an object, not []"],
    [
      "an unknown top-level field",
      { version: 1, steps: [], step: [] },
      "step: unknown field (expected version, name, description, machine, images, steps)",
    ],
    ["steps that are not an array", { version: 1, steps: {} }, "steps: must be an array of steps"],
    [
      "too few frames",
      v1([], { machine: { frames: 0 } }),
      "machine.frames: must be from 1 to 4194304 (Sv32's 22-bit frame numbers), not 0",
    ],
    [
      "too many frames",
      v1([], { machine: { frames: 4194305 } }),
      "machine.frames: must be from 1 to 4194304 (Sv32's 22-bit frame numbers), not 4194305",
    ],
    [
      "frames that are not a number",
      v1([], { machine: { frames: "lots" } }),
      'machine.frames: must be a whole number, not "lots"',
    ],
    ["a negative TLB", v1([], { machine: { tlbEntries: -1 } }), "machine.tlbEntries: must be 0 or more, not -1"],
    [
      "an unknown machine field",
      v1([], { machine: { ram: 1 } }),
      "machine.ram: unknown field (expected frames, tlbEntries, seed, asids, stepBudget)",
    ],
    [
      "too few ASIDs",
      v1([], { machine: { asids: 1 } }),
      "machine.asids: must be from 2 to 512 (Sv32 has 9 ASID bits), not 1",
    ],
    [
      "an unknown segment",
      v1([], { images: { big: { heap: 1 } } }),
      "images.big.heap: unknown field (expected text, data, bss, stack)",
    ],
    ["a negative segment", v1([], { images: { big: { text: -1 } } }), "images.big.text: must be 0 or more, not -1"],
    [
      "an image too big for the address space",
      v1([], { images: { huge: { text: 600000, stack: 1 } } }),
      "images.huge: does not fit: its 600000 pages of text, data and bss and 1 of stack do not fit in the 2 GiB user address space",
    ],
    ["a step that is not an object", v1([5]), "step 1: must be an object, not 5"],
    ["a step with no op", v1([{ as: "A" }]), `step 1, op: must be one of ${OPS}`],
    ["an unknown op", v1([A, { op: "jump" }]), `step 2, op: unknown op "jump" (one of ${OPS})`],
    // names every JavaScript object has are not ops either
    ["the op toString", v1([{ op: "toString" }]), `step 1, op: unknown op "toString" (one of ${OPS})`],
    ["the op constructor", v1([{ op: "constructor" }]), `step 1, op: unknown op "constructor" (one of ${OPS})`],
    ["the op __proto__", v1([{ op: "__proto__" }]), `step 1, op: unknown op "__proto__" (one of ${OPS})`],
    ["a missing field", v1([{ op: "spawn", as: "A" }]), 'step 1, image: missing (op "spawn" needs it)'],
    [
      "a field the op does not have",
      v1([{ ...A, size: 1 }]),
      'step 1, size: unknown field for op "spawn" (expected op, as, image)',
    ],
    ["an empty name", v1([{ ...A, as: "" }]), 'step 1, as: must be a non-empty string, not ""'],
    [
      "a count given as a string",
      v1([A, { op: "sbrk", proc: "A", bytes: "10" }]),
      'step 2, bytes: must be a whole number, not "10"',
    ],
    [
      "a fractional count",
      v1([A, { op: "malloc", proc: "A", bytes: 1.5, label: "m" }]),
      "step 2, bytes: must be a whole number, not 1.5",
    ],
    [
      "a negative count",
      v1([A, { op: "malloc", proc: "A", bytes: -1, label: "m" }]),
      "step 2, bytes: must be 0 or more, not -1",
    ],
    [
      "a value that is not a byte",
      v1([A, { op: "memset", proc: "A", addr: "bss", value: 256, bytes: 1 }]),
      "step 2, value: must be a byte (0 to 255), not 256",
    ],
    [
      "a byte list with a non-byte",
      v1([A, { op: "write", proc: "A", addr: "bss", bytes: [1, 2, 300] }]),
      "step 2, bytes[2]: must be a byte (0 to 255), not 300",
    ],
    [
      "bytes that are not a list",
      v1([A, { op: "write", proc: "A", addr: "bss", bytes: "abc" }]),
      "step 2, bytes: must be an array of bytes (0 to 255)",
    ],
    [
      "an unknown access",
      v1([A, { op: "touch", proc: "A", addr: "bss", pages: 1, access: "exec" }]),
      'step 2, access: must be "read" or "write", not "exec"',
    ],
    [
      "an error other than ENOMEM",
      v1([A, { op: "fork", proc: "A", as: "B", expectError: "EAGAIN" }]),
      'step 2, expectError: must be "ENOMEM", not "EAGAIN"',
    ],
    [
      "a bad address",
      v1([A, { op: "read", proc: "A", addr: -5, bytes: 1 }]),
      "step 2, addr: -5 is not an address (a whole number from 0 to 0xffffffff)",
    ],
    [
      "an unknown process",
      v1([A, { op: "fork", proc: "B", as: "C" }]),
      'step 2, proc: unknown process "B" (no earlier spawn or fork names it)',
    ],
    ["an unknown image", v1([{ ...A, image: "ls" }]), 'step 1, image: unknown image "ls" (images: init)'],
    [
      "an unknown label",
      v1([
        A,
        { op: "malloc", proc: "A", bytes: 64, label: "buf" },
        { op: "memset", proc: "A", addr: "buf", value: 1, bytes: 64 },
        { op: "write", proc: "A", addr: "buff", bytes: [1] },
      ]),
      'step 4, addr: unknown label "buff"',
    ],
    [
      "a read whose expect is not as long as the read",
      v1([A, { op: "read", proc: "A", addr: "bss", bytes: 4, expect: [0, 0] }]),
      "step 2, expect: has 2 bytes but the step reads 4",
    ],
    [
      "an unknown counter",
      v1([{ op: "expect", counter: "faults", equals: 1 }]),
      `step 1, counter: unknown counter "faults" (one of ${COUNTERS})`,
    ],
    [
      "an unknown figure",
      v1([A, { op: "expect", proc: "A", figure: "rss", equals: 1 }]),
      'step 2, figure: unknown figure "rss" (one of pid, minorFaults, rssPages, sharedPages, privatePages, state, killedBy)',
    ],
    [
      "an expect with both a counter and a figure",
      v1([A, { op: "expect", counter: "cycles", proc: "A", figure: "pid", equals: 1 }]),
      'step 2: an expect names either "counter", or "proc" and "figure"',
    ],
    [
      "an expect with a process but no figure",
      v1([A, { op: "expect", proc: "A", equals: 1 }]),
      'step 2, figure: missing (a figure needs both "proc" and "figure")',
    ],
    [
      "an expect with no bound",
      v1([{ op: "expect", counter: "cycles" }]),
      'step 1: an expect needs one of "equals", "atMost", "atLeast"',
    ],
    [
      "a bound on a textual figure",
      v1([A, { op: "expect", proc: "A", figure: "state", atMost: 1 }]),
      'step 2: figure "state" is not a number: use "equals"',
    ],
    [
      "a counter compared with a string",
      v1([{ op: "expect", counter: "pageFaults", equals: "many" }]),
      'step 1, equals: must be a number for counter "pageFaults"',
    ],
    [
      "a non-numeric bound",
      v1([{ op: "expect", counter: "pageFaults", atMost: "1" }]),
      'step 1, atMost: must be a number, not "1"',
    ],
    ["a repeat without steps", v1([{ op: "repeat", times: 2, steps: 1 }]), "step 1, steps: must be an array of steps"],
  ])("%s", (_what, json, message) => {
    expect(refusal(json)).toBe(message);
  });
});

describe("names and labels follow the steps", () => {
  test("a child made by fork inherits its parent's labels", () => {
    expect(() =>
      parseScenario(
        v1([
          A,
          { op: "malloc", proc: "A", bytes: 64, label: "buf" },
          { op: "fork", proc: "A", as: "B" },
          { op: "write", proc: "B", addr: "buf+8", bytes: [1] },
        ]),
      ),
    ).not.toThrow();
  });

  test("a fork that expects an error binds no name", () => {
    expect(
      refusal(
        v1([
          A,
          { op: "fork", proc: "A", as: "B", expectError: "ENOMEM" },
          { op: "read", proc: "B", addr: 0, bytes: 1 },
        ]),
      ),
    ).toBe('step 3, proc: unknown process "B" (no earlier spawn or fork names it)');
  });

  test("exec drops every label but the five built-in ones", () => {
    const steps = [A, { op: "malloc", proc: "A", bytes: 64, label: "buf" }, { op: "exec", proc: "A", image: "init" }];
    expect(() => parseScenario(v1([...steps, { op: "read", proc: "A", addr: "stack+8", bytes: 1 }]))).not.toThrow();
    expect(refusal(v1([...steps, { op: "read", proc: "A", addr: "buf", bytes: 1 }]))).toBe(
      'step 4, addr: unknown label "buf"',
    );
  });

  test("names made inside a repeat are reused each time round, and usable after it", () => {
    const loop = {
      op: "repeat",
      times: 3,
      steps: [
        { op: "fork", proc: "P", as: "C" },
        { op: "touch", proc: "C", addr: "buf", pages: 1, access: "write" },
        { op: "exit", proc: "C" },
        { op: "wait", proc: "P", expectStatus: 0 },
      ],
    };
    const s = parseScenario(
      v1([
        { op: "spawn", as: "P", image: "init" },
        { op: "malloc", proc: "P", bytes: 4096, label: "buf" },
        loop,
        { op: "expect", proc: "C", figure: "state", equals: "exited" },
      ]),
    );
    expect(s.steps[2]).toEqual({ ...loop, steps: expect.any(Array) });
  });

  test("an error inside a repeat names the path down to the nested step", () => {
    expect(
      refusal(
        v1([
          A,
          { op: "repeat", times: 2, steps: [{ op: "touch", proc: "A", addr: "nope", pages: 1, access: "read" }] },
        ]),
      ),
    ).toBe('step 2.1, addr: unknown label "nope"');
    expect(
      refusal(v1([A, { op: "repeat", times: 1, steps: [{ op: "repeat", times: 1, steps: [{ op: "exit" }] }] }])),
    ).toBe('step 2.1.1, proc: missing (op "exit" needs it)');
  });

  test("a repeat is checked as its second time round sees it: a label its exec drops is refused", () => {
    // the first time round "buf" exists; the exec drops it, so the second time it does not
    expect(
      refusal(
        v1([
          A,
          { op: "malloc", proc: "A", bytes: 64, label: "buf" },
          {
            op: "repeat",
            times: 2,
            steps: [
              { op: "write", proc: "A", addr: "buf", bytes: [1] },
              { op: "exec", proc: "A", image: "init" },
            ],
          },
        ]),
      ),
    ).toBe('step 3.1, addr: unknown label "buf"');
  });
});

describe("loadScenario()", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-parse-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reads a file and names the scenario after it when the file gives no name", () => {
    const file = path.join(dir, "tiny.json");
    fs.writeFileSync(file, JSON.stringify(v1([A])));
    expect(loadScenario(file).name).toBe("tiny");
  });

  test("refuses a file that is not JSON, not an object, or not there, saying which file", () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, "{ version: 1");
    expect(() => loadScenario(bad)).toThrow(new RegExp(`^Cannot read scenario "${bad}": it is not valid JSON \\(`));
    const array = path.join(dir, "array.json");
    fs.writeFileSync(array, "[1]");
    expect(() => loadScenario(array)).toThrow(`Cannot read scenario "${array}": it must be an object, not [1]`);
    const missing = path.join(dir, "missing.json");
    expect(() => loadScenario(missing)).toThrow(`Cannot read scenario "${missing}": ENOENT`);
  });
  test("refuses a file that is not JSON at the line and column of its first mistake, whether or not V8 names the place", () => {
    const at = (text: string): string => {
      const file = path.join(dir, "broken.json");
      fs.writeFileSync(file, text);
      try {
        loadScenario(file);
      } catch (e) {
        return (e as Error).message.replace(`Cannot read scenario "${file}": it is not valid JSON `, "");
      }
      throw new Error("the file was read");
    };
    // V8 says "Unexpected token" with no place
    expect(at('{\n  "version": 1,\n  "steps" []\n}')).toBe(`(line 3, column 11: Unexpected token '[')`);
    expect(at('{"version": 1, "steps": [1,]}')).toBe(`(line 1, column 28: Unexpected token ']')`);
    // V8 gives a position: told as line and column
    expect(at('{"version": 1}\n}')).toBe("(line 2, column 1: Unexpected non-whitespace character after JSON)");
    expect(at('{\n  "version": 1')).toBe("(line 2, column 15: Expected ',' or '}' after property value)");
    expect(at("")).toBe("(line 1, column 1: Unexpected end of JSON input)");
  });
});

test("an image cannot be named after an Object.prototype member", () => {
  expect(() => parseScenario({ version: 1, images: JSON.parse('{"__proto__": {"text": 1}}'), steps: [] })).toThrow(
    'images.__proto__: "__proto__" cannot name an image (it is reserved)',
  );
});
