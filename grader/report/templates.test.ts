import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../../labs/lab";
import { prepareTemplates } from "./report";
import { TEMPLATE_NAMES, TemplateError, loadTemplates } from "./templates";

const ROOT = repoRoot();
let n = 0;

/** A fresh folder of overrides holding `files` (name -> text). */
function overrides(files: Record<string, string>): string {
  const dir = path.join(os.tmpdir(), `oslab-templates-${process.pid}-${n++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The kit's report.html.hbs with `from` replaced by `to` (which must occur). */
function kitHtmlWith(from: string, to: string): string {
  const text = readFileSync(path.join(ROOT, "templates", "report.html.hbs"), "utf8");
  if (!text.includes(from)) throw new Error(`report.html.hbs has no "${from}"`);
  return text.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split("\n").length;
}

function error(f: () => unknown): TemplateError {
  try {
    f();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("loadTemplates", () => {
  it("reads the kit's report templates and the partials they use, and nothing else", () => {
    const t = loadTemplates();
    expect([...t.files.keys()].sort()).toEqual(
      ["_picture.html.hbs", "_picture.md.hbs", "_style.css.hbs", ...TEMPLATE_NAMES.map((x) => `${x}.hbs`)].sort(),
    );
    expect(t.files.get("report.html.hbs")).toBe("templates/report.html.hbs");
  });

  it("lets a file of the same name replace a template, and escapes HTML but not Markdown", () => {
    const dir = overrides({ "report.md.hbs": "# {{title}}\n", "report.html.hbs": "<h1>{{title}}</h1>" });
    const t = loadTemplates({ overrides: dir });
    expect(t.files.get("report.md.hbs")).toBe(path.join(dir, "report.md.hbs"));
    expect(t.render("report.md", { title: "<b>" })).toBe("# <b>\n");
    expect(t.render("report.html", { title: "<b>" })).toBe("<h1>&lt;b&gt;</h1>");
  });

  it("refuses an override that replaces nothing, listing the templates", () => {
    const dir = overrides({ "report.htm.hbs": "x" });
    expect(error(() => loadTemplates({ overrides: dir })).message).toMatch(
      new RegExp(
        `^${escape(path.join(dir, "report.htm.hbs"))}: replaces no template: the templates are .*report\\.html\\.hbs`,
      ),
    );
  });

  it("names the file and line of a syntax error", () => {
    const text = kitHtmlWith("<h1>{{title}}</h1>", "<h1>{{title}</h1>");
    const dir = overrides({ "report.html.hbs": text });
    expect(error(() => loadTemplates({ overrides: dir })).message).toBe(
      `${path.join(dir, "report.html.hbs")}: line ${lineOf(text, "{{title}<")}: Expecting 'CLOSE_RAW_BLOCK', 'CLOSE', 'CLOSE_UNESCAPED', 'OPEN_SEXPR', 'CLOSE_SEXPR', 'ID', 'OPEN_BLOCK_PARAMS', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', 'SEP', got 'INVALID'`,
    );
  });

  it("names the file and line of a block closed by the wrong name", () => {
    const dir = overrides({ "report.md.hbs": "a\n{{#if x}}\n{{/each}}\n" });
    expect(error(() => loadTemplates({ overrides: dir })).message).toBe(
      `${path.join(dir, "report.md.hbs")}: line 2: if doesn't match each`,
    );
  });

  it("names the file and line of a partial that does not exist", () => {
    const dir = overrides({ "summary.html.hbs": "a\nb {{> charts}}" });
    expect(error(() => loadTemplates({ overrides: dir })).message).toBe(
      `${path.join(dir, "summary.html.hbs")}: line 2: there is no partial "charts" (a file named _charts.hbs)`,
    );
  });
});

describe("rendering in strict mode", () => {
  const dir = overrides({
    "report.md.hbs": "a\n{{nope}}\n",
    "report.html.hbs": "{{#each rows}}\n{{#if title}}x{{/if}}{{/each}}",
    "summary.html.hbs": "x\n{{#if missing}}y{{/if}}\n",
  });
  const t = loadTemplates({ overrides: dir });

  it("fails on a field the view model does not have, naming the file and line", () => {
    expect(error(() => t.render("report.md", { title: "x" })).message).toBe(
      `${path.join(dir, "report.md.hbs")}: line 2: the view model has no field "nope" here`,
    );
  });

  it("takes only a boolean in {{#if}}, and says what it got instead", () => {
    expect(error(() => t.render("report.html", { rows: [{ title: "T1" }] })).message).toBe(
      `${path.join(dir, "report.html.hbs")}: line 2: {{#if}} needs true or false, and got the text "T1"`,
    );
    expect(error(() => t.render("summary.html", {})).message).toBe(
      `${path.join(dir, "summary.html.hbs")}: line 2: {{#if}} needs true or false, and got nothing (no such field)`,
    );
  });

  it("takes only a list in {{#each}}", () => {
    expect(error(() => t.render("report.html", { rows: "abc" })).message).toBe(
      `${path.join(dir, "report.html.hbs")}: line 1: {{#each}} needs a list, and got the text "abc"`,
    );
  });

  it("has no helper but if, unless and each (refused when the file is read), nor blocks on fields", () => {
    const helper = overrides({ "summary.html.hbs": "x\n\n{{shout title}}" });
    expect(error(() => loadTemplates({ overrides: helper })).message).toBe(
      `${path.join(helper, "summary.html.hbs")}: line 3: there is no helper "shout": templates may only use if, unless and each`,
    );
    const block = overrides({ "summary.html.hbs": "\n{{#rows}}x{{/rows}}" });
    expect(error(() => loadTemplates({ overrides: block }).render("summary.html", { rows: [1] })).message).toBe(
      `${path.join(block, "summary.html.hbs")}: line 2: {{#rows}} is not a helper: use {{#if}} on a boolean or {{#each}} on a list`,
    );
  });

  it("names a partial's own file for a mistake inside it", () => {
    const d = overrides({ "_picture.md.hbs": "#### {{heading}}\n\n{{caption}}\n" });
    const e = error(() => prepareTemplates(d));
    expect(e.message).toBe(`${path.join(d, "_picture.md.hbs")}: line 3: the view model has no field "caption" here`);
  });
});

describe("prepareTemplates", () => {
  it("accepts the kit's templates", () => {
    expect(() => prepareTemplates()).not.toThrow();
  });

  it("finds a mistake in a branch that only some results reach, before any grading", () => {
    // the diagnostics table shows only for a submission with compiler errors
    const text = kitHtmlWith('<td class="mono where">{{where}}</td>', '<td class="mono where">{{file}}</td>');
    const dir = overrides({ "report.html.hbs": text });
    expect(error(() => prepareTemplates(dir)).message).toBe(
      `${path.join(dir, "report.html.hbs")}: line ${lineOf(text, "{{file}}")}: the view model has no field "file" here`,
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
