/**
 * POSIX shell quoting for the commands explain() prints, so a learner can paste them as they are.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Always single-quoted: `it's` -> `'it'\''s'`. */
export function singleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Left bare when it needs no quoting (`red`, `10.10.1.2/32`); single-quoted otherwise. */
export function shellArg(text: string): string {
  return SAFE.test(text) ? text : singleQuote(text);
}
