// The parent's side of a run, against stand-in workers: it takes from a
// worker only results it asked for, in the protocol's order, with fields of
// the right kinds; it stops a worker that grows past the memory limit.

import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WorkerPool } from "./pool";
import { checkMessage, runSubmission } from "./run";
import { scratch } from "./test-support/fixtures";

jest.setTimeout(60_000);

const work = scratch("run");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLAN = ["t.test.js › A1 one", "t.test.js › A2 two"].map((key) => ({ key, file: "t.test.js" }));

/** A stand-in worker: says ready, then runs `body` (with send and the request's units left) on the request. */
function fakeWorker(name: string, body: string): string {
  const file = path.join(work, `${name}.js`);
  writeFileSync(
    file,
    `const send = (m) => process.send(m);
     const plan = ${JSON.stringify(PLAN.map((u) => u.key))};
     process.once("message", (req) => {
       const todo = plan.filter((k) => !req.skip.includes(k));
       ${body}
     });
     process.on("disconnect", () => process.exit(0));
     send({ type: "ready" });`,
  );
  return file;
}

async function runWith(entry: string) {
  const pool = new WorkerPool({ entry, memoryMb: 64, warm: 1 });
  try {
    const report = await runSubmission(
      pool,
      {
        kit: work,
        files: [],
        engine: { steps: 1000, memoryBytes: 1 << 20, stackBytes: 1 << 16 },
        studentFiles: [],
        editPoints: [],
        reference: null,
        testFiles: ["t.test.js"],
        scenarios: [],
        stepBudget: 1000,
        testMs: 1000,
        seed: 1,
        outputChars: 100,
        submissionOutputChars: 1000,
      },
      PLAN,
      { unitMs: 1000, wallMs: 20_000, memoryMb: 96 },
    );
    return report.outcomes.map((o) => [o.key.split(" › ")[1], o.status, o.message]);
  } finally {
    pool.close();
  }
}

const ok = (key: string): string =>
  `send({ type: "start", key: ${key} }); send({ type: "result", key: ${key}, status: "passed", message: "", logs: "" });`;

test("a worker that keeps to the protocol has its results taken", async () => {
  const entry = fakeWorker("honest", `for (const k of todo) { ${ok("k")} } send({ type: "done" });`);
  expect(await runWith(entry)).toEqual([
    ["A1 one", "passed", ""],
    ["A2 two", "passed", ""],
  ]);
});

test("a result for a test that was not asked for, or not started, ends the worker and is never taken", async () => {
  const forged = fakeWorker(
    "forged",
    `send({ type: "start", key: todo[0] });
     send({ type: "result", key: "t.test.js › Z9 made up", status: "passed", message: "", logs: "" });`,
  );
  const words = (what: string) =>
    `This test was stopped: its process sent the grader ${what}, so nothing more from it was trusted.`;
  expect(await runWith(forged)).toEqual([
    ["A1 one", "crashed", words("a result for a test it was not asked to run")],
    ["A2 two", "crashed", words("a result for a test it was not asked to run")],
  ]);
  const early = fakeWorker(
    "early",
    `send({ type: "start", key: todo[0] });
     send({ type: "result", key: todo[1] ?? todo[0] + "?", status: "passed", message: "", logs: "" });`,
  );
  expect((await runWith(early))[0]).toEqual(["A1 one", "crashed", words("a result for a test that had not started")]);
});

test("a message with a score, points or a figure of its own keeps none of them", () => {
  const m = checkMessage({
    type: "result",
    key: "k",
    status: "passed",
    message: "",
    logs: "",
    score: 100,
    points: 5,
    scenario: { ok: true, failures: [], audit: [], value: 0, figure: "framesCopied = 0" },
  });
  expect(m).toEqual({
    type: "result",
    key: "k",
    status: "passed",
    message: "",
    logs: "",
    scenario: { ok: true, failures: [], audit: [], value: 0 },
  });
  expect(checkMessage({ type: "result", key: "k", status: "excellent", message: "", logs: "" })).toBe(
    "a message of a kind it does not send",
  );
  expect(checkMessage({ type: "result", key: "k", status: "passed", message: "x".repeat(20_001), logs: "" })).toBe(
    "a message of a kind it does not send",
  );
  // printed text: as much as the request allowed, and the line saying the rest was cut
  const printed = (n: number) => ({ type: "result", key: "k", status: "passed", message: "", logs: "x".repeat(n) });
  expect(checkMessage(printed(4096), 4096 + 500)).toEqual(printed(4096));
  expect(checkMessage(printed(5000), 4096 + 500)).toBe("a message of a kind it does not send");
  expect(
    checkMessage({
      type: "result",
      key: "k",
      status: "passed",
      message: "",
      logs: "",
      scenario: { ok: true, failures: [], audit: [], value: "0" },
    }),
  ).toBe("a message of a kind it does not send");
});

test("a worker whose resident memory grows past the limit is stopped, and the rest runs in a fresh one", async () => {
  const entry = fakeWorker(
    "hog",
    `for (const k of todo) {
       send({ type: "start", key: k });
       if (k.includes("A1")) {
         const keep = [];
         setInterval(() => keep.push(Buffer.alloc(16 << 20, 1)), 5);
         return;
       }
       send({ type: "result", key: k, status: "passed", message: "", logs: "" });
     }
     send({ type: "done" });`,
  );
  expect(await runWith(entry)).toEqual([
    [
      "A1 one",
      "crashed",
      "This test used more than 96 MiB of memory (the grader's limit) and was stopped: something allocates without end.",
    ],
    ["A2 two", "passed", ""],
  ]);
});
