// Two small charts as inline SVG, for the handout's measurements: grouped
// vertical bars on a logarithmic axis (fork's cost, which spans four powers
// of ten) and stacked horizontal bars (a process's pages, shared and
// private). The SVG is plain text with no script, the same on every build.

/** A named series of values and its colour. */
export interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: readonly number[];
}

export interface ChartSpec {
  /** Read out by screen readers and shown as a tooltip. */
  readonly title: string;
  /** One label per group (vertical chart) or bar (horizontal chart). */
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** What the numbers count, e.g. "simulated cycles". */
  readonly unit: string;
}

const FONT = `font-family="system-ui, 'DejaVu Sans', sans-serif"`;
const INK = "#222";
const GRID = "#d0d0d0";

/**
 * Groups of vertical bars, one group per category and one bar per series,
 * on a logarithmic scale with a line at every power of ten. Values must be
 * positive.
 */
export function groupedBarsLog(spec: ChartSpec): string {
  checkSpec(spec);
  const all = spec.series.flatMap((s) => s.values);
  if (all.some((v) => !(v > 0))) throw new Error(`Chart "${spec.title}": a logarithmic axis needs positive values`);
  // a decade below the smallest value when it sits near a power of ten, so its bar shows
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all) / 2));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const W = 640;
  const H = 320;
  const left = 64;
  const right = 12;
  const top = 40;
  const bottom = 36;
  const plotH = H - top - bottom;
  const y = (v: number) => top + plotH * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const out: string[] = [open(W, H, spec.title)];
  for (let p = lo; p <= hi; p *= 10) {
    const yy = fmt(y(p));
    out.push(`<line x1="${left}" y1="${yy}" x2="${W - right}" y2="${yy}" stroke="${GRID}"/>`);
    out.push(text(left - 6, y(p) + 4, short(p), "end"));
  }
  out.push(
    text(
      14,
      top + plotH / 2,
      spec.unit + " (log scale)",
      "middle",
      `transform="rotate(-90 14 ${fmt(top + plotH / 2)})"`,
    ),
  );
  const groupW = (W - left - right) / spec.categories.length;
  const barW = Math.min(56, (groupW * 0.7) / spec.series.length);
  spec.categories.forEach((cat, i) => {
    const x0 = left + groupW * i + (groupW - barW * spec.series.length) / 2;
    spec.series.forEach((s, j) => {
      const v = s.values[i]!;
      const x = x0 + barW * j;
      const yy = y(v);
      out.push(
        `<rect x="${fmt(x)}" y="${fmt(yy)}" width="${fmt(barW - 4)}" height="${fmt(top + plotH - yy)}" fill="${s.colour}"><title>${esc(`${cat}, ${s.name}: ${v} ${spec.unit}`)}</title></rect>`,
      );
      out.push(text(x + (barW - 4) / 2, yy - 4, short(v), "middle", `font-size="11"`));
    });
    out.push(text(left + groupW * i + groupW / 2, H - bottom + 18, cat, "middle"));
  });
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}" stroke="${INK}"/>`);
  out.push(legend(spec.series, left, 16));
  out.push("</svg>");
  return out.join("\n");
}

/** One horizontal bar per category, its series stacked left to right, on a linear scale from 0. */
export function stackedBarsHorizontal(spec: ChartSpec): string {
  checkSpec(spec);
  const totals = spec.categories.map((_c, i) => spec.series.reduce((t, s) => t + s.values[i]!, 0));
  if (spec.series.some((s) => s.values.some((v) => v < 0)))
    throw new Error(`Chart "${spec.title}": stacked bars need values of 0 or more`);
  const max = niceCeiling(Math.max(1, ...totals));
  const W = 640;
  const left = 200;
  const right = 24;
  const top = 40;
  const rowH = 26;
  const bottom = 40;
  const H = top + rowH * spec.categories.length + bottom;
  const plotW = W - left - right;
  const x = (v: number) => left + (plotW * v) / max;
  const out: string[] = [open(W, H, spec.title)];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    out.push(`<line x1="${fmt(x(v))}" y1="${top - 4}" x2="${fmt(x(v))}" y2="${H - bottom}" stroke="${GRID}"/>`);
    out.push(text(x(v), H - bottom + 16, String(v), "middle"));
  }
  out.push(text(left + plotW / 2, H - 6, spec.unit, "middle"));
  spec.categories.forEach((cat, i) => {
    const yy = top + rowH * i;
    out.push(text(left - 8, yy + rowH / 2 + 4, cat, "end"));
    let at = 0;
    for (const s of spec.series) {
      const v = s.values[i]!;
      if (v > 0) {
        out.push(
          `<rect x="${fmt(x(at))}" y="${yy + 4}" width="${fmt(x(at + v) - x(at))}" height="${rowH - 8}" fill="${s.colour}"><title>${esc(`${cat}: ${v} ${s.name}`)}</title></rect>`,
        );
      }
      at += v;
    }
  });
  out.push(legend(spec.series, left, 16));
  out.push("</svg>");
  return out.join("\n");
}

function checkSpec(spec: ChartSpec): void {
  if (spec.categories.length === 0 || spec.series.length === 0)
    throw new Error(`Chart "${spec.title}": nothing to draw (no categories or no series)`);
  for (const s of spec.series) {
    if (s.values.length !== spec.categories.length)
      throw new Error(
        `Chart "${spec.title}": series "${s.name}" has ${s.values.length} values for ${spec.categories.length} categories`,
      );
  }
}

function open(w: number, h: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}" ${FONT} font-size="12" fill="${INK}">` +
    `<title>${esc(title)}</title>`
  );
}

function legend(series: readonly Series[], x: number, y: number): string {
  let at = x;
  const parts: string[] = [];
  for (const s of series) {
    parts.push(`<rect x="${at}" y="${y - 10}" width="12" height="12" fill="${s.colour}"/>`);
    parts.push(text(at + 18, y, s.name, "start"));
    at += 30 + s.name.length * 6.5;
  }
  return parts.join("\n");
}

function text(x: number, y: number, s: string, anchor: "start" | "middle" | "end", extra = ""): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" text-anchor="${anchor}"${extra === "" ? "" : " " + extra}>${esc(s)}</text>`;
}

/** A number in a few characters: 950, 10.1k, 610k, 30.1M. */
export function short(v: number): string {
  for (const [unit, div] of [
    ["G", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ] as const) {
    if (v >= div) {
      const q = v / div;
      return `${q >= 100 ? Math.round(q) : Number(q.toPrecision(3))}${unit}`;
    }
  }
  return String(Number(v.toPrecision(3)));
}

// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least v.
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Text made safe for SVG and HTML: & < > " escaped. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
