// The view models the report templates render: every sentence, number and
// decision is made here, so that a template only places ready text
// (STYLE.md, point 9). One function per page, each taking the grader's
// results (grader/model.ts) and giving plain data: strings, booleans, lists.
//
// Text goes to HTML templates as it is (Handlebars escapes it) and to
// Markdown templates escaped for Markdown (mdInline, mdBlock), so the same
// builders serve both: pass HTML or MARKDOWN. Fields ending in "Svg" hold
// markup made by draw.ts and charts.ts, which escape their own text.

import { formatRun } from "../../solution/src/cli/trace";
import { ProcessView, StepView } from "../../solution/src/scenario/timeline";
import { entryOutcome } from "../entries";
import { BatchSummary, Diagnostic, ItemStats, PartScore, Rubric, SubmissionResult, Visibility } from "../model";
import { Audience, ItemView, Outcome, STUDENT, firstShown, itemView, outcomeOf } from "../visibility";
import { listWords, mdBlock, mdInline, percent, plural, points, stripAnsi } from "./_text";
import { dotPlot, histogram, scoreBins } from "./charts";
import { PageTablePanel, drawPageTables, firstFault, hasPageTable, naturalWidth } from "./draw";
import { FailurePicture, StepRound } from "./pictures";

/** How text is made ready for a template. */
export interface TextFormat {
  /** A phrase, a cell, a paragraph. */
  readonly inline: (s: string) => string;
  /** Text shown as it is, line by line (compiler output, a failure message). */
  readonly block: (s: string) => string;
}

/** For HTML templates: text as it is ({{...}} escapes it). */
export const HTML: TextFormat = { inline: (s) => s, block: (s) => s };
/** For Markdown templates (compiled without HTML escaping): escaped, and blocks fenced. */
export const MARKDOWN: TextFormat = { inline: mdInline, block: mdBlock };

// --- the student's report -------------------------------------------------------
//
// The report is made for an audience (visibility.ts): a student's, the
// default, sees each item as itemView() says, the hidden ones by their
// part, points and hint alone; the instructor's sees everything. Nothing
// here reads an item but through itemView().

export interface ReportView {
  readonly title: string;
  readonly studentId: string;
  /** Who the report is for, when it is not the student before the due date ("" then). */
  readonly hasAudienceNote: boolean;
  readonly audienceNote: string;
  readonly scoreText: string;
  /** The score as a share, for the bar's width: "75%". */
  readonly scorePercent: string;
  readonly verdict: string;
  readonly graderError: boolean;
  readonly graderErrorText: string;
  readonly parts: readonly PartView[];
  readonly hasProblems: boolean;
  readonly problems: readonly { readonly text: string }[];
  readonly hasDiagnostics: boolean;
  readonly diagnosticsTitle: string;
  readonly diagnosticsNote: string;
  readonly diagnostics: readonly DiagnosticView[];
  readonly hasTroubles: boolean;
  readonly troublesNote: string;
  readonly troubles: readonly { readonly text: string }[];
  readonly sections: readonly SectionView[];
  readonly hasThresholds: boolean;
  readonly thresholdsNote: string;
  readonly thresholds: readonly ThresholdView[];
  readonly footer: string;
}

export interface PartView {
  readonly id: string;
  readonly title: string;
  /** The part's tests' points and its thresholds' ("—" when it has none), then the part's total. */
  readonly testsText: string;
  readonly thresholdsText: string;
  readonly scoreText: string;
  readonly scorePercent: string;
  readonly full: boolean;
}

export interface DiagnosticView {
  /** "src/kernel/cow.ts:12:5" */
  readonly where: string;
  readonly code: string;
  readonly message: string;
}

export interface SectionView {
  readonly heading: string;
  readonly scoreText: string;
  readonly tests: readonly TestView[];
}

export type StatusClass = Outcome;

export interface TestView {
  readonly id: string;
  readonly title: string;
  readonly pointsText: string;
  readonly passed: boolean;
  readonly statusText: string;
  readonly statusClass: StatusClass;
  /** Not shown in full to this audience: the title is a stand-in, the message only the hint. */
  readonly hidden: boolean;
  /** A tag beside the title for an item not always shown in full ("hidden", "after the due date"); "" otherwise. */
  readonly hasTag: boolean;
  readonly tag: string;
  readonly hiddenNote: string;
  /** A short line under the title: why a test was not scored. */
  readonly hasNote: boolean;
  readonly note: string;
  readonly hasMessage: boolean;
  readonly message: string;
  readonly hasPicture: boolean;
  readonly picture: PictureView | null;
}

export interface ThresholdView {
  readonly id: string;
  readonly title: string;
  /** "part A". */
  readonly part: string;
  readonly hasTag: boolean;
  readonly tag: string;
  readonly scenario: string;
  readonly figure: string;
  readonly measured: string;
  readonly reference: string;
  readonly worst: string;
  readonly creditText: string;
  readonly full: boolean;
  readonly statusClass: StatusClass;
  readonly hasNote: boolean;
  readonly note: string;
  readonly hasPicture: boolean;
  readonly picture: PictureView | null;
}

export interface PictureView {
  /** False when the item points at another item's picture (seeText) instead of having one drawn. */
  readonly drawn: boolean;
  /** The figure's anchor ("picture-T4"), for the pointers to it. */
  readonly anchor: string;
  /** Where the picture is drawn for another item, a sentence and a link to it ("#picture-T4"); else empty. */
  readonly seeText: string;
  readonly seeHref: string;
  readonly heading: string;
  readonly intro: string;
  readonly why: string;
  readonly beforeCaption: string;
  readonly afterCaption: string;
  /** The pictures' width ("578px"): the page shows them side by side when two fit, at their own size. */
  readonly width: string;
  readonly mineBeforeSvg: string;
  readonly mineAfterSvg: string;
  readonly referenceBeforeSvg: string;
  readonly referenceAfterSvg: string;
  /** The four page-table states as text (for Markdown). */
  readonly text: string;
}

export interface ReportInput {
  readonly result: SubmissionResult;
  readonly rubric: Rubric;
  readonly pictures?: readonly FailurePicture[];
  /** Who the report is for (default: a student, before the due date). */
  readonly audience?: Audience;
}

/** The report's view of `input` for its audience, its text made ready by `format`. */
export function reportView(input: ReportInput, format: TextFormat): ReportView {
  const { result: r, rubric } = input;
  const audience = input.audience ?? STUDENT;
  const t = format.inline;
  const items = r.items.map((i) => itemView(i, audience));
  const pictures = new Map((input.pictures ?? []).map((p) => [p.itemId, p]));
  // a picture shows what the item checks: only for an item shown in full
  const pictureOf = (i: ItemView): PictureView | null => {
    const p = i.full ? pictures.get(i.id) : undefined;
    return p === undefined ? null : pictureView(p, format);
  };
  const compile = compileProblems(r);
  const problems = r.problems.filter((p) => !compile.texts.includes(p)).map((p) => ({ text: t(p) }));
  const tests = items.filter((i) => i.kind === "test");
  const thresholds = items.filter((i) => i.kind === "threshold");
  const troubles = items.filter((i) => i.outcome === "timeout" || i.outcome === "crash");
  const lost = items.filter((i) => !i.passed);
  const graderError = r.status === "grader-error";
  const audienceNote = audienceSentence(audience);

  return {
    title: t(`Lab ${r.lab}: report for ${r.id}`),
    studentId: t(r.id),
    hasAudienceNote: audienceNote !== "",
    audienceNote: t(audienceNote),
    scoreText: t(`${points(r.score)} / ${points(r.maxScore)}`),
    scorePercent: percent(r.score, r.maxScore),
    verdict: t(verdict(r, lost)),
    graderError,
    graderErrorText: t(
      "The grader itself failed on your submission. This is not a fault of your code, and your instructor has been told; the score below is not your grade.",
    ),
    parts: r.parts.map((p) => partView(p, format)),
    hasProblems: problems.length > 0,
    problems,
    hasDiagnostics: compile.diagnostics.length > 0,
    diagnosticsTitle: t(compile.syntax ? "Your code does not compile" : "TypeScript finds type errors"),
    diagnosticsNote: t(
      compile.syntax
        ? "Each part that needs a file with these errors scores 0 (the problems above say which). Fix the first one and run npm test again."
        : "The tests ran anyway, but a type error often points at a real bug. Run npx tsc --noEmit to see them yourself.",
    ),
    diagnostics: compile.diagnostics.map((d) => ({
      where: t(`${d.file}:${d.line}:${d.column}`),
      code: t(`TS${d.code}`),
      message: t(d.message),
    })),
    hasTroubles: troubles.length > 0,
    troublesNote: t(
      "The grader stopped these from outside. A test that runs too long is stopped after its time limit; one whose process crashes is ended. Either way it scores 0. The usual cause is a loop that never ends, or memory allocated without end.",
    ),
    troubles: troubles.map((i) => ({
      text: t(
        `${i.id} (${i.title ?? standInPhrase(i)}) ${i.outcome === "timeout" ? "timed out" : "crashed"}` +
          (i.output === null ? "." : `: ${firstLine(i.output)}`),
      ),
    })),
    sections: rubric.parts
      .map((p) => {
        const mine = tests.filter((i) => i.part === p.id);
        const score = r.parts.find((x) => x.id === p.id)?.tests;
        return {
          heading: t(`Part ${p.id}: ${p.title}`),
          scoreText: t(score === undefined ? "" : `tests: ${points(score.score)} / ${points(score.maxScore)}`),
          tests: mine.map((i) => testView(i, format, pictureOf(i))),
        };
      })
      .filter((s) => s.tests.length > 0),
    hasThresholds: thresholds.length > 0,
    thresholdsNote: t(
      "Each threshold runs a scenario and measures one figure, and counts toward its part. Full credit when your kernel's figure is at or below the reference kernel's; none at the worst figure or beyond; in between, a share in proportion. A figure counts only when the scenario runs correctly on your kernel.",
    ),
    thresholds: thresholds.map((i) => thresholdView(i, rubric, format, pictureOf(i))),
    footer: t(`Graded by oslab grader ${r.graderVersion} (lab ${r.lab}, version ${r.labVersion}, seed ${r.seed}).`),
  };
}

// Who a report is for, when it is not the default (a student, before the due date).
function audienceSentence(a: Audience): string {
  if (a.kind === "instructor")
    return "Instructor's view: every test and threshold is shown in full, hidden ones included. Do not send it to the student.";
  if (a.moment === "after-due-date")
    return "Made after the due date: tests shown after the due date are shown in full; hidden ones show only their part, points and hint.";
  if (a.moment === "published")
    return "Made once grades were published: every test is shown in full but the hidden ones, which show only their part, points and hint.";
  return "";
}

/** A part's row: its tests' points, its thresholds', and its total, which is what the handout's table lists. */
function partView(p: PartScore, format: TextFormat): PartView {
  const t = format.inline;
  const share = (x: { score: number; maxScore: number }) =>
    x.maxScore === 0 ? "—" : `${points(x.score)} / ${points(x.maxScore)}`;
  return {
    id: t(p.id),
    title: t(p.title),
    testsText: t(share(p.tests)),
    thresholdsText: t(share(p.thresholds)),
    scoreText: t(`${points(p.score)} / ${points(p.maxScore)}`),
    scorePercent: percent(p.score, p.maxScore),
    full: p.score >= p.maxScore,
  };
}

function verdict(r: SubmissionResult, lost: readonly ItemView[]): string {
  if (r.status === "grader-error") return "Not graded.";
  if (lost.length === 0) return "Full marks: every test passed and every threshold earned full credit.";
  const tests = lost.filter((i) => i.kind === "test").length;
  const thresholds = lost.length - tests;
  const what = [tests > 0 ? plural(tests, "test") : "", thresholds > 0 ? plural(thresholds, "threshold") : ""].filter(
    (x) => x !== "",
  );
  return `You lost points on ${listWords(what)}: ${listWords(lost.map((i) => i.id))}.`;
}

export { outcomeOf };

const STATUS_TEXT: Record<StatusClass, string> = {
  pass: "passed",
  fail: "failed",
  timeout: "timed out",
  crash: "crashed",
  blocked: "not scored",
};

/** When a student sees an item of `v` in full; "" for one always shown, and for one never shown. */
const WHEN: Record<Visibility, string> = {
  visible: "",
  after_due_date: "after the due date",
  after_published: "once grades are published",
  hidden: "",
};

/** The tag beside an item not always shown in full. */
const TAG: Record<Visibility, string> = {
  visible: "",
  after_due_date: `shown ${WHEN.after_due_date}`,
  after_published: `shown ${WHEN.after_published}`,
  hidden: "hidden",
};

/** What stands for the title of an item not shown in full: "Test of part A" (its tag says when it is shown). */
function standIn(i: ItemView): string {
  return `${i.kind === "test" ? "Test" : "Threshold"} of part ${i.part}`;
}

/** An item not shown in full, named in a sentence: "a hidden test of part A", "a test of part A shown after the due date". */
function standInPhrase(i: ItemView): string {
  const what = i.kind === "test" ? "test" : "threshold";
  return firstShown(i.visibility) === null
    ? `a hidden ${what} of part ${i.part}`
    : `a ${what} of part ${i.part} shown in full ${WHEN[i.visibility]}`;
}

/** The note under an item not shown in full: what the student sees of it, and from when they see the rest. */
function hiddenSentence(i: ItemView): string {
  const what = i.kind === "test" ? "test" : "threshold";
  const seen = "you see its part, its points and, when it fails, a hint; not what it checks";
  return firstShown(i.visibility) === null
    ? `Hidden ${what}: ${seen}.`
    : `Shown in full ${WHEN[i.visibility]}; until then ${seen}.`;
}

function testView(i: ItemView, format: TextFormat, picture: PictureView | null): TestView {
  const t = format.inline;
  const blocked = i.outcome === "blocked";
  const hintOnly = i.hint === "" ? "" : `Hint: ${i.hint}`;
  const message = stripAnsi(i.output ?? hintOnly).trim();
  const tag = TAG[i.visibility];
  return {
    id: t(i.id),
    title: t(i.title ?? standIn(i)),
    pointsText: t(`${points(i.score)} / ${points(i.maxScore)}`),
    passed: i.passed,
    statusText: t(STATUS_TEXT[i.outcome]),
    statusClass: i.outcome,
    hidden: !i.full,
    hasTag: tag !== "",
    tag: t(tag),
    hiddenNote: t(i.full ? "" : hiddenSentence(i)),
    hasNote: blocked,
    note: t(blocked ? blockedSentence(i.blockedBy) : ""),
    hasMessage: !i.passed && !blocked && message !== "",
    message: format.block(message),
    hasPicture: picture !== null,
    picture,
  };
}

/** Why an item was not scored, in a sentence: it depends on others, or the submission could not run. */
function blockedSentence(line: string): string {
  const deps = /^depends on (.+)$/.exec(line);
  if (deps === null) return line;
  const ids = deps[1]!.split(/,\s*/);
  return `Not scored until ${listWords(ids)} ${ids.length === 1 ? "passes" : "pass"}: it builds on ${ids.length === 1 ? "that test" : "those tests"}.`;
}

function thresholdView(i: ItemView, rubric: Rubric, format: TextFormat, picture: PictureView | null): ThresholdView {
  const t = format.inline;
  const th = i.full ? rubric.thresholds.find((x) => x.id === i.id) : undefined;
  const f = i.figure;
  const tag = TAG[i.visibility];
  const note = stripAnsi(
    i.full ? (i.output ?? "") : i.outcome === "blocked" ? i.blockedBy : i.hint && `Hint: ${i.hint}`,
  );
  const hidden = (shown: string) => (i.full ? shown : "hidden");
  return {
    id: t(i.id),
    title: t(i.title ?? standIn(i)),
    part: t(`part ${i.part}`),
    hasTag: tag !== "",
    tag: t(tag),
    scenario: t(hidden(th === undefined ? "" : th.scenario.replace(/^.*\//, "").replace(/\.json$/, ""))),
    figure: t(hidden(f?.figure ?? th?.figure ?? "")),
    measured: t(hidden(f === null || f.measured === null ? "not measured" : String(f.measured))),
    reference: t(hidden(f === null ? "unknown" : String(f.reference))),
    worst: t(hidden(String(f?.worst ?? th?.worst ?? ""))),
    creditText: t(`${points(i.score)} / ${points(i.maxScore)}`),
    full: i.passed,
    statusClass: i.outcome,
    hasNote: !i.passed && note.trim() !== "",
    note: t(note.trim()),
    hasPicture: picture !== null,
    picture,
  };
}

/** Compiler problems: the diagnostics (the syntax errors of the files that did not compile, or the type errors). */
function compileProblems(r: SubmissionResult): { diagnostics: Diagnostic[]; syntax: boolean; texts: string[] } {
  const typeText = r.problems.find((p) => p.startsWith("TypeScript finds type errors"));
  const texts = typeText === undefined ? [] : [typeText];
  const syntax = (r.unusable ?? []).flatMap((u) => (u.cause === "syntax" ? u.errors : []));
  if (syntax.length > 0) return { diagnostics: syntax, syntax: true, texts };
  return { diagnostics: [...r.typeErrors], syntax: false, texts };
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => l.trim() !== "") ?? "";
}

// --- pictures -----------------------------------------------------------------------

/** Live processes drawn per panel at most: the one the difference is in, and those it shares frames with. */
const MAX_PROCESSES = 3;
/** Processes without a page table (exited, killed) named under a panel's caption at most. */
const MAX_GONE = 3;

/** The picture's view: the step before and after, on both kernels; or a pointer to the picture that shows it. */
export function pictureView(p: FailurePicture, format: TextFormat): PictureView {
  const t = format.inline;
  const d = p.divergence;
  const first = d.index === 0;
  const after = stepLabel(p.mine.after, p.rounds.after);
  const beforeCaption = first ? "At the start" : `Before ${after}`;
  const afterCaption = first ? "At the start" : `After ${after}`;
  const panel = (s: StepView, caption: string, highlightFrom: StepView): PageTablePanel =>
    panelFor(s, { caption, focus: d.focus, fault: firstFault(highlightFrom) });
  const panels = {
    mineBefore: panel(p.mine.before, beforeCaption, p.mine.after),
    mineAfter: panel(p.mine.after, afterCaption, p.mine.after),
    referenceBefore: panel(p.reference.before, beforeCaption, p.reference.after),
    referenceAfter: panel(p.reference.after, afterCaption, p.reference.after),
  };
  // one width for the four, so that they are drawn at one scale
  const width = Math.max(...Object.values(panels).map((x) => naturalWidth(x.processes)));
  const drawn = p.sameAs === undefined;
  const draw = (x: PageTablePanel): string => (drawn ? drawPageTables(x, { legend: false, maxRows: 16, width }) : "");
  return {
    drawn,
    anchor: `picture-${p.itemId}`,
    seeText: t(drawn ? "" : seeSentence(p)),
    seeHref: drawn ? "" : `#picture-${p.sameAs!}`,
    heading: t(`What happened in scenario ${p.scenario}`),
    intro: t(
      `The grader ran the scenario ${p.scenario} (${p.scenarioFile}) on your kernel and on the reference kernel. ` +
        (first
          ? "They differ from the very start."
          : `They agree up to ${stepLabel(p.mine.before, p.rounds.before)}. They first differ at ${after}.`),
    ),
    why: t(d.why),
    beforeCaption: t(beforeCaption),
    afterCaption: t(afterCaption),
    width: `${width}px`,
    mineBeforeSvg: draw(panels.mineBefore),
    mineAfterSvg: draw(panels.mineAfter),
    referenceBeforeSvg: draw(panels.referenceBefore),
    referenceAfterSvg: draw(panels.referenceAfter),
    text: format.block(
      drawn
        ? [
            panelText("Your kernel", panels.mineBefore),
            panelText("Your kernel", panels.mineAfter),
            panelText("The reference kernel", panels.referenceBefore),
            panelText("The reference kernel", panels.referenceAfter),
          ].join("\n\n")
        : "",
    ),
  };
}

/** Where to look instead, for an item whose picture another item has. */
function seeSentence(p: FailurePicture): string {
  return `The picture here would be the same as the one for ${p.sameAs!} above: where your kernel first differs from the reference in scenario ${p.scenario}.`;
}

/** The panel of step `s`: its chosen processes, the page to outline, its leaked frames. */
function panelFor(
  s: StepView,
  o: { caption: string; focus: FailurePicture["divergence"]["focus"]; fault: { pid: number; va: number } | null },
): PageTablePanel {
  const focus = o.focus === null ? undefined : s.processes.find((x) => x.name === o.focus!.process);
  const highlight = focus !== undefined ? { pid: focus.pid, va: o.focus!.va } : o.fault;
  return {
    caption: o.caption,
    processes: chooseProcesses(s.processes, o.focus?.process ?? null),
    highlight: highlight === null ? null : { pid: highlight.pid, va: highlight.va },
    leaked: s.leaked ?? [],
  };
}

/**
 * "step 4: fork A as D", as the scenario file counts (from 1); a step in a
 * repeat by its place in each ("step 4.2"), and its round when the repeat
 * runs more than once ("step 4.2, round 3 of 4: exit C 0").
 */
export function stepLabel(s: StepView, round: StepRound): string {
  if (s.path === "start") return "the start";
  const numbers = [...s.path.matchAll(/steps\[(\d+)\]/g)].map((m) => Number(m[1]) + 1);
  const where = numbers.length > 0 ? numbers.join(".") : s.path;
  const rounds = round.rounds > 1 ? `, round ${round.round} of ${round.rounds}` : "";
  return `step ${where}${rounds}: ${s.text}`;
}

/**
 * The processes a panel draws: live ones, the focus first, then those
 * sharing a frame with it, then the rest, MAX_PROCESSES at most; and those
 * without a page table (named, not drawn), the focus first, MAX_GONE at
 * most. Kept in the scenario's order, so that a parent stays left of its child.
 */
export function chooseProcesses(all: readonly ProcessView[], focus: string | null): ProcessView[] {
  const live = all.filter(hasPageTable);
  const gone = all.filter((p) => !hasPageTable(p));
  const first = live.find((p) => p.name === focus) ?? live[0];
  const kept = new Set<ProcessView>();
  if (first !== undefined) {
    const frames = new Set(first.runs.flatMap((r) => Array.from({ length: r.pages }, (_, i) => r.frame + i)));
    const shares = (p: ProcessView): boolean =>
      p.runs.some((r) => Array.from({ length: r.pages }, (_, i) => r.frame + i).some((f) => frames.has(f)));
    const rest = live.filter((p) => p !== first);
    for (const p of [first, ...rest.filter(shares), ...rest.filter((p) => !shares(p))].slice(0, MAX_PROCESSES))
      kept.add(p);
  }
  const goneFirst = [...gone.filter((p) => p.name === focus), ...gone.filter((p) => p.name !== focus)];
  for (const p of goneFirst.slice(0, MAX_GONE)) kept.add(p);
  return all.filter((p) => kept.has(p));
}

/** A panel as text: each process's runs, one per line, the outlined one marked; its page-table pages; the leaked frames. */
function panelText(kernel: string, panel: PageTablePanel): string {
  const lines = [`${kernel}, ${panel.caption[0]!.toLowerCase()}${panel.caption.slice(1)}:`];
  for (const p of panel.processes) {
    if (!hasPageTable(p)) {
      lines.push(`  ${p.name} (pid ${p.pid}) ${p.killedBy !== null ? `killed by ${p.killedBy}` : p.state}`);
      continue;
    }
    lines.push(`  ${p.name} (pid ${p.pid}):`);
    for (const r of p.runs) {
      const hl = panel.highlight;
      const marked = hl !== null && hl.pid === p.pid && hl.va >= r.va && hl.va < r.va + r.pages * 4096;
      lines.push(`    ${formatRun(r)}${marked ? "   <- this page" : ""}`);
    }
    if ((p.tables ?? []).length > 0) lines.push(`    page-table pages in frames ${p.tables!.join(", ")}`);
  }
  const leaked = panel.leaked ?? [];
  if (leaked.length > 0) {
    const tables = leaked.filter((l) => l.table).map((l) => l.frame);
    const pages = leaked.filter((l) => !l.table).map((l) => l.frame);
    const list = (what: string, frames: number[]): string[] =>
      frames.length === 0 ? [] : [`${what} ${frames.length === 1 ? "frame" : "frames"} ${frames.join(", ")}`];
    lines.push(
      `  leaked (allocated, used by no process): ${[...list("page-table", tables), ...list("data", pages)].join("; ")}`,
    );
  }
  return lines.join("\n");
}

// --- the class summary ------------------------------------------------------------------
//
// The instructor's page (visibility.ts INSTRUCTOR): it names every test and
// threshold, hidden ones included, and is never sent to a student.

export interface SummaryView {
  readonly title: string;
  readonly subtitle: string;
  readonly hasWarnings: boolean;
  readonly warnings: readonly { readonly text: string }[];
  readonly stats: readonly { readonly label: string; readonly value: string }[];
  readonly histogramSvg: string;
  /** Every test and threshold, lowest pass rate first: the page draws each as a row with a bar. */
  readonly items: readonly ItemRateView[];
  readonly hasThresholds: boolean;
  readonly thresholds: readonly ThresholdDistributionView[];
  readonly hasTroubles: boolean;
  readonly troubles: readonly TroubleGroupView[];
  readonly columns: readonly { readonly id: string; readonly title: string; readonly maxText: string }[];
  readonly rows: readonly SubmissionRowView[];
  /** Every entry of the paths graded: under which id (linked to its report), or not and why. */
  readonly hasEntries: boolean;
  readonly entries: readonly EntryView[];
  readonly footer: string;
}

export interface EntryView {
  readonly entry: string;
  readonly graded: boolean;
  /** The report of the submission it is part of; "" when it is not graded. */
  readonly href: string;
  /** "graded as frank", "not graded: ...". */
  readonly outcome: string;
}

export interface ItemRateView {
  readonly id: string;
  readonly title: string;
  readonly kindText: string;
  readonly passedText: string;
  readonly rateText: string;
  /** The pass rate as a bar's width: "75%". */
  readonly share: string;
  readonly low: boolean;
}

export interface ThresholdDistributionView {
  readonly id: string;
  readonly title: string;
  readonly figure: string;
  readonly scenario: string;
  readonly referenceText: string;
  readonly countsText: string;
  readonly svg: string;
}

export interface TroubleGroupView {
  readonly title: string;
  readonly note: string;
  readonly rows: readonly { readonly id: string; readonly href: string; readonly detail: string }[];
}

export interface SubmissionRowView {
  readonly id: string;
  readonly href: string;
  readonly scoreText: string;
  readonly full: boolean;
  readonly zero: boolean;
  readonly cells: readonly { readonly text: string; readonly full: boolean }[];
  readonly lostText: string;
  /** Problems get a row of their own under the submission's, across the table's `span` columns. */
  readonly hasProblems: boolean;
  readonly span: number;
  readonly problemsText: string;
}

/** Where a submission's report is, from the summary's folder: the instructor's view, for the summary is the instructor's. */
export function reportHref(id: string): string {
  return `${encodeURIComponent(id)}/${INSTRUCTOR_REPORT}`;
}

/** The instructor's view of a submission's report (every item in full), beside the student's in its folder. */
export const INSTRUCTOR_REPORT = "instructor.html";

/** The class summary's view: `summary` from the grader, `results` for the figures and troubles. */
export function summaryView(
  summary: BatchSummary,
  results: readonly SubmissionResult[],
  rubric: Rubric,
  format: TextFormat,
): SummaryView {
  const t = format.inline;
  const graded = results.filter((r) => r.status === "graded");
  const scores = graded.map((r) => r.score).sort((a, b) => a - b);
  const mean = scores.length === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / scores.length;
  const median =
    scores.length === 0
      ? 0
      : (scores[Math.floor((scores.length - 1) / 2)]! + scores[Math.ceil((scores.length - 1) / 2)]!) / 2;
  // lowest rate first; at one rate, by id as people count (A2 before A10)
  const items = [...summary.items].sort(
    (a, b) => rate(a) - rate(b) || a.id.localeCompare(b.id, "en", { numeric: true }),
  );

  return {
    title: t(`Lab ${summary.lab}: class summary`),
    subtitle: t(
      `${plural(summary.rows.length, "submission")}, out of ${points(summary.maxScore)} points. Lab version ${summary.labVersion}, graded by oslab grader ${summary.graderVersion}, seed ${summary.seed}.`,
    ),
    hasWarnings: summary.warnings.length > 0,
    warnings: summary.warnings.map((w) => ({ text: t(w) })),
    stats: [
      { label: "Submissions", value: String(summary.rows.length) },
      { label: "Graded", value: String(graded.length) },
      { label: "Mean", value: points(Math.round(mean * 10) / 10) },
      { label: "Median", value: points(median) },
      { label: "Full marks", value: String(graded.filter((r) => r.score >= r.maxScore).length) },
      { label: "Zero", value: String(graded.filter((r) => r.score === 0).length) },
    ].map((s) => ({ label: t(s.label), value: t(s.value) })),
    histogramSvg: histogram(scoreBins(scores, summary.maxScore), {
      label: `Scores of ${plural(scores.length, "graded submission")}`,
      xTitle: "points",
    }),
    items: items.map((i) => ({
      id: t(i.id),
      title: t(i.title),
      kindText: t(i.kind),
      passedText: t(`${i.passed} / ${i.graded}`),
      rateText: t(percent(i.passed, i.graded)),
      share: percent(i.passed, i.graded),
      low: i.graded > 0 && i.passed / i.graded < 0.5,
    })),
    hasThresholds: rubric.thresholds.length > 0,
    thresholds: rubric.thresholds.map((th) => {
      const figures = graded.map((r) => r.items.find((i) => i.id === th.id)?.figure);
      const reference = figures.find((f) => f !== undefined)?.reference;
      const measured = graded
        .map((r) => r.items.find((i) => i.id === th.id))
        .filter(
          (i) =>
            i !== undefined &&
            i.figure !== undefined &&
            i.figure.measured !== null &&
            !/did not run correctly/.test(i.output),
        )
        .map((i) => i!.figure!.measured as number);
      const notRun = graded.length - measured.length;
      return {
        id: t(th.id),
        title: t(th.title),
        figure: t(th.figure),
        scenario: t(th.scenario),
        referenceText: t(reference === undefined ? "no reference figure" : `reference ${reference}, worst ${th.worst}`),
        countsText: t(
          `${plural(measured.length, "submission")} measured` +
            (notRun > 0 ? `; ${notRun} not measured (the scenario did not run correctly, or not at all)` : ""),
        ),
        svg:
          reference === undefined
            ? ""
            : dotPlot(measured, { reference, worst: th.worst, label: `${th.id}: ${th.figure} across the class` }),
      };
    }),
    ...troubleGroups(results, format),
    columns: summary.columns.map((c) => ({
      id: t(c.id),
      // a part's column holds its thresholds' points too; each threshold's own column is the detail of its part's
      title: t(c.kind === "part" ? `Part ${c.id}, tests and thresholds: ${c.title}` : `${c.title} (in part ${c.part})`),
      maxText: t(points(c.maxScore)),
    })),
    rows: summary.rows.map((row) => ({
      id: t(row.id),
      href: reportHref(row.id),
      scoreText: t(`${points(row.score)} / ${points(row.maxScore)}`),
      full: row.status === "graded" && row.score >= row.maxScore,
      zero: row.score === 0,
      cells: summary.columns.map((c) => {
        const v = row.columns[c.id] ?? 0;
        return { text: t(points(v)), full: v >= c.maxScore };
      }),
      lostText: t(row.lost.join(" ")),
      hasProblems: row.problems.length > 0,
      span: summary.columns.length + 3,
      problemsText: t(row.problems.map((p) => firstLine(p).replace(/:$/, "")).join("; ")),
    })),
    hasEntries: (summary.entries ?? []).length > 0,
    entries: (summary.entries ?? []).map((e) => ({
      entry: t(e.entry),
      graded: e.status === "graded",
      href: e.status === "graded" ? reportHref(e.id) : "",
      outcome: t(entryOutcome(e)),
    })),
    footer: t(
      `Lab ${summary.lab}, version ${summary.labVersion}; oslab grader ${summary.graderVersion}, seed ${summary.seed}.`,
    ),
  };
}

function rate(i: ItemStats): number {
  return i.graded === 0 ? 0 : i.passed / i.graded;
}

/** Submissions that timed out, crashed, did not compile, could not be read, or broke the grader. */
function troubleGroups(
  results: readonly SubmissionResult[],
  format: TextFormat,
): { hasTroubles: boolean; troubles: TroubleGroupView[] } {
  const t = format.inline;
  const sorted = [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const row = (r: SubmissionResult, detail: string) => ({ id: t(r.id), href: reportHref(r.id), detail: t(detail) });
  const which = (r: SubmissionResult, kind: StatusClass): string[] =>
    r.items.filter((i) => outcomeOf(i) === kind).map((i) => i.id);
  const groups: { title: string; note: string; rows: ReturnType<typeof row>[] }[] = [
    {
      title: "Timed out",
      note: "A test or scenario ran past its time limit and was stopped.",
      rows: sorted.filter((r) => which(r, "timeout").length > 0).map((r) => row(r, which(r, "timeout").join(" "))),
    },
    {
      title: "Crashed",
      note: "The process running a test died (out of memory, stack overflow, process.exit).",
      rows: sorted.filter((r) => which(r, "crash").length > 0).map((r) => row(r, which(r, "crash").join(" "))),
    },
    {
      title: "Did not compile",
      note: "A syntax error: the parts that need the file scored 0.",
      rows: sorted
        .filter((r) => (r.unusable ?? []).some((u) => u.cause === "syntax"))
        .map((r) => row(r, firstLine(r.unusable!.find((u) => u.cause === "syntax")!.detail))),
    },
    {
      title: "Not graded",
      note: "The submission could not be read, or the grader itself failed on it.",
      rows: sorted
        .filter(
          (r) =>
            r.status === "grader-error" ||
            r.items.every((i) => i.output.startsWith("Not graded: ") && !/does not compile/.test(i.output)),
        )
        .filter((r) => r.items.length > 0 || r.status === "grader-error")
        .map((r) => row(r, firstLine(r.graderError ?? r.problems[0] ?? ""))),
    },
  ];
  const troubles = groups
    .filter((g) => g.rows.length > 0)
    .map((g) => ({ title: t(g.title), note: t(g.note), rows: g.rows }));
  return { hasTroubles: troubles.length > 0, troubles };
}
