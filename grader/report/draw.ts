// Page-table pictures as inline SVG, drawn from the scenario timeline
// (solution/src/scenario/timeline.ts): each live process's page table as a
// column of runs of similar pages, and between the tables the physical
// frames they use: the pages' frames coloured by reference count, the
// page-table pages themselves, and frames allocated that nobody uses any
// more (a leak). Tables stack on either side of the frames column, so each
// is beside it and linked; a process without a page table (exited, killed)
// is a line under the caption, so the frames column stays between the
// tables it links. The student report puts "your kernel" next to "the reference
// kernel"; the handout draws fork's steps with it.
//
//   const t = buildTimeline(loadScenario("fork-then-write.json"));
//   const svg = drawPageTables(panelOf(t.steps[4]!, { caption: "after the child's write" }));
//
// Pictures are drawn at their natural size (the CSS must not shrink them):
// every text is at least 11 px. Every function is pure and returns markup
// with all text escaped, so a process name taken from a scenario file
// cannot inject anything.

import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import { LeakedFrame, ProcessView, PteRun, StepView } from "../../solution/src/scenario/timeline";

/** One picture: some processes' page tables at one moment. */
export interface PageTablePanel {
  /** Said above the picture, e.g. "before the step" or "your kernel". */
  readonly caption: string;
  readonly processes: readonly ProcessView[];
  /** The PTE to outline (a faulting one): which process, and an address in the page. */
  readonly highlight: { readonly pid: number; readonly va: number } | null;
  /** Allocated frames no process uses, drawn as leaked; none when not given. */
  readonly leaked?: readonly LeakedFrame[];
}

export interface DrawOptions {
  /** Runs shown per process (and rows in the frames column) before "... N more"; 24 by default. */
  readonly maxRows?: number;
  /** Draw the colour key under the picture; true by default. */
  readonly legend?: boolean;
  /** The least width of the picture: pictures shown side by side at one scale share it (see naturalWidth). */
  readonly width?: number;
}

/** Whether a process has a page table to draw (it has not exited or been killed). */
export function hasPageTable(p: ProcessView): boolean {
  return p.state === "running" && p.root !== null;
}

/** The width drawPageTables gives a panel of `processes` (without a legend or a width option). */
export function naturalWidth(processes: readonly ProcessView[]): number {
  return arrangement(processes.filter(hasPageTable).length).width;
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
  return { caption: options.caption, processes: step.processes, highlight, leaked: step.leaked ?? [] };
}

/** Fill colours by reference count: 1, 2, 3, 4 or more. */
export const REF_COLOURS: readonly string[] = ["#cdebd3", "#fde3a0", "#f9bf86", "#f2a0a0"];
/** The fill of a page-table page in the frames column. */
export const TABLE_COLOUR = "#d9e2ec";

/** The fill of a frame with no reference left (free, yet still mapped: a use after free). */
export const FREE_COLOUR = "#ffffff";

/** The fill for a frame with `ref` references. */
export function refColour(ref: number): string {
  return ref <= 0 ? FREE_COLOUR : REF_COLOURS[Math.min(ref, REF_COLOURS.length) - 1]!;
}

/** Escapes text for SVG and HTML, in text and in attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- layout -----------------------------------------------------------------

const ROW = 22; // height of one run's row
const GAP = 4; // between rows
const HEAD = 40; // column header
const CAPTION = 24; // the caption's band
const NOTE = 17; // a line for a process without a page table
const COL = 190; // a process's table
const MEM = 146; // the frames column
const SPACE = 26; // between a process column and the frames column, room for the connectors
const STACK_GAP = 12; // between two tables stacked on one side
const CHAR = 6.62; // width of one DejaVu Sans Mono character at 11px
const HIGHLIGHT = "#d62828";
const LEAK = "#b42318";
const LEGEND_STEP = 118; // between the legend's entries
const LEGEND_ROW = 20;
const NAME_CHARS = 22; // a process's name in its header, at most
const OWNER_CHARS = 7; // a process's name in the frames column, at most

/**
 * Where the tables go for `live` processes with page tables: the first
 * (half) stacked left of the frames column, the rest stacked right of it, so
 * that the frames column sits between the tables it links and every table
 * is beside it (each row's connector reaches its frames).
 */
function arrangement(live: number): { left: number; memX: number; width: number } {
  // 1 of 2 or 3 left, so that a table stays on its side when another process starts
  const left = live === 0 ? 0 : Math.max(1, Math.floor(live / 2));
  const memX = left === 0 ? 0 : COL + SPACE;
  const width = live > left ? memX + MEM + SPACE + COL : memX + MEM;
  return { left, memX, width };
}

interface Row {
  readonly run: PteRun;
  readonly highlighted: boolean;
}

/** What a row of the frames column holds. */
type FrameKind = "page" | "table" | "leaked" | "leaked-table";

/** Consecutive frames of one kind, with the same reference count, used by the same processes. */
interface FrameGroup {
  readonly frame: number;
  readonly count: number;
  readonly ref: number;
  readonly kind: FrameKind;
  readonly owners: readonly string[];
  readonly highlighted: boolean;
}

/** A column to draw: a live process and its rows. */
interface Column {
  readonly proc: ProcessView;
  readonly rows: readonly Row[];
}

/** The panel as one <svg> element. */
export function drawPageTables(panel: PageTablePanel, options: DrawOptions = {}): string {
  const maxRows = options.maxRows ?? 24;
  const columns = panel.processes.filter(hasPageTable).map((p) => ({ proc: p, rows: rowsOf(p, panel.highlight) }));
  const gone = panel.processes.filter((p) => !hasPageTable(p));
  const frames = frameRows(frameGroups(columns), leakGroups(panel.leaked ?? []), maxRows);
  const lay = arrangement(columns.length);
  const top = CAPTION + gone.length * NOTE;
  const width = Math.max(lay.width, options.width ?? 0);

  const parts: string[] = gone.map((p, k) => goneLine(p, CAPTION + k * NOTE + 13));
  let bottom = top + HEAD + Math.max(1, frames.rows.length) * (ROW + GAP);
  const next = [top, top]; // where the next table goes on the left and on the right
  columns.forEach((c, i) => {
    const side = i < lay.left ? 0 : 1;
    const x = side === 0 ? 0 : lay.memX + MEM + SPACE;
    const drawn = drawColumn(c, { x, top: next[side]! }, maxRows);
    parts.push(drawn.svg);
    parts.push(
      connectors(c, drawn.rows, frames.shown, {
        x,
        side: side === 0 ? "right" : "left",
        top: next[side]!,
        memTop: top,
        memX: lay.memX,
      }),
    );
    next[side] = drawn.bottom + STACK_GAP;
    bottom = Math.max(bottom, drawn.bottom);
  });
  parts.push(drawMemory(frames, lay.memX, top, panel.processes.length > 0 || frames.rows.length > 0));

  let height = bottom + 8;
  if (options.legend ?? true) {
    const legend = drawLegend(8, height + 4, width);
    parts.push(legend.svg);
    height += legend.height + 8;
  }
  const names = panel.processes.map((p) => p.name).join(", ") || "no process";
  const label = `${panel.caption}: page tables of ${names}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="pt-figure" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(label)}</title>`,
    STYLE,
    `<text x="0" y="16" class="pt-caption">${escapeXml(panel.caption)}</text>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}

const STYLE = `<style>
.pt-caption { font-weight: 600; font-size: 13px; fill: #1f2933; }
.pt-head { font-weight: 600; fill: #1f2933; }
.pt-sub { font-size: 11px; fill: #52606d; }
.pt-mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; fill: #1f2933; }
.pt-cow { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; font-weight: 700; fill: #8a4b00; }
.pt-more { font-size: 11px; fill: #52606d; font-style: italic; }
.pt-leak { font-size: 11px; font-weight: 600; fill: ${LEAK}; }
</style>`;

/** `p`'s runs with the highlighted page split out of its run and marked. */
function rowsOf(p: ProcessView, highlight: PageTablePanel["highlight"]): Row[] {
  const hl = highlight !== null && highlight.pid === p.pid ? highlight.va : null;
  return splitAt(p.runs, hl).map((run) => ({ run, highlighted: hl !== null && contains(run, hl) }));
}

/** "C (pid 2) exited: no page table left", a line under the caption. */
function goneLine(p: ProcessView, y: number): string {
  const how = p.killedBy !== null ? `killed by ${p.killedBy}` : p.state;
  const text = `${fit(p.name, NAME_CHARS)} (pid ${p.pid}) ${how}: no page table left`;
  return `<text x="0" y="${y}" class="pt-sub pt-gone">${escapeXml(text)}</text>`;
}

/** A name cut to `n` characters, the cut marked with an ellipsis. */
function fit(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}\u2026`;
}

// A process's column: a header, then one row per run.
function drawColumn(
  c: Column,
  at: { x: number; top: number },
  maxRows: number,
): { svg: string; bottom: number; rows: readonly Row[] } {
  const { proc: p, rows } = c;
  const { x, top } = at;
  const col = COL;
  const out = [`<g class="pt-process" data-process="${escapeXml(p.name)}">`];
  out.push(`<rect x="${x}" y="${top}" width="${col}" height="${HEAD - 6}" rx="4" fill="#e4e7eb"/>`);
  out.push(
    `<text x="${x + 8}" y="${top + 15}" class="pt-head">${escapeXml(`${fit(p.name, NAME_CHARS)} (pid ${p.pid})`)}</text>`,
  );
  const sub = `${p.asid === 0 ? "no ASID yet" : `ASID ${p.asid}`}, root in frame ${p.root ?? "none"}`;
  out.push(`<text x="${x + 8}" y="${top + 29}" class="pt-sub">${escapeXml(sub)}</text>`);
  const visible = rows.length > maxRows ? rows.slice(0, maxRows - 1) : rows;
  let y = top + HEAD;
  if (rows.length === 0) {
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

// One run: its addresses and permissions, and its frames' reference count
// as a colour (the frame numbers are in the frames column, at the connector's end).
function drawRow(row: Row, x: number, y: number): string {
  const r = row.run;
  const f = r.flags;
  const bit = (b: number, c: string): string => (f & b ? c : "-");
  const perms = `${bit(PTE_R, "r")}${bit(PTE_W, "w")}${bit(PTE_X, "x")} ${f & PTE_U ? "u" : "-"}`;
  const out = [
    `<g class="pt-run${row.highlighted ? " pt-fault" : ""}">`,
    `<title>${escapeXml(runTitle(r, row.highlighted))}</title>`,
    `<rect x="${x}" y="${y}" width="${COL}" height="${ROW}" rx="3" fill="${row.highlighted ? "#fdecec" : "#ffffff"}" stroke="${row.highlighted ? HIGHLIGHT : "#cbd2d9"}" stroke-width="${row.highlighted ? 2.5 : 1}"/>`,
    `<text x="${x + 6}" y="${y + 15}" class="pt-mono">0x${hex8(r.va)}</text>`,
    `<text x="${x + 6 + 10.6 * CHAR}" y="${y + 15}" class="pt-mono">${r.pages > 1 ? `\u00d7${r.pages}` : ""}</text>`,
    `<text x="${x + 112}" y="${y + 15}" class="pt-mono">${escapeXml(perms)}</text>`,
  ];
  if (f & PTE_COW) {
    out.push(`<rect x="${x + 148}" y="${y + 4}" width="24" height="14" rx="3" fill="#ffe8cc"/>`);
    out.push(`<text x="${x + 160}" y="${y + 15}" text-anchor="middle" class="pt-cow">COW</text>`);
  }
  const edge = r.ref <= 0 ? ` stroke="${LEAK}"` : "";
  out.push(
    `<rect x="${x + COL - 14}" y="${y + 3}" width="10" height="${ROW - 6}" rx="2" fill="${refColour(r.ref)}"${edge}/>`,
  );
  out.push(`</g>`);
  return out.join("\n");
}

// Lines from a column's rows to the frames they map, and from its header to its page-table pages.
function connectors(
  c: Column,
  rows: readonly Row[],
  shown: readonly FrameGroup[],
  at: { x: number; side: "left" | "right"; top: number; memTop: number; memX: number },
): string {
  const x1 = at.side === "right" ? at.x + COL : at.x;
  const x2 = at.side === "right" ? at.memX : at.memX + MEM;
  const out: string[] = [];
  const curve = (y1: number, gi: number, attrs: string): void => {
    const y2 = at.memTop + HEAD + gi * (ROW + GAP) + ROW / 2;
    const mid = (x1 + x2) / 2;
    out.push(`<path d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" ${attrs}/>`);
  };
  rows.forEach((row, r) => {
    const y = at.top + HEAD + r * (ROW + GAP) + ROW / 2;
    shown.forEach((g, gi) => {
      if (g.kind !== "page" || !overlaps(row.run, g)) return;
      curve(y, gi, `stroke="${row.highlighted ? HIGHLIGHT : "#7b8794"}" stroke-width="${row.highlighted ? 2 : 1}"`);
    });
  });
  shown.forEach((g, gi) => {
    if (g.kind === "table" && g.owners.includes(c.proc.name))
      curve(at.top + (HEAD - 6) / 2, gi, `stroke="#7b8794" stroke-dasharray="3 3"`);
  });
  return out.join("\n");
}

/** The rows of the frames column: the frames in use first, then the leaked ones, each cut short with a count. */
function frameRows(
  used: readonly FrameGroup[],
  leaked: readonly FrameGroup[],
  maxRows: number,
): { shown: readonly FrameGroup[]; rows: readonly (FrameGroup | string)[] } {
  const leakRoom = Math.min(leaked.length, Math.max(2, Math.floor(maxRows / 4)));
  const usedRoom = Math.max(1, maxRows - leakRoom);
  const cut = <T>(all: readonly T[], room: number): { shown: readonly T[]; more: number } => {
    const shown = all.length > room ? all.slice(0, room - 1) : all;
    return { shown, more: all.length - shown.length };
  };
  const u = cut(used, usedRoom);
  const l = cut(leaked, leakRoom);
  const rows: (FrameGroup | string)[] = [...u.shown];
  if (u.more > 0) rows.push(`... ${u.more} more groups`);
  rows.push(...l.shown);
  if (l.more > 0) rows.push(`... ${l.more} more leaked`);
  return { shown: u.shown, rows };
}

// The frames the page tables use, with their reference counts, and the leaked ones.
function drawMemory(frames: ReturnType<typeof frameRows>, x: number, top: number, any: boolean): string {
  const out = [`<g class="pt-memory">`];
  out.push(`<rect x="${x}" y="${top}" width="${MEM}" height="${HEAD - 6}" rx="4" fill="#e4e7eb"/>`);
  out.push(`<text x="${x + 8}" y="${top + 15}" class="pt-head">physical frames</text>`);
  out.push(`<text x="${x + 8}" y="${top + 29}" class="pt-sub">colour: references</text>`);
  let y = top + HEAD;
  if (any && frames.rows.length === 0) out.push(`<text x="${x + 8}" y="${y + 15}" class="pt-more">none in use</text>`);
  for (const row of frames.rows) {
    out.push(
      typeof row === "string" ? `<text x="${x + 8}" y="${y + 15}" class="pt-more">${row}</text>` : frameRow(row, x, y),
    );
    y += ROW + GAP;
  }
  out.push(`</g>`);
  return out.join("\n");
}

/** One row of the frames column: the frame numbers, and what they are. */
function frameRow(g: FrameGroup, x: number, y: number): string {
  const range = g.count === 1 ? `${g.frame}` : `${g.frame}\u2013${g.frame + g.count - 1}`;
  // a leaked frame, or one mapped with no reference left (freed while in use): both in red
  const leak = g.kind === "leaked" || g.kind === "leaked-table";
  const alarm = leak || (g.kind === "page" && g.ref <= 0);
  const what = {
    page: g.ref <= 0 ? "ref 0: free" : `ref ${g.ref}`,
    table: `table of ${fit(g.owners[0] ?? "", OWNER_CHARS)}`,
    leaked: "leaked",
    "leaked-table": "leaked table",
  }[g.kind];
  const fill = leak ? "#ffffff" : g.kind === "table" ? TABLE_COLOUR : refColour(g.ref);
  const stroke = g.highlighted
    ? `stroke="${HIGHLIGHT}" stroke-width="2.5"`
    : alarm
      ? `stroke="${LEAK}" stroke-width="1.5"${leak ? ` stroke-dasharray="4 2"` : ""}`
      : `stroke="#9aa5b1" stroke-width="1"`;
  return [
    `<g class="pt-frame pt-${g.kind}">`,
    `<title>${escapeXml(frameTitle(g))}</title>`,
    `<rect x="${x}" y="${y}" width="${MEM}" height="${ROW}" rx="3" fill="${fill}" ${stroke}/>`,
    `<text x="${x + 6}" y="${y + 15}" class="pt-mono">${range}</text>`,
    `<text x="${x + MEM - 6}" y="${y + 15}" text-anchor="end" class="${alarm ? "pt-leak" : "pt-sub"}">${escapeXml(what)}</text>`,
    `</g>`,
  ].join("\n");
}

function frameTitle(g: FrameGroup): string {
  const frames = g.count === 1 ? `frame ${g.frame}` : `frames ${g.frame} to ${g.frame + g.count - 1}`;
  const who = g.owners.join(", ");
  switch (g.kind) {
    case "page":
      if (g.ref <= 0) return `${frames}: no reference left, so free, yet still mapped by ${who}: a use after free`;
      return `${frames}: ${g.ref === 1 ? "1 reference" : `${g.ref} references`}, mapped by ${who}`;
    case "table":
      return `${frames}: page-table page${g.count === 1 ? "" : "s"} of ${who}`;
    case "leaked":
      return `${frames}: allocated (${g.ref === 1 ? "1 reference" : `${g.ref} references`}) but used by no process: leaked`;
    case "leaked-table":
      return `${frames}: a page-table page no process uses any more: leaked`;
  }
}

/** The colour key, in as many rows as `width` needs. */
function drawLegend(x: number, y: number, width: number): { svg: string; height: number } {
  const items: { text: string; swatch: string }[] = [
    ...["1 reference", "2 references", "3 references", "4 or more"].map((text, i) => ({
      text,
      swatch: `fill="${REF_COLOURS[i]!}" stroke="#9aa5b1"`,
    })),
    { text: "page-table page", swatch: `fill="${TABLE_COLOUR}" stroke="#9aa5b1"` },
    { text: "leaked frame", swatch: `fill="#ffffff" stroke="${LEAK}" stroke-dasharray="4 2"` },
    { text: "the faulting page", swatch: `fill="#ffffff" stroke="${HIGHLIGHT}" stroke-width="2.5"` },
  ];
  const perRow = Math.max(1, Math.floor((width - x) / LEGEND_STEP));
  const out = [`<g class="pt-legend">`];
  items.forEach((item, i) => {
    const ix = x + (i % perRow) * LEGEND_STEP;
    const iy = y + Math.floor(i / perRow) * LEGEND_ROW;
    out.push(`<rect x="${ix}" y="${iy}" width="16" height="14" rx="2" ${item.swatch}/>`);
    out.push(`<text x="${ix + 22}" y="${iy + 11}" class="pt-sub">${item.text}</text>`);
  });
  out.push(`</g>`);
  return { svg: out.join("\n"), height: Math.ceil(items.length / perRow) * LEGEND_ROW };
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

interface FrameUse {
  ref: number;
  kind: FrameKind;
  owners: string[];
  highlighted: boolean;
}

/**
 * The frames the columns use, in frame order: the pages' frames and the
 * page-table pages, grouped by kind, reference count and owners.
 */
function frameGroups(columns: readonly Column[]): FrameGroup[] {
  const frames = new Map<number, FrameUse>();
  const use = (n: number, u: Omit<FrameUse, "owners">, owner: string): void => {
    const f = frames.get(n) ?? { ...u, owners: [] };
    if (!f.owners.includes(owner)) f.owners.push(owner);
    f.highlighted ||= u.highlighted;
    frames.set(n, f);
  };
  for (const c of columns) {
    for (const row of c.rows)
      for (let i = 0; i < row.run.pages; i++)
        use(row.run.frame + i, { ref: row.run.ref, kind: "page", highlighted: row.highlighted }, c.proc.name);
    for (const t of c.proc.tables ?? [])
      if (!frames.has(t)) use(t, { ref: 1, kind: "table", highlighted: false }, c.proc.name);
  }
  return group([...frames].sort((a, b) => a[0] - b[0]));
}

/** Leaked frames grouped, page-table pages apart from other frames. */
function leakGroups(leaked: readonly LeakedFrame[]): FrameGroup[] {
  const frames = leaked.map((l): [number, FrameUse] => [
    l.frame,
    { ref: l.ref, kind: l.table ? "leaked-table" : "leaked", owners: [], highlighted: false },
  ]);
  return group(frames);
}

/** Consecutive frames alike as one group each. */
function group(frames: readonly [number, FrameUse][]): FrameGroup[] {
  const groups: (FrameGroup & { count: number })[] = [];
  for (const [n, f] of frames) {
    const last = groups[groups.length - 1];
    if (
      last !== undefined &&
      last.frame + last.count === n &&
      last.ref === f.ref &&
      last.kind === f.kind &&
      last.highlighted === f.highlighted &&
      last.owners.join("\0") === f.owners.join("\0")
    ) {
      last.count++;
      continue;
    }
    groups.push({ frame: n, count: 1, ref: f.ref, kind: f.kind, owners: f.owners, highlighted: f.highlighted });
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
