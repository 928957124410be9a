import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import * as riscv from "../hw/riscv";
import { EngineLimit } from "./limits";
import { loadQuickJS } from "./quickjs";
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

async function sandbox(body: string, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const s = new Sandbox(await loadQuickJS(), {
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
