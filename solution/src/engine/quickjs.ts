// Loading the QuickJS engine (compiled to WebAssembly, from the
// quickjs-emscripten packages pinned in package.json). Compiling the
// WebAssembly takes tens of milliseconds, so a process compiles it once;
// each instance made from it (a few milliseconds) has a memory of its own,
// whose growth the sandbox caps (sandbox.ts): QuickJS's own count of its
// heap misses most of it in this build (no malloc_usable_size), so the cap
// is put where every allocation ends up, the WebAssembly memory.
//
//   QuickJS's malloc -> sbrk -> the glue's heap resize -> memory.grow
//                                  (refused past `cap`)   (held to `cap`)

import { readFileSync } from "node:fs";
import type { QuickJSWASMModule } from "quickjs-emscripten-core";

/** The memory of one QuickJS instance, as the sandbox watches it. */
export interface EngineMemory {
  /** Bytes its WebAssembly memory may grow to (it starts at START_BYTES and never shrinks); a multiple of 64 KiB. */
  cap: number;
  /** Allocations refused so far because they would pass `cap` (each one fails inside the engine as "out of memory"). */
  readonly refused: number;
  /** Bytes its WebAssembly memory holds now. */
  bytes(): number;
}

/** A WebAssembly page. */
const PAGE = 64 * 1024;
/** Bytes an instance's memory starts with, the least this build takes: about 5 MiB of QuickJS's data and stack, the rest heap. */
export const START_BYTES = 16 * 1024 * 1024;
/** The most any instance may grow to, whatever its cap (WebAssembly's 32-bit memory). */
const MAX_BYTES = 2 * 1024 * 1024 * 1024;

// The few WebAssembly names used here (the kit's compiler settings hold no DOM types, where they are declared).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmImports = Record<string, Record<string, unknown>>;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: WasmImports): Promise<object>;
  Memory: { new (d: { initial: number; maximum: number }): WasmMemory; prototype: WasmMemory };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Where an instance keeps its EngineMemory: a registered symbol, as the instance may come from another copy of this module (Jest's registries). */
const MEMORY = Symbol.for("oslab.engineMemory");
let compiled: Promise<object> | null = null;
let loading: Promise<QuickJSWASMModule> | null = null;

/** The QuickJS instance this process shares, made once. */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJS();
  return loading;
}

/** A QuickJS instance of its own, with a memory of its own (of the WebAssembly the process compiled once). */
export async function newQuickJS(): Promise<QuickJSWASMModule> {
  // required here, not imported at the top: only a process that runs student code pays for it
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require("quickjs-emscripten-core") as typeof import("quickjs-emscripten-core");
  const glue = require("@jitl/quickjs-wasmfile-release-sync/emscripten-module") as (arg: object) => Promise<unknown>;
  const { QuickJSFFI } = require("@jitl/quickjs-wasmfile-release-sync/ffi") as { QuickJSFFI: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  compiled ??= Wasm.compile(readFileSync(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")));
  const wasm = await compiled;
  const memory = new Wasm.Memory({ initial: START_BYTES / PAGE, maximum: MAX_BYTES / PAGE });
  const watch = { cap: MAX_BYTES, refused: 0 };
  // the package's own variant loads its parts with import(), which Jest's
  // module sandbox refuses: the same parts, with require(), and the instance
  // made here from the compiled WebAssembly, with its memory and a cap on it
  const instantiateWasm = (imports: WasmImports, done: (instance: object, module: object) => void) => {
    capGrowth(imports, memory, watch);
    void Wasm.instantiate(wasm, imports).then((instance) => done(instance, wasm));
    return {};
  };
  const variant = {
    type: "sync",
    importFFI: () => Promise.resolve(QuickJSFFI),
    importModuleLoader: () => Promise.resolve(() => glue({ wasmMemory: memory, instantiateWasm })),
  };
  const quickjs = await core.newQuickJSWASMModuleFromVariant(variant as never);
  Object.defineProperty(quickjs, MEMORY, {
    value: {
      get cap() {
        return watch.cap;
      },
      set cap(bytes: number) {
        watch.cap = Math.min(MAX_BYTES, Math.max(START_BYTES, Math.floor(bytes / PAGE) * PAGE));
      },
      get refused() {
        return watch.refused;
      },
      bytes: () => memory.buffer.byteLength,
    } satisfies EngineMemory,
  });
  return quickjs;
}

/** The memory of `quickjs`, an instance made here; throws for any other. */
export function engineMemory(quickjs: QuickJSWASMModule): EngineMemory {
  const m = (quickjs as unknown as Record<symbol, EngineMemory | undefined>)[MEMORY];
  if (m === undefined) throw new Error("The sandbox needs a QuickJS instance made by loadQuickJS() or newQuickJS()");
  return m;
}

/**
 * Holds `memory` to `watch.cap`: the glue's heap resize (the one import that
 * grows the memory) refuses a size past the cap, counted in watch.refused,
 * and the memory's own grow() clamps the headroom the glue adds to a
 * request that fits, so the memory never passes the cap.
 */
function capGrowth(imports: WasmImports, memory: WasmMemory, watch: { cap: number; refused: number }): void {
  const resizers: { mod: Record<string, unknown>; name: string; resize: (bytes: number) => boolean }[] = [];
  for (const mod of Object.values(imports))
    for (const [name, f] of Object.entries(mod))
      if (typeof f === "function" && String(f).includes(".grow(")) resizers.push({ mod, name, resize: f as never });
  if (resizers.length !== 1)
    throw new Error(`Cannot load QuickJS: its glue has ${resizers.length} functions that grow the memory, not one`);
  const { mod, name, resize } = resizers[0]!;
  mod[name] = (bytes: number): boolean => {
    if (bytes >>> 0 > watch.cap) {
      watch.refused++;
      return false;
    }
    return resize(bytes);
  };
  const grow = Wasm.Memory.prototype.grow;
  const room = (): number => Math.max(0, (watch.cap - memory.buffer.byteLength) / PAGE);
  Object.defineProperty(memory, "grow", {
    value: (pages: number): number => grow.call(memory, Math.min(pages, room())),
  });
}
