// The report pages as a person sees them: rendered, then loaded in a real
// headless browser (no console error, pictures and charts drawn, text from
// a submission shown as text), and written by a real grading batch.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { gradeCommand } from "../cli";
import { gradeBatch } from "../grade";
import { SubmissionResult } from "../model";
import { ROOT, labUnderTest, scratch, solutionSubmission } from "../test-support/fixtures";
import { HeadlessBrowser, browserForTests, launchBrowser, pageProblems } from "./_browser";
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
    expect(problems).toEqual([]);
  });

  it("show the class summary: charts drawn, every submission linked, markup in an id as text", async () => {
    const { page, problems } = await open(pages.summary);
    for (const chart of ["svg.histogram", "svg.share-bars", "svg.dot-plot"]) expect(await visible(page, chart)).toBe(1);
    expect(await visible(page, "svg.histogram rect.chart-bar")).toBeGreaterThan(0);
    expect(await visible(page, "svg.share-bars rect.chart-bar")).toBe(4);
    expect(await visible(page, "svg.dot-plot circle.dot")).toBe(2); // both measured 2: two dots stacked
    const links = page.locator("table.class a");
    expect(await links.allTextContents()).toEqual([EVIL_ID, "sample-perfect"]);
    expect(await links.first().getAttribute("href")).toBe("%3Cscript%3Ealert(1)%3C%2Fscript%3E/report.html");
    expect(await page.locator("script, img").count()).toBe(0);
    expect(await page.textContent(".troubles")).toContain(`${EVIL_ID}: B1`);
    await page.screenshot({ path: path.join(os.tmpdir(), "oslab-summary.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("show the pictures one above the other on a narrow screen", async () => {
    const { page, problems } = await open(pages.report, 700);
    const mine = await page.locator("figure.picture .kernel.mine").first().boundingBox();
    const ref = await page.locator("figure.picture .kernel.reference").first().boundingBox();
    expect(ref!.y).toBeGreaterThan(mine!.y + mine!.height - 1);
    expect(problems).toEqual([]);
  });
});

describe("a graded batch", () => {
  const { labDir } = labUnderTest();
  const klass = path.join(work, "class");
  const out = path.join(work, "out");
  beforeAll(async () => {
    solutionSubmission(path.join(klass, "good"));
    solutionSubmission(path.join(klass, "parent-writable"), [
      { file: "src/kernel/uvmcopy.ts", from: "pte = (pte & ~PTE_W) | PTE_COW;", to: "pte = pte | PTE_COW;" },
    ]);
    await gradeBatch([klass], { lab: "cow", labDir, root: ROOT, out, jobs: 2 });
  });

  it("writes each student's report.html and report.md, and the summary linking to them", () => {
    const summary = readFileSync(path.join(out, "summary.html"), "utf8");
    const hrefs = [...summary.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect([...new Set(hrefs)].sort()).toEqual(["good/report.html", "parent-writable/report.html"]);
    for (const h of hrefs) expect(existsSync(path.join(out, h))).toBe(true);
    expect(existsSync(path.join(out, "good", "report.md"))).toBe(true);
    expect(readFileSync(path.join(out, "good", "report.md"), "utf8")).toContain(
      "Full marks: every test passed and every threshold earned full credit.",
    );
  });

  it("draws, for the parent left writable, the fork where its page should have become read-only", () => {
    const html = readFileSync(path.join(out, "parent-writable", "report.html"), "utf8");
    expect(html).toContain('<figure class="picture">');
    expect(html).toMatch(/ is the first where they differ\./);
    expect(html).toMatch(
      /on your kernel it is writable, copy-on-write, with 2 references to its frame; on the reference kernel it is read-only, copy-on-write/,
    );
    expect(readFileSync(path.join(out, "good", "report.html"), "utf8")).not.toContain("<figure");
  });

  (chrome === null ? it.skip : it)("has pages that load without an error", async () => {
    const browser = await launchBrowser({ executable: chrome! });
    try {
      for (const file of ["summary.html", "parent-writable/report.html", "good/report.html"]) {
        const page = await browser.newPage();
        const problems = pageProblems(page);
        await page.goto(pathToFileURL(path.join(out, file)).href);
        expect({ file, problems }).toEqual({ file, problems: [] });
      }
    } finally {
      await browser.close();
    }
  });
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
