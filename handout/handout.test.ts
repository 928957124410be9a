// The handout's HTML: every section, tables that agree with the rubric,
// figures computed by the reference kernel, no answers in the student
// edition, and a self-contained page. Built against a fixture rubric
// (handout/test-fixtures) that has visible and hidden tests and thresholds.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RenderedHandout, fillTemplate, handoutCommand, renderHandout, tocOf } from "./handout";
import { NO_BROWSER } from "./pdf";
import { renderMarkdown } from "./markdown";
import { mdText } from "./_grading";
import { publicTestTitles } from "./view";
import { BACKGROUND, FIXTURE, SECTIONS } from "./test-support/sections";

const rubric = JSON.parse(readFileSync(path.join(FIXTURE, "rubric.json"), "utf8"));

let student: RenderedHandout;
let instructor: RenderedHandout;
beforeAll(() => {
  student = renderHandout({ lab: "cow", rubricDir: FIXTURE });
  instructor = renderHandout({ lab: "cow", rubricDir: FIXTURE, answers: true });
}, 60_000);

/** The text of an HTML fragment: tags dropped, whitespace collapsed, common entities decoded. */
function text(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The rows of the table inside the element with id `id`, each as its cells' text. */
function tableRows(html: string, id: string): string[][] {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id "${id}"`);
  const table = html.slice(start, html.indexOf("</table>", start));
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => text(c[1]!)),
  );
}

describe("the handout's sections", () => {
  it("has every section, in order, and the background's subsections", () => {
    const h2 = student.headings.filter((h) => h.depth === 2).map((h) => h.text);
    expect(h2).toEqual(SECTIONS);
    const h3 = student.headings.filter((h) => h.depth === 3).map((h) => h.text);
    expect(h3).toEqual(BACKGROUND);
    for (const h of student.headings) expect(student.html).toContain(`<h${h.depth} id="${h.id}">`);
  });

  it("lists every section in the table of contents, linked to its heading", () => {
    const toc = student.html.slice(student.html.indexOf('<nav class="toc"'), student.html.indexOf("</nav>"));
    for (const h of student.headings) expect(toc).toContain(`<a href="#${h.id}">`);
    expect(tocOf(student.headings).map((e) => e.subs.length)).toEqual([
      0,
      BACKGROUND.length,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
  });

  it("describes each part with its file, function and the titles of its public tests", () => {
    const body = text(student.html);
    for (const [id, file, fn, tests] of [
      ["A", "src/kernel/uvmcopy.ts", "uvmcopy", "partA-fork.test.ts"],
      ["B", "src/kernel/cow.ts", "cowfault", "partB-cow.test.ts"],
      ["C", "src/kernel/uvmfree.ts", "uvmfree", "partC-teardown.test.ts"],
    ] as const) {
      const start = body.indexOf(`File: ${file}`);
      expect(start).toBeGreaterThan(0);
      const section = body.slice(start, body.indexOf("Common mistakes", start));
      expect(section).toContain(`Function: ${fn}(`);
      expect(section).toContain(`npm test -- part${id}`);
      const titles = publicTestTitles(readFileSync(path.join(__dirname, "..", "solution", "tests", tests), "utf8"));
      expect(titles.length).toBeGreaterThan(3);
      for (const t of titles) expect(section).toContain(t);
    }
  });

  it("puts the course's details on the title and the submission section", () => {
    const custom = renderHandout({
      lab: "cow",
      rubricDir: FIXTURE,
      course: {
        course: "CS 202: Operating Systems",
        term: "Spring 2031",
        due: "Friday 14 March, 23:59",
        submission: "Upload to **Gradescope**.",
      },
    });
    expect(custom.html).toContain('<p class="course">CS 202: Operating Systems &middot; Spring 2031</p>');
    expect(custom.html).toContain("<strong>Due:</strong> Friday 14 March, 23:59");
    expect(custom.html).toContain("<p>Upload to <strong>Gradescope</strong>.</p>");
    expect(student.html).toContain('<p class="course">Operating Systems</p>');
  });
});

describe("the grading tables", () => {
  type T = { part: string; title: string; points: number; visibility: string };
  const tests: T[] = rubric.tests.map((t: T) => ({ ...t, visibility: t.visibility ?? "visible" }));
  const thresholds: (T & { worst: number })[] = rubric.thresholds;
  const sum = (xs: { points: number }[]) => xs.reduce((s, x) => s + x.points, 0);

  it("gives each part's points as the rubric adds them up, and the total", () => {
    const rows = tableRows(student.html, "points-table");
    expect(rows[0]).toEqual(["part", "tests", "thresholds", "points"]);
    const expected = rubric.parts.map((p: { id: string; title: string }) => {
      const t = sum(tests.filter((x) => x.part === p.id));
      const th = sum(thresholds.filter((x) => x.part === p.id));
      return [`${p.id}: ${p.title}`, String(t), String(th), String(t + th)];
    });
    expect(rows.slice(1, -1)).toEqual(expected);
    expect(rows[rows.length - 1]).toEqual([
      "total",
      String(sum(tests)),
      String(sum(thresholds)),
      String(sum(tests) + sum(thresholds)),
    ]);
    // the fixture's numbers, worked out by hand, so that the sums above cannot both be wrong
    expect(rows[rows.length - 1]).toEqual(["total", "18", "5", "23"]);
  });

  it("names visible tests and gives hidden ones only by part, count and points", () => {
    const rows = tableRows(student.html, "tests-table");
    expect(rows.slice(1)).toEqual([
      ["A", "fork shares every frame with the child", "3"],
      ["A", "2 hidden tests", "4"],
      ["B", "a write to a shared page copies it", "4"],
      ["B", "1 hidden test", "2"],
      ["C", "1 hidden test", "5"],
    ]);
    // every hidden title and threshold in the fixture starts with SECRET
    expect(student.html).not.toContain("SECRET");
    expect(instructor.html).not.toContain("SECRET");
  });

  it("shows each visible threshold with the reference kernel's figure on its scenario", () => {
    const rows = tableRows(student.html, "thresholds-table");
    expect(rows).toEqual([
      ["part", "what is measured", "scenario and figure", "reference", "no credit at", "points"],
      ["B", "frames copied when a child writes 2 of 3 pages", "child-writes framesCopied", "2", "12", "4"],
      ["B", "1 hidden threshold", "", "", "", "1"],
    ]);
  });

  it("works the credit formula through on the first visible threshold", () => {
    expect(text(student.html)).toContain(
      '"frames copied when a child writes 2 of 3 pages" is worth 4 points, the reference kernel measures 2 and the worst bound is 12: a kernel that measures 7 gets 4 × (12 − 7) / (12 − 2) = 2 of those 4 points.',
    );
  });

  it("states the rubric's time limits and its student files", () => {
    const body = text(student.html);
    expect(body).toContain("Each test has 7 seconds and a budget of 5,000,000 machine steps");
    expect(body).toContain("Your whole submission has 120 seconds.");
    for (const f of rubric.studentFiles) expect(student.html).toContain(`<li><code>${f}</code></li>`);
  });
});

describe("the lab's own rubric (labs/cow/rubric.json)", () => {
  it("builds, with the points and thresholds the rubric gives", () => {
    const own = JSON.parse(readFileSync(path.join(__dirname, "..", "labs", "cow", "rubric.json"), "utf8"));
    const r = renderHandout({ lab: "cow" });
    const all = [...own.tests, ...own.thresholds] as { points: number; visibility?: string; part: string }[];
    const total = all.reduce((s, x) => s + x.points, 0);
    const rows = tableRows(r.html, "points-table");
    expect(rows.length).toBe(own.parts.length + 2);
    expect(rows[rows.length - 1]![3]).toBe(String(total));
    const visible = own.thresholds.filter((t: { visibility?: string }) => (t.visibility ?? "visible") === "visible");
    const hiddenParts = new Set(
      own.thresholds
        .filter((t: { visibility?: string }) => (t.visibility ?? "visible") !== "visible")
        .map((t: { part: string }) => t.part),
    );
    expect(tableRows(r.html, "thresholds-table").length).toBe(1 + visible.length + hiddenParts.size);
    for (const t of own.tests as { title: string; visibility?: string }[]) {
      if ((t.visibility ?? "visible") === "visible") expect(text(r.html)).toContain(t.title);
      else expect(text(r.html)).not.toContain(t.title);
    }
  }, 60_000);
});

describe("the figures", () => {
  it("draws the page tables before the fork, after it, after the child's write and after the parent's", () => {
    for (const id of ["fig-before-fork", "fig-after-fork", "fig-after-child-write", "fig-after-parent-write"]) {
      const at = student.html.indexOf(`<figure class="figure" id="${id}">`);
      expect(at).toBeGreaterThan(0);
      const figure = student.html.slice(at, student.html.indexOf("</figure>", at));
      expect(figure).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="pt-figure"');
      expect(figure).toContain("<figcaption><strong>Figure ");
    }
    const before = student.html.slice(
      student.html.indexOf('id="fig-before-fork"'),
      student.html.indexOf('id="fig-after-fork"'),
    );
    expect(before).toContain('data-process="parent"');
    expect(before).not.toContain('data-process="child"');
    const after = student.html.slice(
      student.html.indexOf('id="fig-after-fork"'),
      student.html.indexOf('id="fig-after-child-write"'),
    );
    expect(after).toContain('data-process="child"');
    expect(after).toContain(">COW</text>");
  });

  it("quotes the frames the reference kernel used in the figures", () => {
    const d = student.view.demo;
    expect(d.sharedFrame).not.toBe(d.copyFrame);
    expect(d.parentRoot).not.toBe(d.childRoot);
    expect(d.refAtCopy).toBe(2);
    expect(text(student.html)).toContain(
      `virtual address ${d.va} is translated through the parent's table (root in frame ${d.parentRoot}) and through the child's (root in frame ${d.childRoot}), and both tables happen to hold entries that point at frame ${d.sharedFrame}.`,
    );
  });

  it("charts and tabulates seed 002's fork cost and resident pages from the simulator", () => {
    const cost = tableRows(student.html, "fork-cost-table");
    expect(cost.map((r) => r[0])).toEqual(["buffer", "1 MiB", "10 MiB", "50 MiB"]);
    expect(cost[1]![3]).toBe("256");
    expect(cost[3]![3]).toBe("12,800");
    const rss = tableRows(student.html, "rss-table");
    expect(rss[1]).toEqual(["before the fork", "parent", "12,805", "0", "12,805"]);
    expect(rss[2]).toEqual(["after the fork", "child", "12,805", "12,805", "0"]);
    for (const id of ["fig-fork-cost", "fig-rss"]) {
      const at = student.html.indexOf(`<figure class="figure" id="${id}">`);
      expect(at).toBeGreaterThan(0);
      expect(student.html.slice(at, at + 300)).toContain('class="chart"');
    }
    expect(student.html).toContain("<title>1 MiB buffer, child writes every page: 609696 simulated cycles</title>");
  });

  it("numbers the figures 1 to 6 in the order they appear", () => {
    const numbers = [...student.html.matchAll(/<figcaption><strong>Figure (\d+)\.<\/strong>/g)].map((m) => m[1]);
    expect(numbers).toEqual(["1", "2", "3", "4", "5", "6"]);
  });
});

describe("the answers", () => {
  const answers = (html: string) =>
    [...html.matchAll(/<div class="answer">([\s\S]*?)<\/div>/g)].map((m) => text(m[1]!));

  it("the instructor edition has an answer to every question and the challenges' notes", () => {
    const found = answers(instructor.html);
    expect(found.length).toBe(10);
    expect(found.filter((a) => a.startsWith("Answer.")).length).toBe(9);
    expect(instructor.html).toContain("Instructor edition: contains the answers.");
  });

  it("the student edition has none of the answers", () => {
    expect(answers(student.html)).toEqual([]);
    expect(student.html).not.toContain('class="answer"');
    expect(student.html).not.toContain("Instructor edition");
    const body = text(student.html);
    for (const a of answers(instructor.html)) {
      // every sentence of every answer, long enough to be its own
      for (const sentence of a.split(/(?<=\.) /).filter((s) => s.length > 30)) expect(body).not.toContain(sentence);
    }
  });
});

describe("the page", () => {
  it("is one self-contained file: inline CSS and SVG, no script, nothing loaded from elsewhere", () => {
    expect(student.html.startsWith("<!doctype html>")).toBe(true);
    expect(student.html).toContain("<style>");
    expect(student.html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(student.html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("has print rules: no figure split across pages, code that wraps", () => {
    expect(student.html).toMatch(/@media print \{[\s\S]*figure, pre, \.answer[^{]*\{ break-inside: avoid; \}/);
    expect(student.html).toMatch(/@media print \{[\s\S]*pre \{ white-space: pre-wrap;/);
  });

  it("leaves no Handlebars expression unfilled", () => {
    expect(student.html).not.toMatch(/\{\{|\}\}/);
    expect(instructor.html).not.toMatch(/\{\{|\}\}/);
  });

  it("refuses a handout that names a field the view model lacks, naming the field", () => {
    expect(() => fillTemplate("labs/cow/handout.md", "Due {{course.dew}}.", { course: { due: "soon" } })).toThrow(
      'Cannot build the handout from labs/cow/handout.md: "dew" not defined in [object Object] - 1:6',
    );
  });
});

describe("oslab handout", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "oslab-handout-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (
    args: Partial<Parameters<typeof handoutCommand>[0]>,
    browser?: { env: NodeJS.ProcessEnv; candidates: string[] },
  ) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await handoutCommand(
      { lab: "cow", out: path.join(dir, "out"), pdf: false, answers: false, ...args },
      { out: (s) => out.push(s), err: (s) => err.push(s), rubricDir: FIXTURE, ...(browser ? { browser } : {}) },
    );
    return { status, out, err };
  };

  it("writes DIR/cow.html, and nothing else, not even a temporary file", async () => {
    const r = await run({});
    expect(r).toEqual({ status: 0, out: [`wrote ${path.join(dir, "out", "cow.html")}`], err: [] });
    expect(readdirSync(path.join(dir, "out"))).toEqual(["cow.html"]);
    expect(readFileSync(path.join(dir, "out", "cow.html"), "utf8")).toBe(student.html);
  }, 60_000);

  it("writes the instructor edition to its own file, so that it never replaces the students' one", async () => {
    const r = await run({ answers: true });
    expect(r.out).toEqual([`wrote ${path.join(dir, "out", "cow-answers.html")} (instructor edition, with answers)`]);
    expect(readdirSync(path.join(dir, "out"))).toEqual(["cow-answers.html"]);
  }, 60_000);

  it("refuses a broken course config with a message naming the file and the field, and writes nothing", async () => {
    const config = path.join(dir, "course.json");
    writeFileSync(config, JSON.stringify({ course: "CS 202", due: 14 }));
    const r = await run({ config });
    expect(r).toEqual({
      status: 2,
      out: [],
      err: [`oslab handout: Cannot read course config "${config}": due must be a string, not 14`],
    });
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("without a browser, says how to get one, exits 1, and still writes the HTML", async () => {
    const r = await run({ pdf: true }, { env: {}, candidates: ["/nowhere/chromium"] });
    const html = path.join(dir, "out", "cow.html");
    expect(r).toEqual({
      status: 1,
      out: [`wrote ${html}`],
      err: [`oslab handout: cannot print ${path.join(dir, "out", "cow.pdf")}: ${NO_BROWSER}. ${html} is written.`],
    });
    expect(NO_BROWSER).toContain("apt-get install chromium");
    expect(NO_BROWSER).toContain("CHROME_PATH");
    expect(readdirSync(path.join(dir, "out"))).toEqual(["cow.html"]);
  }, 60_000);
});

describe("publicTestTitles", () => {
  it("reads the titles of top-level tests, escapes included, and skips anything else", () => {
    const source = [
      'test("one", () => {});',
      'it("two \\"quoted\\"", () => {});',
      '  test("nested, not top-level", () => {});',
      'describe("a group", () => {});',
      "test(",
      '  "three",',
      "  () => {});",
    ].join("\n");
    expect(publicTestTitles(source)).toEqual(["one", 'two "quoted"', "three"]);
  });
});

describe("mdText", () => {
  it("keeps rubric text literal in Markdown: no emphasis, link or cell border", () => {
    expect(mdText("a *b* c_d [e](f) | g \\ h")).toBe("a \\*b\\* c\\_d \\[e\\](f) \\| g \\\\ h");
    const html = renderMarkdown(`| t |\n| --- |\n| ${mdText("copies *k* | pages [x](y)")} |\n`).html;
    expect(html).toContain("<td>copies *k* | pages [x](y)</td>");
  });
});
