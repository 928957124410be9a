// Two entries that give the same id (frank/ and frank.zip, or o'neil and
// o_neil once made safe for a folder name): an error naming both, unless
// --on-duplicate says which one is graded (model.ts DuplicateRule).

import { DuplicateRule } from "./model";

/** A submission found, before its id is final. */
export interface Candidate {
  readonly id: string;
  /** Its entries as the instructor finds them ("class/frank.zip"), in order. */
  readonly entries: readonly string[];
  /** When it was last modified, in ms since 1970. */
  readonly newest: number;
  readonly shape: "folder" | "archive" | "files";
}

/** What becomes of a candidate: graded under `id`, or not graded for `kept` has its id. */
export type Resolution =
  | { readonly id: string; readonly sameIdAs?: string }
  | { readonly dropped: { readonly id: string; readonly kept: string } };

/**
 * Each candidate's resolution, in order. Throws a sentence naming the
 * entries that share an id when `rule` is "error".
 */
export function resolveDuplicates(candidates: readonly Candidate[], rule: DuplicateRule): Resolution[] {
  const byId = new Map<string, number[]>();
  candidates.forEach((c, i) => byId.set(c.id, [...(byId.get(c.id) ?? []), i]));
  const taken = new Set(byId.keys());
  const out: Resolution[] = candidates.map((c) => ({ id: c.id }));
  for (const [id, at] of byId) {
    if (at.length < 2) continue;
    const same = at.map((i) => candidates[i]!);
    if (rule === "error") throw new Error(duplicateMessage(id, same));
    if (rule === "both") {
      at.slice(1).forEach((i) => (out[i] = { id: freeId(id, taken), sameIdAs: id }));
      continue;
    }
    const winner = at[chooseOne(same, rule)]!;
    const kept = shown(candidates[winner]!);
    for (const i of at) if (i !== winner) out[i] = { dropped: { id, kept } };
  }
  return out;
}

// The index in `same` of the one graded: of the kind the rule prefers if any, the newest, the first if tied.
function chooseOne(same: readonly Candidate[], rule: "newest" | "folder" | "archive"): number {
  const preferred = same.some((c) => c.shape === rule) ? rule : null;
  let best = -1;
  same.forEach((c, i) => {
    if (preferred !== null && c.shape !== preferred) return;
    if (best < 0 || c.newest > same[best]!.newest) best = i;
  });
  return best;
}

// "<id>-2", "-3", ... the first no other candidate has.
function freeId(id: string, taken: Set<string>): string {
  let n = 2;
  while (taken.has(`${id}-${n}`)) n++;
  taken.add(`${id}-${n}`);
  return `${id}-${n}`;
}

function shown(c: Candidate): string {
  const more = c.entries.length - 1;
  return more === 0 ? c.entries[0]! : `${c.entries[0]!} (and ${more} more)`;
}

function duplicateMessage(id: string, same: readonly Candidate[]): string {
  const names = same.map((c) => `"${shown(c)}"`);
  const list =
    names.length === 2
      ? `${names[0]} and ${names[1]} both`
      : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} all`;
  return (
    `Cannot grade: ${list} give the id "${id}"; remove all but one, ` +
    `or say which to grade with --on-duplicate (newest, folder, archive or both)`
  );
}
