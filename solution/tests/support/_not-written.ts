// A test that fails because it reached a function the student has not
// written yet (its stub throws NotImplemented) is not a failure to read a
// stack trace for: it is waiting on that function. The test environment
// swaps such an error for a NotWrittenYet, one line long, that carries
// which function as data, so that the reporter (tests/support/reporter.js)
// can list each stub once with the tests waiting on it.

import path from "node:path";
import type { EditPoint } from "../engine/_grading";

/** What a NotWrittenYet error carries, as plain data (it crosses from a Jest worker as JSON). */
export interface Waiting {
  readonly function: string;
  readonly part: string;
  readonly title: string;
  readonly file: string;
}

/** The error a test that reached a stub fails with. */
export class NotWrittenYet extends Error {
  /** Own and enumerable, so it survives the trip from a Jest worker to the reporter. */
  readonly notWritten: Waiting;

  constructor(e: EditPoint) {
    super(`waiting on ${e.function}() in ${e.file}: not written yet (handout, "Part ${e.part}: ${e.title}")`);
    this.name = "NotWrittenYet";
    this.notWritten = { function: e.function, part: e.part, title: e.title, file: e.file };
    this.stack = `${this.name}: ${this.message}`; // one line: the stub's own frames teach nothing
  }
}

/**
 * The NotWrittenYet for `error` when it is a stub's NotImplemented thrown
 * in one of `editPoints`' files under `root`; null for any other error.
 */
export function notWrittenYet(error: unknown, editPoints: readonly EditPoint[], root: string): NotWrittenYet | null {
  // the test's own realm made the error: no instanceof
  if (typeof error !== "object" || error === null || (error as Error).name !== "NotImplemented") return null;
  const stack = String((error as Error).stack ?? "");
  // the thrower is the innermost frame, the first of the student files the stack names
  const at = editPoints
    .map((e) => ({ e, i: stack.indexOf(path.join(root, e.file)) }))
    .filter((x) => x.i >= 0)
    .sort((a, b) => a.i - b.i);
  return at[0] === undefined ? null : new NotWrittenYet(at[0].e);
}
