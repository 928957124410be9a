// The engine's side of the sandbox: this function is not called by Node.
// sandbox.ts sends its source text (Function.prototype.toString) into the
// QuickJS engine and runs it there once, before any student code, so it
// must close over nothing of this module: everything it uses is a
// parameter or one of the engine's own intrinsics, captured here before
// student code can replace them.
//
// It returns the privileged functions the host keeps (never reachable from
// the student's code: they live in this closure and in the host's handle):
// loading a module, calling an export, describing a thrown value, making
// an error of a given class, seeding Math.random.

/**
 * How the host answers a call through `host` (bits 2k and 2k+1 of `kinds`:
 * what argument k is, _bridge.ts's HostKind): the engine's value, or text
 * (JSON) it must parse.
 */
export type HostDispatch = (index: number, kinds: number, ...args: unknown[]) => unknown;

/** The privileged functions, as the engine returns them to the host. */
export interface Privileged {
  /** Defines "./defs" inside the engine: `pure` is a CommonJS module's source run here; `names` of host functions by index. */
  defs(pureSource: string, manifest: string): void;
  /**
   * Runs a compiled module's factory (exports, require, module) and keeps
   * its exports under `rel`; returns JSON: its export list, and what it
   * threw while loading (described as by `describe`), or null.
   */
  load(rel: string, factory: (exports: object, require: (spec: string) => unknown, module: object) => void): string;
  /** Calls export `name` of module `rel`; `jsonMask` bit i set: argument i is JSON text. A string result is JSON text. */
  invoke(rel: string, name: string, jsonMask: number, ...args: unknown[]): unknown;
  /** A thrown value, described as JSON: { error, id, cls, name, message, stack } or { error: false, text }. */
  describe(thrown: unknown): string;
  /** An Error of the twin class `cls` (made on demand) carrying the host error's `id`. */
  makeError(cls: string, name: string, message: string, id: number): unknown;
  seed(n: number): void;
}

/** The function whose source runs in the engine; `host` calls the host's defs, `print` writes a line. */
export function enginePrelude(host: HostDispatch, print: (text: string) => void): Privileged {
  "use strict";
  const G = globalThis as unknown as Record<string, unknown>;
  const E = Error;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const keys = Object.keys;
  const freeze = Object.freeze;
  const defineProperty = Object.defineProperty;
  const isProto = Function.prototype.call.bind(Object.prototype.isPrototypeOf) as (p: object, v: unknown) => boolean;
  const errorProto = E.prototype;
  const callOf = Function.prototype.call;
  const weakGet = callOf.bind(WeakMap.prototype.get) as (m: WeakMap<object, number>, k: object) => number | undefined;
  const weakSet = callOf.bind(WeakMap.prototype.set) as (m: WeakMap<object, number>, k: object, v: number) => void;
  const ids = new WeakMap<object, number>();
  const twins = new Map<string, new (message: string) => Error>();
  const twinNames = new WeakMap<object, string>();
  const modules = new Map<string, Record<string, unknown>>();
  let defs: Record<string, unknown> | null = null;
  let state = 1;

  const twin = (cls: string): new (message: string) => Error => {
    let C = twins.get(cls);
    if (C === undefined) {
      C = class extends E {
        constructor(message: string) {
          super(message);
          defineProperty(this, "name", { value: cls, writable: true, configurable: true });
        }
      };
      defineProperty(C, "name", { value: cls });
      twins.set(cls, C);
      twinNames.set(C.prototype, cls);
    }
    return C;
  };

  // a host result: text is JSON (strings and data), anything else a primitive as it is
  const fromHost = (r: unknown): unknown => (typeof r === "string" ? parse(r) : r);

  const require = (spec: string): unknown => {
    if ((spec === "./defs" || spec === "./defs.js") && defs !== null) return defs;
    throw new E(
      `Cannot import ${typeof spec === "string" ? `"${spec}"` : "that"}: the lab's files may import only from "./defs"`,
    );
  };

  const text = (v: unknown, depth: number): string => {
    if (typeof v === "string") return depth === 0 ? v : stringify(v);
    if (typeof v !== "object" || v === null) return String(v);
    if (isProto(errorProto, v)) return String((v as Error).stack ?? (v as Error).message);
    if (depth > 1) return Array.isArray(v) ? "[Array]" : "[Object]";
    if (Array.isArray(v))
      return `[ ${v
        .slice(0, 20)
        .map((x) => text(x, depth + 1))
        .join(", ")}${v.length > 20 ? ", ..." : ""} ]`;
    const ks = keys(v).slice(0, 20);
    return `{ ${ks.map((k) => `${k}: ${text((v as Record<string, unknown>)[k], depth + 1)}`).join(", ")} }`;
  };
  const log = (...args: unknown[]): void => {
    let line: string;
    try {
      line = args.map((a) => text(a, 0)).join(" ");
    } catch {
      line = "(something that cannot be printed)";
    }
    print(line);
  };
  // JSON text of a value for the host, or undefined when it is no plain data: a cycle, a BigInt, a Proxy
  // or getter that throws, or objects and arrays nested more than MAX_DEPTH deep (JSON.stringify recurses on
  // the host's own stack, which a value nested 100,000 deep overflows). The replacer sees each value before
  // its children, with its holder as `this`.
  const MAX_DEPTH = 100;
  const depths = new WeakMap<object, number>();
  const tooDeep = {};
  const bounded = function (this: object, _key: string, v: unknown): unknown {
    if (typeof v === "object" && v !== null) {
      const depth = (weakGet(depths, this) ?? 0) + 1;
      if (depth > MAX_DEPTH) throw tooDeep;
      weakSet(depths, v, depth);
    }
    return v;
  };
  const copyOut = (v: unknown): string | undefined => {
    try {
      return stringify(v, bounded) ?? undefined;
    } catch {
      return undefined;
    }
  };

  const console = freeze({ log, info: log, warn: log, error: log, debug: log, trace: log });
  defineProperty(G, "console", { value: console, writable: false, configurable: false });

  const describe = (thrown: unknown): string => {
    if (typeof thrown === "object" && thrown !== null && isProto(errorProto, thrown)) {
      const e = thrown as Error;
      let cls: string | null = null;
      for (let p = Object.getPrototypeOf(e); p !== null; p = Object.getPrototypeOf(p)) {
        const n = twinNames.get(p);
        if (n !== undefined) {
          cls = n;
          break;
        }
      }
      const id = ids.get(e) ?? null;
      const s = (get: () => unknown): string => {
        try {
          return String(get());
        } catch {
          return "(cannot be read)";
        }
      };
      return stringify({
        error: true,
        id,
        cls,
        name: s(() => e.name),
        message: s(() => e.message),
        stack: s(() => e.stack),
      });
    }
    let t: string;
    try {
      t =
        typeof thrown === "string"
          ? `the string ${stringify(thrown.length > 200 ? thrown.slice(0, 200) + "..." : thrown)}`
          : typeof thrown === "object" && thrown !== null
            ? `an object (${text(thrown, 1)})`
            : thrown === undefined
              ? "undefined"
              : thrown === null
                ? "null"
                : `the ${typeof thrown} ${String(thrown)}`;
    } catch {
      t = "a value that cannot be read";
    }
    return stringify({ error: false, text: t });
  };

  return {
    defs(pureSource, manifest) {
      const pure: Record<string, unknown> = {};
      const factory = new Function("exports", "require", "module", pureSource) as (
        e: object,
        r: unknown,
        m: object,
      ) => void;
      factory(pure, require, { exports: pure });
      const out: Record<string, unknown> = { __esModule: true };
      const list = parse(manifest) as {
        name: string;
        kind: "pure" | "host" | "class" | "value";
        index?: number;
        value?: unknown;
      }[];
      for (const d of list) {
        if (d.kind === "pure") out[d.name] = pure[d.name];
        else if (d.kind === "class") out[d.name] = twin(d.name);
        else if (d.kind === "value") out[d.name] = d.value;
        else {
          const i = d.index!;
          const f = function (...args: unknown[]): unknown {
            // what each argument is, said here where typeof is cheap (HostKind: 1 number, 2 boolean, 3 null, 0 other;
            // past the fifteenth, other): the host reads a number or a boolean without a handle
            let kinds = 0;
            for (let k = 0; k < args.length && k < 15; k++) {
              const a = args[k];
              kinds |= (typeof a === "number" ? 1 : typeof a === "boolean" ? 2 : a === null ? 3 : 0) << (2 * k);
            }
            return fromHost(host(i, kinds, ...args));
          };
          defineProperty(f, "name", { value: d.name });
          out[d.name] = f;
        }
      }
      defs = freeze(out);
    },
    load(rel, factory) {
      const module = { exports: {} as Record<string, unknown> };
      modules.set(rel, module.exports);
      let failure: string | null = null;
      try {
        factory(module.exports, require, module);
      } catch (e) {
        failure = describe(e);
      }
      const exp = module.exports;
      modules.set(rel, exp);
      const list = keys(exp)
        .filter((k) => k !== "__esModule")
        .map((k) => {
          const v = exp[k];
          return typeof v === "function"
            ? { name: k, kind: "function", json: null }
            : { name: k, kind: "value", json: copyOut(v) ?? null };
        });
      return stringify({ exports: list, failure });
    },
    invoke(rel, name, jsonMask, ...args) {
      const exp = modules.get(rel);
      const f = exp === undefined ? undefined : exp[name];
      if (typeof f !== "function") throw new E(`${rel} has no function ${name}`);
      for (let i = 0; i < args.length; i++) if (jsonMask & (1 << i)) args[i] = parse(args[i] as string);
      const r = f(...args);
      if (r === null || r === undefined || typeof r === "number" || typeof r === "boolean") return r;
      // a value that is no plain data (a cycle, a BigInt, a Proxy or getter that throws, too deep) reaches the kernel as undefined
      return copyOut(r);
    },
    describe,
    makeError(cls, name, message, id) {
      const C = cls === "" ? E : twin(cls);
      const e = new C(message);
      defineProperty(e, "name", { value: name, writable: true, configurable: true });
      ids.set(e, id);
      return e;
    },
    seed(n) {
      state = n >>> 0;
      Math.random = function random(): number {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    },
  };
}
