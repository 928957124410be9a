// Markdown to HTML for the handout (GitHub's dialect, through marked):
// every heading gets an id made from its words, so the table of contents
// and cross-references can link to it, and the headings are returned too;
// every table sits in a box of its own that scrolls sideways on a phone.

import { Marked, Renderer, Tokens } from "marked";

/** A heading of the rendered document. */
export interface Heading {
  readonly depth: number;
  /** Its text, without markup. */
  readonly text: string;
  /** The id of the heading element, unique in the document. */
  readonly id: string;
}

export interface RenderedMarkdown {
  readonly html: string;
  readonly headings: readonly Heading[];
}

/** Renders `markdown` to HTML; raw HTML in it (figures, tables) passes through unchanged. */
export function renderMarkdown(markdown: string): RenderedMarkdown {
  const headings: Heading[] = [];
  const used = new Set<string>();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline(t: Tokens.Heading["tokens"]): string } }, token: Tokens.Heading): string {
        const inner = this.parser.parseInline(token.tokens);
        const text = plainText(inner);
        const id = uniqueSlug(text, used);
        headings.push({ depth: token.depth, text, id });
        return `<h${token.depth} id="${id}">${inner}</h${token.depth}>\n`;
      },
      // the handout's style lets a .table box scroll, so a wide table never widens the page
      table(this: Renderer, token: Tokens.Table): string {
        return `<div class="table">\n${Renderer.prototype.table.call(this, token)}</div>\n`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  return { html, headings };
}

/** An id made of a heading's words: lower case, letters and digits joined by "-"; made unique with a number. */
export function uniqueSlug(text: string, used: Set<string>): string {
  const base =
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "section";
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}

// The text of an inline HTML fragment: tags dropped, the common entities decoded.
function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? "")
    .trim();
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" };
