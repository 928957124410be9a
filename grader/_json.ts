// Reading an instructor's JSON file (rubric.json, lab.json): a syntax error
// is told by line and column, with what was expected there. JSON.parse
// decides what is valid; jsonc-parser, in strict mode, only finds where the
// first mistake is, which V8's messages do not always say (a comma before
// "]" gives no position at all).

import { ParseError, parse, printParseErrorCode } from "jsonc-parser";

/** The file's value, or where and why it is not JSON. */
export type JsonText =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Parses `text`; a mistake is "line 4, column 7: expected ',' or '}'". */
export function parseJsonText(text: string): JsonText {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const errors: ParseError[] = [];
    parse(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    const first = errors[0];
    if (first === undefined) return { ok: false, message: `not valid JSON: ${(e as Error).message}` };
    const { line, column } = lineAndColumn(text, first.offset);
    return { ok: false, message: `line ${line}, column ${column}: ${mistake(text, first)}` };
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

// What the parser wanted at the error, in words.
function mistake(text: string, error: ParseError): string {
  const code = printParseErrorCode(error.error);
  const next = text[error.offset];
  if (
    (code === "PropertyNameExpected" || code === "ValueExpected") &&
    (next === "}" || next === "]") &&
    commaBefore(text, error.offset)
  )
    return `a comma before "${next}": JSON allows none after the last entry`;
  if (next === "'") return "a single quote: JSON strings and keys take double quotes";
  if (code === "InvalidSymbol")
    return `${/^[^\s,:\]}]*/.exec(text.slice(error.offset))![0]} is not a JSON value (${VALUES})`;
  return WORDS[code] ?? `not valid JSON (${code})`;
}

function commaBefore(text: string, offset: number): boolean {
  return /,\s*$/.test(text.slice(0, offset));
}

const VALUES = 'a value is "text" in double quotes, a number, true, false, null, [...] or {...}';

const WORDS: Readonly<Record<string, string>> = {
  InvalidNumberFormat: "a number JSON does not allow",
  PropertyNameExpected: 'expected a key in double quotes ("key")',
  ValueExpected: "expected a value",
  ColonExpected: 'expected ":" after the key',
  CommaExpected: 'expected "," between two entries',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the list',
  EndOfFileExpected: "more text after the end of the JSON value",
  InvalidCommentToken: "JSON allows no comments",
  UnexpectedEndOfComment: "JSON allows no comments",
  UnexpectedEndOfString: "a string that is not closed by a double quote",
  UnexpectedEndOfNumber: "a number cut short",
  InvalidUnicode: 'a "\\u" escape without four hex digits',
  InvalidEscapeCharacter: 'an escape JSON does not know (write "\\\\" for one backslash)',
  InvalidCharacter: "a line break or control character inside a string (write \\n)",
};
