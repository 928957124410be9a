// The student's realm: the files a student wrote run in a V8 context of
// their own (node:vm), not in the worker's. Nothing of Node.js is there: no
// process, no require but one that gives "./defs", no timers, no eval or
// new Function (code generation from strings is off), no Atomics or
// WebAssembly. Every value that crosses between the realms goes through a
// membrane that copies it or wraps it in a function made on the other side:
//
//   host (the kit, the hidden suites, the harness, process.send)
//     |  defs' functions, wrapped by functions of the student's realm
//     |  numbers and strings as they are; arrays and errors copied
//   student's realm (uvmcopy.ts, cow.ts, uvmfree.ts)
//     |  their exports, wrapped by functions of the host
//
// so no object of the host is ever reachable from student code: not the
// kit's functions (whose .constructor would be the host's Function, and
// with it `process`), not the machine, not its counters, not the harness.
// A value the student's code throws comes back to the host as an Error of
// the host's (a string thrown, null, an object whose toString throws: each
// in words), so the grader never runs student code by accident while it
// reports a failure.
//
// Only node's own modules are imported: this file runs in the worker, and in
// the report's timeline child, from the kit's compiled cache.

import Module, { SourceMap } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { format, inspect } from "node:util";
import vm from "node:vm";

export interface RealmOptions {
  /** The compiled kit: src/ inside (src/kernel/defs.js). */
  readonly kit: string;
  /** The workspace: the student files compiled at their paths (src/kernel/cow.js). */
  readonly workspace: string;
  /** The student files, as the rubric names them ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** Where what the student's code prints goes (console.log and its kind). */
  readonly print: (text: string) => void;
  /** Whether more printing is kept (when not, printing costs nothing). */
  readonly printing?: () => boolean;
}

/** A value that is not an Error, thrown by student code, in words. */
export class ThrownValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThrownValue";
  }
}

/** What the realm's setup script returns: functions of the student's realm. */
interface RealmKit {
  wrap(call: (args: ArrayLike<unknown>, self: unknown) => unknown): (...args: unknown[]) => unknown;
  makeError(cls: unknown, name: string, message: string, stack: string): Error;
  makeErrorClass(name: string): unknown;
  isError(v: unknown): boolean;
  newArray(): unknown[];
  newObject(): Record<string, unknown>;
  freeze<T>(v: T): T;
  seed(n: number): void;
  Error: unknown;
}

// Run once in the new context, before any student code: the helpers the
// membrane needs, made of the realm's own intrinsics (captured now, so that
// student code changing Error or Array later cannot change them), and the
// globals locked.
const SETUP = `(function () {
  "use strict";
  const G = globalThis;
  const RealmError = Error;
  const isProto = Function.prototype.call.bind(Object.prototype.isPrototypeOf);
  const errorProto = Error.prototype;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  for (const name of ["Atomics", "SharedArrayBuffer", "WebAssembly"]) delete G[name];
  defineProperty(G, "process", {
    get() {
      throw new RealmError("process is not available to the lab's code: it runs without access to the Node.js process");
    },
  });
  // a stack trace of structured frames would hand out the host's functions
  defineProperty(Error, "prepareStackTrace", { value: undefined, writable: false, configurable: false });
  let state = 1;
  return {
    wrap(call) {
      // the arguments object goes to the host as it is: the host only reads it
      return function () {
        return call(arguments, this);
      };
    },
    makeError(cls, name, message, stack) {
      const e = new (cls || RealmError)(message);
      defineProperty(e, "name", { value: name, writable: true, configurable: true });
      defineProperty(e, "stack", { value: stack, writable: true, configurable: true });
      return e;
    },
    makeErrorClass(name) {
      const C = class extends RealmError {
        constructor(message) {
          super(message);
          this.name = name;
        }
      };
      defineProperty(C, "name", { value: name });
      return C;
    },
    isError(v) {
      return isProto(errorProto, v);
    },
    newArray() {
      return [];
    },
    newObject() {
      return {};
    },
    freeze,
    seed(n) {
      state = n >>> 0;
      Math.random = function random() {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    },
    Error: RealmError,
  };
})()`;

/** Array elements and object properties copied across at most (a bigger value is cut short). */
const COPY_LIMIT = 1_000_000;
const DEPTH_LIMIT = 8;

export class StudentRealm {
  readonly #options: RealmOptions;
  readonly #context: vm.Context;
  readonly #r: RealmKit;
  /** A host object and its stand-in in the realm, both ways (functions, errors). */
  readonly #toRealm = new WeakMap<object, unknown>();
  readonly #toHost = new WeakMap<object, unknown>();
  /** Host error classes with a twin in the realm (defs' NotImplemented), both ways. */
  readonly #classes = new Map<unknown, unknown>();
  readonly #hostClasses = new Map<unknown, new (message: string) => Error>();
  readonly #modules = new Map<string, Record<string, unknown>>();
  readonly #maps = new Map<string, SourceMap>();
  #defs: unknown = null;

  constructor(options: RealmOptions) {
    this.#options = options;
    this.#context = vm.createContext(Object.create(null), {
      name: "student",
      codeGeneration: { strings: false, wasm: false },
    });
    this.#r = vm.runInContext(SETUP, this.#context) as RealmKit;
    this.#installConsole();
  }

  /** Whether a require() of `request` may name a student file (its last part is one's name): most need no resolving. */
  mayName(request: string): boolean {
    const base = request.slice(request.lastIndexOf("/") + 1).replace(/\.(js|ts)$/, "");
    return this.#options.studentFiles.some((f) => f.slice(f.lastIndexOf("/") + 1, -3) === base);
  }

  /** The student file (as the rubric names it) that compiled kit file `file` stands for, or null. */
  studentFileOf(file: string): string | null {
    for (const f of this.#options.studentFiles)
      if (file === path.join(this.#options.kit, f.replace(/\.ts$/, ".js"))) return f;
    return null;
  }

  /**
   * The exports of student file `rel`, loaded in the realm once, as the host
   * sees them: a plain object of the host's, whose functions call into the
   * realm (and can be replaced, as the hidden suites replace edit points).
   */
  load(rel: string): Record<string, unknown> {
    const done = this.#modules.get(rel);
    if (done !== undefined) return done;
    const exports: Record<string, unknown> = { __esModule: true };
    this.#modules.set(rel, exports); // before running it, as require() does for a cycle
    const js = path.join(this.#options.workspace, rel.replace(/\.ts$/, ".js"));
    const text = readFileSync(js, "utf8");
    this.#readSourceMap(js, text);
    const fn = vm.compileFunction(text, ["exports", "require", "module", "__filename", "__dirname"], {
      parsingContext: this.#context,
      filename: js,
    });
    const r = this.#r;
    const module = r.newObject();
    const realmExports = r.newObject();
    module.exports = realmExports;
    const require = r.wrap((args) => this.#require(args[0]));
    let failure: Error | null = null;
    try {
      Reflect.apply(fn, undefined, [realmExports, require, module, path.basename(js), "."]);
    } catch (e) {
      const why = this.thrown(e);
      failure = new Error(`${rel} could not be loaded: ${why instanceof Error ? `${why.name}: ${why.message}` : why}`);
    }
    this.#read(() => {
      const out = module.exports as unknown;
      if (out !== null && typeof out === "object")
        for (const [k, v] of Object.entries(out)) {
          if (k === "__esModule") continue;
          // a file that failed to load keeps its functions (TypeScript assigns them first), each failing
          // with the reason when called, so only the tests that call them fail
          exports[k] =
            failure !== null && typeof v === "function"
              ? () => {
                  throw failure;
                }
              : this.#toHostValue(v, 0);
        }
    });
    return exports;
  }

  /** Seeds the realm's Math.random (the host's is seeded apart). */
  seed(n: number): void {
    this.#r.seed(n);
  }

  /**
   * A value thrown (or a promise rejected) in the realm, as the host may
   * handle it: an Error of the host's. Runs no student code beyond reading
   * an error's name, message and stack (and a failure there is caught).
   */
  thrown(e: unknown): unknown {
    if (e !== null && (typeof e === "object" || typeof e === "function")) {
      const known = this.#toHost.get(e);
      if (known !== undefined) return known;
      try {
        if (!this.#r.isError(e)) return new ThrownValue(`Your code threw ${describeValue(e)} instead of an Error`);
        const err = e as Error;
        const Host = this.#hostClasses.get(Object.getPrototypeOf(err)?.constructor) ?? Error;
        const out = new Host(String(err.message));
        if (Host === Error) out.name = String(err.name);
        out.stack = this.mapStack(String(err.stack));
        this.#toHost.set(e, out);
        return out;
      } catch {
        return new ThrownValue("Your code threw an Error that cannot be read (its name, message or stack throws)");
      }
    }
    return new ThrownValue(`Your code threw ${describeValue(e)} instead of an Error`);
  }

  /** `stack` with each position in a student file's JavaScript moved to its TypeScript line and column. */
  mapStack(stack: string): string {
    if (this.#maps.size === 0) return stack;
    return stack.replace(/(\/[^\s():]+\.js):(\d+):(\d+)/g, (all, file: string, line: string, col: string) => {
      const map = this.#maps.get(file);
      if (map === undefined) return all;
      const entry = map.findEntry(Number(line) - 1, Number(col) - 1) as {
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalLine === undefined || entry.originalColumn === undefined) return all;
      return `${file.replace(/\.js$/, ".ts")}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  }

  // --- the membrane ------------------------------------------------------------

  #require(spec: unknown): unknown {
    if (spec === "./defs" || spec === "./defs.js") return this.#defsObject();
    const what = typeof spec === "string" ? `"${spec}"` : "that";
    throw this.#r.makeError(
      null,
      "Error",
      `Cannot import ${what}: the lab's files may import only from "./defs"`,
      `Error: Cannot import ${what}: the lab's files may import only from "./defs"`,
    );
  }

  // defs' exports as the realm sees them: numbers as they are, each function
  // wrapped, each error class given a twin of the realm's; frozen.
  #defsObject(): unknown {
    if (this.#defs !== null) return this.#defs;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the kit is known only at run time
    const host = require(path.join(this.#options.kit, "src", "kernel", "defs.js")) as Record<string, unknown>;
    const out = this.#r.newObject();
    out.__esModule = true;
    for (const [k, v] of Object.entries(host)) {
      if (k === "__esModule") continue;
      if (typeof v === "function" && /^class\b/.test(Function.prototype.toString.call(v))) {
        const twin = this.#r.makeErrorClass(k);
        this.#classes.set(v, twin);
        this.#hostClasses.set(twin, v as new (message: string) => Error);
        out[k] = twin;
      } else out[k] = this.#toRealmValue(v, 0);
    }
    this.#defs = this.#r.freeze(out);
    return this.#defs;
  }

  #toRealmValue(v: unknown, depth: number): unknown {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    const known = this.#toRealm.get(v);
    if (known !== undefined) return known;
    if (typeof v === "function") {
      const fn = v as (...args: unknown[]) => unknown;
      const w = this.#r.wrap((args) => this.#callHost(fn, args));
      this.#toRealm.set(v, w);
      this.#toHost.set(w, v);
      return w;
    }
    if (v instanceof Error) {
      const cls = this.#classes.get(Object.getPrototypeOf(v)?.constructor) ?? null;
      const e = this.#r.makeError(cls, String(v.name), String(v.message), String(v.stack));
      this.#toRealm.set(v, e);
      this.#toHost.set(e, v);
      return e;
    }
    if (depth > DEPTH_LIMIT) return undefined;
    if (Array.isArray(v)) {
      const out = this.#r.newArray();
      for (let i = 0; i < v.length && i < COPY_LIMIT; i++) out[i] = this.#toRealmValue(v[i], depth + 1);
      return out;
    }
    const out = this.#r.newObject();
    for (const k of Object.keys(v).slice(0, COPY_LIMIT))
      out[k] = this.#toRealmValue((v as Record<string, unknown>)[k], depth + 1);
    return out;
  }

  // A host function called from the realm: its arguments come over, its
  // result goes back, and what it throws is thrown in the realm as a stand-in
  // (which turns back into the very same error if it reaches the host again).
  #callHost(fn: (...args: unknown[]) => unknown, args: ArrayLike<unknown>): unknown {
    let result: unknown;
    try {
      // defs' functions take numbers, a few at a time: no array made on the way in the common case
      const n = args.length;
      if (n === 0) result = fn();
      else if (n === 1) result = fn(this.#toHostValue(args[0], 0));
      else if (n === 2) result = fn(this.#toHostValue(args[0], 0), this.#toHostValue(args[1], 0));
      else if (n === 3)
        result = fn(this.#toHostValue(args[0], 0), this.#toHostValue(args[1], 0), this.#toHostValue(args[2], 0));
      else result = fn(...Array.from(args, (v) => this.#toHostValue(v, 0)));
    } catch (e) {
      throw this.#toRealmValue(e, 0);
    }
    return this.#toRealmValue(result, 0);
  }

  #toHostValue(v: unknown, depth: number): unknown {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    const known = this.#toHost.get(v);
    if (known !== undefined) return known;
    if (typeof v === "function") {
      const fn = v as (...args: unknown[]) => unknown;
      const w = (...args: unknown[]): unknown => this.#callRealm(fn, args);
      this.#toHost.set(v, w);
      this.#toRealm.set(w, v);
      return w;
    }
    if (this.#r.isError(v)) return this.thrown(v);
    if (depth > DEPTH_LIMIT) return undefined;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length && i < COPY_LIMIT; i++) out.push(this.#toHostValue(v[i], depth + 1));
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).slice(0, COPY_LIMIT))
      out[k] = this.#toHostValue((v as Record<string, unknown>)[k], depth + 1);
    return out;
  }

  // A realm function called from the host (the kit calling cowfault()).
  #callRealm(fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const realmArgs = this.#r.newArray();
    for (let i = 0; i < args.length; i++) realmArgs[i] = this.#toRealmValue(args[i], 0);
    let result: unknown;
    try {
      result = Reflect.apply(fn, undefined, realmArgs);
    } catch (e) {
      throw this.thrown(e);
    }
    return this.#read(() => this.#toHostValue(result, 0));
  }

  // Reading a realm value may run student code (a getter, a proxy): what it throws is the student's.
  #read(get: () => unknown): unknown {
    try {
      return get();
    } catch (e) {
      throw this.thrown(e);
    }
  }

  #installConsole(): void {
    const { print, printing } = this.#options;
    const log = this.#r.wrap((args) => {
      if (printing !== undefined && !printing()) return undefined;
      let text: string;
      try {
        text = format(...Array.from(args, (a) => (typeof a === "string" ? a : describeForPrint(a))));
      } catch {
        text = "(something that cannot be printed)";
      }
      print(text + "\n");
      return undefined;
    });
    const console = this.#r.newObject();
    for (const name of ["log", "info", "warn", "error", "debug", "trace"]) console[name] = log;
    (vm.runInContext("globalThis", this.#context) as Record<string, unknown>).console = this.#r.freeze(console);
  }

  #readSourceMap(file: string, js: string): void {
    const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(js);
    if (m === null) return;
    try {
      this.#maps.set(file, new SourceMap(JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8"))));
    } catch {
      // no map: stack traces keep the JavaScript's lines
    }
  }
}

// inspect() never calls the student's code: no custom inspect (its argument
// would be the host's inspect), no getters, proxies shown, not trapped.
const SAFE_INSPECT = {
  customInspect: false,
  getters: false,
  showProxy: true,
  depth: 2,
  maxArrayLength: 10,
  maxStringLength: 200,
  breakLength: Infinity,
} as const;

function describeForPrint(v: unknown): string {
  try {
    return inspect(v, SAFE_INSPECT);
  } catch {
    return "(something that cannot be printed)";
  }
}

/** A thrown value in words: 'the string "oops"', "null", "an object ({ a: 1 })". */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return `the string ${JSON.stringify(v.length > 200 ? v.slice(0, 200) + "..." : v)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `the ${typeof v} ${describeForPrint(v)}`;
    case "undefined":
      return "undefined";
    case "symbol":
      return `a symbol (${describeForPrint(v)})`;
    case "function":
      return "a function";
    default:
      if (v === null) return "null";
      return `an object (${describeForPrint(v)})`;
  }
}

type ModuleParent = { id: string; filename: string; paths: string[] } | null | undefined;
type ModuleLoader = {
  _load: (request: string, parent: ModuleParent, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: ModuleParent, isMain: boolean, options?: unknown) => string;
};

/**
 * Routes this process's require() through the student's realm: "@lab/..."
 * names the compiled kit under `kit()`, and a request that resolves to a
 * student file is loaded in `realm()` instead of by Node, so the host never
 * runs a student file itself. `first` may answer a request before that (the
 * worker's "@jest/globals"). One hook for every process that loads student
 * code (the grading worker, the report's timeline child).
 */
export function routeModules(
  kit: () => string,
  realm: () => StudentRealm | null,
  first: (request: string) => unknown = () => undefined,
): void {
  const loader = Module as unknown as ModuleLoader;
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, isMain, options) {
    const mapped = request.startsWith("@lab/") ? path.join(kit(), "src", request.slice(5)) : request;
    return resolve.call(this, mapped, parent, isMain, options);
  };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    const answer = first(request);
    if (answer !== undefined) return answer;
    const r = realm();
    if (r !== null && r.mayName(request)) {
      const student = r.studentFileOf(loader._resolveFilename(request, parent, isMain));
      if (student !== null) return r.load(student);
    }
    return load.call(this, request, parent, isMain);
  };
}
