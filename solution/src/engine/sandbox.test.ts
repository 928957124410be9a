import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import * as riscv from "../hw/riscv";
import { EngineLimit } from "./limits";
import { newQuickJS } from "./quickjs";
import { Sandbox, SandboxOptions, ThrownValue } from "./sandbox";

class NotImplemented extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotImplemented";
  }
}
class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelPanic";
  }
}

const calls: unknown[][] = [];
const defs = {
  ...riscv,
  NotImplemented,
  readPte: (p: number) => {
    calls.push(["readPte", p]);
    return p * 2;
  },
  mappedPages: () => [0x1000, 0x2000],
  panic: (m: string) => {
    throw new KernelPanic(m);
  },
  echo: (v: unknown) => v,
};

function compile(text: string): string {
  return ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, inlineSourceMap: true },
    fileName: "cow.ts",
  }).outputText;
}

const PURE = ts.transpileModule(readFileSync(path.join(__dirname, "..", "hw", "riscv.ts"), "utf8"), {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
}).outputText;

// each sandbox gets a QuickJS instance of its own: what one test allocates is no other's
async function sandbox(body: string, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const s = new Sandbox(await newQuickJS(), {
    defs,
    pureSource: PURE,
    files: [{ rel: "src/kernel/cow.ts", js: compile(body) }],
    limits: { steps: 100_000, memoryBytes: 16 << 20, stackBytes: 256 << 10 },
    ...options,
  });
  s.startUnit(1);
  return s;
}

test("a student function runs in the engine and calls the kernel's defs with numbers", async () => {
  const s = await sandbox(`import { readPte, PTE2PA, PA2PTE } from "./defs";
export function f(a: number): number { return readPte(a) + PTE2PA(PA2PTE(0x5000)); }`);
  calls.length = 0;
  expect((s.exports("src/kernel/cow.ts").f as (a: number) => number)(21)).toBe(42 + 0x5000);
  expect(calls).toEqual([["readPte", 21]]);
});

test("arrays and objects cross as copies, and strings come back as strings", async () => {
  const s = await sandbox(`import { mappedPages, echo } from "./defs";
export function f(o: { a: number[] }): unknown { return { pages: mappedPages(), o, s: echo("x") }; }`);
  expect((s.exports("src/kernel/cow.ts").f as (o: unknown) => unknown)({ a: [1, 2] })).toEqual({
    pages: [0x1000, 0x2000],
    o: { a: [1, 2] },
    s: "x",
  });
});

test("NotImplemented from the student's code reaches the host as the kernel's NotImplemented", async () => {
  const s = await sandbox(`import { NotImplemented } from "./defs";
export function f(): void { throw new NotImplemented("f: see handout"); }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(NotImplemented);
});

test("a panic in the kernel crosses back as the very same KernelPanic", async () => {
  const s = await sandbox(`import { panic } from "./defs";
export function f(): void { panic("walk: bad va"); }`);
  let caught: unknown;
  try {
    (s.exports("src/kernel/cow.ts").f as () => void)();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(KernelPanic);
  expect((caught as Error).message).toBe("walk: bad va");
});

test("an endless loop stops at the same step count every time, and stays stopped for the unit", async () => {
  const s = await sandbox(`export function f(): void { for (;;) {} }\nexport function g(): number { return 1; }`);
  const f = s.exports("src/kernel/cow.ts").f as () => void;
  expect(f).toThrow(EngineLimit);
  const first = s.steps;
  expect(() => (s.exports("src/kernel/cow.ts").g as () => number)()).toThrow(EngineLimit);
  s.startUnit(1);
  expect((s.exports("src/kernel/cow.ts").g as () => number)()).toBe(1);
  expect(f).toThrow(EngineLimit);
  expect(s.steps).toBe(first);
});

test("a loop that catches the interruption is still stopped", async () => {
  const s = await sandbox(`export function f(): void { for (;;) { try { for (;;) {} } catch (e) {} } }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(EngineLimit);
  expect(s.limitHit?.kind).toBe("steps");
});

test("a loop of kernel calls is charged a step per call", async () => {
  const s = await sandbox(`import { readPte } from "./defs";
export function f(): void { for (;;) readPte(1); }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(EngineLimit);
  expect(s.limitHit?.kind).toBe("steps");
});

test("allocating without end fails with the memory limit", async () => {
  const s = await sandbox(`const keep: unknown[] = [];
export function f(): void { for (let i = 0; ; i++) keep.push({ i, list: [i, i + 1] }); }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(/memory/);
  expect(s.limitHit?.kind).toBe("memory");
});

describe("memory: the engine's WebAssembly memory is capped, so every allocation counts", () => {
  const MIB32 = { steps: 100_000, memoryBytes: 32 << 20, stackBytes: 256 << 10 };
  /** A loop that keeps `make`'s value each turn and tells the kernel how many it has (readPte(n)), until it fails. */
  const keeps = (make: string) => `import { readPte } from "./defs";
const keep: unknown[] = [];
export function f(): void { for (let n = 1; ; n++) { keep.push(${make}); readPte(n); } }
export function g(): number { return new Array(1 << 20).fill(1).length; }`;
  const run = async (make: string) => {
    const s = await sandbox(keeps(make), { limits: MIB32 });
    calls.length = 0;
    let caught: unknown;
    try {
      (s.exports("src/kernel/cow.ts").f as () => void)();
    } catch (e) {
      caught = e;
    }
    return { s, caught, kept: calls.length, steps: s.steps };
  };

  test.each([
    ["big arrays filled by native code (no interrupt poll inside)", "new Array(1 << 20).fill(7)"],
    ["typed arrays", "new Uint8Array(4 << 20).fill(1)"],
    ["long strings", `"ab".repeat(1 << 21)`],
  ])("allocating %s without end fails at the memory limit, at the same point every time", async (_what, make) => {
    const first = await run(make);
    expect(first.caught).toBeInstanceOf(EngineLimit);
    expect((first.caught as Error).message).toBe(
      "Your code used more than 32 MiB of memory in the engine and was stopped: something allocates without end?",
    );
    expect(first.s.limitHit?.kind).toBe("memory");
    expect(first.kept).toBeGreaterThan(0);
    expect(first.kept * 4).toBeLessThan(32); // each value holds 4 MiB or more: the limit came within 32 MiB
    const again = await run(make);
    expect([again.kept, again.steps]).toEqual([first.kept, first.steps]);
  });

  test("running out of memory fails the call even when the code catches it", async () => {
    const s = await sandbox(
      `const keep: unknown[] = [];
export function f(): number {
  try { for (;;) keep.push(new Uint8Array(8 << 20)); } catch (e) { keep.length = 0; }
  return 1;
}`,
      { limits: MIB32 },
    );
    expect(() => (s.exports("src/kernel/cow.ts").f as () => number)()).toThrow(EngineLimit);
    expect(s.limitHit?.kind).toBe("memory");
  });

  test("after a unit that ran out of memory, the next unit has its memory back (a fresh engine)", async () => {
    const { s } = await run("new Array(1 << 20).fill(7)");
    expect(s.limitHit?.kind).toBe("memory");
    s.startUnit(2);
    expect((s.exports("src/kernel/cow.ts").g as () => number)()).toBe(1 << 20);
    expect(s.limitHit).toBeNull();
  });

  test("a sandbox that ran out of memory frees it when the call is over: another on the same instance has room", async () => {
    const quickjs = await newQuickJS();
    const options = {
      defs,
      pureSource: PURE,
      files: [{ rel: "src/kernel/cow.ts", js: compile(keeps("new Array(1 << 20).fill(7)")) }],
      limits: MIB32,
    };
    const first = new Sandbox(quickjs, options);
    first.startUnit(1);
    expect(first.exports("src/kernel/cow.ts").f as () => void).toThrow(EngineLimit);
    expect(first.limitHit?.kind).toBe("memory");
    const second = new Sandbox(quickjs, options); // as the student's Jest gives each test file its own, on one instance
    second.startUnit(1);
    expect((second.exports("src/kernel/cow.ts").g as () => number)()).toBe(1 << 20);
    expect(second.limitHit).toBeNull();
  });

  test("an instance whose memory already passed a sandbox's limit is refused, saying so", async () => {
    const quickjs = await newQuickJS();
    const options = { defs, pureSource: PURE, files: [{ rel: "src/kernel/cow.ts", js: compile(keeps("[]")) }] };
    const big = new Sandbox(quickjs, { ...options, limits: { ...MIB32, memoryBytes: 64 << 20 } });
    big.startUnit(1);
    (big.exports("src/kernel/cow.ts").g as () => number)(); // grows the memory past 16 MiB
    (big.exports("src/kernel/cow.ts").g as () => number)();
    const small = new Sandbox(quickjs, { ...options, limits: { ...MIB32, memoryBytes: 16 << 20 } });
    small.startUnit(1);
    expect(() => small.exports("src/kernel/cow.ts")).toThrow(
      /^Cannot start the engine: its QuickJS instance already holds \d+ MiB, more than the 16 MiB limit/,
    );
  });
});

test("a recursion that never ends fails with the stack limit", async () => {
  const s = await sandbox(`function r(n: number): number { return r(n + 1) + 1; }
export function f(): number { return r(0); }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(/stack/);
});

test("the engine has none of Node's globals", async () => {
  const s = await sandbox(
    `export function f(): string { const g = globalThis as any; return [typeof g.process, typeof g.require, typeof g.Buffer, typeof g.setTimeout].join(","); }`,
  );
  expect((s.exports("src/kernel/cow.ts").f as () => string)()).toBe("undefined,undefined,undefined,undefined");
});

test("constructor.constructor of anything given leads back into the engine only", async () => {
  const s = await sandbox(`import * as d from "./defs";
export function f(): string {
  const F = (d.readPte as any).constructor.constructor;
  return F("return typeof process + typeof require")();
}`);
  expect((s.exports("src/kernel/cow.ts").f as () => string)()).toBe("undefinedundefined");
});

test("a thrown string reaches the host in words", async () => {
  const s = await sandbox(`export function f(): void { throw "oops"; }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(ThrownValue);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => void)()).toThrow(
    'Your code threw the string "oops" instead of an Error',
  );
});

test("an error's stack names the student's TypeScript line", async () => {
  const s = await sandbox(`export function f(): void {\n  const x = 1;\n  throw new Error("at line 3 " + x);\n}`);
  let caught: Error | undefined;
  try {
    (s.exports("src/kernel/cow.ts").f as () => void)();
  } catch (e) {
    caught = e as Error;
  }
  expect(caught?.stack).toMatch(/src\/kernel\/cow\.ts:3:/);
});

test("Math.random is seeded per unit", async () => {
  const s = await sandbox(`export function f(): number { return Math.random(); }`);
  const f = s.exports("src/kernel/cow.ts").f as () => number;
  s.startUnit(7);
  const a = f();
  s.startUnit(7);
  expect(f()).toBe(a);
  s.startUnit(8);
  expect(f()).not.toBe(a);
});

describe("each unit starts from a fresh state of the student's code", () => {
  const SOURCE = `let calls = 0;
export function count(): number { calls++; (globalThis as any).seen = ((globalThis as any).seen ?? 0) + 1; return calls; }
export function globals(): unknown { return [(globalThis as any).seen ?? null, (Math as any).flag ?? null, ([] as any).x === 1]; }
export function taint(): void { (Math as any).flag = true; (Array.prototype as any).x = 1; }`;

  test("a module variable and a global set in one unit are not seen in the next", async () => {
    const s = await sandbox(SOURCE);
    const count = s.exports("src/kernel/cow.ts").count as () => number;
    expect([count(), count()]).toEqual([1, 2]); // within a unit, the module keeps its state
    s.startUnit(2);
    expect(count()).toBe(1);
    expect((s.exports("src/kernel/cow.ts").globals as () => unknown)()).toEqual([1, null, false]);
  });

  test("a flag on a built-in object and a changed prototype do not reach the next unit", async () => {
    const s = await sandbox(SOURCE);
    const { taint, globals } = s.exports("src/kernel/cow.ts") as { taint: () => void; globals: () => unknown };
    taint();
    expect(globals()).toEqual([null, true, true]);
    s.startUnit(2);
    expect(globals()).toEqual([null, null, false]);
  });

  test("the file's top-level code runs again in each unit, on that unit's steps", async () => {
    const lines: string[] = [];
    const s = await sandbox(`console.log("loading");\nexport function f(): number { return 1; }`, {
      print: (t) => lines.push(t),
    });
    const f = s.exports("src/kernel/cow.ts").f as () => number;
    f();
    s.startUnit(2);
    expect(s.steps).toBe(0);
    f();
    expect(lines).toEqual(["loading\n", "loading\n"]);
    expect(s.steps).toBeGreaterThan(0);
  });
});

test("printing goes to the host a line at a time", async () => {
  const lines: string[] = [];
  const s = await sandbox(`export function f(): void { console.log("n =", 3, [1, 2]); }`, {
    print: (t) => lines.push(t),
  });
  (s.exports("src/kernel/cow.ts").f as () => void)();
  expect(lines).toEqual(["n = 3 [ 1, 2 ]\n"]);
});

test("a file that throws while loading keeps its functions, each failing with why, which loadFailure() tells", async () => {
  const s = await sandbox(`export function f(): number { return 1; }\nthrow new Error("top-level");`);
  expect(s.loadFailure("src/kernel/cow.ts")).toBeNull(); // not asked for yet
  expect(() => (s.exports("src/kernel/cow.ts").f as () => number)()).toThrow(/could not be loaded: Error: top-level/);
  expect(s.loadFailure("src/kernel/cow.ts")?.message).toMatch(
    /^src\/kernel\/cow\.ts could not be loaded: Error: top-level/,
  );
});

test("a file that loads has no load failure", async () => {
  const s = await sandbox(`export function f(): number { return 1; }`);
  s.exports("src/kernel/cow.ts");
  expect(s.loadFailure("src/kernel/cow.ts")).toBeNull();
});

test("an import other than ./defs fails", async () => {
  const s = await sandbox(`import * as fs from "fs";\nexport function f(): unknown { return fs; }`);
  expect(() => (s.exports("src/kernel/cow.ts").f as () => number)()).toThrow(/may import only from "\.\/defs"/);
});

test("exports can be replaced on the host side, as the hidden suites swap edit points", async () => {
  const s = await sandbox(`export function f(): number { return 1; }`);
  const e = s.exports("src/kernel/cow.ts");
  e.f = () => 2;
  expect((s.exports("src/kernel/cow.ts").f as () => number)()).toBe(2);
});

test("a returned value that is no plain data (a cycle, a BigInt, a throwing getter) reaches the host as undefined", async () => {
  const s = await sandbox(`export function cycle(): unknown { const o: any = {}; o.o = o; return o; }
export function big(): unknown { return BigInt(1); }
export function getter(): unknown { return { get x() { throw new Error("no"); } }; }`);
  const e = s.exports("src/kernel/cow.ts");
  expect((e.cycle as () => unknown)()).toBeUndefined();
  expect((e.big as () => unknown)()).toBeUndefined();
  expect((e.getter as () => unknown)()).toBeUndefined();
});

describe("promise callbacks run once the host's stack is empty, as Node runs them, each a step of the unit", () => {
  /** Lets the host's microtasks run (as a test's end does). */
  const hostStackEmpties = () => new Promise((resolve) => setImmediate(resolve));

  test("an async function's rest, after await, runs when the host's stack is empty, not before the kernel goes on", async () => {
    const s = await sandbox(`import { readPte } from "./defs";
const log: string[] = [];
export async function f(): Promise<void> { log.push("before"); await null; log.push("after"); readPte(7); }
export function g(): string[] { return log; }`);
    const { f, g } = s.exports("src/kernel/cow.ts") as { f: () => unknown; g: () => string[] };
    calls.length = 0;
    f();
    expect(g()).toEqual(["before"]);
    await hostStackEmpties();
    expect(g()).toEqual(["before", "after"]);
    expect(calls).toEqual([["readPte", 7]]);
    expect(s.limitHit).toBeNull();
  });

  test("a callback that queues itself without end runs out of steps, the same count every time; the next unit runs", async () => {
    const s = await sandbox(`const spin = (): void => { void Promise.resolve().then(spin); };
export function f(): void { spin(); }
export function g(): number { return 1; }`);
    const { f, g } = s.exports("src/kernel/cow.ts") as { f: () => void; g: () => number };
    f();
    await hostStackEmpties();
    expect(s.limitHit?.kind).toBe("steps");
    expect(g).toThrow(EngineLimit);
    const first = s.steps;
    s.startUnit(1);
    expect(g()).toBe(1);
    f();
    await hostStackEmpties();
    expect([s.limitHit?.kind, s.steps]).toEqual(["steps", first]);
  });

  test("callbacks a unit left queued run on its budget before the next unit starts", async () => {
    const s = await sandbox(`import { readPte } from "./defs";
export function f(): void { void Promise.resolve().then(() => readPte(1)); }`);
    calls.length = 0;
    (s.exports("src/kernel/cow.ts").f as () => void)();
    expect(calls).toEqual([]);
    s.startUnit(2); // before the host's stack emptied
    expect(calls).toEqual([["readPte", 1]]);
    expect(s.steps).toBe(0);
  });
});

describe("a value handed back is copied out with its depth bounded, so no depth overflows the host's stack", () => {
  const NESTED = `export function f(levels: number): unknown { let o: unknown = 0; for (let i = 0; i < levels; i++) o = { o }; return o; }
export function g(): number { return 1; }`;

  test("a value nested 100,000 levels deep reaches the host as undefined, and the unit goes on", async () => {
    const s = await sandbox(NESTED);
    expect((s.exports("src/kernel/cow.ts").f as (n: number) => unknown)(100_000)).toBeUndefined();
    expect((s.exports("src/kernel/cow.ts").g as () => number)()).toBe(1);
    expect(s.limitHit).toBeNull();
  });

  test("objects nested 100 deep are copied, 101 are not", async () => {
    const f = (await sandbox(NESTED)).exports("src/kernel/cow.ts").f as (n: number) => unknown;
    let inner = f(100);
    for (let i = 1; i < 100; i++) inner = (inner as { o: unknown }).o;
    expect(inner).toEqual({ o: 0 });
    expect(f(101)).toBeUndefined();
  });
});
