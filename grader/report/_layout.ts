// Whether a page fits its window, as a reader sees it in a browser: the
// report and summary tests load every page at the widths people read them
// at and ask this module what is wrong.
//
//   const page = await browser.newPage();
//   await page.setViewportSize({ width: 800, height: 900 });
//   await page.goto(url);
//   expect(await layoutProblems(page)).toEqual([]);

import type { Page } from "playwright-core";

/** The smallest text a page may show, in CSS pixels as rendered. */
export const MIN_TEXT_PX = 11;

/** What layoutProblems() measured: the page's width and its smallest pieces of text. */
export interface LayoutMeasure {
  readonly viewport: number;
  readonly scrollWidth: number;
  /** Text drawn smaller than MIN_TEXT_PX: the text (cut to 40 characters), its size, and its element. */
  readonly small: readonly { readonly text: string; readonly px: number; readonly element: string }[];
}

/**
 * Opens every <details> (what it hides must fit too), then measures the
 * page: its scroll width against the window's, and the rendered size of
 * every piece of visible text. In SVG the computed font size is in the
 * picture's own units, so it is scaled by the picture's rendered scale
 * (getScreenCTM), which is what a reader sees.
 */
export async function measureLayout(page: Page): Promise<LayoutMeasure> {
  return (await page.evaluate(`(${MEASURE})(${MIN_TEXT_PX})`)) as LayoutMeasure;
}

// Runs in the page (as text: the kit's type check has no DOM types).
const MEASURE = `function (min) {
  for (const d of document.querySelectorAll("details")) d.open = true;
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const text = (n.textContent || "").trim();
    const el = n.parentElement;
    if (text === "" || el === null || el.closest("title, style, script") !== null) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGGraphicsElement) {
      const m = el.getScreenCTM();
      if (m !== null) px *= Math.hypot(m.a, m.b);
    }
    if (px < min - 0.05)
      small.push({ text: text.slice(0, 40), px: Math.round(px * 10) / 10, element: el.tagName.toLowerCase() });
  }
  return { viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, small };
}`;

/** The page's layout problems as sentences (none when it fits and every text is large enough). */
export async function layoutProblems(page: Page): Promise<string[]> {
  const m = await measureLayout(page);
  const out: string[] = [];
  if (m.scrollWidth > m.viewport)
    out.push(`the page is ${m.scrollWidth} px wide in a ${m.viewport} px window: it scrolls sideways`);
  for (const s of m.small) out.push(`text "${s.text}" (${s.element}) is ${s.px} px, below ${MIN_TEXT_PX} px`);
  return out;
}
