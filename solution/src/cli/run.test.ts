// `oslab run FILE`: exit status 0 when every expectation held, 1 when one
// failed, 2 when the file is invalid (with the step and field named).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as uvmfreeModule from "../kernel/uvmfree";
import { runCommand } from "./run";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-run-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

/** Writes `content` (JSON unless a string) to a fresh file in the temp folder. */
function file(name: string, content: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
  return f;
}

/** Runs the command; returns its exit status and everything it printed. */
function oslabRun(f: string, flags: { json?: boolean; audit?: boolean } = {}): { status: number; out: string } {
  const lines: string[] = [];
  const status = runCommand({ file: f, json: flags.json ?? false, audit: flags.audit ?? false }, (s) => lines.push(s));
  return { status, out: lines.join("\n") };
}

const spawnA = { op: "spawn", as: "A", image: "init" };
const holds = { version: 1, name: "holds", steps: [spawnA, { op: "expect", counter: "framesInUse", equals: 7 }] };

test("exit status 0 when every expectation held; --json prints the result object", () => {
  const { status, out } = oslabRun(file("holds.json", holds), { json: true });
  expect(status).toBe(0);
  const result = JSON.parse(out);
  expect(Object.keys(result)).toEqual(["ok", "failures", "counters", "processes", "snapshots", "audit"]);
  expect(result.ok).toBe(true);
  expect(result.failures).toEqual([]);
  expect(result.counters.framesInUse).toBe(7);
  expect(result.processes.A.state).toBe("running");
});

test("the report without --json names the scenario, says every expectation held, and lists counters and processes", () => {
  const { status, out } = oslabRun(file("report.json", { ...holds, description: "one spawn" }));
  expect(status).toBe(0);
  const lines = out.split("\n");
  expect(lines.slice(0, 2)).toEqual(["holds: one spawn", "  every expectation held"]);
  expect(lines).toContain("  framesInUse        7");
  expect(lines).toContain("  name  pid  state    killedBy  minorFaults  rssPages  sharedPages  privatePages");
  expect(lines).toContain("  A     1    running  -         0            5         0            5");
});

test("exit status 1 when an expectation failed, with the failure printed", () => {
  const fails = { ...holds, steps: [spawnA, { op: "expect", counter: "framesInUse", equals: 8 }] };
  const { status, out } = oslabRun(file("fails.json", fails));
  expect(status).toBe(1);
  expect(out.split("\n").slice(1, 3)).toEqual([
    "  FAILED: 1 failure",
    "    step 2 (expect framesInUse): counter framesInUse is 7, expected to equal 8",
  ]);
});

test("exit status 2 for an invalid file, with the file, step and field named", () => {
  const f = file("invalid.json", {
    version: 1,
    steps: [
      spawnA,
      { op: "malloc", proc: "A", bytes: 64, label: "buf" },
      { op: "memset", proc: "A", addr: "buf", value: 1, bytes: 64 },
      { op: "read", proc: "A", addr: "buff", bytes: 1 },
    ],
  });
  expect(oslabRun(f)).toEqual({ status: 2, out: `${f}: step 4, addr: unknown label "buff"` });
});

test("exit status 2 for a file that is missing, not JSON or not an object, with the file named", () => {
  const missing = path.join(dir, "missing.json");
  expect(oslabRun(missing)).toEqual({
    status: 2,
    out: `Cannot read scenario "${missing}": ENOENT: no such file or directory, open '${missing}'`,
  });
  const garbled = file("garbled.json", "{ steps:");
  const { status, out } = oslabRun(garbled);
  expect(status).toBe(2);
  expect(out.startsWith(`Cannot read scenario "${garbled}": it is not valid JSON (`)).toBe(true);
  const list = file("list.json", []);
  expect(oslabRun(list)).toEqual({ status: 2, out: `Cannot read scenario "${list}": it must be an object, not []` });
});

test("--audit also fails a run whose expectations held when the kernel's state is unsound at the end", () => {
  // a kernel whose teardown frees nothing: exit leaks the process's 7 frames
  jest.spyOn(uvmfreeModule, "uvmfree").mockImplementation(() => {});
  const f = file("leaks.json", { version: 1, steps: [spawnA, { op: "exit", proc: "A" }] });
  expect(oslabRun(f).status).toBe(0);

  const { status, out } = oslabRun(f, { json: true, audit: true });
  expect(status).toBe(1);
  const result = JSON.parse(out);
  expect(result.ok).toBe(false);
  expect(result.failures).toHaveLength(7);
  expect(result.failures[0]).toBe(
    "audit: frame 0 (pa 0x00000000) is allocated (reference count 1) but no page table uses it: a page-table page leaked",
  );
});
