// The report templates (templates/*.hbs): Handlebars, compiled in strict
// mode, so that a field the view model does not have fails loudly instead
// of printing nothing. Templates are views, not programs (STYLE.md, point
// 9): the only helpers are {{#if}} and {{#unless}} on a boolean and
// {{#each}} on a list; anything else is decided in the view model.
//
// A file named "_NAME.hbs" is a partial, used as {{> NAME}}. An instructor
// may pass a folder of overrides (`oslab grade --templates DIR`): each file
// there replaces the kit's file of the same name. Every error names the
// file and the line: "templates/report.html.hbs: line 12: ...".

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { repoRoot } from "../../labs/lab";

/** The templates a report needs, by name (the file name without ".hbs"). */
export type TemplateName = "report.html" | "report.md" | "summary.html";
export const TEMPLATE_NAMES: readonly TemplateName[] = ["report.html", "report.md", "summary.html"];

/** A template's problem: a message that starts with its file and line. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

/** Compiled templates, ready to render. */
export interface TemplateSet {
  /** Renders `name` with `view`; throws a TemplateError naming the file and line of a mistake. */
  render(name: TemplateName, view: object): string;
  /** Where each of the reports' templates and partials was read from, by file name. */
  readonly files: ReadonlyMap<string, string>;
}

export interface TemplateOptions {
  /** The kit's templates; default <root>/templates. */
  readonly dir?: string;
  /** A folder whose files replace the kit's of the same name. */
  readonly overrides?: string;
}

/** Markdown templates print text as the view model has made it (already escaped for Markdown). */
const RAW = /\.md\.hbs$/;

/** Reads, checks and compiles the templates; throws a TemplateError for the first mistake. */
export function loadTemplates(options: TemplateOptions = {}): TemplateSet {
  const root = repoRoot();
  const dir = options.dir ?? path.join(root, "templates");
  const files = new Map<string, string>(); // file name -> path shown in messages
  for (const f of hbsFiles(dir)) files.set(f, display(path.join(dir, f), root));
  if (options.overrides !== undefined) {
    for (const f of hbsFiles(options.overrides)) {
      if (!files.has(f))
        throw new TemplateError(
          `${display(path.join(options.overrides, f), root)}: replaces no template: the templates are ${[...files.keys()].join(", ")}`,
        );
      files.set(f, display(path.join(options.overrides, f), root));
    }
  }
  for (const name of TEMPLATE_NAMES) {
    if (!files.has(`${name}.hbs`)) throw new TemplateError(`${display(path.join(dir, `${name}.hbs`), root)}: missing`);
  }

  const hb = Handlebars.create();
  strictHelpers(hb);
  // the reports' templates and the partials they use, found by following {{> name}}; other
  // files in the folder (the handout's) are not ours to check
  const used = new Map<string, string>();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  const queue: string[] = TEMPLATE_NAMES.map((n) => `${n}.hbs`);
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (used.has(f)) continue;
    const shown = files.get(f)!;
    used.set(f, shown);
    let text: string;
    try {
      text = readFileSync(path.isAbsolute(shown) ? shown : path.join(root, shown), "utf8");
    } catch (e) {
      throw new TemplateError(`${shown}: cannot be read: ${(e as Error).message}`);
    }
    const options = {
      strict: true,
      noEscape: RAW.test(f),
      preventIndent: true,
      // any other helper, or a block on a field ({{#field}}), is refused when the file is read
      knownHelpers: { if: true, unless: true, each: true, with: false, lookup: false, log: false },
      knownHelpersOnly: true,
    };
    let ast: hbs.AST.Program;
    try {
      ast = Handlebars.parse(text);
      hb.precompile(text, options); // what only the compiler checks, checked now rather than at first use
    } catch (e) {
      throw located(shown, e);
    }
    for (const p of partialCalls(ast)) {
      const file = `_${p.name}.hbs`;
      if (!files.has(file))
        throw new TemplateError(`${shown}: line ${p.line}: there is no partial "${p.name}" (a file named ${file})`);
      queue.push(file);
    }
    const fn = hb.compile(text, options);
    compiled.set(f, fn);
    if (f.startsWith("_")) {
      // a mistake inside a partial is reported against the partial's own file
      hb.registerPartial(partialName(f), ((context: unknown, opts?: Handlebars.RuntimeOptions) =>
        run(shown, () => fn(context, opts))) as unknown as Handlebars.Template);
    }
  }
  return {
    files: used,
    render(name, view) {
      const f = `${name}.hbs`;
      return run(files.get(f)!, () => compiled.get(f)!(view));
    },
  };
}

/** Runs `render`, turning any error into a TemplateError that names `shown` (unless a partial named its own). */
function run(shown: string, render: () => string): string {
  try {
    return render();
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw located(shown, e);
  }
}

/** An error of Handlebars as "<file>: line N: <what>". */
function located(shown: string, e: unknown): TemplateError {
  const err = e as { message?: string; lineNumber?: number };
  const message = String(err.message ?? e);
  const parse = /^Parse error on line (\d+):\n(?:.*\n){2}([\s\S]*)$/.exec(message);
  if (parse !== null) return new TemplateError(`${shown}: line ${parse[1]}: ${parse[2]!.trim()}`);
  const at = / - (\d+):(\d+)$/.exec(message);
  const line = err.lineNumber ?? (at !== null ? Number(at[1]) : undefined);
  const what = message
    .replace(/ - \d+:\d+$/, "")
    .replace(/^"(.+)" not defined in .*$/, 'the view model has no field "$1" here')
    .replace(
      /^You specified knownHelpersOnly, but used the unknown helper (.+)$/,
      'there is no helper "$1": templates may only use if, unless and each',
    );
  return new TemplateError(line === undefined ? `${shown}: ${what}` : `${shown}: line ${line}: ${what}`);
}

// {{#if}}, {{#unless}} and {{#each}} that refuse anything but a boolean or
// a list, and no other helper: a template cannot compute, only show.
function strictHelpers(hb: typeof Handlebars): void {
  const builtIn = { if: hb.helpers.if!, unless: hb.helpers.unless!, each: hb.helpers.each! };
  for (const name of Object.keys(hb.helpers)) hb.unregisterHelper(name);
  const where = (o: Handlebars.HelperOptions): string => {
    const loc = (o as unknown as { loc?: { start: { line: number } } }).loc;
    return loc === undefined ? "" : ` - ${loc.start.line}:0`;
  };
  for (const name of ["if", "unless"] as const) {
    hb.registerHelper(name, function (this: unknown, value: unknown, o: Handlebars.HelperOptions) {
      if (typeof value !== "boolean")
        throw new Error(`{{#${name}}} needs true or false, and got ${describeValue(value)}${where(o)}`);
      return builtIn[name].call(this, value, o);
    });
  }
  hb.registerHelper("each", function (this: unknown, value: unknown, o: Handlebars.HelperOptions) {
    if (!Array.isArray(value)) throw new Error(`{{#each}} needs a list, and got ${describeValue(value)}${where(o)}`);
    return builtIn.each.call(this, value, o);
  });
  type Named = Handlebars.HelperOptions & { name: string };
  hb.registerHelper("helperMissing", function (...args: unknown[]) {
    const o = args[args.length - 1] as Named;
    throw new Error(`there is no helper "${o.name}": templates may only use if, unless and each${where(o)}`);
  });
  hb.registerHelper("blockHelperMissing", function (_value: unknown, o: Named) {
    throw new Error(`{{#${o.name}}} is not a helper: use {{#if}} on a boolean or {{#each}} on a list${where(o)}`);
  });
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing (no such field)";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "string"
    ? `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`
    : `a ${typeof v}`;
}

/** Every {{> name}} in a template, with its line. */
function partialCalls(ast: hbs.AST.Program): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    const n = node as { type?: string; name?: { original?: unknown }; loc?: { start: { line: number } } };
    if ((n.type === "PartialStatement" || n.type === "PartialBlockStatement") && typeof n.name?.original === "string")
      out.push({ name: n.name.original, line: n.loc?.start.line ?? 0 });
    for (const v of Object.values(node)) if (v !== n.loc) visit(v);
  };
  visit(ast);
  return out;
}

function partialName(file: string): string {
  return file.slice(1).replace(/\.hbs$/, "");
}

function hbsFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".hbs"))
      .sort();
  } catch (e) {
    throw new TemplateError(`Cannot read the templates in "${dir}": ${(e as Error).message}`);
  }
}

/** A path as messages show it: relative to the kit's root when inside it. */
function display(file: string, root: string): string {
  const rel = path.relative(root, path.resolve(file));
  return rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(file) : rel;
}
