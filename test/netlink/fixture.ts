/**
 * Loads golden fixtures from test/netlink/fixtures/ (written by scripts/capture-golden.py): '#' lines are
 * comments, a '--' line separates datagrams, the rest is hex.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
export { prng } from '../helpers/random.js';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Every datagram of a fixture file. */
export function datagrams(name: string): Buffer[] {
  const text = readFileSync(join(fixturesDir, name), 'utf8');
  const out: Buffer[] = [];
  let hex = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '--') {
      out.push(Buffer.from(hex, 'hex'));
      hex = '';
      continue;
    }
    hex += line.replace(/\s+/g, '');
  }
  if (hex !== '') out.push(Buffer.from(hex, 'hex'));
  return out;
}

/** The single datagram of a fixture file. */
export function datagram(name: string): Buffer {
  const all = datagrams(name);
  if (all.length !== 1 || all[0] === undefined) throw new Error(`${name}: expected one datagram, found ${all.length}`);
  return all[0];
}

/** Names of all fixture files. */
export function fixtureNames(): string[] {
  return readdirSync(fixturesDir)
    .filter((n) => n.endsWith('.hex'))
    .sort();
}

/** A copy of `buf` with 1 to 4 bytes changed: a bit flipped or a byte replaced, chosen by `rand`. */
export function mutate(buf: Uint8Array, rand: () => number): Buffer {
  const copy = Buffer.from(buf);
  const flips = 1 + Math.floor(rand() * 4);
  for (let f = 0; f < flips; f++) {
    const at = Math.floor(rand() * copy.length);
    if (rand() < 0.5) copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
    else copy[at] = Math.floor(rand() * 256);
  }
  return copy;
}
