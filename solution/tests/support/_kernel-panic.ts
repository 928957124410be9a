// A kernel panic in a test (KernelPanic, thrown by panic() when an
// invariant breaks: a frame freed twice, a leaf left mapped...) reaches the
// student as a sentence that says it is the kernel's own check and where
// their code called in; the test environment swaps the error for this one,
// keeping its stack so the reporter can point at the line in their file.

/** The error a test that hit a kernel panic fails with. */
export class PanicInTest extends Error {
  constructor(message: string, stack: string) {
    super(
      `"${message}": the kernel panicked, one of its own checks failing on an invariant your code broke, ` +
        `here or earlier ("at" below names the line in your file that called into the kernel).`,
    );
    this.name = "KernelPanic";
    this.stack = `${this.name}: ${this.message}\n${stack.split("\n").slice(1).join("\n")}`;
  }
}

/** The PanicInTest for `error` when it is a KernelPanic; null for any other error. */
export function panicInTest(error: unknown): PanicInTest | null {
  // the test's own realm made the error: no instanceof
  if (typeof error !== "object" || error === null || (error as Error).name !== "KernelPanic") return null;
  if (error instanceof PanicInTest) return null;
  return new PanicInTest((error as Error).message, String((error as Error).stack ?? ""));
}
