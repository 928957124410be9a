// Student files the grader cannot use: one that does not compile, or
// compiles but fails to load in the engine. Each costs the parts that need
// it; the other parts are graded with the reference's version of the file
// in its place, as each part's tests and thresholds run with the reference's
// other parts. A lab whose suites have no reference copy of the edit points
// cannot do that: a file that does not compile then costs every part (no
// test can run), and one that does not load costs its parts, the others
// being graded as they ran.

import { Diagnostic, Rubric, UnusableFile } from "./model";
import { formatDiagnostic } from "./typecheck";

export interface UnusableInput {
  readonly rubric: Rubric;
  readonly syntaxErrors: readonly Diagnostic[];
  readonly notLoaded: readonly { readonly file: string; readonly message: string }[];
  /** Whether the lab runs each part with the reference's other parts (its suites have a reference copy). */
  readonly isolatesParts: boolean;
}

/** The student files that did not compile or load, in the rubric's order, each with what it cost. */
export function unusableFiles(input: UnusableInput): UnusableFile[] {
  const { rubric } = input;
  const found = rubric.studentFiles.flatMap((file): Omit<UnusableFile, "withReference">[] => {
    const errors = input.syntaxErrors.filter((d) => d.file === file);
    const load = input.notLoaded.find((n) => n.file === file);
    const cause = errors.length > 0 ? "syntax" : load !== undefined ? "load" : null;
    if (cause === null) return [];
    const every = cause === "syntax" && !input.isolatesParts;
    const zeroed = rubric.parts.filter((p) => every || p.files.includes(file)).map((p) => p.id);
    const detail = cause === "syntax" ? syntaxSummary(errors) : load!.message;
    return [{ file, cause, detail, errors, zeroed }];
  });
  const lost = new Set(found.flatMap((u) => u.zeroed));
  const graded = input.isolatesParts ? rubric.parts.map((p) => p.id).filter((id) => !lost.has(id)) : [];
  return found.map((u) => ({ ...u, withReference: graded }));
}

/** The parts that cannot be graded, with what each item of theirs says: "Not graded: uvmcopy.ts does not compile." and why. */
export function partsLost(unusable: readonly UnusableFile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of unusable) {
    const why = `Not graded: ${baseName(u.file)} ${u.cause === "syntax" ? "does not compile" : "does not load"}.\n${u.detail}`;
    for (const p of u.zeroed) out.set(p, out.has(p) ? `${out.get(p)!}\n\n${why}` : why);
  }
  return out;
}

/**
 * What the student reads about one unusable file: "uvmcopy.ts did not
 * compile, so part A scored 0; parts B and C were graded with the
 * reference's uvmcopy.ts:" and the compiler's errors (or why it did not load).
 */
export function unusableSentence(u: UnusableFile): string {
  const name = baseName(u.file);
  const what = u.cause === "syntax" ? "did not compile" : "did not load";
  const cost = u.zeroed.length === 0 ? "" : `, so ${partList(u.zeroed)} scored 0`;
  const rest =
    u.withReference.length === 0
      ? ""
      : `; ${partList(u.withReference)} ${u.withReference.length === 1 ? "was" : "were"} graded with the reference's ${name}`;
  return `${name} ${what}${cost}${rest}:\n${u.detail}`;
}

/** A compiler's errors as the student reads them: the first five, and how many more. */
export function syntaxSummary(errors: readonly Diagnostic[]): string {
  const shown = errors.slice(0, 5).map(formatDiagnostic);
  if (errors.length > 5) shown.push(`... and ${errors.length - 5} more`);
  return shown.join("\n");
}

/** "part A", "parts A and B", "parts A, B and C" */
function partList(ids: readonly string[]): string {
  if (ids.length === 1) return `part ${ids[0]!}`;
  return `parts ${ids.slice(0, -1).join(", ")} and ${ids[ids.length - 1]!}`;
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}
