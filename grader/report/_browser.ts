// A headless browser for the kit's pages: the report, summary and trace
// viewer tests load them in it, and the handout prints its PDF with it.
// The browser is the one installed on the machine (Debian's chromium, or
// CHROME_PATH); playwright-core only drives it and never downloads one.
//
//   const chrome = await launchBrowser();          // throws when none is installed
//   try {
//     const page = await chrome.newPage();
//     await page.goto(pathToFileURL(file).href);
//     await page.pdf({ path: "handout.pdf" });
//   } finally {
//     await chrome.close();                        // also deletes its profile
//   }
//
// Tests ask browserForTests() first: it returns null (after a note) when no
// browser is installed, unless OSLAB_REQUIRE_BROWSER=1 asks for one.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";

/** Where a browser is looked for, in order, when CHROME_PATH is not set. */
export const BROWSER_PATHS: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** Switches that keep a headless run quiet, offline and repeatable (and let it run as root in a container). */
export const BROWSER_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/**
 * The browser's executable: CHROME_PATH when it is set (it must exist),
 * otherwise the first of BROWSER_PATHS that exists; null when there is none.
 */
export function findBrowser(options: FindOptions = {}): string | null {
  const env = options.env ?? process.env;
  const chosen = env.CHROME_PATH;
  if (chosen !== undefined && chosen !== "") {
    if (!existsSync(chosen)) throw new Error(`Cannot use the browser "${chosen}" named by CHROME_PATH: no such file`);
    return chosen;
  }
  return (options.candidates ?? BROWSER_PATHS).find((p) => existsSync(p)) ?? null;
}

/** Where to look; the defaults are the process's environment and BROWSER_PATHS. */
export interface FindOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly candidates?: readonly string[];
}

/** A running headless browser with its own fresh profile. */
export interface HeadlessBrowser {
  /** The executable that runs. */
  readonly executable: string;
  /** Its profile folder (a new temporary one), deleted by close(). */
  readonly profile: string;
  /** Playwright's context, for anything newPage() does not cover. */
  readonly context: BrowserContext;
  /** Opens a new tab (a playwright-core Page: goto, setContent, screenshot, pdf, ...). */
  newPage(): Promise<Page>;
  /** Closes the browser and deletes its profile folder. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** The executable; findBrowser() when not given. */
  readonly executable?: string;
}

/** Starts the browser headless with a fresh profile; throws when none is installed. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<HeadlessBrowser> {
  const executable = options.executable ?? findBrowser();
  if (executable === null) throw new Error(noBrowserMessage());
  // loaded here, not at the top: grading and the trace need no browser
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(path.join(os.tmpdir(), "oslab-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: [...BROWSER_ARGS],
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Cannot start the browser "${executable}": ${(e as Error).message.split("\n")[0]}`);
  }
  return {
    executable,
    profile,
    context,
    newPage: () => context.newPage(),
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * For tests that need a browser: its executable, or null after printing a
 * note saying they are skipped. With OSLAB_REQUIRE_BROWSER=1 (as on CI) a
 * missing browser throws instead, so those tests cannot pass by skipping.
 */
export function browserForTests(what: string, options: FindOptions = {}): string | null {
  const executable = findBrowser(options);
  if (executable !== null) return executable;
  if ((options.env ?? process.env).OSLAB_REQUIRE_BROWSER === "1")
    throw new Error(`${noBrowserMessage()} (OSLAB_REQUIRE_BROWSER=1)`);
  process.stderr.write(`note: ${what} skipped: no browser installed (apt-get install chromium, or set CHROME_PATH)\n`);
  return null;
}

/**
 * Collects what a page reports as going wrong: console errors, uncaught
 * exceptions and failed requests. Call it before page.goto().
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  return problems;
}

function noBrowserMessage(): string {
  return `No browser found: set CHROME_PATH or install one of ${BROWSER_PATHS.join(", ")} (apt-get install chromium)`;
}
