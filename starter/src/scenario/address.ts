// Addresses in scenarios: a number (a virtual address), or a string "LABEL"
// or "LABEL+OFFSET" (offset decimal or 0x hex). A string of digits alone is
// a number.

import { Address } from "./types";

const NUMBER = /^(?:0x[0-9a-fA-F]+|[0-9]+)$/;
const LABELLED = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\+(0x[0-9a-fA-F]+|[0-9]+))?$/;

/** Parses an address as written, or returns a sentence saying why it is not one. */
export function parseAddress(value: unknown): Address | string {
  if (typeof value === "number") {
    return isAddress(value) ? value : `${value} is not an address (a whole number from 0 to 0xffffffff)`;
  }
  if (typeof value !== "string") return `must be a number or a string "LABEL" or "LABEL+OFFSET"`;
  const text = value.trim();
  if (NUMBER.test(text)) {
    const n = Number(text);
    return isAddress(n) ? n : `"${value}" is beyond the 32-bit address space`;
  }
  const m = LABELLED.exec(text);
  if (m === null) return `"${value}" is not an address (a number, "LABEL" or "LABEL+OFFSET")`;
  const offset = m[2] === undefined ? 0 : Number(m[2]);
  if (!isAddress(offset)) return `"${value}" has an offset beyond the 32-bit address space`;
  return { label: m[1]!, offset, text };
}

/** The address written as it was, for messages. */
export function showAddress(a: Address): string {
  return typeof a === "number" ? `0x${a.toString(16)}` : a.text;
}

function isAddress(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32;
}
