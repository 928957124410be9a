// The class reports: grades.csv and summary.html.

import { BatchSummary } from "./model";
import { gradesCsv, summaryHtml } from "./summary";

const summary: BatchSummary = {
  lab: "cow",
  labVersion: "1",
  graderVersion: "test",
  seed: 1,
  maxScore: 5,
  columns: [
    { id: "A", title: "fork", kind: "part", part: "A", maxScore: 5 },
    { id: "T1", title: "copies", kind: "threshold", part: "A", maxScore: 2 },
  ],
  rows: [
    {
      id: "=cmd()",
      status: "graded",
      score: 1.5,
      maxScore: 5,
      columns: { A: 1.5, T1: 1.5 },
      lost: ["A1"],
      problems: [],
    },
    {
      id: "o'neil, <b>",
      status: "graded",
      score: 5,
      maxScore: 5,
      columns: { A: 5, T1: 2 },
      lost: [],
      problems: ["<script>"],
    },
  ],
  items: [],
  warnings: [],
};

test("grades.csv has the total, one column per part and threshold, and quotes what needs it", () => {
  expect(gradesCsv(summary)).toBe("id,total,A,T1\n'=cmd(),1.5,1.5,1.5\n\"o'neil, <b>\",5,5,2\n");
});

test("summary.html escapes every student-made text", () => {
  const html = summaryHtml(summary);
  expect(html).toContain("<td>o&#39;neil, &lt;b&gt;</td>");
  expect(html).toContain("<td>&lt;script&gt;</td>");
  expect(html).not.toContain("<script>");
});
