// The report pages as a person sees them: rendered, then loaded in a real
// headless browser (no console error, pictures and charts drawn, text from
// a submission shown as text), and written by real grading batches: every
// example submission (examples/submissions/, the batch the whole test run
// shares, test-support/shared-batch.ts), and a batch of its own holding a
// kernel edited to leave the parent writable and a zip with a long id and
// long paths. Their pages must fit a 1280- and an 800-pixel window
// (_layout.ts); for every example, every output gives the same per-part
// totals, adding up to the score, and no student view names a test it
// hides. Screenshots go to $TMPDIR/oslab-pages/.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { gradeCommand } from "../cli";
import { gradeBatch } from "../grade";
import { round } from "../_points";
import { BatchSummary, SubmissionResult } from "../model";
import { GradescopeResults } from "../results";
import { loadRubric } from "../rubric";
import { gradingView } from "../../handout/_grading";
import { makeZip } from "../test-support/archives";
import { exampleNames, gradedExamples } from "../test-support/shared-batch";
import {
  ROOT,
  STUDENT_FILES,
  labUnderTest,
  readJson,
  scratch,
  solutionSubmission,
  solutionText,
} from "../test-support/fixtures";
import { HeadlessBrowser, browserForTests, launchBrowser, pageProblems } from "./_browser";
import { layoutProblems } from "./_layout";
import { MAX_PICTURES } from "./pictures";
import { prepareTemplates, renderReport, renderSummary } from "./report";
import { SAMPLE_RUBRIC, perfectResult, samplePicture, sampleSummary, troubledResult } from "./_samples";

jest.setTimeout(240_000);

const EVIL_ID = "<script>alert(1)</script>";
const EVIL_COMPILER = `Type '<img src=x onerror="window.pwned=1">' is not assignable`;
const EVIL_OUTPUT = `Expected: <b>bold</b></pre><script>window.pwned=2</script>`;

const work = scratch("report");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A troubled submission whose id, compiler output and test output are markup. */
function evilResult(): SubmissionResult {
  const r = troubledResult();
  return {
    ...r,
    id: EVIL_ID,
    items: r.items.map((i) => (i.id === "A1" ? { ...i, output: EVIL_OUTPUT } : i)),
    problems: [`Your submission has <i>no</i> cow.ts`, r.problems[1]!],
    typeErrors: [{ ...r.typeErrors[0]!, message: EVIL_COMPILER }],
  };
}

function writePages(): { report: string; md: string; summary: string } {
  const templates = prepareTemplates();
  const evil = evilResult();
  const { html, md } = renderReport(
    { result: evil, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A1"), samplePicture("T1")] },
    templates,
  );
  const dir = path.join(work, "pages");
  mkdirSync(dir, { recursive: true });
  const results = [evil, perfectResult()];
  const files = {
    report: path.join(dir, "report.html"),
    md: path.join(dir, "report.md"),
    summary: path.join(dir, "summary.html"),
  };
  writeFileSync(files.report, html);
  writeFileSync(files.md, md);
  writeFileSync(files.summary, renderSummary(sampleSummary(results), results, SAMPLE_RUBRIC, templates));
  return files;
}

describe("the pages as text", () => {
  const pages = writePages();
  const html = readFileSync(pages.report, "utf8");
  const summary = readFileSync(pages.summary, "utf8");
  const md = readFileSync(pages.md, "utf8");

  it("carry no script and no markup from the submission", () => {
    for (const page of [html, summary]) {
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toContain("<img");
      expect(page).not.toContain("<b>bold");
      expect(page).not.toContain("<i>no");
    }
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(md).toContain("report for &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(md).toContain("```text\nExpected: <b>bold</b></pre><script>window.pwned=2</script>\n```");
  });

  it("need nothing from outside the file", () => {
    for (const page of [html, summary]) {
      expect(page).not.toMatch(/\b(src|href)="(https?:|\/\/)/);
      expect(page).not.toMatch(/<link\b/);
      expect(page).not.toMatch(/url\(/);
    }
  });
});

const chrome = browserForTests("the report pages' browser tests");
(chrome === null ? describe.skip : describe)("the pages in a browser", () => {
  let browser: HeadlessBrowser;
  const pages = writePages();
  beforeAll(async () => {
    browser = await launchBrowser({ executable: chrome! });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string, width = 1300): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    const problems = pageProblems(page);
    await page.goto(pathToFileURL(file).href);
    return { page, problems };
  }

  async function visible(page: Page, selector: string): Promise<number> {
    const boxes = await Promise.all((await page.locator(selector).all()).map((l) => l.boundingBox()));
    return boxes.filter((b) => b !== null && b.width > 0 && b.height > 0).length;
  }

  it("show a student's report: the failed COW test's pictures drawn, markup from the submission as text", async () => {
    const { page, problems } = await open(pages.report);
    expect(await page.textContent("h1")).toBe(`Lab cow: report for ${EVIL_ID}`);
    expect(await page.locator("script, img, b, i").count()).toBe(0);
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    expect(await page.locator("pre.message").first().textContent()).toBe(EVIL_OUTPUT);
    expect(await page.textContent("section.diagnostics")).toContain(EVIL_COMPILER);
    expect(await page.textContent("section.problems")).toContain("Your submission has <i>no</i> cow.ts");

    // two pictures (test A1, threshold T1), each four page-table panels with the faulting page outlined
    expect(await page.locator("figure.picture").count()).toBe(2);
    expect(await visible(page, "figure.picture svg.pt-figure")).toBe(8);
    expect(await visible(page, "figure.picture g.pt-fault")).toBe(8);
    expect(await page.textContent("figure.picture .kernel.mine h4")).toBe("Your kernel");
    expect(await page.textContent("figure.picture .kernel.reference h4")).toBe("The reference kernel");
    // side by side on a wide screen: the reference's panels start to the right of yours
    for (const k of [0, 1]) {
      const mine = await page.locator("figure.picture .kernel.mine").nth(k).boundingBox();
      const ref = await page.locator("figure.picture .kernel.reference").nth(k).boundingBox();
      expect(ref!.x).toBeGreaterThan(mine!.x + mine!.width - 1);
      expect(ref!.y).toBe(mine!.y);
    }

    expect(await page.locator("tr.test").count()).toBe(4);
    expect(await page.locator("span.status.timeout").textContent()).toBe("timed out");
    expect(await page.locator("span.status.crash").textContent()).toBe("crashed");
    await page.screenshot({ path: path.join(os.tmpdir(), "oslab-report.png"), fullPage: true });
    expect(await layoutProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("show the class summary: charts drawn, every submission linked, markup in an id as text", async () => {
    const { page, problems } = await open(pages.summary);
    for (const chart of ["svg.histogram", "table.rates", "svg.dot-plot"]) expect(await visible(page, chart)).toBe(1);
    expect(await visible(page, "svg.histogram rect.chart-bar")).toBeGreaterThan(0);
    expect(await visible(page, "table.rates tbody .bar span")).toBe(4); // a bar per test, each a third long
    expect(await page.locator("table.rates tbody td.id").allTextContents()).toEqual(["A1", "A2", "B1", "B2"]);
    expect(await visible(page, "svg.dot-plot circle.dot")).toBe(2); // both measured 2: two dots stacked
    const links = page.locator("table.class a");
    expect(await links.allTextContents()).toEqual([EVIL_ID, "sample-perfect"]);
    expect(await links.first().getAttribute("href")).toBe("%3Cscript%3Ealert(1)%3C%2Fscript%3E/instructor.html");
    expect(await page.locator("script, img").count()).toBe(0);
    expect(await page.textContent(".troubles")).toContain(`${EVIL_ID}: B1`);
    await page.screenshot({ path: path.join(os.tmpdir(), "oslab-summary.png"), fullPage: true });
    expect(await layoutProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("show the pictures one above the other on a narrow screen", async () => {
    const { page, problems } = await open(pages.report, 700);
    const mine = await page.locator("figure.picture .kernel.mine").first().boundingBox();
    const ref = await page.locator("figure.picture .kernel.reference").first().boundingBox();
    expect(ref!.y).toBeGreaterThan(mine!.y + mine!.height - 1);
    expect(await layoutProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});

/** A submission's id as long as an LMS makes them, handed in as a zip whose entries have long paths. */
const LONG_ID = "a-student-whose-identifier-from-the-course-roster-is-rather-long";
/** The example that fails the most and has the most pictures: its report is the longest. */
const WORST = "teardown-frees-shared-frames";
/** The ids the batch of this file's own grades. */
/** Graded with its pictures made to fail (OSLAB_GRADER_FAULT), a grader bug on purpose. */
const PICTURE_LOST = "picture-lost";
const OWN = ["parent-writable", PICTURE_LOST, LONG_ID];

/** LONG_ID's zip: the reference's files deep in folders, and an entry with a long name that climbs out. */
function longPathsZip(): Buffer {
  const deep = "my-operating-systems-coursework/copy-on-write-fork-lab-final-version-really-final/";
  const entries = STUDENT_FILES.map((rel) => ({ name: `${deep}${rel}`, data: solutionText(rel) }));
  const climbing = `${deep}../../../../somewhere-outside-the-archive/with-a-long-file-name-that-goes-on-and-on.ts`;
  return makeZip([...entries, { name: climbing, data: "escaped" }]);
}

/** Each part's total in `text`, from the lines `line` matches (group 1 the part, group 2 its points), in order. */
function partsIn(text: string, line: RegExp): number[] {
  return text
    .split("\n")
    .map((l) => line.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[2]));
}

/** A page's text as a reader sees it: tags out, entities read. */
function pageText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** Markdown's text as a reader sees it: its escapes undone, lines joined. */
function mdText(md: string): string {
  return pageText(md.replace(/\\([\\`*_[\]|~#+.-])/g, "$1"));
}

describe("graded batches", () => {
  const { labDir } = labUnderTest();
  const klass = path.join(work, "class");
  const out = path.join(work, "out");
  /** The example submissions, graded once for the whole test run: their folder and ids. */
  let examples = "";
  let EXAMPLES: string[] = [];
  beforeAll(async () => {
    for (const id of ["parent-writable", PICTURE_LOST])
      solutionSubmission(path.join(klass, id), [
        { file: "src/kernel/uvmcopy.ts", from: "pte = (pte & ~PTE_W) | PTE_COW;", to: "pte = pte | PTE_COW;" },
      ]);
    writeFileSync(path.join(klass, `${LONG_ID}.zip`), longPathsZip());
    examples = (await gradedExamples()).out;
    EXAMPLES = exampleNames();
    process.env.OSLAB_GRADER_FAULT = `picture:${PICTURE_LOST}`;
    try {
      await gradeBatch([klass], { lab: "cow", labDir, root: ROOT, out, jobs: 2 });
    } finally {
      delete process.env.OSLAB_GRADER_FAULT;
    }
  });

  it("tells the instructor, in the summary's warnings, why a student got no picture; never the student", () => {
    const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { warnings: string[] };
    const lost = summary.warnings.filter((w) => w.startsWith(`${PICTURE_LOST}: no picture for `));
    expect(lost.length).toBeGreaterThan(0);
    for (const w of lost) expect(w).toMatch(/: Injected grader fault .*picture stage/);
    expect(summary.warnings.filter((w) => w.startsWith("parent-writable:"))).toEqual([]);
    expect(readFileSync(path.join(out, "summary.html"), "utf8")).toContain(`${PICTURE_LOST}: no picture for `);
    for (const file of ["report.html", "report.md"])
      expect(readFileSync(path.join(out, PICTURE_LOST, file), "utf8")).not.toMatch(/no picture for|Injected/);
  });

  it("writes each student's report.html and report.md, the instructor's view beside them, and the summary linking to that", () => {
    for (const [dir, ids] of [
      [out, OWN],
      [examples, EXAMPLES],
    ] as const) {
      const summary = readFileSync(path.join(dir, "summary.html"), "utf8");
      const hrefs = [...summary.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
      expect([...new Set(hrefs)].sort()).toEqual(ids.map((id) => `${id}/instructor.html`).sort());
      for (const id of ids)
        for (const file of ["report.html", "report.md", "instructor.html"])
          expect({ id, file, written: existsSync(path.join(dir, id, file)) }).toEqual({ id, file, written: true });
    }
    expect(readFileSync(path.join(examples, "reference", "report.md"), "utf8")).toContain(
      "Full marks: every test passed and every threshold earned full credit.",
    );
  });

  it("draws, for the parent left writable, the fork where its page should have become read-only", () => {
    const html = readFileSync(path.join(out, "parent-writable", "report.html"), "utf8");
    expect(html).toContain('<figure class="picture" id="picture-');
    expect(html).toMatch(/They first differ at step \d+: fork /);
    expect(html).toMatch(
      /on your kernel it is writable, copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write/,
    );
    expect(readFileSync(path.join(examples, "reference", "report.html"), "utf8")).not.toContain("<figure");
  });

  it("draws the worst report's pictures once each, the frames it freed while still mapped in red", () => {
    const html = readFileSync(path.join(examples, WORST, "report.html"), "utf8");
    expect(html).toContain(">ref 0: free</text>");
    const figures = html.match(/<figure class="picture" id="picture-[^"]+">/g) ?? [];
    expect(figures.length).toBeGreaterThan(1);
    expect(figures.length).toBeLessThanOrEqual(MAX_PICTURES);
    // items whose picture would repeat one point at it, and every pointer leads to a figure
    const pointers = [...html.matchAll(/<p class="note see">[^<]*<a href="#(picture-[^"]+)">/g)].map((m) => m[1]!);
    expect(pointers.length).toBeGreaterThan(0);
    for (const id of pointers) expect(html).toContain(`<figure class="picture" id="${id}">`);
    // the pictures name steps as the scenario does, not by their path in it
    const pictures = (html.match(/<figure class="picture"[\s\S]*?<\/figure>/g) ?? []).join("\n");
    expect(pictures).not.toMatch(/steps\[\d+\]/);
    expect(pictures).toMatch(/>(Before|After) step \d+(\.\d+)*(, round \d+ of \d+)?: [a-z]+ /);
  });

  it("lists the long zip's problems in a row of their own, its id linked", () => {
    const summary = readFileSync(path.join(out, "summary.html"), "utf8");
    expect(summary).toContain(`<a href="${LONG_ID}/instructor.html">${LONG_ID}</a>`);
    expect(summary).toMatch(
      /<tr class="problems"><td colspan="\d+"><div class="text">Problems: [^<]*somewhere-outside-the-archive/,
    );
  });

  it("gives every example submission the same per-part totals in every output, each part's tests and thresholds adding up to the score", () => {
    const rubric = loadRubric(labDir);
    const parts = rubric.parts.map((p) => p.id);
    const handout = gradingView(rubric, labDir).parts.map((p) => [p.id, Number(p.tests), Number(p.thresholds)]);
    const summary = readJson<BatchSummary>(path.join(examples, "summary.json"));
    const csv = readFileSync(path.join(examples, "grades.csv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const summaryHtml = readFileSync(path.join(examples, "summary.html"), "utf8");
    for (const id of EXAMPLES) {
      const details = readJson<SubmissionResult>(path.join(examples, id, "details.json"));
      const totals = details.parts.map((p) => p.score);
      // the handout's table: each part's tests and thresholds, as the grader counts them
      expect(details.parts.map((p) => [p.id, p.tests.maxScore, p.thresholds.maxScore])).toEqual(handout);
      expect(details.parts.map((p) => round(p.tests.score + p.thresholds.score))).toEqual(totals);
      expect({ id, sum: round(totals.reduce((a, b) => a + b, 0)) }).toEqual({ id, sum: details.score });
      const results = readJson<GradescopeResults>(path.join(examples, id, "results.json"));
      expect({
        id,
        results: results.score,
        lines: partsIn(results.output, /^Part (\w+) \(.*?\): ([\d.]+) \//),
      }).toEqual({
        id,
        results: details.score,
        lines: totals,
      });
      const md = readFileSync(path.join(examples, id, "report.md"), "utf8");
      expect({ id, md: partsIn(md, new RegExp(`^\\| (${parts.join("|")}) .* \\| ([\\d.]+) / [\\d.]+ \\|$`)) }).toEqual({
        id,
        md: totals,
      });
      const html = readFileSync(path.join(examples, id, "report.html"), "utf8");
      const htmlParts = [
        ...html.matchAll(
          /<tr><td><span class="id">(\w+)<\/span>.*?<td class="num">([\d.]+) \/ [\d.]+<\/td><td><span class="bar/g,
        ),
      ];
      expect({ id, html: htmlParts.map((m) => Number(m[2])) }).toEqual({ id, html: totals });
      const row = csv.find((r) => r[0] === id)!;
      expect({ id, csv: parts.map((p) => Number(row[csv[0]!.indexOf(p)])), total: Number(row[1]) }).toEqual({
        id,
        csv: totals,
        total: details.score,
      });
      const summaryRow = summary.rows.find((r) => r.id === id)!;
      expect({ id, summary: parts.map((p) => summaryRow.columns[p]) }).toEqual({ id, summary: totals });
      const cells = new RegExp(
        `href="${id}/instructor.html">[^<]*</a></td>\\s*<td[^>]*>[^<]*</td>\\s*((?:<td class="num cell[^"]*">[^<]*</td>)+)`,
      );
      const summaryCells = [...(cells.exec(summaryHtml)?.[1] ?? "").matchAll(/>([\d.]+)</g)].map((m) => Number(m[1]));
      expect({ id, summaryHtml: summaryCells.slice(0, parts.length) }).toEqual({ id, summaryHtml: totals });
    }
  });

  it("names no test or threshold a student may not see in full yet, in any student's view; the instructor's view does", () => {
    const rubric = loadRubric(labDir);
    const unseen = [...rubric.tests, ...rubric.thresholds].filter((i) => i.visibility !== "visible");
    expect(unseen.length).toBeGreaterThan(0);
    let instructorNamed = 0;
    for (const id of EXAMPLES) {
      const results = readJson<GradescopeResults>(path.join(examples, id, "results.json"));
      // what Gradescope shows a student: the overview and the entries that are visible
      const shown = results.tests.filter((t) => t.visibility === "visible");
      const views = {
        "report.html": pageText(readFileSync(path.join(examples, id, "report.html"), "utf8")),
        "report.md": mdText(readFileSync(path.join(examples, id, "report.md"), "utf8")),
        "results.json": [results.output, ...shown.flatMap((t) => [t.name, t.output])].join("\n"),
      };
      for (const [view, text] of Object.entries(views))
        for (const item of unseen)
          expect({ id, view, item: item.id, named: text.includes(item.title) }).toEqual({
            id,
            view,
            item: item.id,
            named: false,
          });
      const instructor = pageText(readFileSync(path.join(examples, id, "instructor.html"), "utf8"));
      instructorNamed += unseen.filter((i) => instructor.includes(i.title)).length;
    }
    // the same check finds the titles where they belong
    expect(instructorNamed).toBeGreaterThanOrEqual(unseen.length);
  });

  (chrome === null ? it.skip : it)(
    "has pages that fit 1280 and 800 pixels: no sideways scroll, no text under 11 px, no console error",
    async () => {
      // the summary, the longest reports (the student's and the instructor's), the long id, a picture, the extremes
      const files = [
        ["summary.html", out],
        [`${LONG_ID}/report.html`, out],
        ["parent-writable/report.html", out],
        ["summary.html", examples],
        [`${WORST}/report.html`, examples],
        [`${WORST}/instructor.html`, examples],
        ["reference/report.html", examples],
        ["starter/report.html", examples],
      ].map(([file, dir]) => ({ file: `${dir === out ? "own" : "examples"}/${file!}`, full: path.join(dir!, file!) }));
      const shots = path.join(os.tmpdir(), "oslab-pages");
      mkdirSync(shots, { recursive: true });
      const browser = await launchBrowser({ executable: chrome! });
      try {
        for (const width of [1280, 800]) {
          const page = await browser.newPage();
          await page.setViewportSize({ width, height: 800 });
          const problems = pageProblems(page);
          for (const { file, full } of files) {
            await page.goto(pathToFileURL(full).href);
            const layout = await layoutProblems(page);
            expect({ file, width, layout, problems }).toEqual({ file, width, layout: [], problems: [] });
            await page.screenshot({
              path: path.join(shots, `${width}-${file.replace(/\//g, "-")}.png`),
              fullPage: true,
            });
          }
          await page.close();
        }
      } finally {
        await browser.close();
      }
    },
  );

  (chrome === null ? it.skip : it)(
    "shows the two kernels side by side at 1280 pixels, one above the other at 800",
    async () => {
      const browser = await launchBrowser({ executable: chrome! });
      try {
        const page = await browser.newPage();
        const boxes = async (width: number) => {
          await page.setViewportSize({ width, height: 800 });
          await page.goto(pathToFileURL(path.join(out, "parent-writable", "report.html")).href);
          const mine = await page.locator("figure.picture .kernel.mine").first().boundingBox();
          const ref = await page.locator("figure.picture .kernel.reference").first().boundingBox();
          return { mine: mine!, ref: ref! };
        };
        const wide = await boxes(1280);
        expect(wide.ref.x).toBeGreaterThan(wide.mine.x + wide.mine.width - 1);
        expect(wide.ref.y).toBe(wide.mine.y);
        const narrow = await boxes(800);
        expect(narrow.ref.y).toBeGreaterThan(narrow.mine.y + narrow.mine.height - 1);
      } finally {
        await browser.close();
      }
    },
  );
});

describe("oslab grade --templates", () => {
  it("stops before grading when an override is broken, naming its file and line", async () => {
    const dir = path.join(work, "broken-templates");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "report.md.hbs"), "# {{title}}\n\n{{#each parts}}\n{{scoreTxt}}\n{{/each}}\n");
    const lines: string[] = [];
    const status = await gradeCommand(
      {
        paths: [path.join(work, "nobody")],
        lab: "cow",
        out: path.join(work, "never"),
        jobs: 1,
        seed: 1,
        templates: dir,
      },
      (s) => lines.push(s),
    );
    expect(status).toBe(2);
    expect(lines).toEqual([
      `oslab grade: ${path.join(dir, "report.md.hbs")}: line 4: the view model has no field "scoreTxt" here\n`,
    ]);
    expect(existsSync(path.join(work, "never"))).toBe(false);
  });
});
