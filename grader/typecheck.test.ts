// The type check against the kit: what the student's own tsc reports, from
// wherever the grader (or its sandboxed checker) was started.

import { TypeChecker } from "./typecheck";
import { LAB, STUDENT_FILES } from "./test-support/fixtures";

jest.setTimeout(60_000);

test("Node's types (console, Buffer) are found from the project, not from the folder the grader runs in", () => {
  const cwd = process.cwd();
  process.chdir("/"); // where a sandbox starts the checker: no node_modules above it
  try {
    const checker = new TypeChecker(LAB.solution, STUDENT_FILES);
    const cow = 'console.log("x");\nexport const b: Buffer | null = null;\nexport const n: number = "n";\n';
    expect(checker.check(new Map([["src/kernel/cow.ts", cow]])).map((d) => [d.file, d.line, d.code])).toEqual([
      ["src/kernel/cow.ts", 3, 2322],
    ]);
  } finally {
    process.chdir(cwd);
  }
});
