// The rubric's reference table in labs/cow/README.md is the schema's, so the
// documentation cannot drift from what the grader accepts.

import { readFileSync } from "node:fs";
import path from "node:path";
import { README, rubricKeys, rubricTable, withTable } from "./rubric-table";

test("labs/cow/README.md holds the table the schema gives (npm run rubric:table rewrites it)", () => {
  const readme = readFileSync(README, "utf8");
  expect(withTable(readme, rubricTable(), README)).toBe(readme);
});

test("every key of labs/cow/rubric.json has a row, and every row says what its key is", () => {
  const keysOf = (v: unknown, prefix: string): string[] => {
    if (Array.isArray(v)) return v.flatMap((x) => keysOf(x, `${prefix}[]`));
    if (typeof v !== "object" || v === null) return [];
    return Object.entries(v).flatMap(([k, x]) => {
      const key = prefix === "" ? k : `${prefix}.${k}`;
      return [key, ...keysOf(x, key)];
    });
  };
  const used = new Set(keysOf(JSON.parse(readFileSync(path.join(path.dirname(README), "rubric.json"), "utf8")), ""));
  const rows = rubricKeys();
  expect([...used].filter((k) => !rows.some((r) => r.key === k))).toEqual([]);
  expect(rows.filter((r) => r.meaning === "").map((r) => r.key)).toEqual([]);
});

test("a row gives the key's type and what happens when it is left out", () => {
  const row = (key: string) => rubricKeys().find((r) => r.key === key);
  expect(row("limits.wallSeconds")).toMatchObject({ type: "number > 0", ifLeftOut: "`60`" });
  expect(row("tests[].visibility")).toMatchObject({ ifLeftOut: '`"visible"`' });
  expect(row("tests[].id")).toMatchObject({ ifLeftOut: "required" });
  expect(row("thresholds[].worst")).toMatchObject({ type: "number ≥ 0" });
});

test("a README without the table's markers is refused, naming the file", () => {
  expect(() => withTable("# no table here\n", rubricTable(), "x/README.md")).toThrow(
    `Cannot write the rubric's table into "x/README.md": its markers are missing`,
  );
});
