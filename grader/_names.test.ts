// The id a class entry's name gives: a folder name that cannot climb out of
// the output folder nor take the place of the batch's own files.

import { BATCH_FILES, idOf, safeId } from "./_names";

test("an id keeps letters, digits and . - _ @ +, and anything else becomes _", () => {
  expect(safeId("grace.hopper+lab3@uni-x")).toBe("grace.hopper+lab3@uni-x");
  expect(safeId("bob smith/../x")).toBe("bob_smith_.._x");
  expect(safeId("..")).toBe("_");
  expect(safeId("")).toBe("_");
});

test("an entry named like one of the batch's own files is graded under another id, whatever its case", () => {
  for (const name of BATCH_FILES) {
    expect(safeId(name)).toBe(`_${name}`);
    expect(safeId(name.toUpperCase())).toBe(`_${name.toUpperCase()}`);
    expect(safeId(idOf(`${name}.zip`))).toBe(`_${name}`);
  }
  expect(safeId("summary.json.bak")).toBe("summary.json.bak");
});
