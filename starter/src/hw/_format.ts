/** `n` as eight hex digits, the way addresses and PTEs are printed everywhere. */
export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
