// The rubric's reference table in labs/cow/README.md, written from the
// schema the grader checks rubrics with (_rubric-schema.ts), so that the two
// cannot drift: `npm run rubric:table` (cli/rubric-table.ts) rewrites the
// table between its markers; rubric-table.test.ts fails when the README's
// differs.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../labs/lab";
import { rubricJsonSchema } from "./_rubric-schema";
import type { JsonSchema } from "./_schema-issues";

export const TABLE_START = "<!-- rubric-table: written by `npm run rubric:table` from grader/_rubric-schema.ts -->";
export const TABLE_END = "<!-- /rubric-table -->";

/** One row of the table: a key of rubric.json. */
export interface KeyRow {
  readonly key: string;
  readonly type: string;
  readonly ifLeftOut: string;
  readonly meaning: string;
}

/** Every key of rubric.json, depth first, in the schema's order. */
export function rubricKeys(schema: JsonSchema = rubricJsonSchema()): KeyRow[] {
  return rowsOf(schema, "");
}

function rowsOf(schema: JsonSchema, prefix: string): KeyRow[] {
  const rows: KeyRow[] = [];
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const key = `${prefix}${name}`;
    const required = schema.required?.includes(name) ?? false;
    rows.push({ key, type: typeOf(s), ifLeftOut: leftOut(s, required), meaning: s.description ?? "" });
    if (s.properties !== undefined) rows.push(...rowsOf(s, `${key}.`));
    if (s.items?.properties !== undefined) rows.push(...rowsOf(s.items, `${key}[].`));
  }
  return rows;
}

// The value's type in words: "number > 0", "list of text", "id".
function typeOf(s: JsonSchema): string {
  if (s.anyOf !== undefined) return s.anyOf.map(typeOf).join(" or ");
  if (typeof s.type !== "string" && s.type !== undefined)
    return s.type.map((type) => typeOf({ ...s, type })).join(" or ");
  if (s.enum !== undefined) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(", ");
  switch (s.type) {
    case "string":
      return s.pattern !== undefined ? "id (letters, digits, `-`, `_`)" : "text";
    case "number":
      return s.exclusiveMinimum === 0 ? "number > 0" : s.minimum === 0 ? "number ≥ 0" : "number";
    case "array":
      return `list of ${s.items?.type === "object" ? "objects" : typeOf(s.items ?? {})}`;
    default:
      return s.type ?? "anything";
  }
}

function leftOut(s: JsonSchema, required: boolean): string {
  if (required) return "required";
  if (s.default === undefined) return "nothing";
  if (typeof s.default === "object" && s.default !== null && !Array.isArray(s.default)) return "the defaults below";
  return `\`${JSON.stringify(s.default)}\``;
}

/** The table as Markdown, between its markers. */
export function rubricTable(rows: readonly KeyRow[] = rubricKeys()): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return [
    TABLE_START,
    "",
    "| key | type | if left out | what it is |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.ifLeftOut)} | ${cell(r.meaning)} |`),
    "",
    TABLE_END,
  ].join("\n");
}

/** The README with its table replaced by `table`; throws when the markers are missing. */
export function withTable(readme: string, table: string, file: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`Cannot write the rubric's table into "${file}": its markers are missing`);
  return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
}

/** The README that holds the table. */
export const README = path.join(repoRoot(), "labs", "cow", "README.md");

/** Rewrites the README's table when it differs from the schema's; says which. */
export function writeTable(file: string = README): string {
  const text = readFileSync(file, "utf8");
  const next = withTable(text, rubricTable(), file);
  if (next === text) return `${file}: the rubric's table is up to date`;
  writeFileSync(file, next);
  return `${file}: the rubric's table is rewritten from the schema`;
}
