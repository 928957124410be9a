// Who handed in each folder of Gradescope's "Export Submissions": its
// submission_metadata.yml, written by Ruby's YAML emitter, maps each folder
// name (submission_<id>) to the submission's details, among them
// ":submitters:", a list of ":name:", ":sid:" and ":email:":
//
//   submission_231506478:
//     :submitters:
//     - :name: Jane Doe
//       :sid: '3034567'
//       :email: jane@example.edu
//     :created_at: 2024-03-01 21:14:02.530127000 -08:00
//     :score: 96.0
//     :results: ...
//
// Only that much of YAML is read here (block mappings and sequences, plain,
// single- and double-quoted scalars, anchors and tags before a value);
// everything else in a submission's details (results, history, test
// output, block scalars) is passed over by its indentation, never parsed.
// A folder the file does not name keeps its own name as the student's id.

/** One student of a Gradescope submission (several for a group). */
export interface GradescopeSubmitter {
  readonly name: string;
  /** The student id from the course roster; "" when the roster has none. */
  readonly sid: string;
  readonly email: string;
}

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** The submitters of each folder the metadata names, in the file's order. */
export function readGradescopeMetadata(yaml: string): Map<string, GradescopeSubmitter[]> {
  const lines = meaningful(yaml);
  const out = new Map<string, GradescopeSubmitter[]>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const key = line.indent === 0 ? keyOf(line.text) : null;
    i++;
    if (key === null) continue;
    const end = blockEnd(lines, i, 0);
    const submitters = submittersIn(lines.slice(i, end));
    if (submitters !== null) out.set(key.key, submitters);
    i = end;
  }
  return out;
}

// The lines that hold something: no blank lines, comments or document markers.
function meaningful(yaml: string): Line[] {
  return yaml
    .split(/\r?\n/)
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }))
    .filter((l) => l.text !== "" && !l.text.startsWith("#") && l.text !== "---" && l.text !== "...");
}

// The index of the first line from `from` indented `indent` or less: the end of a block.
function blockEnd(lines: readonly Line[], from: number, indent: number): number {
  let i = from;
  while (i < lines.length && lines[i]!.indent > indent) i++;
  return i;
}

// The submitters of one submission's details (its lines, indented), or null when it names none.
function submittersIn(details: readonly Line[]): GradescopeSubmitter[] | null {
  const level = details[0]?.indent;
  for (let i = 0; i < details.length; i++) {
    const line = details[i]!;
    if (line.indent !== level) continue;
    const key = keyOf(line.text);
    if (key === null || key.key.replace(/^:/, "") !== "submitters") continue;
    if (key.rest === "[]") return [];
    const first = details[i + 1];
    if (first === undefined || !isItem(first.text) || first.indent < line.indent) return [];
    return items(details.slice(i + 1, blockEndOrItems(details, i + 1, first.indent)), first.indent);
  }
  return null;
}

// Where a sequence whose items are indented `indent` ends.
function blockEndOrItems(lines: readonly Line[], from: number, indent: number): number {
  let i = from;
  while (i < lines.length && (lines[i]!.indent > indent || (lines[i]!.indent === indent && isItem(lines[i]!.text))))
    i++;
  return i;
}

function isItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

// Each "- " item of a sequence, as a submitter.
function items(lines: readonly Line[], indent: number): GradescopeSubmitter[] {
  const out: GradescopeSubmitter[] = [];
  for (let i = 0; i < lines.length;) {
    const end = blockEnd(lines, i + 1, indent);
    const first = stripProperties(lines[i]!.text.slice(1).trim());
    // the item's first key sits on the dash line, two columns in
    const own = first === "" ? [] : [{ indent: indent + 2, text: first }];
    out.push(submitter([...own, ...lines.slice(i + 1, end)]));
    i = end;
  }
  return out;
}

// A submitter from the lines of its mapping; fields it lacks are "".
function submitter(lines: readonly Line[]): GradescopeSubmitter {
  const fields: Record<string, string> = {};
  const level = lines[0]?.indent;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.indent !== level) continue;
    const key = keyOf(lines[i]!.text);
    if (key === null) continue;
    const end = blockEnd(lines, i + 1, lines[i]!.indent);
    fields[key.key.replace(/^:/, "")] = scalar([key.rest, ...lines.slice(i + 1, end).map((l) => l.text)]);
  }
  return { name: fields.name ?? "", sid: fields.sid ?? "", email: fields.email ?? "" };
}

/** A "key: rest" line's key (unquoted) and the rest; null when the line is no mapping key. */
function keyOf(text: string): { key: string; rest: string } | null {
  if (text.startsWith('"') || text.startsWith("'")) {
    const q = quoted(text);
    if (q === null || !text.slice(q.length).startsWith(":")) return null;
    return { key: q.value, rest: text.slice(q.length + 1).trim() };
  }
  const m = /^([^\s#][^#]*?):(?:\s+(.*))?$/.exec(text);
  if (m === null || m[1]!.startsWith("- ")) return null;
  return { key: m[1]!, rest: (m[2] ?? "").trim() };
}

// A value without the anchor ("&1") or tag ("!ruby/string", "!!str") before it.
function stripProperties(text: string): string {
  let t = text;
  while (/^[&!]\S*(\s|$)/.test(t)) t = t.replace(/^[&!]\S*\s*/, "");
  return t;
}

/** A scalar value from its first line's text and its continuation lines (folded into one). */
function scalar(parts: readonly string[]): string {
  const text = stripProperties(parts.join(" ").trim());
  if (text.startsWith('"') || text.startsWith("'")) return quoted(text)?.value ?? text.slice(1);
  const plain = text.replace(/\s+#.*$/, "").trim();
  return plain === "~" || plain === "null" ? "" : plain;
}

/** A quoted scalar at the start of `text`: its value, and how many characters it took. */
function quoted(text: string): { value: string; length: number } | null {
  const q = text[0]!;
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (q === "'" && c === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i++;
        continue;
      }
      return { value, length: i + 1 };
    }
    if (q === '"' && c === '"') return { value, length: i + 1 };
    if (q === '"' && c === "\\") {
      const [s, used] = escape(text, i + 1);
      value += s;
      i += used;
      continue;
    }
    value += c;
  }
  return null;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};

// A double-quoted escape at `at` (just after the backslash): its text, and how many characters it used.
function escape(text: string, at: number): [string, number] {
  const c = text[at] ?? "";
  const hex = { x: 2, u: 4, U: 8 }[c];
  if (hex !== undefined) {
    const digits = text.slice(at + 1, at + 1 + hex);
    if (/^[0-9A-Fa-f]+$/.test(digits) && digits.length === hex)
      return [String.fromCodePoint(parseInt(digits, 16)), 1 + hex];
  }
  return [ESCAPES[c] ?? c, 1];
}
