/** Small readers the containerlab front shares: keys a mapping may have, and text settings. */
import type { Path } from '../issues.js';
import { describeValue } from '../shape.js';
import { listWords, quote } from '../bounded.js';
import { closest } from '../suggest.js';
import type { Report } from './report.js';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key of `value` that `allowed` lacks is a problem, with the nearest allowed one. containerlab reads strictly too. */
export function checkKeys(value: Record<string, unknown>, path: Path, allowed: readonly string[], what: string, report: Report): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = closest(key, allowed);
    const takes = `${what} takes ${listWords(allowed, allowed.length)}`;
    report.problem({
      path: [...path, key],
      at: 'key',
      message: `unknown key ${quote(key)}`,
      hint: near !== undefined ? `did you mean ${quote(near)}? ${takes}` : takes,
    });
  }
}

/** The text settings nslab reads must be text (lists are checked where they are joined). */
export function checkTextSettings(d: Record<string, unknown>, path: Path, report: Report): void {
  for (const key of ['kind', 'group', 'network-mode', 'image', 'startup-config'] as const) {
    const v = d[key];
    if (v !== undefined && v !== null && typeof v !== 'string')
      report.problem({ path: [...path, key], message: `must be a string, not ${describeValue(v)}`, hint: `put it in quotes: "${String(v)}"` });
  }
}
