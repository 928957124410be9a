// How many compiler messages a submission may have reported: a file written
// to make TypeScript report hundreds of thousands of errors must not fill the
// results, the reports and the grader's memory. The first few of each file
// are kept, the rest counted, and the count is told.

import type { Diagnostic } from "./model";

/** Diagnostics of each kind reported for one file; the rest are counted, not sent. */
export const MAX_DIAGNOSTICS = 20;
/** Characters of one diagnostic's message kept (a message quoting a huge type is cut). */
export const MAX_MESSAGE_CHARS = 500;

/**
 * The first MAX_DIAGNOSTICS of `all` for each file (so every file that has
 * one keeps one: a file's syntax errors decide what it costs), messages cut
 * to MAX_MESSAGE_CHARS, and how many were left out.
 */
export function capDiagnostics(all: readonly Diagnostic[]): { shown: Diagnostic[]; notShown: number } {
  const cut = (d: Diagnostic): Diagnostic =>
    d.message.length <= MAX_MESSAGE_CHARS ? d : { ...d, message: `${d.message.slice(0, MAX_MESSAGE_CHARS)}…` };
  const perFile = new Map<string, number>();
  const shown: Diagnostic[] = [];
  for (const d of all) {
    const n = perFile.get(d.file) ?? 0;
    perFile.set(d.file, n + 1);
    if (n < MAX_DIAGNOSTICS) shown.push(cut(d));
  }
  return { shown, notShown: all.length - shown.length };
}

/** "…and 3 more type errors, not listed (the first 20 of each file are)." for n > 0; "" for none. */
export function notShownSentence(n: number, what: string): string {
  if (n === 0) return "";
  return `…and ${n} more ${what}${n === 1 ? "" : "s"}, not listed (the first ${MAX_DIAGNOSTICS} of each file are).`;
}
