// A flood of compiler messages is cut to a few per file, and counted.

import { MAX_DIAGNOSTICS, MAX_MESSAGE_CHARS, capDiagnostics, notShownSentence } from "./_diagnostics";
import type { Diagnostic } from "./model";

const at = (file: string, line: number, message = "Property 'a' does not exist."): Diagnostic => ({
  file,
  line,
  column: 1,
  code: 2339,
  message,
});

test("each file keeps its first errors and the rest are counted, so a file with one error never loses it", () => {
  const flood = Array.from({ length: 250_000 }, (_, i) => at("src/kernel/cow.ts", i + 1));
  const { shown, notShown } = capDiagnostics([...flood, at("src/kernel/uvmfree.ts", 3)]);
  expect(shown.filter((d) => d.file === "src/kernel/cow.ts")).toHaveLength(MAX_DIAGNOSTICS);
  expect(shown.filter((d) => d.file === "src/kernel/uvmfree.ts").map((d) => d.line)).toEqual([3]);
  expect(notShown).toBe(250_000 - MAX_DIAGNOSTICS);
});

test("a message quoting a huge type is cut", () => {
  const { shown } = capDiagnostics([at("src/kernel/cow.ts", 1, "x".repeat(100_000))]);
  expect(shown[0]!.message.length).toBe(MAX_MESSAGE_CHARS + 1);
});

test("what was left out is said, and nothing is said when nothing was", () => {
  expect(notShownSentence(0, "type error")).toBe("");
  expect(notShownSentence(1, "type error")).toBe(
    `…and 1 more type error, not listed (the first ${MAX_DIAGNOSTICS} of each file are).`,
  );
  expect(notShownSentence(3, "syntax error")).toContain("3 more syntax errors");
});
