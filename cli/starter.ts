// `oslab starter [--check]`: writes starter/ from solution/. Same files,
// same provided code; each edit point's block between `// BEGIN SOLUTION`
// and `// END SOLUTION` becomes its hint lines (`// starter: ...` inside the
// block) and `throw new NotImplemented("<function>: see handout, part X")`.
// Lines between `// BEGIN HIDDEN` and `// END HIDDEN` never reach the
// starter, nor do the kit's own tests beside the code (src/**/*.test.ts).

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EditPoint, Lab, loadLab, repoRoot } from "../labs/lab";
import { GRADING_FILE } from "../solution/tests/engine/_grading";
import { checkGradingFile, writeGradingFile } from "./_grading-file";
import { checkScenarioCopies, scenarioCopies, writeScenarioCopies } from "./_scenario-copies";

/** Folders that are never copied and never compared (installs and build output). */
const IGNORED_DIRS = new Set(["node_modules", "dist", "coverage", ".stryker-tmp"]);
const BEGIN = /^(\s*)\/\/ BEGIN SOLUTION\s*$/;
const END = /^\s*\/\/ END SOLUTION\s*$/;
const BEGIN_HIDDEN = /^\s*\/\/ BEGIN HIDDEN\s*$/;
const END_HIDDEN = /^\s*\/\/ END HIDDEN\s*$/;
const HINT = /^\s*\/\/ starter: ?(.*)$/;

/** A file of the starter: its path relative to the starter root, and its content. */
export type StarterFiles = Map<string, string>;

/** Generates the starter's files from the lab's solution, in memory. */
export function generateStarter(lab: Lab): StarterFiles {
  const files: StarterFiles = new Map();
  const points = new Map(lab.editPoints.map((e) => [e.file, e]));
  for (const rel of listFiles(lab.solution)) {
    if (!shipped(rel)) continue;
    const text = readFileSync(path.join(lab.solution, rel), "utf8");
    files.set(rel, rel.endsWith(".ts") ? transform(rel, text, points.get(rel)) : text);
  }
  for (const e of lab.editPoints) {
    if (!files.has(e.file))
      throw new Error(`Cannot generate the starter: edit point ${e.file} is missing from ${lab.solution}`);
  }
  return files;
}

/** Whether a solution file (path relative to its root, with /) goes into the starter. */
export function shipped(rel: string): boolean {
  if (rel.startsWith("src/") && (rel.endsWith(".test.ts") || path.basename(rel) === "test-support.ts")) return false;
  return true;
}

// Replaces the solution block of an edit point and drops hidden lines.
function transform(rel: string, text: string, point: EditPoint | undefined): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (BEGIN_HIDDEN.test(line)) {
      i = skipTo(lines, i, END_HIDDEN, rel, "BEGIN HIDDEN");
      continue;
    }
    const begin = BEGIN.exec(line);
    if (begin === null) {
      if (END.test(line))
        throw new Error(`Cannot generate the starter: ${rel}:${i + 1}: END SOLUTION without BEGIN SOLUTION`);
      out.push(line);
      continue;
    }
    if (point === undefined) {
      throw new Error(
        `Cannot generate the starter: ${rel}:${i + 1} has a solution block but is not an edit point of the lab (lab.json)`,
      );
    }
    const end = skipTo(lines, i, END, rel, "BEGIN SOLUTION");
    const indent = begin[1]!;
    const hints = lines.slice(i + 1, end).flatMap((l) => {
      const m = HINT.exec(l);
      return m === null ? [] : [`${indent}// ${m[1]}`];
    });
    out.push(
      `${indent}// TODO (part ${point.part}): write ${point.function}(). The comment above says what it must do.`,
    );
    out.push(...hints);
    out.push(`${indent}throw new NotImplemented("${point.function}: see handout, part ${point.part}");`);
    blocks++;
    i = end;
  }
  if (point !== undefined && blocks !== 1) {
    throw new Error(`Cannot generate the starter: ${rel} must have exactly one solution block, found ${blocks}`);
  }
  return point === undefined ? out.join("\n") : withNotImplementedImport(out.join("\n"), rel);
}

function skipTo(lines: string[], from: number, end: RegExp, rel: string, what: string): number {
  for (let j = from + 1; j < lines.length; j++) if (end.test(lines[j]!)) return j;
  throw new Error(`Cannot generate the starter: ${rel}:${from + 1}: ${what} is never closed`);
}

// The stub throws NotImplemented: make sure the file imports it from ./defs.
function withNotImplementedImport(text: string, rel: string): string {
  if (/\bNotImplemented\b[^(]*\bfrom "\.\/defs"/.test(text)) return text;
  const m = /import \{([^}]*)\} from "\.\/defs";/.exec(text);
  if (m === null) return `import { NotImplemented } from "./defs";\n${text}`;
  const names = m[1]!.trim().replace(/,$/, "");
  const multiline = m[1]!.includes("\n");
  const list = multiline ? `{\n  NotImplemented,${m[1]!.replace(/^\n?/, "\n")}}` : `{ NotImplemented, ${names} }`;
  if (!text.includes(m[0])) throw new Error(`Cannot generate the starter: ${rel}: cannot find its import from ./defs`);
  return text.replace(m[0], `import ${list} from "./defs";`);
}

/** Every file under `root` (relative paths with /), outside ignored folders, sorted. */
export function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (!IGNORED_DIRS.has(e.name)) out.push(...listFiles(root, child));
    } else if (e.isFile()) {
      out.push(child);
    }
  }
  return out.sort();
}

/** The differences between `files` and what is on disk at `dir`, as sentences. */
export function compareStarter(files: StarterFiles, dir: string): string[] {
  let onDisk: string[];
  try {
    onDisk = listFiles(dir);
  } catch {
    return [`${dir} does not exist`];
  }
  const diffs: string[] = [];
  for (const [rel, text] of files) {
    let disk: string;
    try {
      disk = readFileSync(path.join(dir, rel), "utf8");
    } catch {
      diffs.push(`${rel} is missing`);
      continue;
    }
    if (disk !== text) diffs.push(`${rel} differs`);
  }
  for (const rel of onDisk)
    if (!files.has(rel) && rel !== "package-lock.json") diffs.push(`${rel} should not be there`);
  return diffs;
}

/**
 * Writes `files` into `dir`: each changed file is written to a temporary
 * name and renamed over the old one, so no file is ever half-written;
 * files that should not be there are removed; node_modules stays.
 */
export function writeStarter(files: StarterFiles, dir: string): string[] {
  const changed = compareStarter(files, dir);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of files) {
    const target = path.join(dir, rel);
    let same = false;
    try {
      same = readFileSync(target, "utf8") === text;
    } catch {
      same = false;
    }
    if (same) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.oslab-tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  }
  for (const rel of listFiles(dir)) {
    if (!files.has(rel) && rel !== "package-lock.json") rmSync(path.join(dir, rel));
  }
  return changed;
}

/** Where the kit keeps the seed experiments the solution ships a copy of. */
export const SEEDS_SOURCE = path.join(repoRoot(), "examples", "scenarios");

/** Runs the command; returns the exit status. */
export function starterCommand(args: { lab: string; check: boolean }, out: (s: string) => void = console.log): number {
  const lab = loadLab(args.lab);
  const rel = path.relative(process.cwd(), lab.starter) || ".";
  const solution = path.relative(process.cwd(), lab.solution) || ".";
  const copies = scenarioCopies(lab, SEEDS_SOURCE);
  if (args.check) {
    const grading = checkGradingFile(lab);
    const stale = checkScenarioCopies(lab, copies);
    if (grading !== null || stale.length > 0) {
      out(`${solution}/ is not what the kit's sources give; run 'npm run oslab -- starter' and commit:`);
      for (const d of [...(grading === null ? [] : [grading]), ...stale]) out(`  ${solution}/${d}`);
      return 1;
    }
    const files = generateStarter(lab);
    const diffs = compareStarter(files, lab.starter);
    if (diffs.length === 0) {
      out(`${rel}/ is what ${solution}/ generates (${files.size} files)`);
      return 0;
    }
    out(`${rel}/ is not what solution/ generates; run 'npm run oslab -- starter' and commit:`);
    for (const d of diffs) out(`  ${rel}/${d}`);
    return 1;
  }
  // the solution's generated files first (grading.json from the rubric, the
  // scenarios the handout cites): the starter gets the solution's copies
  if (writeGradingFile(lab)) out(`wrote ${solution}/${GRADING_FILE} from the rubric`);
  const copied = writeScenarioCopies(lab, copies);
  if (copied > 0)
    out(`wrote ${copied} scenario copy(ies) into ${solution}/scenarios/ from the kit's seeds and thresholds`);
  const changed = writeStarter(generateStarter(lab), lab.starter);
  out(changed.length === 0 ? `${rel}/ was already up to date` : `wrote ${rel}/ (${changed.length} change(s))`);
  return 0;
}
