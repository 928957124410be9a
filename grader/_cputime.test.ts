// CPU time read from /proc: a process's own, and that of the processes
// below it (a checker started through a sandbox is a grandchild of the
// grader), so a budget counts the program doing the work.

import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuTimeMs, processTree } from "./_cputime";

jest.setTimeout(60_000);

const linux = process.platform === "linux" ? test : test.skip;

linux("a process tree's CPU time counts the grandchild doing the work, and not its idle parent's alone", async () => {
  // sh waits for node, which spins: the work is one level below the pid we know
  const sh = spawn("sh", ["-c", `"${process.execPath}" -e "for (;;) {}"; true`], { stdio: "ignore" });
  try {
    let tree: number[] = [];
    while (tree.length < 2) {
      await sleep(20);
      tree = processTree(sh.pid!);
    }
    expect(tree[0]).toBe(sh.pid);
    while ((cpuTimeMs(tree) ?? 0) < 300) await sleep(20); // however loaded the machine, it gets there
    expect(cpuTimeMs([sh.pid!])).toBeLessThan(100);
  } finally {
    for (const pid of processTree(sh.pid!).reverse()) process.kill(pid, "SIGKILL");
  }
});

test("a process that is not there counts nothing", () => {
  expect(cpuTimeMs([2 ** 22 + 1])).toBeNull();
});
