// The class summary's charts as inline SVG: a histogram of scores and a
// dot plot of a threshold's figure across the class against the
// reference's (the pass rates are HTML rows, which wrap to the page).
// Pure functions returning markup with every piece of text escaped; no
// text smaller than 11 px.

import { escapeHtml } from "./_text";

/** One bar of a histogram. */
export interface Bin {
  readonly label: string;
  readonly count: number;
}

const FONT = `font-family="system-ui, sans-serif" font-size="12"`;
const INK = "#1f2933";
const MUTED = "#52606d";
const GRID = "#e4e7eb";

function svgOpen(width: number, height: number, label: string, cls: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" ${FONT}>` +
    `<title>${escapeHtml(label)}</title>`
  );
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escapeHtml(s)}</text>`;
}

/**
 * Score bins: one per point up to 20 points, else ten of equal whole width
 * ("0\u201311", "12\u201323", ...); a score goes in the bin holding its whole part.
 */
export function scoreBins(scores: readonly number[], maxScore: number): Bin[] {
  const top = Math.max(0, Math.ceil(maxScore));
  const width = top <= 20 ? 1 : Math.ceil((top + 1) / 10);
  const n = Math.floor(top / width) + 1;
  const counts = new Array<number>(n).fill(0);
  for (const s of scores) counts[Math.max(0, Math.min(n - 1, Math.floor(Math.floor(s) / width)))]!++;
  return counts.map((count, i) => {
    const lo = i * width;
    const hi = Math.min(lo + width - 1, top);
    return { label: lo === hi ? String(lo) : `${lo}\u2013${hi}`, count };
  });
}

/** A vertical bar chart of `bins`, each bar labelled with its count. */
export function histogram(bins: readonly Bin[], options: { label: string; xTitle: string }): string {
  const left = 36;
  const top = 16;
  const plotH = 160;
  const barW = Math.max(14, Math.min(48, Math.floor(640 / Math.max(1, bins.length))));
  const width = left + bins.length * barW + 12;
  const height = top + plotH + 44;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const out = [svgOpen(width, height, options.label, "histogram")];
  for (const t of ticks(max)) {
    const y = top + plotH - (t / max) * plotH;
    out.push(`<line x1="${left}" x2="${width - 8}" y1="${y}" y2="${y}" stroke="${GRID}"/>`);
    out.push(text(left - 6, y + 4, String(t), `text-anchor="end" fill="${MUTED}"`));
  }
  bins.forEach((b, i) => {
    const h = (b.count / max) * plotH;
    const x = left + i * barW;
    out.push(
      `<rect class="chart-bar" x="${x + 2}" y="${top + plotH - h}" width="${barW - 4}" height="${h}" fill="#3e7cb1"><title>${escapeHtml(`${b.label}: ${b.count}`)}</title></rect>`,
    );
    if (b.count > 0)
      out.push(text(x + barW / 2, top + plotH - h - 4, String(b.count), `text-anchor="middle" fill="${INK}"`));
    out.push(text(x + barW / 2, top + plotH + 16, b.label, `text-anchor="middle" fill="${MUTED}" font-size="11"`));
  });
  out.push(`<line x1="${left}" x2="${width - 8}" y1="${top + plotH}" y2="${top + plotH}" stroke="${MUTED}"/>`);
  out.push(text(left + (bins.length * barW) / 2, height - 6, options.xTitle, `text-anchor="middle" fill="${MUTED}"`));
  out.push("</svg>");
  return out.join("\n");
}

/**
 * A dot per submission on a number line of the figure, stacked where
 * values repeat, with the reference's figure (full credit at or below it)
 * and the worst (no credit at or beyond it) marked.
 */
export function dotPlot(values: readonly number[], marks: { reference: number; worst: number; label: string }): string {
  const left = 24;
  const plotW = 600;
  const dot = 8;
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const stack = Math.max(1, ...counts.values());
  const hi = Math.max(marks.worst, marks.reference, ...values, 1);
  const lo = Math.min(0, ...values);
  const x = (v: number): number => left + ((v - lo) / (hi - lo)) * plotW;
  const base = 30 + Math.min(stack, 12) * dot;
  const width = left + plotW + 40;
  const height = base + 40;
  const out = [svgOpen(width, height, marks.label, "dot-plot")];
  out.push(`<rect x="${x(lo)}" y="14" width="${x(marks.reference) - x(lo)}" height="${base - 14}" fill="#e3f4e6"/>`);
  out.push(
    `<rect x="${x(marks.worst)}" y="14" width="${x(hi) - x(marks.worst)}" height="${base - 14}" fill="#fbe4e4"/>`,
  );
  out.push(`<line x1="${x(lo)}" x2="${x(hi)}" y1="${base}" y2="${base}" stroke="${MUTED}"/>`);
  for (const t of ticks(hi - lo)) {
    const v = lo + t;
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${base}" y2="${base + 4}" stroke="${MUTED}"/>`);
    out.push(text(x(v), base + 16, String(v), `text-anchor="middle" fill="${MUTED}" font-size="11"`));
  }
  out.push(
    `<line class="reference" x1="${x(marks.reference)}" x2="${x(marks.reference)}" y1="10" y2="${base}" stroke="#1b7a3a" stroke-width="2"/>`,
  );
  out.push(text(x(marks.reference) + 4, 11, `reference ${marks.reference}`, `fill="#1b7a3a" font-size="11"`));
  out.push(
    `<line x1="${x(marks.worst)}" x2="${x(marks.worst)}" y1="10" y2="${base}" stroke="#b42318" stroke-width="2"/>`,
  );
  out.push(text(x(marks.worst) - 4, 11, `worst ${marks.worst}`, `fill="#b42318" font-size="11" text-anchor="end"`));
  for (const [v, n] of [...counts].sort((a, b) => a[0] - b[0])) {
    const shown = Math.min(n, 12);
    for (let k = 0; k < shown; k++) {
      out.push(
        `<circle class="dot" cx="${x(v)}" cy="${base - dot / 2 - k * dot}" r="${dot / 2 - 0.5}" fill="#3e7cb1"><title>${escapeHtml(`${v}: ${n} submission${n === 1 ? "" : "s"}`)}</title></circle>`,
      );
    }
    if (n > shown)
      out.push(text(x(v), base - shown * dot - 2, `${n}`, `text-anchor="middle" fill="${INK}" font-size="11"`));
  }
  out.push(
    text(left, height - 6, "each dot: one submission whose scenario ran correctly", `fill="${MUTED}" font-size="11"`),
  );
  out.push("</svg>");
  return out.join("\n");
}

/** Round tick values from 0 to `max` (at most about 6). */
function ticks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw);
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Math.round(t * 1000) / 1000);
  return out;
}
