// Reading who handed in each folder from Gradescope's submission_metadata.yml.

import { readGradescopeMetadata } from "./_gradescope-metadata";

test("each folder's submitters are read; results, history and test output are passed over", () => {
  const yaml = [
    "---",
    "submission_1:",
    "  :submitters:",
    "  - :name: Jane Doe",
    "    :sid: '0042'",
    "    :email: jane@example.edu",
    "  :results:",
    "    output: |",
    "      submission_666:",
    "        :submitters:",
    "  :history:",
    "  - :submitters:",
    "    - :name: Not Her",
    "submission_2:",
    "  :created_at: 2024-03-01 21:14:02.530127000 -08:00",
    "  :submitters: &1",
    "  - &2",
    '    :name: "Zo\\u00eb \\"Z\\" O\'Hara"',
    "    :sid: !!str 7",
    "  - :name: 'Li ''Lee'' Wu' # a comment",
    "    :email: li@example.edu",
    '  :status: "a long message',
    '    that runs on"',
  ].join("\n");
  expect(Object.fromEntries(readGradescopeMetadata(yaml))).toEqual({
    submission_1: [{ name: "Jane Doe", sid: "0042", email: "jane@example.edu" }],
    submission_2: [
      { name: 'Zoë "Z" O\'Hara', sid: "7", email: "" },
      { name: "Li 'Lee' Wu", sid: "", email: "li@example.edu" },
    ],
  });
});

test("a folder without submitters, or with an empty list, names nobody", () => {
  const yaml = "submission_3:\n  :score: 1.0\nsubmission_4:\n  :submitters: []\n";
  expect(Object.fromEntries(readGradescopeMetadata(yaml))).toEqual({ submission_4: [] });
  expect(readGradescopeMetadata("not: [yaml").size).toBe(0);
});
