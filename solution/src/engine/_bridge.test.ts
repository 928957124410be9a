import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { BridgeCounts, BridgeOptions, HostKind, KIND_SLOTS, newHostFunction } from "./_bridge";
import { loadQuickJS } from "./quickjs";

/** Kinds word for a list of argument kinds. */
function kinds(...list: HostKind[]): number {
  return list.reduce((w, k, i) => w | (k << (2 * i)), 0);
}

interface Harness {
  context: QuickJSContext;
  counts: BridgeCounts;
  /** What `answer` received, call by call. */
  seen: { index: number; args: unknown[] }[];
  /** Runs `code` in the engine (`host` in scope) and returns its result, dumped. */
  run(code: string): unknown;
  dispose(): void;
}

// `answer` returns what `results` gives for the call's index (or throws it, when it is an Error)
async function harness(results: (index: number, args: unknown[]) => unknown): Promise<Harness> {
  const quickjs = await loadQuickJS();
  const runtime = quickjs.newRuntime();
  const context = runtime.newContext();
  const seen: Harness["seen"] = [];
  const options: BridgeOptions = {
    answer: (index, args) => {
      seen.push({ index, args });
      const r = results(index, args);
      if (r instanceof Error) throw r;
      return r;
    },
    plain: (h) => context.dump(h),
    toEngine: (v) =>
      typeof v === "boolean" ? (v ? context.true : context.false) : context.newString(JSON.stringify(v)),
    toEngineError: (e) => context.newError((e as Error).message),
  };
  const { handle, counts } = newHostFunction(context, "host", options);
  context.setProp(context.global, "host", handle);
  handle.dispose();
  return {
    context,
    counts,
    seen,
    run(code) {
      return context.unwrapResult(context.evalCode(code)).consume(context.dump);
    },
    dispose() {
      context.dispose();
      runtime.dispose();
    },
  };
}

test("numbers, booleans and null reach the host as they are, without a handle", async () => {
  const h = await harness(() => undefined);
  h.run(
    `host(7, ${kinds(HostKind.Number, HostKind.Number, HostKind.Number, HostKind.Boolean, HostKind.Boolean, HostKind.Null)}, 0x80001000, -2.5, 4294967295, true, false, null)`,
  );
  expect(h.seen).toEqual([{ index: 7, args: [0x80001000, -2.5, 4294967295, true, false, null] }]);
  expect(h.counts).toEqual({ fast: 1, handled: 0 });
  h.dispose();
});

test("an argument of another kind (a string, an object, undefined) crosses through a handle, read by plain", async () => {
  const h = await harness(() => undefined);
  h.run(
    `host(1, ${kinds(HostKind.Other, HostKind.Number, HostKind.Other)}, "freewalk: leaf", 3, { va: 4096, pages: [1, 2] })`,
  );
  h.run(`host(2, ${kinds(HostKind.Other)}, undefined)`);
  expect(h.seen).toEqual([
    { index: 1, args: ["freewalk: leaf", 3, { va: 4096, pages: [1, 2] }] },
    { index: 2, args: [undefined] },
  ]);
  expect(h.counts).toEqual({ fast: 2, handled: 3 });
  h.dispose();
});

test(`arguments past the ${KIND_SLOTS}th cross through a handle, whatever the kinds word says`, async () => {
  const h = await harness(() => undefined);
  const args = Array.from({ length: KIND_SLOTS + 2 }, (_, i) => i);
  h.run(`host(0, ${kinds(...args.map(() => HostKind.Number))}, ${args.join(", ")})`);
  expect(h.seen[0]!.args).toEqual(args);
  expect(h.counts.handled).toBe(2);
  h.dispose();
});

test("the host's result comes back as the engine's: a number, undefined, a boolean, or what toEngine makes", async () => {
  const results: unknown[] = [0xfffff000, undefined, true, false, [0x1000, 0x2000], "text"];
  const h = await harness((index) => results[index]);
  const back = h.run(`[0, 1, 2, 3, 4, 5].map((i) => { const r = host(i, 0); return [typeof r, r]; })`);
  expect(back).toEqual([
    ["number", 0xfffff000],
    ["undefined", null], // dump's JSON has no undefined in an array
    ["boolean", true],
    ["boolean", false],
    ["string", "[4096,8192]"],
    ["string", '"text"'],
  ]);
  h.dispose();
});

test("what the host throws is thrown in the engine, as toEngineError makes it, and can be caught there", async () => {
  const h = await harness(() => new Error("uvmunmap: not mapped"));
  const caught = h.run(`(() => { try { host(0, 0); return "returned"; } catch (e) { return e.message; } })()`);
  expect(caught).toBe("uvmunmap: not mapped");
  h.dispose();
});

test("the context's other host functions still answer through the library", async () => {
  const h = await harness((index) => index * 2);
  const other = h.context.newFunction("twice", (x: QuickJSHandle) => h.context.newNumber(h.context.getNumber(x) * 2));
  h.context.setProp(h.context.global, "twice", other);
  other.dispose();
  expect(h.run(`[twice(21), host(4, 0), twice(1)]`)).toEqual([42, 8, 2]);
  expect(h.counts.fast).toBe(1);
  h.dispose();
});
