// Page-table pictures as inline SVG, drawn from the scenario timeline
// (solution/src/scenario/timeline.ts): each process's page table as a
// column of runs of similar pages, the physical frames they map with their
// reference counts, and the faulting PTE outlined. The student report puts
// "your kernel" next to "the reference kernel"; the handout draws fork's
// steps with it.
//
//   const t = buildTimeline(loadScenario("fork-then-write.json"));
//   const svg = drawPageTables(panelOf(t.steps[4]!, { caption: "after the child's write" }));
//
// Every function is pure and returns markup with all text escaped, so a
// process name taken from a scenario file cannot inject anything.

import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import { ProcessView, PteRun, StepView } from "../../solution/src/scenario/timeline";

/** One picture: some processes' page tables at one moment. */
export interface PageTablePanel {
  /** Said above the picture, e.g. "before the step" or "your kernel". */
  readonly caption: string;
  readonly processes: readonly ProcessView[];
  /** The PTE to outline (a faulting one): which process, and an address in the page. */
  readonly highlight: { readonly pid: number; readonly va: number } | null;
}

export interface DrawOptions {
  /** Runs shown per process (and frame groups in the memory column) before "... N more"; 24 by default. */
  readonly maxRows?: number;
  /** Draw the colour key under the picture; true by default. */
  readonly legend?: boolean;
  /** The least width of the picture: pictures shown side by side at one scale share it (see naturalWidth). */
  readonly width?: number;
}

/** The width drawPageTables gives a panel of `processes` processes (without a legend or a width option). */
export function naturalWidth(processes: number): number {
  const { left, gap } = arrangement(processes);
  const right = processes - left;
  return Math.max(left * (COL + gap) + MEM + (right > 0 ? right * (COL + gap) : 0), MEM);
}

/**
 * Where the memory column goes: after one process, between two (connectors
 * on both sides), after all of three or more (then without connectors, and
 * the columns closer together).
 */
function arrangement(processes: number): { left: number; connect: boolean; gap: number } {
  const connect = processes <= 2;
  return { left: processes === 2 ? 1 : processes, connect, gap: connect ? SPACE : GAP_NO_LINES };
}

/** The fault a step took first, if any: where the picture should look. */
export function firstFault(step: StepView): { pid: number; va: number; resolution: string } | null {
  for (const e of step.events) if (e.kind === "fault") return { pid: e.pid, va: e.va, resolution: e.resolution };
  return null;
}

/** A panel of every process at `step`, outlining the first fault taken during it (or `highlight`). */
export function panelOf(
  step: StepView,
  options: { caption: string; highlight?: PageTablePanel["highlight"] | undefined },
): PageTablePanel {
  const fault = firstFault(step);
  const highlight = options.highlight !== undefined ? options.highlight : fault && { pid: fault.pid, va: fault.va };
  return { caption: options.caption, processes: step.processes, highlight };
}

/** Fill colours by reference count: 1, 2, 3, 4 or more. */
export const REF_COLOURS: readonly string[] = ["#cdebd3", "#fde3a0", "#f9bf86", "#f2a0a0"];

/** The fill for a frame with `ref` references. */
export function refColour(ref: number): string {
  return REF_COLOURS[Math.min(Math.max(ref, 1), REF_COLOURS.length) - 1]!;
}

/** Escapes text for SVG and HTML, in text and in attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- layout -----------------------------------------------------------------

const ROW = 22; // height of one run's row
const GAP = 4; // between rows
const HEAD = 44; // column header
const TOP = 26; // caption
const COL = 256; // a process column
const MEM = 170; // the memory column
const SPACE = 44; // between columns, room for the connectors
const GAP_NO_LINES = 16; // between columns when there are no connectors
const CHAR = 6.7; // width of one monospace character at 11px
const HIGHLIGHT = "#d62828";
const LEGEND_STEP = 124; // between the legend's entries
const LEGEND_WIDTH = 8 + 5 * LEGEND_STEP;

interface Row {
  readonly run: PteRun;
  readonly highlighted: boolean;
}

/** A group of consecutive frames with the same reference count, mapped by the same processes. */
interface FrameGroup {
  readonly frame: number;
  readonly count: number;
  readonly ref: number;
  readonly owners: readonly string[];
  readonly highlighted: boolean;
}

/** The panel as one <svg> element. */
export function drawPageTables(panel: PageTablePanel, options: DrawOptions = {}): string {
  const maxRows = options.maxRows ?? 24;
  const legend = options.legend ?? true;
  const procs = panel.processes;
  const rowsOf = (p: ProcessView): Row[] => {
    const hl = panel.highlight !== null && panel.highlight.pid === p.pid ? panel.highlight.va : null;
    return splitAt(p.runs, hl).map((run) => ({ run, highlighted: hl !== null && contains(run, hl) }));
  };
  const columns = procs.map((p) => ({ proc: p, rows: rowsOf(p) }));
  const groups = frameGroups(columns);

  const { left, connect, gap } = arrangement(columns.length);
  const memX = left * (COL + gap);
  const xOf = (i: number): number => (i < left ? i * (COL + gap) : memX + MEM + gap + (i - left) * (COL + gap));
  const width = Math.max(xOf(columns.length - 1) + COL, memX + MEM, legend ? LEGEND_WIDTH : 0, options.width ?? 0);

  const parts: string[] = [];
  const shown = groups.slice(0, groups.length > maxRows ? maxRows - 1 : maxRows);
  const groupY = (g: number): number => TOP + HEAD + g * (ROW + GAP);
  let bottom = TOP + HEAD + Math.max(1, shown.length + (groups.length > shown.length ? 1 : 0)) * (ROW + GAP);

  columns.forEach((c, i) => {
    const x = xOf(i);
    const drawn = drawColumn(c.proc, c.rows, x, maxRows);
    parts.push(drawn.svg);
    bottom = Math.max(bottom, drawn.bottom);
    if (!connect) return;
    const fromRight = i < left;
    drawn.rows.forEach((row, r) => {
      const y = TOP + HEAD + r * (ROW + GAP) + ROW / 2;
      shown.forEach((g, gi) => {
        if (!overlaps(row.run, g)) return;
        const x1 = fromRight ? x + COL : x;
        const x2 = fromRight ? memX : memX + MEM;
        const y2 = groupY(gi) + ROW / 2;
        const mid = (x1 + x2) / 2;
        const colour = row.highlighted ? HIGHLIGHT : "#7b8794";
        parts.push(
          `<path d="M${x1} ${y} C${mid} ${y} ${mid} ${y2} ${x2} ${y2}" fill="none" stroke="${colour}" stroke-width="${row.highlighted ? 2 : 1}"/>`,
        );
      });
    });
  });
  parts.push(drawMemory(groups, shown, memX, procs.length > 0));

  let height = bottom + 8;
  if (legend) {
    parts.push(drawLegend(8, height + 4));
    height += 34;
  }
  const caption = `<text x="0" y="16" class="pt-caption">${escapeXml(panel.caption)}</text>`;
  const label = `${panel.caption}: page tables of ${procs.map((p) => p.name).join(", ") || "no process"}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="pt-figure" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(label)}</title>`,
    STYLE,
    caption,
    ...parts,
    `</svg>`,
  ].join("\n");
}

const STYLE = `<style>
.pt-caption { font-weight: 600; font-size: 13px; fill: #1f2933; }
.pt-head { font-weight: 600; fill: #1f2933; }
.pt-sub { font-size: 11px; fill: #52606d; }
.pt-mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; fill: #1f2933; }
.pt-chip { font-size: 10px; }
.pt-cow { font-size: 10px; font-weight: 700; fill: #8a4b00; }
.pt-more { font-size: 11px; fill: #52606d; font-style: italic; }
</style>`;

// A process's column: a header, then one row per run.
function drawColumn(
  p: ProcessView,
  rows: readonly Row[],
  x: number,
  maxRows: number,
): { svg: string; bottom: number; rows: readonly Row[] } {
  const out: string[] = [];
  const live = p.state === "running";
  out.push(`<g class="pt-process" data-process="${escapeXml(p.name)}">`);
  out.push(
    `<rect x="${x}" y="${TOP}" width="${COL}" height="${HEAD - 6}" rx="4" fill="${live ? "#e4e7eb" : "#f5f7fa"}"/>`,
  );
  out.push(`<text x="${x + 8}" y="${TOP + 16}" class="pt-head">${escapeXml(`${p.name} (pid ${p.pid})`)}</text>`);
  const sub = live
    ? `${p.asid === 0 ? "no ASID yet" : `ASID ${p.asid}`}, root page table in frame ${p.root ?? "none"}`
    : p.killedBy !== null
      ? `killed by ${p.killedBy}: no page table left`
      : `${p.state}: no page table left`;
  out.push(`<text x="${x + 8}" y="${TOP + 31}" class="pt-sub">${escapeXml(sub)}</text>`);
  const visible = rows.length > maxRows ? rows.slice(0, maxRows - 1) : rows;
  let y = TOP + HEAD;
  if (live && rows.length === 0) {
    out.push(`<text x="${x + 8}" y="${y + 15}" class="pt-more">no pages mapped</text>`);
    y += ROW + GAP;
  }
  for (const row of visible) {
    out.push(drawRow(row, x, y));
    y += ROW + GAP;
  }
  if (visible.length < rows.length) {
    out.push(
      `<text x="${x + 8}" y="${y + 15}" class="pt-more">... ${rows.length - visible.length} more runs of pages</text>`,
    );
    y += ROW + GAP;
  }
  out.push(`</g>`);
  return { svg: out.join("\n"), bottom: y, rows: visible };
}

// One run: its addresses, its permissions, its frames coloured by reference count.
function drawRow(row: Row, x: number, y: number): string {
  const r = row.run;
  const f = r.flags;
  const bit = (b: number, c: string): string => (f & b ? c : "-");
  const perms = `${bit(PTE_R, "r")}${bit(PTE_W, "w")}${bit(PTE_X, "x")} ${f & PTE_U ? "u" : "-"}`;
  const where = `0x${hex8(r.va)}${r.pages > 1 ? ` \u00d7${r.pages}` : ""}`;
  const range = r.pages === 1 ? `${r.frame}` : `${r.frame}\u2013${r.frame + r.pages - 1}`;
  // the chip holds 9 characters; a longer range shows its first frame (the memory column has the rest)
  const frames = range.length <= 9 ? range : `${r.frame}\u2026`;
  const chipX = x + COL - 64;
  const out = [
    `<g class="pt-run${row.highlighted ? " pt-fault" : ""}">`,
    `<title>${escapeXml(runTitle(r, row.highlighted))}</title>`,
    `<rect x="${x}" y="${y}" width="${COL}" height="${ROW}" rx="3" fill="${row.highlighted ? "#fdecec" : "#ffffff"}" stroke="${row.highlighted ? HIGHLIGHT : "#cbd2d9"}" stroke-width="${row.highlighted ? 2.5 : 1}"/>`,
    `<text x="${x + 6}" y="${y + 15}" class="pt-mono">${escapeXml(where)}</text>`,
    `<text x="${x + 6 + 17 * CHAR}" y="${y + 15}" class="pt-mono">${escapeXml(perms)}</text>`,
  ];
  if (f & PTE_COW) {
    out.push(`<rect x="${x + 160}" y="${y + 4}" width="28" height="14" rx="3" fill="#ffe8cc"/>`);
    out.push(`<text x="${x + 174}" y="${y + 15}" text-anchor="middle" class="pt-cow">COW</text>`);
  }
  out.push(`<rect x="${chipX}" y="${y + 2}" width="60" height="${ROW - 4}" rx="3" fill="${refColour(r.ref)}"/>`);
  out.push(
    `<text x="${chipX + 30}" y="${y + 15}" text-anchor="middle" class="pt-mono pt-chip">${escapeXml(frames)}</text>`,
  );
  out.push(`</g>`);
  return out.join("\n");
}

// The frames the page tables map, grouped, with their reference counts.
function drawMemory(groups: readonly FrameGroup[], shown: readonly FrameGroup[], x: number, any: boolean): string {
  const out = [`<g class="pt-memory">`];
  out.push(`<rect x="${x}" y="${TOP}" width="${MEM}" height="${HEAD - 6}" rx="4" fill="#e4e7eb"/>`);
  out.push(`<text x="${x + 8}" y="${TOP + 16}" class="pt-head">physical frames</text>`);
  out.push(`<text x="${x + 8}" y="${TOP + 31}" class="pt-sub">coloured by reference count</text>`);
  let y = TOP + HEAD;
  if (any && groups.length === 0) out.push(`<text x="${x + 8}" y="${y + 15}" class="pt-more">none mapped</text>`);
  for (const g of shown) {
    const frames = g.count === 1 ? `frame ${g.frame}` : `frames ${g.frame}\u2013${g.frame + g.count - 1}`;
    const refs = `ref ${g.ref}`;
    out.push(`<g class="pt-frame">`);
    out.push(`<title>${escapeXml(`${frames}: ${refs}, mapped by ${g.owners.join(", ")}`)}</title>`);
    out.push(
      `<rect x="${x}" y="${y}" width="${MEM}" height="${ROW}" rx="3" fill="${refColour(g.ref)}" stroke="${g.highlighted ? HIGHLIGHT : "#9aa5b1"}" stroke-width="${g.highlighted ? 2.5 : 1}"/>`,
    );
    out.push(`<text x="${x + 6}" y="${y + 15}" class="pt-mono">${escapeXml(frames)}</text>`);
    out.push(`<text x="${x + MEM - 6}" y="${y + 15}" text-anchor="end" class="pt-mono">${escapeXml(refs)}</text>`);
    out.push(`</g>`);
    y += ROW + GAP;
  }
  if (shown.length < groups.length) {
    out.push(`<text x="${x + 8}" y="${y + 15}" class="pt-more">... ${groups.length - shown.length} more groups</text>`);
  }
  out.push(`</g>`);
  return out.join("\n");
}

function drawLegend(x: number, y: number): string {
  const items = ["1 reference", "2 references", "3 references", "4 or more"];
  const out = [`<g class="pt-legend">`];
  items.forEach((text, i) => {
    const ix = x + i * LEGEND_STEP;
    out.push(`<rect x="${ix}" y="${y}" width="16" height="14" rx="2" fill="${REF_COLOURS[i]!}" stroke="#9aa5b1"/>`);
    out.push(`<text x="${ix + 22}" y="${y + 11}" class="pt-sub">${text}</text>`);
  });
  const hx = x + items.length * LEGEND_STEP;
  out.push(
    `<rect x="${hx}" y="${y}" width="16" height="14" rx="2" fill="#ffffff" stroke="${HIGHLIGHT}" stroke-width="2.5"/>`,
  );
  out.push(`<text x="${hx + 22}" y="${y + 11}" class="pt-sub">the faulting page</text>`);
  out.push(`</g>`);
  return out.join("\n");
}

// --- data -------------------------------------------------------------------

/** `runs` with the run holding `va` split so that va's page is a run of its own. */
export function splitAt(runs: readonly PteRun[], va: number | null): PteRun[] {
  if (va === null) return [...runs];
  const page = Math.floor(va / PGSIZE) * PGSIZE;
  return runs.flatMap((r) => {
    if (!contains(r, page) || r.pages === 1) return [r];
    const i = (page - r.va) / PGSIZE;
    const piece = (from: number, pages: number): PteRun => ({
      ...r,
      va: r.va + from * PGSIZE,
      frame: r.frame + from,
      pages,
    });
    return [...(i > 0 ? [piece(0, i)] : []), piece(i, 1), ...(i + 1 < r.pages ? [piece(i + 1, r.pages - i - 1)] : [])];
  });
}

/** The frames mapped by the columns, in frame order, grouped by reference count and owners. */
function frameGroups(columns: readonly { proc: ProcessView; rows: readonly Row[] }[]): FrameGroup[] {
  const frames = new Map<number, { ref: number; owners: Set<string>; highlighted: boolean }>();
  for (const c of columns) {
    for (const row of c.rows) {
      for (let i = 0; i < row.run.pages; i++) {
        const f = frames.get(row.run.frame + i) ?? { ref: row.run.ref, owners: new Set<string>(), highlighted: false };
        f.owners.add(c.proc.name);
        f.highlighted ||= row.highlighted;
        frames.set(row.run.frame + i, f);
      }
    }
  }
  const groups: { frame: number; count: number; ref: number; owners: string[]; highlighted: boolean }[] = [];
  for (const n of [...frames.keys()].sort((a, b) => a - b)) {
    const f = frames.get(n)!;
    const owners = [...f.owners];
    const last = groups[groups.length - 1];
    if (
      last !== undefined &&
      last.frame + last.count === n &&
      last.ref === f.ref &&
      last.highlighted === f.highlighted &&
      last.owners.join("\0") === owners.join("\0")
    ) {
      last.count++;
      continue;
    }
    groups.push({ frame: n, count: 1, ref: f.ref, owners, highlighted: f.highlighted });
  }
  return groups;
}

function contains(r: PteRun, va: number): boolean {
  return va >= r.va && va < r.va + r.pages * PGSIZE;
}

function overlaps(r: PteRun, g: FrameGroup): boolean {
  return r.frame < g.frame + g.count && g.frame < r.frame + r.pages;
}

function runTitle(r: PteRun, highlighted: boolean): string {
  const end = r.va + r.pages * PGSIZE - 1;
  const f = r.flags;
  const can = [f & PTE_R ? "read" : "", f & PTE_W ? "write" : "", f & PTE_X ? "execute" : ""].filter(Boolean);
  const pages = r.pages === 1 ? "1 page" : `${r.pages} pages`;
  const frames = r.pages === 1 ? `frame ${r.frame}` : `frames ${r.frame} to ${r.frame + r.pages - 1}`;
  const refs = r.ref === 1 ? "1 reference" : `${r.ref} references`;
  return (
    `0x${hex8(r.va)} to 0x${hex8(end)}: ${pages}, ${can.length > 0 ? can.join(" and ") : "no access"}` +
    `${f & PTE_U ? "" : " (kernel only)"}${f & PTE_COW ? ", copy-on-write" : ""}; ${frames}, ${refs}${r.pages > 1 ? " each" : ""}` +
    (highlighted ? "; the page that faulted" : "")
  );
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
