// The integrity check: each way a student file could reach past "./defs"
// is flagged at its line with a sentence; ordinary kernel code is not.

import { readFileSync } from "node:fs";
import path from "node:path";
import { checkIntegrity, formatFlag } from "./integrity";
import { LAB, STUDENT_FILES } from "./test-support/fixtures";

const flagsOf = (text: string, rel = "src/kernel/cow.ts"): string[] => checkIntegrity(rel, text).map(formatFlag);

test("the reference solution and the starter are not flagged", () => {
  for (const project of [LAB.solution, LAB.starter])
    for (const f of STUDENT_FILES) expect(flagsOf(readFileSync(path.join(project, f), "utf8"), f)).toEqual([]);
});

test("imports of Node.js modules, packages, other kit modules and the hardware are flagged; types from the kit are not", () => {
  const text = [
    'import { kalloc } from "./defs";',
    'import { readFileSync } from "fs";',
    'import * as cp from "node:child_process";',
    'import _ from "lodash";',
    'import { walk } from "./vm";',
    'import type { Pagetable } from "./vm";',
    'import { type CowResult } from "./cow";',
    'import type { Access } from "../hw/riscv";',
    'import { PGSIZE } from "../hw/riscv";',
    'import type { Machine } from "../hw/machine";',
    'import { hart } from "./hart";',
    'import { kinit } from "./kalloc";',
    'import x = require("os");',
    'export * from "../../package.json";',
    'import "./trace";',
  ].join("\n");
  const only = 'the lab\'s files may import only from "./defs"';
  const hw = 'the simulated hardware; the lab\'s files may reach the machine only through "./defs"';
  expect(flagsOf(text)).toEqual([
    `src/kernel/cow.ts:2:1 imports "fs", a Node.js module; ${only}`,
    `src/kernel/cow.ts:3:1 imports "node:child_process", a Node.js module; ${only}`,
    `src/kernel/cow.ts:4:1 imports "lodash", a package from outside the lab; ${only}`,
    `src/kernel/cow.ts:5:1 imports "./vm"; ${only} (everything the lab needs is there)`,
    `src/kernel/cow.ts:9:1 imports "../hw/riscv", ${hw}`,
    `src/kernel/cow.ts:10:1 imports "../hw/machine", ${hw}`,
    'src/kernel/cow.ts:11:1 imports "./hart", the hart (the machine the kernel runs on); use sfence_vma from "./defs"',
    'src/kernel/cow.ts:12:1 imports "./kalloc", the frame allocator\'s internals; use kalloc, kfree, krefinc and krefcnt from "./defs"',
    `src/kernel/cow.ts:13:1 imports "os", a Node.js module; ${only}`,
    `src/kernel/cow.ts:14:1 imports "../../package.json", which is outside the lab's code; ${only}`,
    `src/kernel/cow.ts:15:1 imports "./trace"; ${only} (everything the lab needs is there)`,
  ]);
});

test("require, import(), eval, Function, process, the global object and the test framework's names are flagged", () => {
  const text = [
    "export function cowfault(): string {",
    '  const fs = require("fs");',
    '  void import("fs");',
    '  eval("1");',
    '  const f = new Function("return 1");',
    "  process.exit(1);",
    "  (globalThis as any).x = global;",
    "  expect(1).toBe(1);",
    "  jest.fn();",
    "  return String(fs) + String(f);",
    "}",
  ].join("\n");
  expect(flagsOf(text).map((f) => f.split(" ").slice(0, 2).join(" "))).toEqual([
    "src/kernel/cow.ts:2:14 uses",
    "src/kernel/cow.ts:3:8 uses",
    "src/kernel/cow.ts:4:3 uses",
    "src/kernel/cow.ts:5:17 uses",
    "src/kernel/cow.ts:6:3 uses",
    "src/kernel/cow.ts:7:4 uses",
    "src/kernel/cow.ts:7:27 uses",
    "src/kernel/cow.ts:8:3 refers",
    "src/kernel/cow.ts:9:3 refers",
  ]);
  expect(checkIntegrity("src/kernel/cow.ts", text).map((f) => f.rule)).toEqual([
    "require",
    "dynamic-import",
    "code-from-text",
    "code-from-text",
    "process",
    "globals",
    "globals",
    "test-framework",
    "test-framework",
  ]);
  expect(flagsOf(text)[4]).toBe(
    "src/kernel/cow.ts:6:3 uses process, Node.js's handle on the running program; the lab's files may not touch it",
  );
  expect(flagsOf(text)[7]).toBe(
    "src/kernel/cow.ts:8:3 refers to expect, a name from the test framework; the lab's files must not touch the tests",
  );
});

test("a local variable, parameter or property with a global's name is not flagged, but a declare is", () => {
  const text = [
    "export function f(process: number, self: number): number {",
    "  const it = process + self;",
    "  const o = { expect: it, test() { return 1; } };",
    "  return o.expect + o.test();",
    "}",
    "declare const require: (m: string) => unknown;",
    'require("fs");',
  ].join("\n");
  expect(flagsOf(text)).toEqual([
    'src/kernel/cow.ts:7:1 uses require(), which loads any module; the lab\'s files may import only from "./defs"',
  ]);
});

test("reaching for constructors, prototypes and reflection is flagged, however it is spelled", () => {
  const text = [
    'import { sfence_vma } from "./defs";',
    "const a = sfence_vma.constructor;",
    'const b = (sfence_vma as any)["__proto__"];',
    "const { constructor: c } = sfence_vma;",
    "Object.getPrototypeOf(sfence_vma);",
    "Reflect.ownKeys({});",
    "(Array as any).prototype.push = null;",
    "function g() { return arguments.callee; }",
    "export const all = [a, b, c, g];",
  ].join("\n");
  expect(flagsOf(text)).toEqual([
    "src/kernel/cow.ts:2:22 uses .constructor, which can reach code outside the lab's files; the lab's files may not",
    "src/kernel/cow.ts:3:31 uses .__proto__, which can reach code outside the lab's files; the lab's files may not",
    "src/kernel/cow.ts:4:9 uses .constructor, which can reach code outside the lab's files; the lab's files may not",
    "src/kernel/cow.ts:5:1 uses Object.getPrototypeOf, which reaches into other objects; the lab's files may not",
    "src/kernel/cow.ts:6:1 uses Reflect, which can reach code outside the lab's files; the lab's files may not",
    "src/kernel/cow.ts:7:16 uses .prototype, which can reach code outside the lab's files; the lab's files may not",
    "src/kernel/cow.ts:8:33 uses .callee, which can reach code outside the lab's files; the lab's files may not",
  ]);
});

test("a file with very many flags shows the first ones and counts the rest", () => {
  const flags = flagsOf(Array.from({ length: 30 }, () => "eval('1');").join("\n"));
  expect(flags).toHaveLength(20);
  expect(flags[19]).toBe("src/kernel/cow.ts:20:1 ... and 11 more flags");
});
