import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, editDistance, suggester } from '../../src/topology/suggest.js';
import { prng } from '../helpers/random.js';

/** The whole table, as plainly as it can be written: what the banded, early-stopping one must agree with. */
function reference(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function referenceClosest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replaceAll('_', '-');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = reference(norm(word), norm(c));
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  if (best === undefined || best === word) return undefined;
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit && bestDistance * 2 < Math.max(word.length, best.length) ? best : undefined;
}

const next = prng(1414);
const word = (): string => Array.from({ length: Math.floor(next() * 9) }, () => 'abcAB_-'[Math.floor(next() * 7)]).join('');

test('the distance agrees with the whole table, swaps counting as one edit', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('ca', 'ac'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  for (let k = 0; k < 5000; k++) {
    const [a, b] = [word(), word()];
    assert.equal(editDistance(a, b), reference(a, b), `${a} / ${b}`);
  }
});

test('closest agrees with the plain search over every candidate, ties going to the first', () => {
  assert.equal(closest('gren', ['red', 'green', 'grey']), 'green');
  assert.equal(closest('rotuer', ['router', 'host']), 'router');
  assert.equal(closest('xyz', ['router', 'host']), undefined);
  assert.equal(closest('Red', ['red']), 'red');
  assert.equal(closest('red', ['red']), undefined);
  for (let k = 0; k < 2000; k++) {
    const candidates = Array.from({ length: Math.floor(next() * 12) }, word);
    const w = word();
    assert.equal(closest(w, candidates), referenceClosest(w, candidates), `${w} in ${candidates.join(',')}`);
  }
});

test('one suggester answers many words over 100,000 names with a bounded amount of work', () => {
  const names = Array.from({ length: 100_000 }, (_, i) => `n${i}`);
  const suggest = suggester(names);
  assert.equal(suggest('n12354x'), 'n12354');
  assert.equal(suggest('host-77'), undefined);
  // However many words it is asked about, it stops suggesting once its budget is spent rather than take minutes.
  const started = process.cpuUsage();
  for (let i = 0; i < 5000; i++) suggest(`m${i * 37}`);
  const { user, system } = process.cpuUsage(started);
  assert.ok((user + system) / 1e6 < 5, `${(user + system) / 1e6} s of CPU`);
});
