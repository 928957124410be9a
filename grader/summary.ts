// Stage 5b, reports for the class: summary.json (the view model the HTML
// reports render), grades.csv (one row per student: total, one column per
// part, tests and thresholds together, so that they add up to the total;
// then one column per threshold, the detail of its part's) and a plain
// summary.html. All of it is for the instructor: it shows every item's
// title, hidden ones included (visibility.ts INSTRUCTOR).

import path from "node:path";
import { writeAtomic } from "./_atomic";
import { rubricParts } from "./_points";
import { entryOutcome } from "./entries";
import { BatchSummary, ClassEntry, ItemStats, Rubric, SubmissionResult, SummaryColumn, SummaryRow } from "./model";
import { maxScoreOf } from "./rubric";
import type { IsolationLayer } from "./sandbox/isolation";

export interface SummaryMeta {
  readonly graderVersion: string;
  readonly seed: number;
  readonly warnings: readonly string[];
  readonly isolation?: IsolationLayer;
  /** Every entry of the paths graded, and what became of it. */
  readonly entries?: readonly ClassEntry[];
}

/** The class's summary from the results so far (rows sorted by id). */
export function summarize(rubric: Rubric, results: readonly SubmissionResult[], meta: SummaryMeta): BatchSummary {
  // a part's column holds its tests and its thresholds (the parts add up to the total); each threshold's own column is detail
  const columns: SummaryColumn[] = [
    ...rubricParts(rubric).map((p) => ({
      id: p.id,
      title: p.title,
      kind: "part" as const,
      part: p.id,
      maxScore: p.maxScore,
    })),
    ...rubric.thresholds.map((t) => ({
      id: t.id,
      title: t.title,
      kind: "threshold" as const,
      part: t.part,
      maxScore: t.points,
    })),
  ];
  const sorted = [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows: SummaryRow[] = sorted.map((r) => ({
    id: r.id,
    status: r.status,
    score: r.score,
    maxScore: r.maxScore,
    columns: Object.fromEntries([
      ...r.parts.map((p) => [p.id, p.score]),
      ...r.items.filter((i) => i.kind === "threshold").map((i) => [i.id, i.score]),
    ]),
    lost: r.items.filter((i) => !i.passed).map((i) => i.id),
    problems:
      r.graderError !== undefined
        ? [`Grader error (a bug of the grader's, not the student's): ${r.graderError}`, ...r.problems]
        : [...r.problems],
  }));
  const items: ItemStats[] = [...rubric.tests, ...rubric.thresholds].map((t) => {
    const graded = sorted.filter((r) => r.status === "graded");
    return {
      id: t.id,
      title: t.title,
      kind: "scenario" in t ? ("threshold" as const) : ("test" as const),
      graded: graded.length,
      passed: graded.filter((r) => r.items.some((i) => i.id === t.id && i.passed)).length,
    };
  });
  return {
    lab: rubric.lab,
    labVersion: rubric.version,
    graderVersion: meta.graderVersion,
    seed: meta.seed,
    maxScore: maxScoreOf(rubric),
    columns,
    rows,
    items,
    warnings: [...meta.warnings],
    ...(meta.isolation !== undefined ? { isolation: meta.isolation } : {}),
    ...(meta.entries !== undefined ? { entries: [...meta.entries] } : {}),
  };
}

/** grades.csv: id, total, then one column per part and per threshold. */
export function gradesCsv(s: BatchSummary): string {
  const header = ["id", "total", ...s.columns.map((c) => c.id)];
  const lines = [
    header,
    ...s.rows.map((r) => [r.id, String(r.score), ...s.columns.map((c) => String(r.columns[c.id] ?? 0))]),
  ];
  return lines.map((l) => l.map(csvField).join(",")).join("\n") + "\n";
}

function csvField(v: string): string {
  // a leading =, +, - or @ would be a formula in a spreadsheet
  const safe = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** summary.html: a plain table of the class, for a browser. */
export function summaryHtml(s: BatchSummary): string {
  const head = ["Student", "Total", ...s.columns.map((c) => `${c.id} (${c.maxScore})`), "Lost", "Problems"];
  const rows = s.rows.map((r) =>
    [
      r.id,
      `${r.score} / ${r.maxScore}`,
      ...s.columns.map((c) => String(r.columns[c.id] ?? 0)),
      r.lost.join(" "),
      r.problems.map((p) => p.split("\n")[0]).join("; "),
    ].map((cell) => `<td>${escapeHtml(cell)}</td>`),
  );
  const items = s.items.map(
    (i) => `<tr><td>${escapeHtml(i.id)}</td><td>${escapeHtml(i.title)}</td><td>${i.passed} / ${i.graded}</td></tr>`,
  );
  const warnings = s.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(`${s.lab} grades`)}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style>
</head>
<body>
<h1>${escapeHtml(`Lab ${s.lab} (version ${s.labVersion}): ${s.rows.length} submissions`)}</h1>
${warnings === "" ? "" : `<h2>Warnings</h2><ul>${warnings}</ul>`}
<table>
<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>
<tbody>
${rows.map((r) => `<tr>${r.join("")}</tr>`).join("\n")}
</tbody>
</table>
${entriesHtml(s)}
<h2>Tests and thresholds</h2>
<table>
<thead><tr><th>Id</th><th>Title</th><th>Passed</th></tr></thead>
<tbody>
${items.join("\n")}
</tbody>
</table>
<p>Graded by oslab grader ${escapeHtml(s.graderVersion)}, seed ${s.seed}${s.isolation !== undefined ? `, isolation ${s.isolation}` : ""}.</p>
</body>
</html>
`;
}

// Every entry of the paths graded: graded as which id, or not and why.
function entriesHtml(s: BatchSummary): string {
  if (s.entries === undefined) return "";
  const rows = s.entries.map((e) => `<tr><td>${escapeHtml(e.entry)}</td><td>${escapeHtml(entryOutcome(e))}</td></tr>`);
  return `<h2>Every entry</h2>
<table>
<thead><tr><th>Entry</th><th>What became of it</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Writes summary.json, grades.csv and summary.html into `dir`, each atomically. */
export function writeSummary(dir: string, s: BatchSummary): void {
  writeAtomic(path.join(dir, "summary.json"), JSON.stringify(s, null, 2) + "\n");
  writeAtomic(path.join(dir, "grades.csv"), gradesCsv(s));
  writeAtomic(path.join(dir, "summary.html"), summaryHtml(s));
}
