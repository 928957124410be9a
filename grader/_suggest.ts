// "Did you mean": the known word closest to a mistyped one, for messages
// about an instructor's files (an unknown key, an unknown figure).

/**
 * The candidate `word` most likely mistypes: the same letters in another
 * case, its beginning (three letters or more), or at most half the longer
 * word's letters away (and fewer than the shorter one has); null when none
 * is that close.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const shortened = candidates.find((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
  if (shortened !== undefined) return shortened;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    const most = Math.min(Math.floor(Math.max(word.length, c.length) / 2), Math.min(word.length, c.length) - 1);
    if (d <= most && d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** The words' distance in insertions, deletions, substitutions and swaps of two neighbours (Damerau's). */
export function editDistance(a: string, b: string): number {
  // d[i][j]: distance between the first i letters of a and the first j of b
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}
