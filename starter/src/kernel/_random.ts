// A small seeded pseudo-random generator (xorshift32), so that a machine
// built with the same seed hands out frames in the same order every time.

/** Returns a function giving integers in [0, n) from the seed's sequence. */
export function seededRandom(seed: number): (n: number) => number {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0 || 1;
  return (n: number) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}
