/**
 * Limits the kernel or a tool would enforce later, when the lab is brought up: the topology check refuses
 * a file that exceeds them, at its place, so `validate` is right and `up` never starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markFor } from '../../src/plan/marks.js';
import { parseTopology, resolveTopology } from '../../src/topology/index.js';
import { errorOf, thrown } from '../helpers/topology.js';

const lab = (exec: string): string => `name: big\nnodes:\n  a:\n    exec: [${exec}]\n  b: {}\nlinks:\n  - endpoints: [a, b]\n`;

test('a command longer than the kernel takes for one argument is refused, at its place, with the limit and a fix', () => {
  const e = errorOf(lab(JSON.stringify(`echo ${'x'.repeat(10 * 1024 * 1024)}`)));
  assert.equal(e.issues.length, 1);
  assert.equal(
    e.message,
    'lab.yaml has 1 problem:\n  lab.yaml:4:12: nodes.a.exec[0]: the command is 10,485,765 bytes, and Linux takes at most 131,071 for one argument (MAX_ARG_STRLEN: sh -c gets the command as one); put the commands in a script file and run that, for example exec: ["sh /path/to/setup.sh"]',
  );
  const object = errorOf(lab(`{ run: ${JSON.stringify('y'.repeat(200_000))}, background: true }`));
  assert.deepEqual(
    object.issues.map((i) => [i.path, i.line, i.column]),
    [['nodes.a.exec[0].run', 4, 19]],
  );
});

test('the limit is in bytes, with the NUL the kernel adds: 131,071 pass, 131,072 do not, nor 65,536 two-byte characters', () => {
  assert.equal(parseTopology(lab(JSON.stringify('x'.repeat(131_071)))).nodes[0]?.exec[0]?.run.length, 131_071);
  assert.match(errorOf(lab(JSON.stringify('x'.repeat(131_072)))).message, /the command is 131,072 bytes/);
  assert.match(errorOf(lab(JSON.stringify('é'.repeat(65_536)))).message, /the command is 131,072 bytes/);
});

test('a lab built in code is held to the same limit', () => {
  const e = thrown(() => resolveTopology({ name: 'big', nodes: { a: { exec: ['z'.repeat(131_072)] } } }));
  assert.deepEqual(
    e.issues.map((i) => i.path),
    ['nodes.a.exec[0]'],
  );
});

test('a command with a NUL character, which no argument of a program can hold, is refused', () => {
  const e = errorOf(lab('"echo a\\0b", { run: "true\\0" }'));
  assert.deepEqual(
    e.issues.map((i) => `${i.line}:${i.column}: ${i.path}: ${i.message}; ${i.hint}`),
    [
      '4:12: nodes.a.exec[0]: the command contains a NUL character, which no argument of a program can hold; remove it; in a double-quoted YAML string \\0 is a NUL character: write \\\\0 for a backslash and a 0',
      '4:32: nodes.a.exec[1].run: the command contains a NUL character, which no argument of a program can hold; remove it; in a double-quoted YAML string \\0 is a NUL character: write \\\\0 for a backslash and a 0',
    ],
  );
});

test("the longest mark nslab writes (on lo and each link, as an interface alias) fits the kernel's alias of 255 bytes", () => {
  // A lab name has at most 63 characters (checked by validate); the run id is 16 hex digits.
  const longest = parseTopology(`name: ${'n'.repeat(63)}\nnodes: { a: {} }\n`).name;
  assert.ok(Buffer.byteLength(markFor(longest, 'f'.repeat(16))) <= 255);
  assert.match(errorOf(`name: ${'n'.repeat(64)}\nnodes: { a: {} }\n`).message, /is 64 characters; a lab name has at most 63/);
});
