/** A topology's scenario: its steps checked against the lab, every problem at once with its place. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, resolveTopology, topologyJsonSchema, type TopologyInput } from '../../src/topology/index.js';
import { problems } from '../helpers/topology.js';

const LAB = `name: s
nodes: { a: {}, b: {}, c: {}, sw: { kind: bridge } }
links:
  - endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"]
  - endpoints: ["b:e1 10.0.1.1/24", "c 10.0.1.2/24"]
  - endpoints: ["a:e2 10.0.2.1/24", "c:e2 10.0.2.2/24"]
  - endpoints: ["a:e3 10.0.3.1/24", "c:e3 10.0.3.2/24"]
  - endpoints: [sw, "b:e4 10.0.4.1/24"]
`;

test('a scenario resolves to timed actions in milliseconds, in file order', () => {
  const lab = parseTopology(`${LAB}scenario:
  - { at: 0, expect: { from: a, reach: b } }
  - { at: 1.5s, name: cut, cable: [a, b], up: false, rate: 1mbit }
  - { at: 1500ms, link: "b:e1", mtu: 1400, rate: null }
  - { at: 2s, partition: [[a], [b, c]] }
  - { at: 3s, heal: true }
  - { at: 3s, expect: { from: a, no-connect: "c:80", timeout: 300ms } }
  - { at: 4s, expect: { from: c, connect: "[fd00::1]:443" } }
`);
  assert.deepEqual(lab.scenario, [
    { at: 0, action: { kind: 'expect', check: { from: 'a', kind: 'reach', target: 'b', timeoutMs: 5000 } } },
    { at: 1500, name: 'cut', action: { kind: 'cable', nodes: ['a', 'b'], change: { up: false, rate: 1_000_000 } } },
    { at: 1500, action: { kind: 'link', node: 'b', ifname: 'e1', change: { rate: null, mtu: 1400 } } },
    { at: 2000, action: { kind: 'partition', groups: [['a'], ['b', 'c']] } },
    { at: 3000, action: { kind: 'heal' } },
    { at: 3000, action: { kind: 'expect', check: { from: 'a', kind: 'no-connect', target: 'c', port: 80, timeoutMs: 300 } } },
    { at: 4000, action: { kind: 'expect', check: { from: 'c', kind: 'connect', target: 'fd00::1', port: 443, timeoutMs: 5000 } } },
  ]);
});

test('every problem of a scenario at once, each at its line, with what to write instead', () => {
  assert.deepEqual(
    problems(`${LAB}scenario:
  - { at: 2s, link: "a:eth9", up: false }
  - { at: 1s, cable: [a, c], up: false }
  - { at: 3s, cable: [b, sw] }
  - { at: 3s, partition: [[a], [c, a, sw], []] }
  - { at: 4s, heal: true, up: true }
  - { at: 5s, expect: { from: a, connect: "b:99999" } }
  - { at: 5s, expect: { from: x, reach: zz, no-reach: b } }
  - { at: 6s, cabel: [a, b] }
  - { at: 6s }
  - { at: soon, heal: true }
  - { at: 7s, link: "b:e1", rate: 3 }
  - { at: 7s, expect: { from: a, reach: sw, timeout: 0s } }
  - { at: 8s, link: "b:e1", rate: 10gib }
`),
    [
      'lab.yaml:10:21: scenario[0].link: node a has no interface "eth9"; write NODE:INTERFACE; a\'s interfaces are eth0, e2 and e3',
      'lab.yaml:11:11: scenario[1].at: this step, at 1s, comes after step 0, at 2s; steps run in file order: put this one before it, or give it a later time',
      'lab.yaml:11:22: scenario[1].cable: 2 cables join a and c; name one end instead, with link: a:INTERFACE',
      'lab.yaml:12:5: scenario[2]: the step has cable but nothing to change; add up: false, up: true, rate: 1mbit or mtu: 1400',
      'lab.yaml:13:36: scenario[3].partition[1][1]: a is in group 0 already; each node goes in one group',
      'lab.yaml:13:39: scenario[3].partition[1][2]: sw is a bridge: it passes frames and has no address of its own; name the hosts and routers on its LAN instead',
      'lab.yaml:13:44: scenario[3].partition[2]: an empty group; name at least one node in each group',
      'lab.yaml:14:27: scenario[4].up: up goes with link or cable, not heal; remove it, or make the step a link or cable step',
      'lab.yaml:15:43: scenario[5].expect.connect: "b:99999" is not a target and a port; write NODE:PORT or ADDRESS:PORT, a port from 1 to 65535, for example server:8080, 10.0.0.2:80 or [fd00::2]:80',
      'lab.yaml:16:23: scenario[6].expect: the check has reach and no-reach: one check per step; give one of reach, no-reach, connect and no-connect, for example expect: { from: client, reach: server }',
      'lab.yaml:16:31: scenario[6].expect.from: the lab has no node "x"; the nodes are a, b, c and sw',
      'lab.yaml:17:15: scenario[7].cabel: unknown key "cabel"; did you mean "cable"? a scenario step takes at, name, link, cable, partition, heal, expect, up, rate and mtu',
      'lab.yaml:18:5: scenario[8]: the step does nothing; give one of link, cable, partition, heal and expect (write two steps at the same time for two actions)',
      'lab.yaml:19:11: scenario[9].at: at "soon" is not a number with a unit; write a number and a unit, for example 20ms, 1s or 500us (us, ms, s)',
      'lab.yaml:20:35: scenario[10].rate: must be a string, not the number 3; write it with its unit, for example rate: 10mbit',
      'lab.yaml:21:41: scenario[11].expect.reach: sw is a bridge, which has no address to reach; check a host or router on its LAN instead',
      'lab.yaml:21:54: scenario[11].expect.timeout: a timeout of 0; give the check time, for example timeout: 500ms',
      'lab.yaml:22:35: scenario[12].rate: rate "10gib" has the unknown unit "gib"; write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)',
    ],
  );
});

test('a heal before any partition is refused', () => {
  assert.deepEqual(problems(`${LAB}scenario:\n  - { at: 1s, heal: true }\n`), [
    'lab.yaml:10:21: scenario[0].heal: heal comes before any partition; heal undoes the partitions of earlier steps: add a partition step before it, or remove this one',
  ]);
});

test('resolveTopology takes the same scenario, typed as the file (TopologyInput)', () => {
  const topology: TopologyInput = {
    name: 'typed',
    nodes: { a: {}, b: null },
    links: [{ endpoints: ['a 10.0.0.1/24', 'b 10.0.0.2/24'] }],
    scenario: [
      { at: '500ms', cable: ['a', 'b'], up: false },
      { at: 1000, expect: { from: 'a', 'no-reach': 'b', timeout: '200ms' } },
    ],
  };
  // The type is the file's shape: a misspelt key is a compile error.
  // @ts-expect-error: `linkz` is not a key of a lab
  const misspelt: TopologyInput = { name: 'x', nodes: { a: {} }, linkz: [] };
  assert.ok(misspelt);
  assert.deepEqual(resolveTopology(topology).scenario, [
    { at: 500, action: { kind: 'cable', nodes: ['a', 'b'], change: { up: false } } },
    { at: 1000, action: { kind: 'expect', check: { from: 'a', kind: 'no-reach', target: 'b', timeoutMs: 200 } } },
  ]);
});

test('the JSON Schema describes the scenario step and its check', () => {
  const schema = topologyJsonSchema() as { properties: { scenario: { items: { properties: Record<string, unknown>; additionalProperties: boolean } } } };
  const step = schema.properties.scenario.items;
  assert.equal(step.additionalProperties, false);
  assert.deepEqual(Object.keys(step.properties), ['at', 'name', 'link', 'cable', 'partition', 'heal', 'expect', 'up', 'rate', 'mtu']);
});
