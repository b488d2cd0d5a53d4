import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_LAB_NAME, DEFAULT_LAB_TEXT, parseTopology, type ResolvedLab } from '../../src/topology/index.js';

const read = (name: string): string => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');

test('examples/two-computers.yaml resolves to the tutorial: /32 on each end and a host route to the other', () => {
  const expected: ResolvedLab = {
    name: 'two-computers',
    prefix: '',
    nodes: [
      {
        name: 'red',
        netns: 'red',
        kind: 'host',
        forwarding: false,
        interfaces: ['rveth'],
        routes: [{ family: 4, to: { family: 4, address: '10.10.1.3', prefixLength: 32 }, dev: 'rveth' }],
        exec: [],
      },
      {
        name: 'green',
        netns: 'green',
        kind: 'host',
        forwarding: false,
        interfaces: ['gveth'],
        routes: [{ family: 4, to: { family: 4, address: '10.10.1.2', prefixLength: 32 }, dev: 'gveth' }],
        exec: [],
      },
    ],
    links: [
      {
        id: 'red:rveth--green:gveth',
        a: { node: 'red', netns: 'red', ifname: 'rveth', addresses: [{ family: 4, address: '10.10.1.2', prefixLength: 32 }] },
        b: { node: 'green', netns: 'green', ifname: 'gveth', addresses: [{ family: 4, address: '10.10.1.3', prefixLength: 32 }] },
      },
    ],
  };
  assert.deepEqual(parseTopology(read('two-computers.yaml'), { file: 'examples/two-computers.yaml' }), expected);
});

test('examples/red-blue.yaml resolves to one cable with a shared /24, from shorthand endpoints', () => {
  const expected: ResolvedLab = {
    name: 'red-blue',
    prefix: '',
    nodes: [
      { name: 'red', netns: 'red', kind: 'host', forwarding: false, interfaces: ['veth-red'], routes: [], exec: [] },
      { name: 'blue', netns: 'blue', kind: 'host', forwarding: false, interfaces: ['veth-blue'], routes: [], exec: [] },
    ],
    links: [
      {
        id: 'red:veth-red--blue:veth-blue',
        a: { node: 'red', netns: 'red', ifname: 'veth-red', addresses: [{ family: 4, address: '10.0.0.1', prefixLength: 24 }] },
        b: { node: 'blue', netns: 'blue', ifname: 'veth-blue', addresses: [{ family: 4, address: '10.0.0.2', prefixLength: 24 }] },
      },
    ],
  };
  assert.deepEqual(parseTopology(read('red-blue.yaml')), expected);
});

test('DEFAULT_LAB_TEXT is examples/two-computers.yaml byte for byte, and DEFAULT_LAB_NAME its name', () => {
  assert.equal(DEFAULT_LAB_TEXT, read('two-computers.yaml'));
  assert.equal(DEFAULT_LAB_NAME, 'two-computers');
  assert.equal(parseTopology(DEFAULT_LAB_TEXT).name, DEFAULT_LAB_NAME);
});
