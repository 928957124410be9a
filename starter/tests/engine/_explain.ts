// The words a student reads when a test passes in Node and fails in the
// grader's engine: what happened, where (the file and function), why the
// engine differs, what to change, and the grader's budgets. The check
// (setup.ts) observes; this file only writes.

import type { LimitKind } from "../../src/engine/limits";
import type { NodeOnlyUse } from "./_bridge";
import { GRADING_FILE, Grading } from "./_grading";

/** What went wrong in the engine, as it came out of one of the student's functions. */
export type Fault =
  /** One of the engine's budgets ran out; `words` is what the grader says. */
  | { readonly kind: "limit"; readonly limit: LimitKind; readonly words: string }
  /** The simulated machine's step budget ran out (the grader's is smaller than a Node run's). */
  | { readonly kind: "machine"; readonly words: string }
  /** The function does not exist in the engine: the file's top-level code failed before defining it. */
  | { readonly kind: "missing" }
  /** The function threw; `at` is where in the student's file, when known. */
  | { readonly kind: "thrown"; readonly name: string; readonly message: string; readonly at: string | null };

/** A test that passed in Node and failed in the engine: what was seen. */
export interface Disagreement {
  /** The student's function the fault came out of, or null when none did. */
  readonly call: { readonly file: string; readonly fn: string } | null;
  readonly fault: Fault | null;
  /** What the test failed with in the engine (its error's message). */
  readonly failure: string;
  /** Each student file's uses of Node's globals that the engine lacks. */
  readonly nodeOnly: ReadonlyMap<string, readonly NodeOnlyUse[]>;
  readonly grading: Grading;
}

/** The first line, which Jest prints apart from the rest. */
const HEADLINE = "Passes in Node, fails in the grader's engine: this test would fail when graded.";
const ENGINE =
  "The grader runs your files in QuickJS, a JavaScript engine without Node's extras, with a budget for each test.";

/** A headline, then a paragraph: the engine, what happened in it and why, and the grader's budgets. */
export function explain(d: Disagreement): { readonly message: string; readonly paragraph: string } {
  const paragraph = [ENGINE, cause(d), budgets(d.grading)].join("\n");
  return { message: `${HEADLINE}\n\n${paragraph}`, paragraph };
}

function cause(d: Disagreement): string {
  const { call, fault } = d;
  if (fault?.kind === "machine") {
    const in_ = call === null ? "" : ` in ${call.fn}() (${call.file})`;
    return (
      `In the engine run, the simulated machine ran out of the steps the grader gives a test (${count(d.grading.stepBudget)}; ` +
      `Node's run allows more), and the grader says: "${fault.words}" Look for kernel work${in_} that repeats far more often than there are pages.`
    );
  }
  if (call === null || fault === null) return differentResult(d);
  const where = `${call.fn}() in ${call.file}`;
  switch (fault.kind) {
    case "limit":
      return `In the engine, ${where} ran out of a budget, and the grader says: "${fault.words}" ${LIMIT_ADVICE[fault.limit]}`;
    case "missing":
      return (
        `In the engine, ${call.file} never defined ${call.fn}(): the file's top-level code (outside any function) ` +
        `failed there before reaching it. The test failed with: ${d.failure}`
      );
    case "thrown":
      return thrown(d, fault);
  }
}

const LIMIT_ADVICE: Readonly<Record<LimitKind, string>> = {
  steps:
    "Node counts nothing and ran your code to its end. In the engine, each call from your code into the kernel is a step, " +
    "and so is every few hundred turns of a loop of your own: look for a loop that turns far more often than there are pages to visit.",
  memory: "Node has far more memory: look for an array or object that grows on every call and is never let go.",
  stack: "Node's stack is deeper than the engine's: make the recursion shallower, or turn it into a loop.",
};

function thrown(d: Disagreement, fault: Extract<Fault, { kind: "thrown" }>): string {
  const { file, fn } = d.call!;
  const what = fault.name === "" ? fault.message : `${fault.name}: ${fault.message}`;
  const said =
    fault.at === null
      ? `In the engine, ${fn}() in ${file} threw ${what}.`
      : `In the engine, ${fn}() threw at ${fault.at}: ${what}.`;
  const uses = d.nodeOnly.get(file) ?? [];
  if (uses.length > 0) {
    const them = unique(uses.map((u) => u.name)).length === 1 ? "it" : "them";
    return `${said} Remove ${list(uses.map((u) => `${u.name} (line ${u.line})`))} from ${file}: Node has ${them}, the grader's engine does not.`;
  }
  return (
    `${said} Node ran the same code without this error: it uses something Node has and the engine does not, ` +
    `such as a function only Node's engine (V8) provides, like Error.captureStackTrace, or Node's locale data (Intl).`
  );
}

function differentResult(d: Disagreement): string {
  const head = `Nothing your functions did failed in the engine, but the test's checks did:\n\n${d.failure}\n\n`;
  const uses = [...d.nodeOnly].flatMap(([file, us]) => us.map((u) => `${u.name} (${file}, line ${u.line})`));
  if (uses.length > 0)
    return `${head}Your code computes something else in the engine: it uses ${list(uses)}, which the engine does not have.`;
  return (
    `${head}Your code computes something else in the engine than in Node: look for a result that depends on the engine, ` +
    `such as toLocaleString() (the engine has no locale data) or the order of an object's keys.`
  );
}

function budgets(g: Grading): string {
  const { steps, memoryBytes, stackBytes } = g.engine;
  return (
    `The grader's budgets for each test: ${count(steps)} engine steps, ${mib(memoryBytes)} of engine memory, ` +
    `${Math.round(stackBytes / 1024)} KiB of engine stack, and ${count(g.stepBudget)} steps of the simulated machine (${GRADING_FILE}).`
  );
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** "a", "a and b", "a, b and c". */
function list(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}
