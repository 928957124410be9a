// Markdown to HTML: headings get ids from their words, unique in the page,
// and raw HTML (figures) passes through untouched.

import { renderMarkdown, uniqueSlug } from "./markdown";

test("every heading gets an id made of its words, and is listed with its depth and text", () => {
  const r = renderMarkdown("## Part A: fork's page-table copy\n\ntext\n\n### The TLB, and `sfence.vma`\n");
  expect(r.html).toContain(`<h2 id="part-a-fork-s-page-table-copy">Part A: fork&#39;s page-table copy</h2>`);
  expect(r.html).toContain(`<h3 id="the-tlb-and-sfence-vma">The TLB, and <code>sfence.vma</code></h3>`);
  expect(r.headings).toEqual([
    { depth: 2, text: "Part A: fork's page-table copy", id: "part-a-fork-s-page-table-copy" },
    { depth: 3, text: "The TLB, and sfence.vma", id: "the-tlb-and-sfence-vma" },
  ]);
});

test("two headings with the same words get different ids", () => {
  const r = renderMarkdown("## Hints\n\n## Hints\n\n## Hints\n");
  expect(r.headings.map((h) => h.id)).toEqual(["hints", "hints-2", "hints-3"]);
  expect(uniqueSlug("!!!", new Set())).toBe("section");
});

test("raw HTML blocks pass through, and tables and lists are rendered", () => {
  const svg = '<figure id="f"><svg viewBox="0 0 1 1"><text>a*b*</text></svg></figure>';
  const r = renderMarkdown(`${svg}\n\n| a | b |\n| --- | ---: |\n| 1 | 2 |\n\n- x\n`);
  expect(r.html).toContain(svg);
  expect(r.html).toContain('<td align="right">2</td>');
  expect(r.html).toContain("<li>x</li>");
});

test("each table is in a box of its own, which scrolls sideways when the table is wider than a phone", () => {
  const r = renderMarkdown("| part | file |\n| --- | --- |\n| A | uvmcopy.ts |\n\ntext\n\n| x |\n| --- |\n| 1 |\n");
  const boxes = r.html.match(/<div class="table">\s*<table>[\s\S]*?<\/table>\s*<\/div>/g) ?? [];
  expect(boxes.length).toBe(2);
  expect(r.html.match(/<table>/g)?.length).toBe(2);
});
