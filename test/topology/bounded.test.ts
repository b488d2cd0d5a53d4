import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clip, listWords, quote } from '../../src/topology/bounded.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

test('a short list reads as prose; a long one shows its first ten and how many more', () => {
  assert.equal(listWords([]), '');
  assert.equal(listWords(['red']), 'red');
  assert.equal(listWords(['red', 'green', 'blue']), 'red, green and blue');
  assert.equal(listWords(names(10)), 'n0, n1, n2, n3, n4, n5, n6, n7, n8 and n9');
  assert.equal(listWords(names(100_000)), 'n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 ... and 99,990 more');
  assert.equal(listWords(names(5), 2), 'n0, n1 ... and 3 more');
});

test('a long text is quoted as its start and its length, never whole', () => {
  assert.equal(quote('red'), '"red"');
  assert.equal(quote('a\tb'), '"a\\tb"');
  const long = `echo ${'x'.repeat(10 * 1024 * 1024)}`;
  assert.equal(quote(long), `"echo ${'x'.repeat(55)}..." (10,485,765 characters)`);
  assert.equal(clip(long), `echo ${'x'.repeat(55)}... (10,485,765 characters)`);
  assert.equal(clip('a'.repeat(80)), 'a'.repeat(80));
  // A cut never splits a character written as two UTF-16 units.
  const emoji = `${'a'.repeat(59)}${'\u{1F600}'.repeat(40)}`;
  assert.equal(clip(emoji), `${'a'.repeat(59)}... (139 characters)`);
  // Each name of a list is cut too.
  assert.equal(listWords(['red', 'g'.repeat(1000)]), `red and ${'g'.repeat(60)}... (1,000 characters)`);
  // nslab's own sentences are kept whole when the caller says so; the list is still cut.
  assert.equal(listWords(['red', 'g'.repeat(100), 'b', 'c'], 2, Infinity), `red, ${'g'.repeat(100)} ... and 2 more`);
});
