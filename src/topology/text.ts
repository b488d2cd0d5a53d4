/**
 * A topology file's bytes as text, or why they are not: a binary file (an executable, an archive, an
 * image given by mistake) is reported as "not a text file" in one line before any parsing, instead of the
 * YAML reader's dozens of complaints about garbage it would quote back.
 *
 * The test is the one `git` and `grep` use, on the first kilobyte: a NUL byte, or bytes that are not
 * UTF-8. Past the first kilobyte a byte that is not UTF-8 is a text file saved in another encoding, and
 * it is reported at its line and column.
 */
import type { TopologyIssue } from '../errors.js';

/** How much of the start of a file decides whether it is text. */
const SNIFF = 1024;

const HINT = 'a topology file is YAML or JSON text in UTF-8 (see examples/two-computers.yaml)';

const hex = (byte: number): string => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence, or -1. */
function firstInvalid(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence, and the range its second byte must be in (RFC 3629: no overlong
    // forms, no surrogates, nothing past U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i; // cut short by the end of the file
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += n;
  }
  return -1;
}

/** The line and column (in characters, as the YAML reader counts them) of a byte offset in UTF-8 bytes that are valid before it. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1 };
}

const nulAt = (what: 'byte' | 'character', at: number): TopologyIssue => ({ path: '', message: `not a text file: ${what} ${at + 1} is a NUL`, hint: HINT });

export type Decoded = { ok: true; text: string } | { ok: false; issue: TopologyIssue };

/** The text of a file's bytes (a UTF-8 byte order mark dropped), or the one problem that says why they are not text. */
export function decodeTopology(bytes: Uint8Array): Decoded {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      ok: false,
      issue: {
        path: '',
        message: 'the file is UTF-16 text (it starts with a UTF-16 byte order mark)',
        hint: 'save it as UTF-8, for example with iconv -f UTF-16 -t UTF-8',
      },
    };
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const invalid = firstInvalid(bytes, bom);
  const nul = bytes.subarray(0, SNIFF).indexOf(0);
  if (nul >= 0 && (invalid < 0 || nul < invalid)) return { ok: false, issue: nulAt('byte', nul) };
  if (invalid >= 0 && invalid < SNIFF) {
    return { ok: false, issue: { path: '', message: `not a text file: byte ${invalid + 1} (${hex(bytes[invalid] as number)}) is not UTF-8`, hint: HINT } };
  }
  if (invalid >= 0) {
    const { line, column } = positionOf(bytes, invalid);
    return {
      ok: false,
      issue: {
        path: '',
        message: `byte ${hex(bytes[invalid] as number)} is not UTF-8`,
        hint: 'save the file as UTF-8 (it looks like Latin-1 or another 8-bit encoding)',
        line,
        column,
      },
    };
  }
  return { ok: true, text: new TextDecoder().decode(bytes.subarray(bom)) };
}

/** The problem of a text given as a string whose start is not text (a NUL in its first kilobyte), or undefined. */
export function checkText(text: string): TopologyIssue | undefined {
  const nul = text.slice(0, SNIFF).indexOf('\u0000');
  return nul < 0 ? undefined : nulAt('character', nul);
}
