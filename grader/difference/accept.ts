// A Difference as the parent accepts it from a worker: field by field, of
// the right types and sizes (the worker is trusted for observations only,
// run.ts). Anything else is refused, and the item keeps the rubric's hint.

import { z } from "zod";
import { Difference, MAX_PAGES, MAX_TEXT } from "./difference";

const int = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32);
const flags = z.number().int().min(0).max(0x3ff);
const text = z.string().max(MAX_TEXT);
const proc = z.strictObject({ pid: int, name: text.nullable() });
const page = z.strictObject({ process: proc, va: int });
const step = z.strictObject({ path: text, number: text, round: int.nullable(), text });
const where = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("start") }),
  z.strictObject({
    kind: z.literal("call"),
    fn: text,
    process: proc.nullable(),
    va: int.nullable(),
    result: text,
    step: step.nullable(),
  }),
  z.strictObject({ kind: z.literal("step"), step }),
  z.strictObject({ kind: z.literal("end") }),
]);
const pages = z.array(page).max(MAX_PAGES);

const DIFFERENCE = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("returned"),
    at: where,
    expected: text,
    actual: text,
    freeFrames: int,
    referencePa: int.nullable(),
  }),
  z.strictObject({ kind: z.literal("process-state"), at: where, process: proc, expected: text, actual: text }),
  z.strictObject({
    kind: z.literal("refcount"),
    at: where,
    page,
    expected: int,
    actual: int,
    mappers: int,
    leftBy: page.nullable(),
  }),
  z.strictObject({ kind: z.literal("freed-while-mapped"), at: where, page, expected: int }),
  z.strictObject({ kind: z.literal("mapping"), at: where, page, expected: flags.nullable(), actual: flags.nullable() }),
  z.strictObject({ kind: z.literal("pte-flags"), at: where, page, expected: flags, actual: flags }),
  z.strictObject({ kind: z.literal("copied-instead-of-reused"), at: where, page, flags }),
  z.strictObject({ kind: z.literal("reused-instead-of-copied"), at: where, page, flags }),
  z.strictObject({ kind: z.literal("sharing"), at: where, page, expected: pages, actual: pages }),
  z.strictObject({ kind: z.literal("contents"), at: where, page }),
  z.strictObject({ kind: z.literal("stale-tlb"), at: where, page, cached: flags, current: flags.nullable() }),
  z.strictObject({ kind: z.literal("page-tables"), at: where, process: proc, expected: int, actual: int }),
  z.strictObject({
    kind: z.literal("frame-not-freed"),
    at: where,
    frames: int,
    pageTables: int,
    formerly: z
      .strictObject({ process: proc, role: z.enum(["page", "root table", "level-0 table"]), va: int })
      .nullable(),
  }),
  z.strictObject({ kind: z.literal("call"), at: where.nullable(), expected: where.nullable() }),
]);

/** `v` as a Difference when it is one, else null. */
export function acceptDifference(v: unknown): Difference | null {
  const r = DIFFERENCE.safeParse(v);
  return r.success ? (r.data as Difference) : null;
}
