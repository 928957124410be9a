// `oslab handout --lab cow --out DIR [--pdf] [--config course.json] [--answers]`:
// builds a lab's handout. labs/<lab>/handout.md (Markdown with Handlebars
// expressions) is filled from a view model computed by the reference kernel
// and the rubric, rendered to HTML, and placed in templates/handout.html.hbs,
// giving one self-contained HTML file; --pdf prints it with headless Chromium.
//
//   view model ──> handout.md (Handlebars, strict) ──> Markdown ──> HTML body
//              └─> handout.html.hbs (Handlebars, strict) ──> DIR/<lab>.html ──> DIR/<lab>.pdf

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import type { Argv } from "yargs";
import { loadRubric } from "../grader/rubric";
import { Lab, labOfFolder, loadLab, repoRoot } from "../labs/lab";
import { labChoice, labOptions } from "../cli/_lab-options";
import { CourseConfig, DEFAULT_COURSE, loadCourseConfig } from "./config";
import { Heading, renderMarkdown } from "./markdown";
import type { FindOptions } from "../grader/report/_browser";
import { printPdf } from "./pdf";
import { HandoutView, handoutView } from "./view";
import { writeAtomic } from "./_write";

export interface HandoutOptions {
  /** The lab's name (labs/<lab> in the kit); unused when `labDir` is given. */
  readonly lab: string;
  /** A lab's folder anywhere: its lab.json and handout.md (or the kit's labs/<rubric's lab>'s), its rubric and scenarios. */
  readonly labDir?: string;
  /** The instructor edition: the answers to the questions and challenges are in. */
  readonly answers?: boolean;
  /** The course's details; DEFAULT_COURSE when not given. */
  readonly course?: CourseConfig;
  /** The kit's root; found above this file when not given. */
  readonly root?: string;
  /** The folder holding rubric.json and its threshold scenarios; the lab's folder when not given. */
  readonly rubricDir?: string;
}

/** A handout rendered in memory. */
export interface RenderedHandout {
  readonly html: string;
  readonly title: string;
  readonly headings: readonly Heading[];
  readonly view: HandoutView;
}

/** Builds the handout's HTML; throws a message naming what is wrong (a missing lab, a broken template). */
export function renderHandout(options: HandoutOptions): RenderedHandout {
  const root = options.root ?? repoRoot();
  const kitLab = options.labDir === undefined ? loadLab(options.lab, root) : null;
  const dir = kitLab?.dir ?? path.resolve(options.labDir!);
  const rubricDir = options.rubricDir ?? dir;
  const rubric = loadRubric(rubricDir);
  const lab: Lab = kitLab ?? labOfFolder(dir, rubric.lab, root);
  const source = path.join(lab.dir, "handout.md");
  if (!existsSync(source)) throw new Error(`Cannot build the handout of lab "${lab.name}": ${source} does not exist`);
  const answers = options.answers ?? false;
  const view = handoutView(lab, { course: options.course ?? DEFAULT_COURSE, answers, rubric, rubricDir });

  const markdown = fillTemplate(source, readFileSync(source, "utf8"), view);
  const { html: body, headings } = renderMarkdown(markdown);
  const title = `Lab: ${lab.title}`;
  const page = templates(root).page({
    title,
    lab: lab.name,
    course: view.course,
    answers,
    edition: answers ? "instructor" : "student",
    rubricVersion: rubric.version,
    toc: tocOf(headings),
    body,
  });
  return { html: page, title, headings, view };
}

/** The files a build wrote. */
export interface HandoutFiles {
  readonly html: string;
  readonly pdf: string | null;
}

/**
 * Writes DIR/<lab>.html (DIR/<lab>-answers.html for the instructor edition)
 * and, when `pdf` is set, the PDF beside it. The HTML is written before the
 * PDF is tried, so it is there even when no browser is.
 */
export async function writeHandout(
  options: HandoutOptions & { readonly out: string; readonly pdf?: boolean; readonly browser?: FindOptions },
): Promise<HandoutFiles> {
  const rendered = renderHandout(options);
  const base = path.join(options.out, fileBase(rendered.view.lab.name, options.answers ?? false));
  const html = writeAtomic(`${base}.html`, rendered.html);
  if (!options.pdf) return { html, pdf: null };
  const pdf = `${base}.pdf`;
  await printPdf(html, pdf, { title: pdfTitle(rendered), ...(options.browser ? { browser: options.browser } : {}) });
  return { html, pdf };
}

// --- Handlebars -------------------------------------------------------------------

/** Fills the handout's Handlebars expressions (strict: a missing field is an error naming it). */
export function fillTemplate(file: string, source: string, view: object): string {
  const hb = Handlebars.create();
  try {
    return hb.compile(source, { strict: true })(view);
  } catch (e) {
    throw new Error(`Cannot build the handout from ${file}: ${(e as Error).message}`);
  }
}

interface PageView {
  readonly title: string;
  readonly lab: string;
  readonly course: CourseConfig;
  readonly answers: boolean;
  readonly edition: string;
  readonly rubricVersion: string;
  readonly toc: readonly TocEntry[];
  readonly body: string;
}

interface TocEntry {
  readonly id: string;
  readonly text: string;
  readonly subs: readonly { readonly id: string; readonly text: string }[];
}

/** The page template (templates/handout.html.hbs) with its partials, compiled in strict mode. */
function templates(root: string): { page: (view: PageView) => string } {
  const dir = path.join(root, "templates");
  const hb = Handlebars.create();
  const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
  hb.registerPartial("handout-style", read("handout-style.hbs"));
  const page = hb.compile<PageView>(read("handout.html.hbs"), { strict: true });
  return {
    page: (view) => {
      try {
        return page(view);
      } catch (e) {
        throw new Error(`Cannot build the handout from ${path.join(dir, "handout.html.hbs")}: ${(e as Error).message}`);
      }
    },
  };
}

/** The table of contents: sections (h2) with their subsections (h3). */
export function tocOf(headings: readonly Heading[]): TocEntry[] {
  const toc: { id: string; text: string; subs: { id: string; text: string }[] }[] = [];
  for (const h of headings) {
    if (h.depth === 2) toc.push({ id: h.id, text: h.text, subs: [] });
    else if (h.depth === 3) toc[toc.length - 1]?.subs.push({ id: h.id, text: h.text });
  }
  return toc;
}

// --- the command ----------------------------------------------------------------------

export interface HandoutArgs {
  lab?: string | undefined;
  labDir?: string | undefined;
  out: string;
  pdf: boolean;
  config?: string | undefined;
  answers: boolean;
}

export function builder(y: Argv): Argv<HandoutArgs> {
  return labOptions(y)
    .option("out", {
      type: "string",
      demandOption: true,
      describe: "the folder to write <lab>.html (and <lab>.pdf) into",
    })
    .option("pdf", {
      type: "boolean",
      default: false,
      describe: "also print <lab>.pdf with headless Chromium (apt-get install chromium, or set CHROME_PATH)",
    })
    .option("config", {
      type: "string",
      describe: "a course.json: the course, term, due date and how to submit (see handout/course.example.json)",
    })
    .option("answers", {
      type: "boolean",
      default: false,
      describe: "the instructor edition, with the answers, written as <lab>-answers.html",
    })
    .example("$0 handout --out handout", "the student edition, handout/cow.html")
    .example("$0 handout --out handout --answers", "the instructor edition")
    .example("$0 handout --out handout --pdf --config course.json", "")
    .example("$0 handout --out handout --lab-dir ../mylab", "")
    .epilog(
      "Its tables and figures are computed from the lab's rubric and the reference kernel. " +
        "Exit 0 built, 1 the PDF failed (the HTML is written), 2 nothing built.",
    ) as unknown as Argv<HandoutArgs>;
}

/** What the command may be given besides its arguments (tests use it to stand in for the machine). */
export interface CommandContext {
  readonly out?: (s: string) => void;
  readonly err?: (s: string) => void;
  /** Where to look for the browser. */
  readonly browser?: FindOptions;
  /** The folder of rubric.json; the lab's own by default. */
  readonly rubricDir?: string;
}

/** Runs the command; returns the exit status: 0 built, 1 the PDF failed (the HTML is written), 2 nothing built. */
export async function handoutCommand(args: HandoutArgs, context: CommandContext = {}): Promise<number> {
  const out = context.out ?? console.log;
  const err = context.err ?? console.error;
  let rendered: RenderedHandout;
  let html: string;
  try {
    const course = args.config === undefined ? DEFAULT_COURSE : loadCourseConfig(args.config);
    rendered = renderHandout({
      ...labChoice(args),
      course,
      answers: args.answers,
      ...(context.rubricDir !== undefined ? { rubricDir: context.rubricDir } : {}),
    });
    html = writeAtomic(path.join(args.out, `${fileBase(rendered.view.lab.name, args.answers)}.html`), rendered.html);
  } catch (e) {
    err(`oslab handout: ${(e as Error).message}`);
    return 2;
  }
  out(`wrote ${html}${args.answers ? " (instructor edition, with answers)" : ""}`);
  if (!args.pdf) return 0;
  const pdf = html.replace(/\.html$/, ".pdf");
  try {
    await printPdf(html, pdf, { title: pdfTitle(rendered), ...(context.browser ? { browser: context.browser } : {}) });
  } catch (e) {
    err(`oslab handout: cannot print ${pdf}: ${(e as Error).message}. ${html} is written.`);
    return 1;
  }
  out(`wrote ${pdf}`);
  return 0;
}

/** The running header of the PDF's pages: the title, and which edition. */
function pdfTitle(r: RenderedHandout): string {
  return r.view.answers ? `${r.title}: instructor edition, with answers` : r.title;
}

/** The output's name without extension: the lab's, with "-answers" for the instructor edition. */
export function fileBase(lab: string, answers: boolean): string {
  return `${lab}${answers ? "-answers" : ""}`;
}
