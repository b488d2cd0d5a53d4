/** A topology file's bytes become text only when they are text: a binary file is reported as such, never parsed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { parseTopology } from '../../src/topology/index.js';
import { thrown } from '../helpers/topology.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const report = (input: Uint8Array | string): string => thrown(() => parseTopology(input, { file: 'lab.yaml' })).message;

test('a file of UTF-8 text parses from its bytes as from its text, with a byte order mark too', () => {
  const text = 'name: café\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: [a, b] }]\n'.replace('café', 'cafe');
  assert.deepEqual(parseTopology(bytes(text)), parseTopology(text));
  assert.deepEqual(parseTopology(bytes([0xef, 0xbb, 0xbf], text)), parseTopology(text));
  assert.equal(parseTopology(bytes('name: x\nnodes:\n  a: { exec: ["echo ü✓"] }\n')).nodes[0]?.exec[0]?.run, 'echo ü✓');
});

test('a binary file is "not a text file", in one line that echoes none of it', () => {
  const elf = bytes([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00], 'x'.repeat(20_000));
  assert.equal(
    report(elf),
    'lab.yaml has 1 problem:\n  lab.yaml: not a text file: byte 8 is a NUL; a topology file is YAML or JSON text in UTF-8 (see examples/two-computers.yaml)',
  );
  const gzip = bytes([0x1f, 0x8b, 0x08, 0x08, 0xc3, 0x9d], 'x'.repeat(5000));
  assert.equal(
    report(gzip),
    'lab.yaml has 1 problem:\n  lab.yaml: not a text file: byte 2 (0x8B) is not UTF-8; a topology file is YAML or JSON text in UTF-8 (see examples/two-computers.yaml)',
  );
  // A NUL in a text given as a string (Lab.parse) is the same.
  assert.match(report(`name: x\n\u0000\u0001\u0002`), /lab\.yaml: not a text file: character 9 is a NUL/);
});

test('UTF-16 text is named, with the way to convert it', () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name: x\nnodes: { a: {} }\n', 'utf16le')]);
  assert.equal(
    report(utf16),
    'lab.yaml has 1 problem:\n  lab.yaml: the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8, for example with iconv -f UTF-16 -t UTF-8',
  );
});

test('a byte that is not UTF-8 past the start of a text file is reported at its line and column', () => {
  const latin1 = bytes(`name: x\n# ${'comment '.repeat(200)}\nnodes:\n  a: { exec: ["echo caf`, [0xe9], '"] }\n');
  assert.equal(
    report(latin1),
    'lab.yaml has 1 problem:\n  lab.yaml:4:24: byte 0xE9 is not UTF-8; save the file as UTF-8 (it looks like Latin-1 or another 8-bit encoding)',
  );
});

test('every problem of a file is reported from its bytes as from its text', () => {
  const text = 'name: x\nnodes: { a: {} }\nlinks: [{ endpoints: [a, b] }]\n';
  assert.ok(thrown(() => parseTopology(bytes(text))) instanceof TopologyError);
  assert.equal(report(bytes(text)), report(text));
});
