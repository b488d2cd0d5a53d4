/**
 * What a message shows of its input, bounded: a message must read the same for a 10 MB string or a list of
 * 100,000 names as for a short one, so long texts are cut to an excerpt that says how long they were, and
 * long lists to their first names and a count. Every message of nslab that quotes input or lists names
 * goes through here (the api layer's `nameList` too).
 */

/** How many items a list in a message shows before it says how many more there are. */
export const LIST_SHOWN = 10;

/** Texts up to this many characters are shown whole; longer ones are cut (see `clip`). */
export const EXCERPT_MAX = 80;

/** How much of a text that is too long to show whole is shown. */
const EXCERPT_SHOWN = 60;

/** 99,990 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The first `end` characters of a long text, never half of a surrogate pair. */
function head(text: string, end = EXCERPT_SHOWN): string {
  const last = text.charCodeAt(end - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

/**
 * A text as is, or, when longer than `max` characters (EXCERPT_MAX unless told), its start and its
 * length: `echo xxx... (10,485,765 characters)`.
 */
export function clip(text: string, max = EXCERPT_MAX): string {
  if (text.length <= max) return text;
  return `${head(text, max - (EXCERPT_MAX - EXCERPT_SHOWN))}... (${count(text.length)} characters)`;
}

/**
 * A text in double quotes, escaped as JSON, cut as `clip` cuts: `"echo xxx..." (10,485,765 characters)`.
 * `withLength: false` leaves the length out, for a message that says it itself.
 */
export function quote(text: string, withLength = true): string {
  if (text.length <= EXCERPT_MAX) return JSON.stringify(text);
  const excerpt = JSON.stringify(`${head(text)}...`);
  return withLength ? `${excerpt} (${count(text.length)} characters)` : excerpt;
}

/**
 * `a, b and c`; past `shown` items, the first `shown` and how many more: `n0, n1, ... n9 ... and 99,990
 * more`. Each item is cut as `clip` cuts at `itemMax` characters (nslab's own sentences, which are
 * bounded already, are kept whole with Infinity). Only the items shown are read, so a list of any length
 * costs the same.
 */
export function listWords(words: readonly string[], shown = LIST_SHOWN, itemMax = EXCERPT_MAX): string {
  if (words.length > shown) {
    const first: string[] = [];
    for (let i = 0; i < shown; i++) first.push(clip(words[i] ?? '', itemMax));
    return `${first.join(', ')} ... and ${count(words.length - shown)} more`;
  }
  const all = words.map((w) => clip(w, itemMax));
  if (all.length <= 1) return all.join('');
  return `${all.slice(0, -1).join(', ')} and ${all[all.length - 1] ?? ''}`;
}
