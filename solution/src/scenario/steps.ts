// How every message and view names a step: as a person counts the steps of
// the file, from 1, a step inside a `repeat` by its place in each ("step 4.2"),
// and, when the repeat runs more than once, the time round ("round 3 of 4").
// The parser's errors, the run's failures and both traces all say it so.

/** The number of the `index`-th step (from 0) of a list whose `repeat` is step `parent` ("" at the top). */
export function stepNumber(parent: string, index: number): string {
  return parent === "" ? String(index + 1) : `${parent}.${index + 1}`;
}

/**
 * "step 4.2", with its round when known: "step 4.2, round 3" while the run
 * goes on, "step 4.2, round 3 of 4" once the rounds are counted. `number` ""
 * is the machine before the first step: "the start".
 */
export function stepName(number: string, round: number | null = null, rounds: number | null = null): string {
  if (number === "") return "the start";
  if (round === null) return `step ${number}`;
  return rounds === null ? `step ${number}, round ${round}` : `step ${number}, round ${round} of ${rounds}`;
}
