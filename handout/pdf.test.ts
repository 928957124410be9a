// The handout's PDF, printed by headless Chromium and read back with
// poppler's pdftotext and pdfinfo; and its HTML on a phone, in the same
// browser. Without a browser or poppler-utils the tests skip with a note,
// unless OSLAB_REQUIRE_BROWSER=1 (as on CI).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { browserForTests, launchBrowser } from "../grader/report/_browser";
import { measureLayout } from "../grader/report/_layout";
import { writeHandout } from "./handout";
import { FIXTURE, SECTIONS } from "./test-support/sections";

/** Whether poppler's tools are installed; a note (or, when they are required, an error) when not. */
function popplerForTests(what: string): boolean {
  const missing = ["pdftotext", "pdfinfo"].filter((tool) => {
    try {
      execFileSync(tool, ["-v"], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return true;
  const message = `${missing.join(" and ")} not installed (apt-get install poppler-utils)`;
  if (process.env.OSLAB_REQUIRE_BROWSER === "1") throw new Error(`${message} (OSLAB_REQUIRE_BROWSER=1)`);
  process.stderr.write(`note: ${what} skipped: ${message}\n`);
  return false;
}

const chrome = browserForTests("the handout's PDF tests");
const poppler = chrome !== null && popplerForTests("the handout's PDF tests");

(chrome !== null && poppler ? describe : describe.skip)("the handout's PDF", () => {
  let dir: string;
  let pdf: string;
  let text: string;
  let pages: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "oslab-handout-pdf-"));
    const files = await writeHandout({ lab: "cow", out: dir, pdf: true, rubricDir: FIXTURE });
    pdf = files.pdf!;
    text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
    pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is written beside the HTML, with no temporary file left", () => {
    expect(readdirSync(dir).sort()).toEqual(["cow.html", "cow.pdf"]);
  });

  it("has the title and every section", () => {
    expect(text).toContain("Lab: Copy-on-write fork()");
    SECTIONS.forEach((s, i) => expect(text).toMatch(new RegExp(`^\\s*${i + 1}\\. ${escape(s)}\\s*$`, "m")));
  });

  it("has the points table with the rubric's numbers", () => {
    // the fixture rubric: A 7 points from tests, B 6 from tests and 5 from thresholds, C 5
    expect(text).toMatch(/A: fork's page-table copy\s+7\s+0\s+7\n/);
    expect(text).toMatch(/B: the copy-on-write fault\s+6\s+5\s+11\n/);
    expect(text).toMatch(/C: tearing down an address space\s+5\s+0\s+5\n/);
    expect(text).toMatch(/total\s+18\s+5\s+23\n/);
  });

  it("has a sensible number of pages, each numbered in its footer", () => {
    expect(pages).toBeGreaterThanOrEqual(10);
    expect(pages).toBeLessThanOrEqual(40);
    expect(text).toContain(`page 1 of ${pages}`);
    expect(text).toContain(`page ${pages} of ${pages}`);
  });
});

(chrome !== null ? describe : describe.skip)("the handout on a phone (390 by 844)", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is no wider than the phone: every table scrolls in a box of its own", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "oslab-handout-phone-"));
    const files = await writeHandout({ lab: "cow", out: dir, rubricDir: FIXTURE });
    const browser = await launchBrowser({ executable: chrome! });
    try {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(pathToFileURL(files.html).href);
      // as text: the kit's type check has no DOM types
      const unboxed = await page.evaluate(
        `[...document.querySelectorAll("table")].filter((t) => !t.parentElement.classList.contains("table")).length`,
      );
      expect(unboxed).toBe(0);
      expect((await measureLayout(page)).scrollWidth).toBeLessThanOrEqual(390);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
