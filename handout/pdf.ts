// Printing the handout's HTML to PDF with the installed headless Chromium
// (grader/report/_browser.ts finds and starts it; nothing is downloaded).
// The page's print CSS lays the pages out; Chromium adds the running header
// (the title) and the footer (page N of M).

import { renameSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { FindOptions, findBrowser, launchBrowser } from "../grader/report/_browser";
import { esc } from "./chart";
import { tempBeside } from "./_write";

export interface PdfOptions {
  /** Shown at the top of every page. */
  readonly title: string;
  /** Where to look for the browser (CHROME_PATH, then the usual paths, by default). */
  readonly browser?: FindOptions;
}

/** What printing says when there is no browser to print with. */
export const NO_BROWSER =
  "No browser to print the PDF with: install Chromium (apt-get install chromium) or set CHROME_PATH to a Chrome or Chromium executable";

/** Prints the HTML file `htmlFile` to `pdfFile` (atomically); throws when no browser can be started. */
export async function printPdf(htmlFile: string, pdfFile: string, options: PdfOptions): Promise<void> {
  const executable = findBrowser(options.browser);
  if (executable === null) throw new Error(NO_BROWSER);
  const browser = await launchBrowser({ executable });
  const tmp = tempBeside(pdfFile);
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: "load" });
    await page.emulateMedia({ media: "print" });
    await page.pdf({
      path: tmp,
      format: "A4",
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: `<div style="${SMALL} width:100%; padding:0 16mm; text-align:right;">${esc(options.title)}</div>`,
      footerTemplate: `<div style="${SMALL} width:100%; text-align:center;">page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: "18mm", bottom: "18mm", left: "16mm", right: "16mm" },
      outline: true,
      tagged: true,
    });
    renameSync(tmp, pdfFile);
  } finally {
    rmSync(tmp, { force: true });
    await browser.close();
  }
}

const SMALL = "font-family: 'DejaVu Sans', sans-serif; font-size:8px; color:#52606d;";
