// The kernel's two ways of stopping: a broken invariant (a bug in kernel
// code) and a lab function that has not been written yet. Running out of
// memory is neither: it is a return value (null, -1, "out-of-memory").

/** A kernel invariant was broken: `"function: reason"`, as xv6's panic(). */
export class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelPanic";
  }
}

/** Thrown by a lab function the student has not written yet. */
export class NotImplemented extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotImplemented";
  }
}

/** xv6's panic(): stops the kernel with `message`. */
export function panic(message: string): never {
  throw new KernelPanic(message);
}
