// Small text helpers shared by the view models: points, percentages,
// plural words, and the two ways text is made safe (HTML and Markdown).

/** Points as a student reads them: at most two decimals, no trailing zeros ("1.5", "2", "0.33"). */
export function points(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** `part` of `whole` as a whole percentage ("75%"); "0%" when `whole` is 0. */
export function percent(part: number, whole: number): string {
  return `${whole === 0 ? 0 : Math.round((100 * part) / whole)}%`;
}

/** "1 test", "2 tests". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "A", "A and B", "A, B and C". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]!}`;
}

/** Escapes text for HTML, in text and in attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Removes terminal colour codes (a test runner's output may carry them). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

/**
 * Text for a Markdown paragraph or table cell, shown as typed: the
 * characters that start emphasis, code, links or table cells are
 * backslash-escaped, "<", ">" and "&" become entities (so no HTML gets
 * through), and line breaks become spaces (a table row is one line).
 */
export function mdInline(s: string): string {
  return s
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\s*\n\s*/g, " ")
    .replace(/^(#{1,6}|[+-])(?=\s)/, "\\$1") // would start a heading or a list
    .replace(/^(\d+)\.(?=\s)/, "$1\\."); // would start a numbered list
}

/** `s` as a fenced Markdown code block, with a fence longer than any run of backticks inside it. */
export function mdBlock(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${s.replace(/\n+$/, "")}\n${fence}`;
}
