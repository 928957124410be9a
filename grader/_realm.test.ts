// The student's realm: student code reaches nothing of the host but what
// "./defs" gives, values crossing are copied or wrapped, and what it throws
// or prints comes back in words.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { transpile } from "./_compiler";
import { StudentRealm, ThrownValue } from "./_realm";
import { prepareKit } from "./kit";
import { FIXTURE_LAB, scratch } from "./test-support/fixtures";

const work = scratch("realm");
afterAll(() => rmSync(work, { recursive: true, force: true }));
const kit = prepareKit("cow", { labDir: FIXTURE_LAB });
const FILE = "src/kernel/cow.ts";

/** A realm whose student file cow.ts is `text`; what it prints is collected in `printed`. */
function realmWith(text: string, printed: string[] = [], keep = () => true) {
  const workspace = path.join(work, `ws-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(workspace, "src", "kernel"), { recursive: true });
  writeFileSync(path.join(workspace, FILE.replace(/\.ts$/, ".js")), transpile(text, FILE).js);
  const realm = new StudentRealm({
    kit: kit.cacheDir,
    workspace,
    studentFiles: [FILE],
    print: (s) => printed.push(s),
    printing: keep,
  });
  return { realm, exports: realm.load(FILE) as Record<string, (...args: unknown[]) => unknown> };
}

test("every way out of the realm leads back into it: no process, no host Function, no require but ./defs", () => {
  const { exports } = realmWith(`
    import * as defs from "./defs";
    const any = (x: unknown): any => x;
    export function probe(): string[] {
      const tries: [string, () => unknown][] = [
        ["a defs function's constructor", () => any(defs.sfence_vma)["constr" + "uctor"]("return process")()],
        ["a kernel error's constructor", () => {
          try { defs.panic("x: y"); } catch (e) { return any(e).constructor.constructor("return process")(); }
        }],
        ["the global object", () => typeof any(globalThis).process],
        ["process", () => any(globalThis)["pro" + "cess"].send({ type: "done" })],
        ["require", () => require("fs")],
        ["eval", () => eval("1 + 1")],
        ["Function", () => Function("return 1")()],
        ["an async function's constructor", () => any(async () => 0).constructor("return 1")],
        ["Atomics", () => typeof any(globalThis).Atomics],
        ["WebAssembly", () => typeof any(globalThis).WebAssembly],
        ["prepareStackTrace", () => { any(Error).prepareStackTrace = (_: unknown, s: unknown) => s; }],
        ["defs", () => { any(defs).kalloc = null; return typeof defs.kalloc; }],
      ];
      return tries.map(([name, f]) => {
        try {
          return name + ": " + String(f());
        } catch (e) {
          return name + ": threw " + any(e).name + ": " + any(e).message;
        }
      });
    }`);
  const noStrings = "threw EvalError: Code generation from strings disallowed for this context";
  expect(exports.probe!()).toEqual([
    `a defs function's constructor: ${noStrings}`,
    `a kernel error's constructor: ${noStrings}`,
    "the global object: threw Error: process is not available to the lab's code: it runs without access to the Node.js process",
    "process: threw Error: process is not available to the lab's code: it runs without access to the Node.js process",
    'require: threw Error: Cannot import "fs": the lab\'s files may import only from "./defs"',
    `eval: ${noStrings}`,
    `Function: ${noStrings}`,
    `an async function's constructor: ${noStrings}`,
    "Atomics: undefined",
    "WebAssembly: undefined",
    "prepareStackTrace: threw TypeError: Cannot assign to read only property 'prepareStackTrace' of function 'function Error() { [native code] }'",
    "defs: threw TypeError: Cannot assign to read only property 'kalloc' of object '#<Object>'",
  ]);
});

test("values cross as copies of the other side's own: arrays, functions, and a host error comes back as itself", () => {
  const { exports } = realmWith(`
    export function twice(xs: number[]): number[] { return xs.map((x) => x * 2); }
    export function call(f: () => void): void { f(); }
    export function isArray(xs: unknown): boolean { return xs instanceof Array; }`);
  const doubled = exports.twice!([1, 2, 3]);
  expect(doubled).toEqual([2, 4, 6]);
  expect(Object.getPrototypeOf(doubled)).toBe(Array.prototype);
  expect(exports.isArray!([1])).toBe(true); // the realm's own Array, not the host's
  const mine = new RangeError("the host's own");
  let caught: unknown;
  try {
    exports.call!(() => {
      throw mine;
    });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBe(mine);
});

test("the kit's errors keep their class on the way out: panic() and NotImplemented", () => {
  const { exports } = realmWith(`
    import { NotImplemented, panic } from "./defs";
    export function todo(): never { throw new NotImplemented("uvmcopy: see handout, part A"); }
    export function broken(): never { return panic("walk: not mapped"); }`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the kit's compiled classes, as the worker has them
  const panic = require(path.join(kit.cacheDir, "src", "kernel", "panic.js")) as Record<string, new () => Error>;
  expect(() => exports.todo!()).toThrow(panic.NotImplemented!);
  expect(() => exports.todo!()).toThrow("uvmcopy: see handout, part A");
  expect(() => exports.broken!()).toThrow(panic.KernelPanic!);
});

test("a value that is not an Error comes back in words, without running the student's code", () => {
  const { exports } = realmWith(`
    const thrown: unknown[] = [
      "oops",
      null,
      undefined,
      42,
      { toString(): string { throw new Error("no"); }, get bad(): number { throw new Error("no"); } },
      new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } }),
    ];
    export function throwIt(i: number): void { throw thrown[i]; }`);
  const words = [0, 1, 2, 3, 4, 5].map((i) => {
    try {
      exports.throwIt!(i);
      return "returned";
    } catch (e) {
      return e instanceof ThrownValue ? e.message : `not in words: ${String(e)}`;
    }
  });
  expect(words).toEqual([
    'Your code threw the string "oops" instead of an Error',
    "Your code threw null instead of an Error",
    "Your code threw undefined instead of an Error",
    "Your code threw the number 42 instead of an Error",
    "Your code threw an object ({ toString: [Function: toString], bad: [Getter] }) instead of an Error",
    "Your code threw an object (Proxy [ {}, { get: [Function: get], ownKeys: [Function: ownKeys] } ]) instead of an Error",
  ]);
});

test("what student code prints goes to the grader's printer, and costs nothing once printing is over", () => {
  const printed: string[] = [];
  let keep = true;
  const { exports } = realmWith(
    `export function say(n: number): void { for (let i = 0; i < n; i++) console.log("line", i, { i }); }`,
    printed,
    () => keep,
  );
  exports.say!(2);
  expect(printed).toEqual(["line 0 { i: 0 }\n", "line 1 { i: 1 }\n"]);
  keep = false;
  exports.say!(100_000);
  expect(printed).toHaveLength(2);
});

test("Math.random in the realm repeats for a seed, and a stack trace names the TypeScript line", () => {
  const { realm, exports } = realmWith(
    [
      "export function roll(): number { return Math.random(); }",
      "",
      "export function fail(): void {",
      '  throw new Error("here");',
      "}",
    ].join("\n"),
  );
  realm.seed(7);
  const a = exports.roll!();
  realm.seed(7);
  expect(exports.roll!()).toBe(a);
  try {
    exports.fail!();
  } catch (e) {
    expect((e as Error).stack).toMatch(/src\/kernel\/cow\.ts:4:9\)/);
  }
  expect.assertions(2);
});
