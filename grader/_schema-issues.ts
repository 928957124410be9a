// The mistakes found in an instructor's JSON file (rubric.json, lab.json),
// as sentences that name the place the way the instructor sees it: an item
// of a list by its id ("tests.B1.hint") rather than its position, an unknown
// key with the known key it most likely mistypes.

import { z } from "zod";
import { closest } from "./_suggest";

/** One mistake: where (keys and list positions, as in the file) and what. */
export interface Problem {
  readonly path: readonly PropertyKey[];
  /** Continues the place's name: "must be a positive number". */
  readonly message: string;
  /** Keys the object at `path` has but may not have. */
  readonly unknownKeys?: readonly string[];
  /** The key at `path` is required and absent. */
  readonly missing?: boolean;
}

/** Zod's issues as problems (parse with `reportInput: true`, so that a missing key can be told from a wrong one). */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((i) => {
    if (i.code === "unrecognized_keys") return { path: i.path, message: i.message, unknownKeys: i.keys };
    if (i.code === "invalid_type" && i.input === undefined) return { path: i.path, message: i.message, missing: true };
    return { path: i.path, message: i.message };
  });
}

/**
 * One sentence per mistake; `raw` is the file's value (for the items' ids),
 * `schema` its shape (for known keys). A required key that is missing
 * because it was mistyped is told once, as the unknown key.
 */
export function describeProblems(problems: readonly Problem[], raw: unknown, schema: JsonSchema): string[] {
  const mistyped = new Set<string>();
  const unknown = (p: Problem, key: string): string => {
    const where = placeName(p.path, raw);
    const known = Object.keys(schemaAt(schema, p.path)?.properties ?? {});
    const near = closest(key, known);
    if (near !== null) mistyped.add(placeName([...p.path, near], raw));
    const why = near !== null ? `did you mean "${near}"?` : `the keys are ${known.join(", ")}`;
    return `${where === "" ? "" : `${where}: `}unknown key "${key}" (${why})`;
  };
  const sentences = problems.map((p) => (p.unknownKeys ?? []).map((k) => unknown(p, k)));
  return problems.flatMap((p, i) => {
    const where = placeName(p.path, raw);
    if (p.unknownKeys !== undefined) return sentences[i]!;
    if (p.missing === true) return mistyped.has(where) ? [] : [`${where} is missing`];
    return [where === "" ? `the file ${p.message}` : `${where} ${p.message}`];
  });
}

/** "tests.B1.dependsOn[0]": keys joined with dots, a list's item by its id when it has one of its own, else [i]. */
export function placeName(path: readonly PropertyKey[], raw: unknown): string {
  let name = "";
  let node = raw;
  for (const key of path) {
    if (typeof key === "number" && Array.isArray(node)) {
      const id = ownId(node, key);
      name += id !== null ? `.${id}` : `[${key}]`;
      node = node[key];
    } else {
      name += name === "" ? String(key) : `.${String(key)}`;
      node = isObject(node) ? node[String(key)] : undefined;
    }
  }
  return name;
}

// The item's "id" when it is a plain word no other item of the list has.
function ownId(list: readonly unknown[], i: number): string | null {
  const idOf = (x: unknown) => (isObject(x) && typeof x.id === "string" && /^[A-Za-z0-9_-]+$/.test(x.id) ? x.id : null);
  const id = idOf(list[i]);
  return id !== null && list.filter((x) => idOf(x) === id).length === 1 ? id : null;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// The part of the JSON Schema that describes the value at `path`.
function schemaAt(schema: JsonSchema, path: readonly PropertyKey[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = schema;
  for (const key of path) s = typeof key === "number" ? s?.items : s?.properties?.[String(key)];
  return s;
}

/** The error for a file with these mistakes: `Cannot read rubric "F": one` or `…: 3 mistakes:` and one per line. */
export function fileError(action: string, sentences: readonly string[]): Error {
  const MAX = 20;
  if (sentences.length === 1) return new Error(`${action}: ${sentences[0]}`);
  const shown = sentences.slice(0, MAX).map((s) => `\n  ${s}`);
  const more = sentences.length > MAX ? `\n  and ${sentences.length - MAX} more` : "";
  return new Error(`${action}: ${sentences.length} mistakes:${shown.join("")}${more}`);
}

/** A schema's JSON Schema, of what its input may be (for known keys and the rubric's table). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** The part of JSON Schema this kit reads. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
}
