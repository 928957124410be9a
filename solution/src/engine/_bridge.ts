// The bridge for calls from the engine into the host: "./defs"'s machine
// functions, called thousands of times by a hidden suite (every page-table
// word the student's kernel reads or writes is one, by design: the machine
// observes and charges it).
//
// quickjs-emscripten answers a host function made by newFunction through
// handle objects: one for `this` and one for each argument, a scope to
// free them and a generator (its support for asynchronous hosts), then one
// for the result: about 15 µs a call, and most of the garbage the engine
// leaves the host to collect. The bridge makes one host function and
// answers its calls itself, through the library's low-level FFI: the
// engine passes the index of the host function it means, then a word
// saying what kind each argument is (HostKind, two bits each); a number or
// a boolean is read with one FFI call and a number goes back as one new
// engine value, with no handle at all. An argument of any other kind (a
// string, an object, undefined, one past the fifteenth) still crosses as a
// handle, read by the caller's `plain`, so it keeps the meaning it had.
//
// This reaches into members the library's types mark protected or private
// (the context's FFI, pointer and callback table). The library is pinned
// (package.json); _bridge.test.ts fails if the fast path stops being taken.

import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

/**
 * What argument k of a call through the bridge is, in bits 2k and 2k+1 of
 * the call's second argument. The engine's prelude (_prelude.ts) writes
 * these same numbers.
 */
export enum HostKind {
  /** Anything else: read through a handle. */
  Other = 0,
  Number = 1,
  Boolean = 2,
  Null = 3,
}

/** Arguments past this many are always read through a handle (their kind bits would not fit in 31 bits). */
export const KIND_SLOTS = 15;

export interface BridgeOptions {
  /** Answers a call of host function `index`: returns its result, or throws. */
  readonly answer: (index: number, args: unknown[]) => unknown;
  /** The host's value of an argument of kind Other, from its handle (kept by the caller no longer than the call). */
  readonly plain: (handle: QuickJSHandle) => unknown;
  /** The engine's value for a result that is no number or undefined (a handle, disposed here after it is copied). */
  readonly toEngine: (value: unknown) => QuickJSHandle;
  /** The engine's error for what `answer` threw (a handle, disposed here after it is thrown). */
  readonly toEngineError: (thrown: unknown) => QuickJSHandle;
}

/** Pointers into the engine's memory (a JSValue*, a JSContext*), as the FFI passes them. */
type Ptr = number;
type CallFunction = (ctx: Ptr, thisPtr: Ptr, argc: number, argv: Ptr, fnId: number) => Ptr;

/** The FFI calls the bridge makes (quickjs-emscripten's QuickJSFFI, 0.32.0). */
interface Ffi {
  QTS_ArgvGetJSValueConstPointer(argv: Ptr, index: number): Ptr;
  QTS_GetFloat64(ctx: Ptr, value: Ptr): number;
  QTS_NewFloat64(ctx: Ptr, n: number): Ptr;
  QTS_DupValuePointer(ctx: Ptr, value: Ptr): Ptr;
  QTS_Throw(ctx: Ptr, error: Ptr): Ptr;
}

/** The members of QuickJSContext the bridge uses (not in its public types). */
interface ContextInside {
  readonly ffi: Ffi;
  readonly ctx: { readonly value: Ptr };
  readonly memory: { heapValueHandle(ptr: Ptr): QuickJSHandle };
  readonly cToHostCallbacks: { callFunction: CallFunction };
  getFunction(fnId: number): unknown;
}

/** How many calls the bridge answered without a handle, and how many needed one (for tests and benchmarks). */
export interface BridgeCounts {
  fast: number;
  handled: number;
}

/**
 * Makes the host function the engine calls as `host(index, kinds, ...args)`
 * (kinds: HostKind per argument) and answers its calls with `options`.
 * Returns the function's handle (the caller disposes it) and the counts.
 */
export function newHostFunction(
  context: QuickJSContext,
  name: string,
  options: BridgeOptions,
): { handle: QuickJSHandle; counts: BridgeCounts } {
  const inside = context as unknown as ContextInside;
  const { ffi } = inside;
  const ctx = inside.ctx.value;
  const counts: BridgeCounts = { fast: 0, handled: 0 };
  // the library never calls this: calls of `handle` are answered below
  const marker = (): never => {
    throw new Error("the host bridge was bypassed");
  };
  const handle = context.newFunction(name, marker);
  let id: number | null = null;

  const argument = (argv: Ptr, i: number, kind: number): unknown => {
    const ptr = ffi.QTS_ArgvGetJSValueConstPointer(argv, i);
    if (kind === HostKind.Number) return ffi.QTS_GetFloat64(ctx, ptr);
    if (kind === HostKind.Boolean) return ffi.QTS_GetFloat64(ctx, ptr) !== 0;
    if (kind === HostKind.Null) return null;
    counts.handled++;
    const h = inside.memory.heapValueHandle(ffi.QTS_DupValuePointer(ctx, ptr));
    try {
      return options.plain(h);
    } finally {
      h.dispose();
    }
  };

  // a handle's value as a new engine value the call returns (the engine takes it over)
  const give = (h: QuickJSHandle, how: (ptr: Ptr) => Ptr): Ptr => {
    try {
      return how(h.value as unknown as Ptr);
    } finally {
      h.dispose();
    }
  };

  const answer = (argc: number, argv: Ptr): Ptr => {
    counts.fast++;
    let result: unknown;
    try {
      const index = ffi.QTS_GetFloat64(ctx, ffi.QTS_ArgvGetJSValueConstPointer(argv, 0));
      const kinds = ffi.QTS_GetFloat64(ctx, ffi.QTS_ArgvGetJSValueConstPointer(argv, 1));
      const args = new Array<unknown>(Math.max(0, argc - 2));
      for (let k = 0; k < args.length; k++)
        args[k] = argument(argv, k + 2, k < KIND_SLOTS ? (kinds >>> (2 * k)) & 3 : HostKind.Other);
      result = options.answer(index, args);
    } catch (e) {
      return give(options.toEngineError(e), (p) => ffi.QTS_Throw(ctx, p));
    }
    if (typeof result === "number") return ffi.QTS_NewFloat64(ctx, result);
    if (result === undefined) return 0; // the engine reads no value as undefined
    return give(options.toEngine(result), (p) => ffi.QTS_DupValuePointer(ctx, p));
  };

  const callbacks = inside.cToHostCallbacks;
  const library = callbacks.callFunction;
  callbacks.callFunction = (ctxPtr, thisPtr, argc, argv, fnId) => {
    if (id === null && ctxPtr === ctx && inside.getFunction(fnId) === marker) id = fnId;
    if (fnId === id && ctxPtr === ctx) return answer(argc, argv);
    return library(ctxPtr, thisPtr, argc, argv, fnId);
  };
  return { handle, counts };
}
