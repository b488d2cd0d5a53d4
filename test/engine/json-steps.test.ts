import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonSteps } from '../../src/engine/json-steps.js';
import { finish, PIECE } from '../../src/plan/index.js';

test('gives JSON.stringify text for big arrays, big objects and what they hold', () => {
  const many = Array.from({ length: PIECE * 3 + 7 }, (_, i) => ({ n: i, name: `n${i}`, gone: undefined, list: [i, null, undefined] }));
  const keyed = Object.fromEntries(Array.from({ length: PIECE * 2 + 1 }, (_, i) => [`ns-${i}`, i % 3 === 0 ? undefined : { node: `n${i}` }]));
  const value = {
    lab: 'x',
    at: new Date(0),
    nodes: many,
    namespaces: keyed,
    small: [1, 'two', true, null],
    fn: () => 1,
    map: new Map([[1, 2]]),
    table: { toJSON: () => undefined },
    shown: { toJSON: (key: string) => ({ key, big: Array.from({ length: PIECE + 1 }, (_, i) => i) }) },
    holes: Array.from({ length: PIECE + 2 }, (_, i) => (i % 2 === 0 ? undefined : i)),
  };
  assert.equal(finish(jsonSteps(value)), JSON.stringify(value));
  for (const plain of [1, 'a', null, [], {}, [undefined], new Date(5)]) assert.equal(finish(jsonSteps(plain)), JSON.stringify(plain));
});

test('yields between pieces', () => {
  const steps = jsonSteps({ nodes: Array.from({ length: PIECE * 4 }, (_, i) => i) });
  let yields = 0;
  for (let r = steps.next(); r.done !== true; r = steps.next()) yields++;
  assert.equal(yields, 3);
});
