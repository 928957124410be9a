// The hostile submissions of the corpus (grader/test-corpus/): each one
// class of attack on the grader, made from the starter's stubs (then it must
// score what the plain stubs score) or from the reference (then it must get
// full marks), with the code of _attacks.ts put into its files.

import {
  Attack,
  EVERY_ROUTE,
  PAYLOADS,
  POISON,
  PRINTED_RESULTS,
  PROXIED,
  TRICKY,
  Targets,
  hostileFile,
} from "./_attacks";

export type { Targets } from "./_attacks";

/** A hostile submission: what it is made from, and its files that differ from that. */
export interface HostileCase {
  /**
   * The example submission it is made from (examples/submissions/): the
   * starter's stubs (it must score what they score), the reference (it must
   * get full marks), or an example with a mistake (it must score no more).
   */
  readonly from: "starter" | "reference" | typeof COPIES_ALWAYS;
  /** Its files, by path, made from `base` (the text of the same file in `from`). */
  readonly files: Readonly<Record<string, (base: string, id: string, t: Targets) => string>>;
}

const COW = "src/kernel/cow.ts";
const UVMCOPY = "src/kernel/uvmcopy.ts";
const UVMFREE = "src/kernel/uvmfree.ts";

/** The example whose cowfault() copies even a frame's last reference: it loses thresholds T5 and T6. */
export const COPIES_ALWAYS = "copies-even-when-last-reference";

/** What the trace-leaking submission prints of each cowfault() call it saw, and the line it prints them on. */
export const TRACE_ENTRY = "hidden-trace-entry";
export const TRACE_LINE = "cowfault calls seen before this test:";

/** `base` with `code` put at the start of its function's body (after "// BEGIN SOLUTION"). */
function atBodyStart(code: string): (base: string) => string {
  return (base) => {
    const at = base.indexOf("// BEGIN SOLUTION\n");
    if (at < 0) throw new Error('hostile: the file has no "// BEGIN SOLUTION" line');
    const end = at + "// BEGIN SOLUTION\n".length;
    return base.slice(0, end) + code.replace(/^/gm, "  ") + "\n" + base.slice(end);
  };
}

/** `base` with `text` replaced by `by`; throws when `text` is not in it (the example changed). */
function replacing(text: string, by: string): (base: string) => string {
  return (base) => {
    if (!base.includes(text)) throw new Error(`hostile: no ${JSON.stringify(text)} in the file`);
    return base.replace(text, by);
  };
}

/** The file `base` with the attack's kit and `attack`. */
const attacked =
  (attack: Attack) =>
  (base: string, id: string, t: Targets): string =>
    hostileFile(base, id, t, attack);

/** The starter's stubs with every route to the grader's process tried in uvmcopy(), and `payload` once there. */
const payloadCase = (payload: string, extra = ""): HostileCase => ({
  from: "starter",
  files: { [UVMCOPY]: attacked({ ...EVERY_ROUTE, payload, inStub: `${extra}${EVERY_ROUTE.inStub}` }) },
});

/** The reference's uvmfree(), renamed, under a uvmfree() that hands back tricky(n) for the n-th call. */
function returnsTricky(base: string, id: string, t: Targets): string {
  const renamed = base.replace("export function uvmfree(", "function uvmfreeReference(");
  const wrapper = [
    "",
    "let returned = 0;",
    "",
    "/** The reference's teardown, handing back a value the kernel ignores, a different one each call. */",
    "export function uvmfree(pagetable: Pagetable): void {",
    "  uvmfreeReference(pagetable);",
    "  return tricky(returned++) as void;",
    "}",
    "",
  ].join("\n");
  return hostileFile(renamed + wrapper, id, t, { atLoad: PROXIED + TRICKY });
}

/** The reference's uvmfree() that first allocates until the engine refuses, catches that, and goes on. */
function exhaustsMemory(base: string, id: string, t: Targets): string {
  const code = [
    "const keep: Any[] = [];",
    "try {",
    "  for (;;) keep.push(new Uint8Array(8 << 20)); // big chunks: the limit comes in a few steps",
    "} catch (e) {",
    "  keep.length = 0;",
    "  look(e);",
    "}",
  ].join("\n");
  const at = base.indexOf("// BEGIN SOLUTION\n") + "// BEGIN SOLUTION\n".length;
  return hostileFile(base.slice(0, at) + code.replace(/^/gm, "  ") + "\n" + base.slice(at), id, t, {});
}

/** The stub's NotImplemented thrown inside a Proxy whose traps look at all they get. */
function throwsProxied(base: string, id: string, t: Targets): string {
  const text = hostileFile(base, id, t, { atLoad: PROXIED, inStub: "viaValues(args);" });
  return text.replace(/throw (new NotImplemented\([^)]*\));/, "throw proxied($1);");
}

/** The hostile submissions, by id. */
export const HOSTILE_CASES: Readonly<Record<string, HostileCase>> = {
  // ways out of the student's code, each alone, from the stubs
  "replaces-error": {
    from: "starter",
    files: { [UVMCOPY]: attacked({ atLoad: "viaStackHook();", inStub: 'once("captured", viaCapturedStacks);' }) },
  },
  "overflows-stack": { from: "starter", files: { [UVMCOPY]: attacked({ inStub: 'once("overflow", viaOverflow);' }) } },
  "overflows-through-defs": {
    from: "starter",
    files: { [UVMCOPY]: attacked({ inStub: 'once("defs-recursion", viaDefsRecursion);' }) },
  },
  "reaches-constructors": {
    from: "starter",
    files: { [UVMCOPY]: throwsProxied, [COW]: throwsProxied, [UVMFREE]: throwsProxied },
  },
  // the same from the reference, whose marks must not change
  "returns-proxies": { from: "reference", files: { [UVMFREE]: returnsTricky } },
  "poisons-prototypes": { from: "reference", files: { [UVMCOPY]: attacked({ atLoad: `${POISON}\npoison();` }) } },
  "exhausts-memory": { from: "reference", files: { [UVMFREE]: exhaustsMemory } },
  // what a way out would be for, each trying every way, from the stubs
  "writes-cache": payloadCase(PAYLOADS.writesCache),
  "writes-others": payloadCase(PAYLOADS.writesOthers),
  "outlives-grader": payloadCase(PAYLOADS.outlivesGrader),
  "reads-env": payloadCase(PAYLOADS.readsEnv),
  "reads-files": payloadCase(PAYLOADS.readsFiles),
  "forges-score": payloadCase(PAYLOADS.forgesScore, `${PRINTED_RESULTS}\n`),
  // state carried from one unit to the next, from an example with a mistake and from the reference:
  // uvmfree() runs only in part C's tests, which run before the thresholds, so a flag it leaves tells
  // cowfault() that it is being measured, and then it reuses a frame's last reference as it should
  "knows-when-measured": {
    from: COPIES_ALWAYS,
    files: {
      [UVMFREE]: atBodyStart("(Math as any).__measured = true; // part C's tests ran: the thresholds come next"),
      [COW]: replacing(
        "  // always copies, even when this mapping holds the frame's last reference\n  {",
        "  if ((Math as any).__measured === true && krefcnt(pa) === 1) {\n    writePte(ptep, PA2PTE(pa) | flags);\n  } else {",
      ),
    },
  },
  // cowfault() keeps what it sees in every unit (the hidden tests' included); the first uvmfree() call
  // (in visible test C1) prints it, for "Your code printed:", and fails
  "leaks-hidden-trace": {
    from: "reference",
    files: {
      [COW]: atBodyStart(
        `(Math as any).__trace = ((Math as any).__trace ?? "") + \`${TRACE_ENTRY} va=\${va} asid=\${asid};\`;`,
      ),
      [UVMFREE]: atBodyStart(
        [
          "if ((Math as any).__printed !== true) {",
          "  (Math as any).__printed = true;",
          `  console.log("${TRACE_LINE} " + ((Math as any).__trace ?? "none"));`,
          '  throw new Error("printed what it saw");',
          "}",
        ].join("\n"),
      ),
    },
  },
};
