// `oslab trace FILE --html OUT`: the trace as one web page that steps
// through the scenario. After each step it shows every process's page
// table, the frames they map with their reference counts, the TLB (stale
// entries marked), the counters, each fault with how it was resolved, and
// what an expect step compared and whether it held. Steps are named as the
// text trace names them (steps.ts): the counter says "step 5 of 12" beside
// the step titled "step 5: ...".
//
// The page is self-contained (its CSS, script and data are inline), so it
// opens from disk in any browser. The data is embedded as JSON in a
// <script type="application/json"> element and drawn by the page's own
// script with textContent only: nothing from the scenario is ever parsed as
// markup.

import { Counters } from "../hw/machine";
import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_W, PTE_X } from "../hw/riscv";
import { stepName } from "../scenario/steps";
import { ProcessView, PteRun, StepView, Timeline } from "../scenario/timeline";
import { EventLine, eventLines, expectText, roundsOf, stepTitle } from "./trace";
import { TlbEntryView, staleness } from "./trace-changes";

/** At most this many runs of pages per process per step go into the page; the rest are counted. */
export const MAX_RUNS = 256;
/** At most this many faulting pages per step are outlined. */
const MAX_FAULTED = 64;

/** A process as the page shows it: its runs, cut to MAX_RUNS. */
export interface ViewerProcess extends Omit<ProcessView, "runs"> {
  readonly runs: readonly PteRun[];
  /** Runs left out after MAX_RUNS. */
  readonly moreRuns: number;
}

/** One step as the page shows it. */
export interface ViewerStep {
  readonly path: string;
  /** "4.2" ("" at the start), as the title and the counter say it. */
  readonly number: string;
  /** Which time round a `repeat` this is (1, 2, ...), or null outside one. */
  readonly round: number | null;
  readonly text: string;
  /** "step 4.2, round 3 of 4: exit C 0", as the text trace titles it. */
  readonly title: string;
  /** Where the step list is: "step 4.2 of 5, round 3 of 4". */
  readonly position: string;
  /** What an expect step compared, in words, and whether it held. */
  readonly expected: { readonly text: string; readonly held: boolean } | null;
  readonly events: readonly EventLine[];
  /** Pages that faulted during the step (the first MAX_FAULTED), to outline in the tables. */
  readonly faulted: readonly { readonly pid: number; readonly page: number; readonly resolution: string }[];
  /** The scenario's failures that happened at this step. */
  readonly failures: readonly string[];
  readonly processes: readonly ViewerProcess[];
  readonly tlb: readonly TlbEntryView[];
  readonly satp: StepView["satp"];
  readonly counters: Counters;
}

/** Everything the page draws: the timeline, made small enough for a browser. */
export interface ViewerData {
  readonly title: string;
  readonly description: string;
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly audit: readonly string[];
  readonly steps: readonly ViewerStep[];
}

/** The page's data for `timeline`. */
export function viewerData(timeline: Timeline, info: { title: string; description: string }): ViewerData {
  const r = timeline.result;
  const rounds = roundsOf(timeline.steps);
  const count = Math.max(0, ...timeline.steps.map((s) => Number(s.number.split(".")[0] || 0)));
  return {
    title: info.title,
    description: info.description,
    ok: r.ok && r.audit.length === 0,
    failures: r.failures,
    audit: r.audit,
    steps: timeline.steps.map((s, i) => ({
      path: s.path,
      number: s.number,
      round: s.round,
      text: s.text,
      title: stepTitle(s, rounds),
      position: positionOf(s, rounds, count),
      expected: s.expected === null ? null : { text: `Expected ${expectText(s.expected)}.`, held: s.expected.held },
      events: eventLines(s.events),
      faulted: s.events
        .flatMap((e) =>
          e.kind === "fault"
            ? [{ pid: e.pid, page: Math.floor(e.va / PGSIZE) * PGSIZE, resolution: e.resolution }]
            : [],
        )
        .slice(0, MAX_FAULTED),
      failures: r.failedSteps.filter((f) => f.index === i).map((f) => f.message),
      processes: s.processes.map((p) => ({
        ...p,
        runs: p.runs.slice(0, MAX_RUNS),
        moreRuns: Math.max(0, p.runs.length - MAX_RUNS),
      })),
      tlb: s.tlb.map((e) => ({ ...e, stale: staleness(e, s.processes) })),
      satp: s.satp,
      counters: s.counters,
    })),
  };
}

// "step 4.2 of 5, round 3 of 4": the step's name, with the file's count of steps.
function positionOf(s: StepView, rounds: ReadonlyMap<string, number>, count: number): string {
  if (s.number === "") return `${stepName("")}, before step 1 of ${count}`;
  const round = s.round === null ? "" : `, round ${s.round} of ${rounds.get(s.path)}`;
  return `${stepName(s.number)} of ${count}${round}`;
}

/** Escapes text for HTML, in text and in attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that can sit inside a <script> element: no "<" (so no "</script>"), ">" or "&" left as such. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The whole page for `timeline`. */
export function traceViewerPage(timeline: Timeline, info: { title: string; description: string }): string {
  const data = viewerData(timeline, info);
  const title = escapeHtml(info.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}: trace</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  <p class="description">${escapeHtml(info.description)}</p>
  <p id="outcome"></p>
</header>
<nav class="controls" aria-label="steps">
  <button type="button" id="first" title="first step (Home)">&#x00AB; first</button>
  <button type="button" id="back" title="previous step (left arrow)">&#x25C0; back</button>
  <span id="position" aria-live="polite"></span>
  <button type="button" id="forward" title="next step (right arrow)">forward &#x25B6;</button>
  <button type="button" id="last" title="last step (End)">last &#x00BB;</button>
  <span class="keys">or use the arrow keys</span>
</nav>
<div class="layout">
  <ol id="steps" aria-label="every step"></ol>
  <main id="step">
    <h2 id="step-title"></h2>
    <p id="expected" hidden></p>
    <ul id="events"></ul>
    <section>
      <h3>Page tables</h3>
      <p class="note">One row per run of pages mapped alike. The coloured cell is the frame (or frames) the pages map,
      coloured by how many page-table entries point at it. <span class="changed-key">Changed</span> rows are new
      since the step before; an outlined row is a page that faulted during this step.</p>
      <div id="processes"></div>
    </section>
    <div class="columns">
      <section><h3>Frames in use by these pages</h3><div id="frames"></div></section>
      <section><h3>TLB</h3><p id="satp" class="note"></p><div id="tlb"></div></section>
      <section><h3>Counters</h3><div id="counters"></div></section>
    </div>
  </main>
</div>
<script type="application/json" id="timeline">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --bg: #f5f7fa; --fault: #d62828;
  --ref1: #cdebd3; --ref2: #fde3a0; --ref3: #f9bf86; --ref4: #f2a0a0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { padding: 12px 20px 4px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.description { margin: 0; color: var(--muted); }
#outcome { margin: 6px 0 8px; font-weight: 600; }
#outcome.ok { color: #1b7a3a; } #outcome.failed { color: var(--fault); }
.controls { position: sticky; top: 0; z-index: 1; display: flex; gap: 8px; align-items: center;
  padding: 8px 20px; background: var(--bg); border-bottom: 1px solid var(--line); }
.controls button { font: inherit; padding: 4px 12px; border: 1px solid #9aa5b1; border-radius: 4px; background: #fff; cursor: pointer; }
.controls button:disabled { opacity: 0.4; cursor: default; }
#position { min-width: 110px; text-align: center; font-weight: 600; }
.keys { color: var(--muted); font-size: 12px; }
.layout { display: flex; align-items: flex-start; }
#steps { flex: 0 0 290px; margin: 0; padding: 8px 0; list-style: none; border-right: 1px solid var(--line);
  max-height: calc(100vh - 160px); overflow-y: auto; position: sticky; top: 45px; }
#steps li { padding: 3px 12px; cursor: pointer; font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#steps li:hover { background: var(--bg); }
#steps li.current { background: #dbe7f5; font-weight: 600; }
#steps li.has-fault::after { content: " \\2022"; color: var(--fault); }
#steps li.has-failure { color: var(--fault); }
#steps li .held { color: #1b7a3a; } #steps li .missed { color: var(--fault); }
main { flex: 1; padding: 12px 20px 40px; min-width: 0; }
#events { margin: 0; padding-left: 18px; }
#expected { margin: 0 0 8px; padding: 6px 10px; border-radius: 4px; font-weight: 600; max-width: 70em; }
#expected.held { background: #e3f4e8; color: #1b5e2f; border-left: 4px solid #1b7a3a; }
#expected.missed { background: #fdecec; color: #8a1c1c; border-left: 4px solid var(--fault); }
#events li.fault { color: #7a2e0e; }
#events li.failure { color: var(--fault); font-weight: 600; }
#events li.none { color: var(--muted); list-style: none; margin-left: -18px; }
.note { color: var(--muted); font-size: 12px; margin: 0 0 8px; max-width: 70em; }
.changed-key { border-left: 4px solid #3e7cb1; padding-left: 4px; }
#processes { display: flex; flex-wrap: wrap; gap: 14px; }
.process { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; min-width: 300px; }
.process h4 { margin: 0; font-size: 14px; }
.process .sub { color: var(--muted); font-size: 12px; margin-bottom: 6px; }
table { border-collapse: collapse; font-size: 12px; }
th { text-align: left; font-weight: 600; color: var(--muted); padding: 2px 8px 2px 4px; border-bottom: 1px solid var(--line); }
td { padding: 2px 8px 2px 4px; border-bottom: 1px solid #e4e7eb; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
tr.changed td:first-child { border-left: 4px solid #3e7cb1; }
tr.faulted { outline: 2px solid var(--fault); outline-offset: -2px; }
tr.faulted td { background: #fdecec; }
.frame { display: inline-block; min-width: 56px; padding: 0 6px; border-radius: 3px; text-align: center; }
.r1 { background: var(--ref1); } .r2 { background: var(--ref2); } .r3 { background: var(--ref3); } .r4 { background: var(--ref4); }
.cow { font-size: 10px; font-weight: 700; color: #8a4b00; background: #ffe8cc; border-radius: 3px; padding: 0 4px; }
.tag { font-size: 11px; color: var(--fault); margin-left: 4px; }
.columns { display: flex; flex-wrap: wrap; gap: 28px; }
.columns section { min-width: 240px; }
tr.stale td { background: #fdecec; }
.legend span { display: inline-block; margin-right: 10px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -2px; margin-right: 4px; border: 1px solid #9aa5b1; }
.up { color: #1b5e9a; font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
`;

// The page's script: plain ES2017, no markup strings, only textContent.
const SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("timeline").textContent);
  var steps = data.steps;
  var current = 0;
  var PGSIZE = ${PGSIZE};
  var RESOLVED = { "cow-copy": "copied", "cow-reuse": "reused", "demand-zero": "zero-filled",
    SIGSEGV: "killed: SIGSEGV", SIGKILL: "killed: SIGKILL", fail: "not resolved", resume: "resumed" };
  var F = { R: ${PTE_R}, W: ${PTE_W}, X: ${PTE_X}, U: ${PTE_U}, COW: ${PTE_COW} };

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function hex8(n) { return "0x" + ("00000000" + (n >>> 0).toString(16)).slice(-8); }
  function perms(f) {
    return (f & F.R ? "r" : "-") + (f & F.W ? "w" : "-") + (f & F.X ? "x" : "-") + " " + (f & F.U ? "u" : "-");
  }
  function refClass(ref) { return "frame r" + Math.min(Math.max(ref, 1), 4); }
  function frames(first, count) { return count === 1 ? String(first) : first + "\\u2013" + (first + count - 1); }
  function runKey(r) { return [r.va, r.pages, r.flags, r.frame, r.ref].join(":"); }
  function table(headings) {
    var t = el("table");
    var tr = add(add(t, el("thead")), el("tr"));
    headings.forEach(function (h) { add(tr, el("th", "", h)); });
    return { table: t, body: add(t, el("tbody")) };
  }
  function cell(tr, text, className) { return add(tr, el("td", className || "", text)); }

  function roundText(s) { return s.round === null ? "" : " (round " + s.round + ")"; }

  function drawOutcome() {
    var o = document.getElementById("outcome");
    var n = data.failures.length + data.audit.length;
    o.className = data.ok ? "ok" : "failed";
    o.textContent = data.ok ? "Every expectation held." :
      (n === 1 ? "1 problem: " : n + " problems: ") + data.failures.concat(data.audit).join("; ");
  }

  function drawStepList() {
    var list = document.getElementById("steps");
    steps.forEach(function (s, i) {
      var li = add(list, el("li", "", (s.number === "" ? "" : s.number + " ") + s.text + roundText(s)));
      li.title = s.title;
      if (s.expected !== null) li.appendChild(el("span", s.expected.held ? "held" : "missed", s.expected.held ? " \u2713" : " \u2717"));
      if (s.faulted.length > 0) li.classList.add("has-fault");
      if (s.failures.length > 0) li.classList.add("has-failure");
      li.addEventListener("click", function () { show(i); });
    });
  }

  function faultAt(s, pid, run) {
    for (var i = 0; i < s.faulted.length; i++) {
      var f = s.faulted[i];
      if (f.pid === pid && f.page >= run.va && f.page < run.va + run.pages * PGSIZE) return f;
    }
    return null;
  }

  function drawProcesses(s, before) {
    var box = clear(document.getElementById("processes"));
    if (s.processes.length === 0) add(box, el("p", "empty", "No process yet."));
    s.processes.forEach(function (p) {
      var card = add(box, el("div", "process"));
      card.setAttribute("data-process", p.name);
      add(card, el("h4", "", p.name + " (pid " + p.pid + ")"));
      if (p.state !== "running") {
        add(card, el("div", "sub", p.killedBy ? "killed by " + p.killedBy + ": its memory is gone" : p.state + ": its memory is gone"));
        return;
      }
      add(card, el("div", "sub", "ASID " + (p.asid === 0 ? "none yet" : p.asid) + ", root page table in frame " + p.root));
      var old = {};
      var prev = before && before.processes.filter(function (q) { return q.pid === p.pid && q.state === "running"; })[0];
      if (prev) prev.runs.forEach(function (r) { old[runKey(r)] = true; });
      var t = table(["virtual address", "pages", "access", "", "frames", "refs"]);
      p.runs.forEach(function (r) {
        var tr = add(t.body, el("tr"));
        if (before && !old[runKey(r)]) tr.classList.add("changed");
        var f = faultAt(s, p.pid, r);
        if (f) tr.classList.add("faulted");
        cell(tr, hex8(r.va), "mono");
        cell(tr, String(r.pages), "mono");
        cell(tr, perms(r.flags), "mono");
        var c = cell(tr, "");
        if (r.flags & F.COW) add(c, el("span", "cow", "COW"));
        if (f) add(c, el("span", "tag", RESOLVED[f.resolution] || f.resolution));
        add(cell(tr, ""), el("span", refClass(r.ref) + " mono", frames(r.frame, r.pages)));
        cell(tr, String(r.ref), "mono");
      });
      if (p.runs.length === 0) add(card, el("p", "empty", "No pages mapped."));
      else add(card, t.table);
      if (p.moreRuns > 0) add(card, el("p", "note", "... and " + p.moreRuns + " more runs, not shown."));
    });
  }

  function drawFrames(s) {
    var box = clear(document.getElementById("frames"));
    var byFrame = {};
    s.processes.forEach(function (p) {
      p.runs.forEach(function (r) {
        for (var i = 0; i < r.pages; i++) {
          var f = byFrame[r.frame + i] || (byFrame[r.frame + i] = { ref: r.ref, owners: [] });
          if (f.owners.indexOf(p.name) < 0) f.owners.push(p.name);
        }
      });
    });
    var numbers = Object.keys(byFrame).map(Number).sort(function (a, b) { return a - b; });
    var groups = [];
    numbers.forEach(function (n) {
      var f = byFrame[n], g = groups[groups.length - 1];
      if (g && g.first + g.count === n && g.ref === f.ref && g.owners === f.owners.join(", ")) g.count++;
      else groups.push({ first: n, count: 1, ref: f.ref, owners: f.owners.join(", ") });
    });
    if (groups.length === 0) { add(box, el("p", "empty", "None.")); return; }
    var t = table(["frames", "refs", "mapped by"]);
    groups.forEach(function (g) {
      var tr = add(t.body, el("tr"));
      add(cell(tr, ""), el("span", refClass(g.ref) + " mono", frames(g.first, g.count)));
      cell(tr, String(g.ref), "mono");
      cell(tr, g.owners);
    });
    add(box, t.table);
    var legend = add(box, el("p", "legend note"));
    ["1 reference", "2", "3", "4 or more"].forEach(function (text, i) {
      var span = add(legend, el("span"));
      add(span, el("i", "r" + (i + 1)));
      add(span, document.createTextNode(text));
    });
  }

  function drawTlb(s) {
    document.getElementById("satp").textContent = s.satp
      ? "satp: ASID " + s.satp.asid + ", root page table in frame " + s.satp.root
      : "satp: paging off";
    var box = clear(document.getElementById("tlb"));
    if (s.tlb.length === 0) { add(box, el("p", "empty", "Empty.")); return; }
    var t = table(["ASID", "virtual page", "frame", "access", ""]);
    s.tlb.forEach(function (e) {
      var tr = add(t.body, el("tr"));
      if (e.stale) { tr.classList.add("stale"); tr.title = "stale: " + e.stale; }
      cell(tr, String(e.asid), "mono");
      cell(tr, hex8(e.va), "mono");
      cell(tr, String(e.frame), "mono");
      cell(tr, perms(e.flags), "mono");
      cell(tr, e.stale ? "stale: " + e.stale : "");
    });
    add(box, t.table);
  }

  function drawCounters(s, before) {
    var box = clear(document.getElementById("counters"));
    var t = table(["counter", "value", "this step"]);
    Object.keys(s.counters).forEach(function (k) {
      var d = before ? s.counters[k] - before.counters[k] : 0;
      var tr = add(t.body, el("tr"));
      cell(tr, k, "mono");
      cell(tr, String(s.counters[k]), "mono");
      cell(tr, d === 0 ? "" : (d > 0 ? "+" : "") + d, d === 0 ? "" : "mono up");
    });
    add(box, t.table);
  }

  // keeps the current step in sight in the list, without scrolling the page
  function scrollList(list, item) {
    if (!item) return;
    if (item.offsetTop < list.scrollTop) list.scrollTop = item.offsetTop;
    else if (item.offsetTop + item.offsetHeight > list.scrollTop + list.clientHeight)
      list.scrollTop = item.offsetTop + item.offsetHeight - list.clientHeight;
  }

  function show(i) {
    current = Math.max(0, Math.min(steps.length - 1, i));
    var s = steps[current], before = current > 0 ? steps[current - 1] : null;
    document.getElementById("step-title").textContent = s.title;
    var expected = document.getElementById("expected");
    expected.hidden = s.expected === null;
    expected.className = s.expected === null ? "" : s.expected.held ? "held" : "missed";
    expected.textContent = s.expected === null ? "" : (s.expected.held ? "\u2713 " : "\u2717 ") + s.expected.text;
    var events = clear(document.getElementById("events"));
    s.events.forEach(function (e) { add(events, el("li", e.kind, e.text)); });
    // a missed expect says it above; any other failure is said here
    if (s.expected === null) s.failures.forEach(function (f) { add(events, el("li", "failure", f)); });
    if (events.children.length === 0) add(events, el("li", "none", "The kernel took no fault and made no call in this step."));
    drawProcesses(s, before);
    drawFrames(s);
    drawTlb(s);
    drawCounters(s, before);
    document.getElementById("position").textContent = s.position;
    document.getElementById("first").disabled = document.getElementById("back").disabled = current === 0;
    document.getElementById("last").disabled = document.getElementById("forward").disabled = current === steps.length - 1;
    var items = document.getElementById("steps").children;
    for (var j = 0; j < items.length; j++) items[j].classList.toggle("current", j === current);
    scrollList(document.getElementById("steps"), items[current]);
    if (history.replaceState) history.replaceState(null, "", "#step-" + current);
  }

  document.getElementById("first").addEventListener("click", function () { show(0); });
  document.getElementById("back").addEventListener("click", function () { show(current - 1); });
  document.getElementById("forward").addEventListener("click", function () { show(current + 1); });
  document.getElementById("last").addEventListener("click", function () { show(steps.length - 1); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var to = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1, ArrowUp: current - 1, Home: 0, End: steps.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    show(to);
  });

  drawOutcome();
  drawStepList();
  var m = /^#step-(\\d+)$/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
`;
