// Reading a scenario file: checks every field of every step against the
// format (SCENARIOS.md) and follows the names and labels through the steps,
// so that an invalid file is refused before anything runs, with a message
// naming the step as the trace counts it, and the field:
// `step 4, addr: unknown label "buff"`; a file that is not JSON, by line
// and column.

import { readFileSync } from "node:fs";
import { COUNTER_NAMES } from "../hw/machine";
import { Image, layoutOf } from "../kernel/layout";
import { parseAddress } from "./address";
import { stepName, stepNumber } from "./steps";
import { FIGURE_NAMES, INIT_IMAGE, MachineSpec, Scenario, Step } from "./types";

/** A scenario file that does not follow the format: `where` names the field. */
export class ScenarioError extends Error {
  readonly where: string;
  constructor(where: string, message: string) {
    super(where === "" ? message : `${where}: ${message}`);
    this.name = "ScenarioError";
    this.where = where;
  }
}

const BUILTIN_LABELS = ["text", "data", "bss", "heap", "stack"];
const SEGMENTS: readonly (keyof Image)[] = ["text", "data", "bss", "stack"];
const MAX_FRAMES = 2 ** 22; // Sv32's 22-bit PPN

type Kind =
  | "name"
  | "proc"
  | "image"
  | "int"
  | "count"
  | "byte"
  | "byteList"
  | "address"
  | "label"
  | "error"
  | "access"
  | "counter"
  | "figure"
  | "number"
  | "equals"
  | "steps";

type FieldSpec = Readonly<Record<string, { kind: Kind; required: boolean }>>;

const req = (kind: Kind) => ({ kind, required: true });
const opt = (kind: Kind) => ({ kind, required: false });

const OPS: Readonly<Record<string, FieldSpec>> = {
  spawn: { as: req("name"), image: req("image") },
  sbrk: { proc: req("proc"), bytes: req("int"), label: opt("label"), expectError: opt("error") },
  malloc: { proc: req("proc"), bytes: req("count"), label: req("label"), expectError: opt("error") },
  write: { proc: req("proc"), addr: req("address"), bytes: req("byteList") },
  memset: { proc: req("proc"), addr: req("address"), value: req("byte"), bytes: req("count") },
  touch: { proc: req("proc"), addr: req("address"), pages: req("count"), access: req("access") },
  read: { proc: req("proc"), addr: req("address"), bytes: req("count"), expect: opt("byteList") },
  fork: { proc: req("proc"), as: req("name"), expectError: opt("error") },
  exec: { proc: req("proc"), image: req("image"), expectError: opt("error") },
  exit: { proc: req("proc"), status: opt("int") },
  wait: { proc: req("proc"), expectStatus: opt("int"), statusAddr: opt("address") },
  repeat: { times: req("count"), steps: req("steps") },
  snapshot: { label: req("name") },
  expect: {
    counter: opt("counter"),
    proc: opt("proc"),
    figure: opt("figure"),
    equals: opt("equals"),
    atMost: opt("number"),
    atLeast: opt("number"),
  },
};

/** Reads and checks the scenario in `file`; throws ScenarioError naming the file and field. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError("", `Cannot read scenario "${file}": ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError("", `Cannot read scenario "${file}": it is not valid JSON (${jsonMistake(text, e)})`);
  }
  const name = file.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
  try {
    return parseScenario(json, name);
  } catch (e) {
    // no field to name (the file holds no object): name the file, as the read errors do
    if (e instanceof ScenarioError && e.where === "") {
      throw new ScenarioError("", `Cannot read scenario "${file}": it ${e.message}`);
    }
    throw e;
  }
}

/** Checks `json` against the format; `fallbackName` names a scenario with no `name`. */
export function parseScenario(json: unknown, fallbackName = "scenario"): Scenario {
  const top = object(json, "");
  allowOnly(top, "", ["version", "name", "description", "machine", "images", "steps"]);
  if (top.version !== 1)
    throw new ScenarioError("version", `must be 1 (this kit reads version 1 scenarios), not ${show(top.version)}`);
  const name = top.name === undefined ? fallbackName : string(top.name, "name");
  const description = top.description === undefined ? "" : string(top.description, "description");
  const machine = parseMachine(top.machine);
  const images = parseImages(top.images);
  if (!Array.isArray(top.steps)) throw new ScenarioError("steps", "must be an array of steps");
  const env = new Env(images);
  const steps = top.steps.map((s, i) => parseStep(s, stepNumber("", i), env));
  return { version: 1, name, description, machine, images, steps };
}

function parseMachine(value: unknown): MachineSpec {
  if (value === undefined) return { frames: 32768, tlbEntries: 64 };
  const m = object(value, "machine");
  allowOnly(m, "machine", ["frames", "tlbEntries", "seed", "asids", "stepBudget"]);
  const frames = m.frames === undefined ? 32768 : count(m.frames, "machine.frames");
  if (frames < 1 || frames > MAX_FRAMES) {
    throw new ScenarioError(
      "machine.frames",
      `must be from 1 to ${MAX_FRAMES} (Sv32's 22-bit frame numbers), not ${frames}`,
    );
  }
  const spec: { -readonly [K in keyof MachineSpec]: MachineSpec[K] } = {
    frames,
    tlbEntries: m.tlbEntries === undefined ? 64 : count(m.tlbEntries, "machine.tlbEntries"),
  };
  if (m.seed !== undefined) spec.seed = integer(m.seed, "machine.seed");
  if (m.asids !== undefined) {
    spec.asids = count(m.asids, "machine.asids");
    if (spec.asids < 2 || spec.asids > 512)
      throw new ScenarioError("machine.asids", `must be from 2 to 512 (Sv32 has 9 ASID bits), not ${spec.asids}`);
  }
  if (m.stepBudget !== undefined) spec.stepBudget = count(m.stepBudget, "machine.stepBudget");
  return spec;
}

function parseImages(value: unknown): Record<string, Image> {
  const images: Record<string, Image> = { init: INIT_IMAGE };
  if (value === undefined) return images;
  const all = object(value, "images");
  for (const [name, raw] of Object.entries(all)) {
    const where = `images.${name}`;
    if (name in Object.prototype) throw new ScenarioError(where, `"${name}" cannot name an image (it is reserved)`);
    const fields = object(raw, where);
    allowOnly(fields, where, SEGMENTS);
    const image = Object.fromEntries(
      SEGMENTS.map((seg) => [seg, fields[seg] === undefined ? 0 : count(fields[seg], `${where}.${seg}`)]),
    ) as unknown as Image;
    const layout = layoutOf(image);
    if (typeof layout === "string") throw new ScenarioError(where, `does not fit: ${layout}`);
    images[name] = image;
  }
  return images;
}

// What the checker knows while following the steps: which names are bound
// to processes, and which labels each of them has.
class Env {
  readonly images: Readonly<Record<string, Image>>;
  readonly labels = new Map<string, Set<string>>();
  constructor(images: Readonly<Record<string, Image>>) {
    this.images = images;
  }
}

// Step `number` ("4.2": the second step of the repeat that is step 4).
function parseStep(value: unknown, number: string, env: Env): Step {
  const where = stepName(number);
  const step = object(value, where);
  if (typeof step.op !== "string")
    throw new ScenarioError(`${where}, op`, `must be one of ${Object.keys(OPS).join(", ")}`);
  // own keys only: "toString" or "constructor" are not ops
  const spec = Object.hasOwn(OPS, step.op) ? OPS[step.op] : undefined;
  if (spec === undefined) {
    throw new ScenarioError(`${where}, op`, `unknown op "${step.op}" (one of ${Object.keys(OPS).join(", ")})`);
  }
  allowOnly(step, where, ["op", ...Object.keys(spec)], `op "${step.op}"`);
  const out: Record<string, unknown> = { op: step.op };
  for (const [field, { kind, required }] of Object.entries(spec)) {
    const v = step[field];
    if (v === undefined) {
      if (required) throw new ScenarioError(`${where}, ${field}`, `missing (op "${step.op}" needs it)`);
      continue;
    }
    if (kind === "steps") continue; // parsed below, after the env is set up
    out[field] = checkField(kind, v, `${where}, ${field}`, env, step);
  }
  return finishStep(step.op, out, step, number, env);
}

// Checks the fields that depend on others, then updates the env.
function finishStep(
  op: string,
  out: Record<string, unknown>,
  raw: Record<string, unknown>,
  number: string,
  env: Env,
): Step {
  const where = stepName(number);
  switch (op) {
    case "spawn":
      env.labels.set(out.as as string, new Set(BUILTIN_LABELS));
      break;
    case "sbrk":
    case "malloc":
      if (out.label !== undefined) env.labels.get(out.proc as string)!.add(out.label as string);
      break;
    case "fork":
      if (out.expectError === undefined) env.labels.set(out.as as string, new Set(env.labels.get(out.proc as string)));
      break;
    case "exec":
      if (out.expectError === undefined) env.labels.set(out.proc as string, new Set(BUILTIN_LABELS));
      break;
    case "exit":
      if (out.status === undefined) out.status = 0;
      break;
    case "read":
      if (out.expect !== undefined && (out.expect as number[]).length !== out.bytes) {
        throw new ScenarioError(
          `${where}, expect`,
          `has ${(out.expect as number[]).length} bytes but the step reads ${out.bytes as number}`,
        );
      }
      break;
    case "repeat":
      if (!Array.isArray(raw.steps)) throw new ScenarioError(`${where}, steps`, "must be an array of steps");
      // twice: the second pass sees the names and labels the first one left behind
      raw.steps.forEach((s, i) => parseStep(s, stepNumber(number, i), env));
      out.steps = raw.steps.map((s, i) => parseStep(s, stepNumber(number, i), env));
      break;
    case "expect":
      checkExpect(out, where);
      break;
  }
  return out as unknown as Step;
}

function checkExpect(out: Record<string, unknown>, where: string): void {
  const byCounter = out.counter !== undefined;
  const byFigure = out.proc !== undefined || out.figure !== undefined;
  if (byCounter === byFigure) {
    throw new ScenarioError(where, `an expect names either "counter", or "proc" and "figure"`);
  }
  if (byFigure && (out.proc === undefined || out.figure === undefined)) {
    throw new ScenarioError(
      `${where}, ${out.proc === undefined ? "proc" : "figure"}`,
      `missing (a figure needs both "proc" and "figure")`,
    );
  }
  if (out.equals === undefined && out.atMost === undefined && out.atLeast === undefined) {
    throw new ScenarioError(where, `an expect needs one of "equals", "atMost", "atLeast"`);
  }
  const textual = out.figure === "state" || out.figure === "killedBy";
  if (textual && (out.atMost !== undefined || out.atLeast !== undefined)) {
    throw new ScenarioError(where, `figure "${out.figure as string}" is not a number: use "equals"`);
  }
  if (!textual && out.equals !== undefined && typeof out.equals !== "number") {
    throw new ScenarioError(
      `${where}, equals`,
      `must be a number for ${byCounter ? "counter" : "figure"} "${(out.counter ?? out.figure) as string}"`,
    );
  }
}

function checkField(kind: Kind, v: unknown, where: string, env: Env, step: Record<string, unknown>): unknown {
  switch (kind) {
    case "name":
    case "label":
      if (typeof v !== "string" || v === "")
        throw new ScenarioError(where, `must be a non-empty string, not ${show(v)}`);
      return v;
    case "proc":
      if (typeof v !== "string") throw new ScenarioError(where, `must be a process name, not ${show(v)}`);
      if (!env.labels.has(v))
        throw new ScenarioError(where, `unknown process "${v}" (no earlier spawn or fork names it)`);
      return v;
    case "image":
      if (typeof v !== "string" || !Object.hasOwn(env.images, v)) {
        throw new ScenarioError(where, `unknown image ${show(v)} (images: ${Object.keys(env.images).join(", ")})`);
      }
      return v;
    case "int":
      return integer(v, where);
    case "count":
      return count(v, where);
    case "byte":
      return byte(v, where);
    case "byteList":
      if (!Array.isArray(v)) throw new ScenarioError(where, `must be an array of bytes (0 to 255)`);
      return v.map((b, i) => byte(b, `${where}[${i}]`));
    case "address":
      return address(v, where, env, step);
    case "error":
      if (v !== "ENOMEM") throw new ScenarioError(where, `must be "ENOMEM", not ${show(v)}`);
      return v;
    case "access":
      if (v !== "read" && v !== "write") throw new ScenarioError(where, `must be "read" or "write", not ${show(v)}`);
      return v;
    case "counter":
      if (typeof v !== "string" || !(COUNTER_NAMES as readonly string[]).includes(v)) {
        throw new ScenarioError(where, `unknown counter ${show(v)} (one of ${COUNTER_NAMES.join(", ")})`);
      }
      return v;
    case "figure":
      if (typeof v !== "string" || !(FIGURE_NAMES as readonly string[]).includes(v)) {
        throw new ScenarioError(where, `unknown figure ${show(v)} (one of ${FIGURE_NAMES.join(", ")})`);
      }
      return v;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new ScenarioError(where, `must be a number, not ${show(v)}`);
      return v;
    case "equals":
      if (v !== null && typeof v !== "string" && (typeof v !== "number" || !Number.isFinite(v))) {
        throw new ScenarioError(where, `must be a number, a string or null, not ${show(v)}`);
      }
      return v;
    case "steps":
      return v;
  }
}

function address(v: unknown, where: string, env: Env, step: Record<string, unknown>): unknown {
  const a = parseAddress(v);
  if (typeof a === "string") throw new ScenarioError(where, a);
  if (typeof a !== "number") {
    const labels = env.labels.get(step.proc as string);
    if (labels !== undefined && !labels.has(a.label)) throw new ScenarioError(where, `unknown label "${a.label}"`);
  }
  return a;
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ScenarioError(where, `must be an object, not ${show(v)}`);
  }
  return v as Record<string, unknown>;
}

function allowOnly(o: Record<string, unknown>, where: string, allowed: readonly string[], forWhat?: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw new ScenarioError(
        fieldName(where, k),
        `unknown field${forWhat ? ` for ${forWhat}` : ""} (expected ${allowed.join(", ")})`,
      );
    }
  }
}

// Field `k` of `where`: "machine.frames", or a step's "step 4, addr".
function fieldName(where: string, k: string): string {
  if (where === "") return k;
  return where.startsWith("step ") ? `${where}, ${k}` : `${where}.${k}`;
}

function string(v: unknown, where: string): string {
  if (typeof v !== "string") throw new ScenarioError(where, `must be a string, not ${show(v)}`);
  return v;
}

function integer(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    throw new ScenarioError(where, `must be a whole number, not ${show(v)}`);
  return v;
}

function count(v: unknown, where: string): number {
  const n = integer(v, where);
  if (n < 0) throw new ScenarioError(where, `must be 0 or more, not ${n}`);
  return n;
}

function byte(v: unknown, where: string): number {
  const n = integer(v, where);
  if (n > 255 || n < 0) throw new ScenarioError(where, `must be a byte (0 to 255), not ${n}`);
  return n;
}

function show(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}

// V8's message, cut to its words, after the line and column of the first
// character no valid file could have there. V8 names that place for some
// mistakes only ("Unexpected token" comes without it), so it is found here:
// the longest start of the file that JSON.parse fails on only at its end.
function jsonMistake(text: string, e: unknown): string {
  const words = (e as Error).message
    .replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, "")
    .replace(/ (in JSON )?at position \d+.*$/, "");
  let good = 0; // text.slice(0, good) fails only where it ends
  let bad = text.length; // text.slice(0, bad) fails before its end
  while (good < bad) {
    const mid = Math.ceil((good + bad) / 2);
    if (failsAtEnd(text.slice(0, mid))) good = mid;
    else bad = mid - 1;
  }
  const before = text.slice(0, good).split("\n");
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}: ${words}`;
}

// Whether `start` is the start of some valid JSON: it parses, or fails only at its end.
function failsAtEnd(start: string): boolean {
  try {
    JSON.parse(start);
    return true;
  } catch (e) {
    const message = (e as Error).message;
    if (message.includes("end of JSON input")) return true;
    const at = / at position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= start.length;
  }
}
