// The trace viewer (`oslab trace FILE --html OUT`): its data, its escaping,
// the command, and the page itself in a headless browser.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { browserForTests, launchBrowser, pageProblems } from "../../../grader/report/_browser";
import { PTE_W } from "../hw/riscv";
import { parseScenario } from "../scenario/parse";
import { StepView, Timeline, buildTimeline } from "../scenario/timeline";
import { formatTimeline, traceCommand } from "./trace";
import { MAX_RUNS, escapeHtml, scriptJson, traceViewerPage, viewerData } from "./trace-viewer";

const EVIL = `<img src=x onerror="window.pwned=1">`;

/** A fork, the child's write to a shared page (a COW copy), a wrong expectation, and a segfault. */
const SCENARIO = {
  version: 1,
  name: "viewer-test",
  description: `Fork and write </script><script>window.pwned=2</script> & more`,
  steps: [
    { op: "spawn", as: "P", image: "init" },
    { op: "fork", proc: "P", as: EVIL },
    { op: "write", proc: EVIL, addr: "data", bytes: [7] },
    { op: "read", proc: "P", addr: "data", bytes: 1, expect: [99] },
    { op: "write", proc: "P", addr: "text", bytes: [1] },
  ],
};

const timeline = buildTimeline(parseScenario(SCENARIO));

/** The timeline of a scenario made of `steps`. */
function timelineOf(steps: unknown[]): Timeline {
  return buildTimeline(parseScenario({ version: 1, name: "t", steps }));
}
const info = { title: SCENARIO.name, description: SCENARIO.description };

/** `t` as a kernel that forgot a fence would leave it: at step `index`, the page at `va` read-only in the table while the TLB still has it writable. */
function withoutFence(t: Timeline, index: number, va: number): Timeline {
  const readOnly = (s: StepView): StepView => ({
    ...s,
    processes: s.processes.map((p) => ({
      ...p,
      runs: p.runs.map((r) => (r.va === va ? { ...r, flags: r.flags & ~PTE_W } : r)),
    })),
  });
  return { ...t, steps: t.steps.map((s, i) => (i === index ? readOnly(s) : s)) };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslab-viewer-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("viewerData", () => {
  const data = viewerData(timeline, info);

  it("has the start and every step, each with its own failures", () => {
    expect(data.steps.map((s) => s.path)).toEqual([
      "start",
      "steps[0]",
      "steps[1]",
      "steps[2]",
      "steps[3]",
      "steps[4]",
    ]);
    expect(data.ok).toBe(false);
    expect(data.steps[4]!.failures).toEqual(["read [0] at data but expected [99]"]);
    expect(data.steps.filter((s) => s.failures.length > 0)).toHaveLength(1);
  });

  it("says how each fault was resolved, and outlines the page", () => {
    const write = data.steps[3]!;
    expect(write.events[0]).toEqual({
      kind: "fault",
      pid: 2,
      text: expect.stringMatching(
        /^pid 2 store fault at 0x00014000: COW, frame \d+ had 2 references -> copied to frame \d+$/,
      ),
    });
    expect(write.faulted).toEqual([{ pid: 2, page: 0x14000, resolution: "cow-copy" }]);
    expect(data.steps[5]!.faulted).toEqual([{ pid: 1, page: 0x10000, resolution: "SIGSEGV" }]);
  });

  it("names each step as the text trace does, numbering only a repeat's rounds: its title and the counter say the same number", () => {
    const t = timelineOf([
      { op: "spawn", as: "P", image: "init" },
      { op: "repeat", times: 2, steps: [{ op: "touch", proc: "P", addr: "heap", pages: 1, access: "read" }] },
      { op: "exit", proc: "P" },
    ]);
    expect(viewerData(t, info).steps.map((s) => [s.path, s.round])).toEqual([
      ["start", null],
      ["steps[0]", null],
      ["steps[1].steps[0]", 1],
      ["steps[1].steps[0]", 2],
      ["steps[2]", null],
    ]);
    expect(viewerData(t, info).steps.map((s) => [s.title, s.position])).toEqual([
      ["the start: machine booted", "the start, before step 1 of 3"],
      ["step 1: spawn P from init", "step 1 of 3"],
      ["step 2.1, round 1 of 2: touch P heap", "step 2.1 of 3, round 1 of 2"],
      ["step 2.1, round 2 of 2: touch P heap", "step 2.1 of 3, round 2 of 2"],
      ["step 3: exit P 0", "step 3 of 3"],
    ]);
  });

  it("an expect step carries what it compared and whether it held; the other steps carry nothing", () => {
    const t = timelineOf([
      { op: "spawn", as: "P", image: "init" },
      { op: "expect", counter: "framesInUse", equals: 7 },
      { op: "expect", proc: "P", figure: "rssPages", atLeast: 1, atMost: 2 },
    ]);
    expect(viewerData(t, info).steps.map((s) => s.expected)).toEqual([
      null,
      null,
      { text: "Expected counter framesInUse to equal 7; it is 7: held.", held: true },
      { text: "Expected P's rssPages at least 1 and at most 2; it is 5: did NOT hold.", held: false },
    ]);
    // said once, above: not again among the step's events
    expect(viewerData(t, info).steps[3]!.failures).toEqual(["P's rssPages is 5, expected at most 2"]);
  });

  it(`keeps at most ${MAX_RUNS} runs of a process and counts the others`, () => {
    const t = timelineOf([
      { op: "spawn", as: "P", image: "init" },
      { op: "sbrk", proc: "P", bytes: 4096 * 2 * (MAX_RUNS + 10) },
      // every other page: each touched page is a run of its own
      {
        op: "repeat",
        times: MAX_RUNS + 10,
        steps: [{ op: "touch", proc: "P", addr: "heap", pages: 1, access: "read" }],
      },
    ]);
    const p = viewerData(t, info).steps.at(-1)!.processes[0]!;
    expect(p.runs.length + p.moreRuns).toBe(t.steps.at(-1)!.processes[0]!.runs.length);
    expect(p.runs).toHaveLength(Math.min(MAX_RUNS, p.runs.length + p.moreRuns));
  });
});

describe("escaping", () => {
  it("escapes the five characters HTML gives a meaning to", () => {
    expect(escapeHtml(`<b a="1">'&'</b>`)).toBe("&#60;b a=&#34;1&#34;&#62;&#39;&#38;&#39;&#60;/b&#62;");
  });

  it("leaves no <, > or & in embedded JSON, and it still parses to the same value", () => {
    const value = { s: "</script><!-- & \u2028" };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it("puts the scenario's text into the page only escaped", () => {
    const page = traceViewerPage(timeline, info);
    expect(page).not.toContain("<script>window.pwned");
    expect(page).not.toContain("<img");
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).toContain('<p class="description">Fork and write &#60;/script&#62;&#60;script&#62;window.pwned=2');
  });
});

describe("oslab trace --html", () => {
  it("writes the page, says where, and exits 1 when an expectation failed", () => {
    const file = path.join(dir, "s.json");
    fs.writeFileSync(file, JSON.stringify(SCENARIO));
    const out: string[] = [];
    const status = traceCommand({ file, html: path.join(dir, "s.html") }, (s) => out.push(s));
    expect(status).toBe(1);
    expect(out).toEqual([
      `Wrote ${path.join(dir, "s.html")}: 5 steps. Open it in a browser and step with the arrow keys.`,
    ]);
    expect(fs.readFileSync(path.join(dir, "s.html"), "utf8")).toBe(traceViewerPage(timeline, info));
  });

  it("says why it cannot write the page, and exits 2", () => {
    const file = path.join(dir, "s.json");
    fs.writeFileSync(file, JSON.stringify(SCENARIO));
    const out: string[] = [];
    const html = path.join(dir, "no-such-folder", "s.html");
    expect(traceCommand({ file, html }, (s) => out.push(s))).toBe(2);
    expect(out).toEqual([`Cannot write the trace page "${html}": ENOENT: no such file or directory, open '${html}'`]);
  });
});

const chrome = browserForTests("the trace viewer's browser tests");
(chrome === null ? describe.skip : describe)("the trace viewer in a browser", () => {
  jest.setTimeout(60_000);

  it("steps forward and back with buttons and keys, draws every table, and shows scenario text as text", async () => {
    const file = path.join(dir, "viewer.html");
    fs.writeFileSync(file, traceViewerPage(timeline, info));
    const browser = await launchBrowser({ executable: chrome! });
    try {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 1300, height: 900 });
      const problems = pageProblems(page);
      await page.goto(pathToFileURL(file).href);
      const position = () => page.textContent("#position");
      const title = () => page.textContent("#step-title");

      expect(await position()).toBe("the start, before step 1 of 5");
      expect(await title()).toBe("the start: machine booted");
      expect(await page.isDisabled("#back")).toBe(true);
      await page.click("#forward");
      await page.click("#forward");
      expect(await position()).toBe("step 2 of 5");
      expect(await title()).toBe(`step 2: fork P as ${EVIL}`);
      await page.keyboard.press("ArrowRight");
      expect(await position()).toBe("step 3 of 5");
      expect(await page.textContent("#events li.fault")).toMatch(/^pid 2 store fault at 0x00014000: COW/);
      expect(await page.locator("tr.faulted").count()).toBe(1);
      expect(await page.textContent("tr.faulted")).toContain("copied");
      await page.screenshot({ path: path.join(os.tmpdir(), "oslab-trace-viewer.png"), fullPage: true });
      await page.keyboard.press("ArrowLeft");
      expect(await position()).toBe("step 2 of 5");
      await page.click("#back");
      expect(await position()).toBe("step 1 of 5");
      await page.keyboard.press("End");
      expect(await position()).toBe("step 5 of 5");
      expect(await page.isDisabled("#forward")).toBe(true);
      expect(await page.textContent("#events")).toContain("no valid mapping allows it -> killed with SIGSEGV");
      await page.click("#steps li:nth-child(5)");
      expect(await position()).toBe("step 4 of 5");
      expect(await title()).toBe("step 4: read P data");
      expect(await page.textContent("#events li.failure")).toBe("read [0] at data but expected [99]");
      expect(await page.isHidden("#expected")).toBe(true);

      // every part is drawn, with a size
      for (const selector of ["#processes .process", "#frames table", "#tlb table", "#counters table", "#steps li"]) {
        const box = await page.locator(selector).first().boundingBox();
        expect(box?.width).toBeGreaterThan(0);
        expect(box?.height).toBeGreaterThan(0);
      }
      expect(await page.locator("#processes .process").count()).toBe(2);

      // the process named like markup is shown as text, and nothing it says ran
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.evaluate("window.pwned")).toBeUndefined();
      expect(await page.textContent(".process:nth-child(2) h4")).toBe(`${EVIL} (pid 2)`);
      expect(await page.textContent(".description")).toBe(SCENARIO.description);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("shows what an expect step compared and marks a stale TLB entry, as the text trace does", async () => {
    const t = withoutFence(
      timelineOf([
        { op: "spawn", as: "P", image: "init" },
        { op: "write", proc: "P", addr: "data", bytes: [1] },
        { op: "expect", counter: "cowFaults", equals: 1 },
      ]),
      3,
      0x14000,
    );
    const text = formatTimeline(t);
    const stale = "P's page table now says r--, the TLB still says rw-";
    expect(text).toContain(`STALE asid 1 0x00014000 -> frame 6 rw- uad: ${stale}`);
    expect(text).toContain("expected counter cowFaults to equal 1; it is 0: did NOT hold");
    const file = path.join(dir, "stale.html");
    fs.writeFileSync(file, traceViewerPage(t, info));
    const browser = await launchBrowser({ executable: chrome! });
    try {
      const page = await browser.newPage();
      const problems = pageProblems(page);
      await page.goto(`${pathToFileURL(file).href}#step-3`);
      expect(await page.textContent("#step-title")).toBe("step 3: expect cowFaults");
      expect(await page.getAttribute("#expected", "class")).toBe("missed");
      expect(await page.textContent("#expected")).toBe(
        "\u2717 Expected counter cowFaults to equal 1; it is 0: did NOT hold.",
      );
      expect(await page.locator("#tlb tr.stale").count()).toBe(1);
      expect(await page.textContent("#tlb tr.stale")).toContain(`stale: ${stale}`);
      await page.keyboard.press("ArrowLeft");
      expect(await page.isHidden("#expected")).toBe(true);
      expect(await page.locator("#tlb tr.stale").count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("opens at the step named in the address", async () => {
    const file = path.join(dir, "viewer.html");
    fs.writeFileSync(file, traceViewerPage(timeline, info));
    const browser = await launchBrowser({ executable: chrome! });
    try {
      const page = await browser.newPage();
      await page.goto(`${pathToFileURL(file).href}#step-3`);
      expect(await page.textContent("#position")).toBe("step 3 of 5");
      expect(await page.textContent("#step-title")).toBe(`step 3: write ${EVIL} data`);
    } finally {
      await browser.close();
    }
  });
});
