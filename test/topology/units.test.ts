import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { parseTopology } from '../../src/topology/index.js';
import { parseDuration, parseLoss, parseRate } from '../../src/topology/units.js';

test('rates in tc units: bits per second, and bytes per second for *bps', () => {
  const cases: [string, number][] = [
    ['10mbit', 10_000_000],
    ['1gbit', 1_000_000_000],
    ['500kbit', 500_000],
    ['1.5mbit', 1_500_000],
    ['1000bit', 1000],
    ['1tbit', 1_000_000_000_000],
    ['100kbps', 800_000],
    ['1mbps', 8_000_000],
    ['10MBit', 10_000_000],
    [' 10 mbit ', 10_000_000],
  ];
  for (const [text, bits] of cases) assert.deepEqual(parseRate(text), { ok: true, value: bits }, text);
});

test('rates that are not, and why', () => {
  const cases: [string, string, string][] = [
    [
      '10',
      'rate "10" has no unit',
      'write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second); 10mbit is 10 million bits per second',
    ],
    [
      '10mb',
      'rate "10mb" has the unknown unit "mb"',
      'write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)',
    ],
    ['10mibit', 'rate "10mibit" has the unknown unit "mibit"', "nslab uses tc's decimal units: write 10mbit"],
    ['0mbit', 'rate "0mbit" is zero', 'a rate limit lets something through: write at least 1kbit, or leave rate out for no limit'],
    ['10bit', 'rate "10bit" is below 1kbit', 'the least rate is 1kbit; did you mean 10mbit?'],
    ['2tbit', 'rate "2tbit" is above 1tbit', 'that is more than any veth pair moves: leave rate out for no limit'],
    ['1.0005kbit', 'rate "1.0005kbit" is not a whole number of bits per second', 'round it, or write it in bit'],
    [
      'fast',
      'rate "fast" is not a number with a unit',
      'write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)',
    ],
    [
      '-1mbit',
      'rate "-1mbit" is not a number with a unit',
      'write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)',
    ],
  ];
  for (const [text, message, hint] of cases) assert.deepEqual(parseRate(text), { ok: false, problem: { message, hint } }, text);
});

test('durations in milliseconds; loss in percent', () => {
  assert.deepEqual(parseDuration('20ms', 'delay'), { ok: true, value: 20 });
  assert.deepEqual(parseDuration('1s', 'delay'), { ok: true, value: 1000 });
  assert.deepEqual(parseDuration('500us', 'jitter'), { ok: true, value: 0.5 });
  assert.deepEqual(parseDuration('1.5msec', 'delay'), { ok: true, value: 1.5 });
  assert.deepEqual(parseDuration('0ms', 'delay'), { ok: true, value: 0 });
  assert.deepEqual(parseDuration('60s', 'delay'), { ok: true, value: 60_000 });
  const bad: [string, string][] = [
    ['20', 'delay "20" has no unit'],
    ['2m', 'delay "2m" has the unknown unit "m"'],
    ['61s', 'delay "61s" is over a minute'],
    ['0.5us', 'delay "0.5us" is not a whole number of microseconds'],
  ];
  for (const [text, message] of bad) {
    const r = parseDuration(text, 'delay');
    assert.ok(!r.ok, text);
    assert.equal(r.problem.message, message);
  }
  assert.deepEqual(parseLoss('1%'), { ok: true, value: 1 });
  assert.deepEqual(parseLoss('0.5%'), { ok: true, value: 0.5 });
  assert.deepEqual(parseLoss('100%'), { ok: true, value: 100 });
  assert.deepEqual(parseLoss('1'), { ok: false, problem: { message: 'loss "1" is not a percentage', hint: 'write it with "%", for example loss: 1%' } });
  assert.deepEqual(parseLoss('101%'), { ok: false, problem: { message: 'loss "101%" is over 100%', hint: 'a loss is 0% to 100% of the packets' } });
});

test('link properties: per link for both ends, per end over the link, field by field', () => {
  const lab = parseTopology(`name: p
nodes: { a: {}, b: {} }
links:
  - endpoints:
      - { node: a, rate: 1gbit, mtu: 9000 }
      - { node: b, loss: 0% }
    rate: 10mbit
    delay: 20ms
    jitter: 5ms
    loss: 1%
    mtu: 1400
  - endpoints: [a, b]
`);
  const [l0, l1] = lab.links;
  assert.deepEqual(l0?.a, {
    node: 'a',
    netns: 'p-a',
    ifname: 'eth0',
    addresses: [],
    mtu: 9000,
    shaping: { rate: 1_000_000_000, delayMs: 20, jitterMs: 5, lossPercent: 1 },
  });
  assert.deepEqual(l0?.b, { node: 'b', netns: 'p-b', ifname: 'eth0', addresses: [], shaping: { rate: 10_000_000, delayMs: 20, jitterMs: 5, lossPercent: 0 } });
  assert.equal(l0?.mtu, 1400);
  assert.deepEqual(l1?.a, { node: 'a', netns: 'p-a', ifname: 'eth1', addresses: [] });
});

test('bad link properties: every one reported where it is written', () => {
  const text = `name: p
nodes: { a: {}, b: {} }
links:
  - endpoints:
      - { node: a, rate: 10mb, jitter: 2ms }
      - { node: b, mtu: 1000, addresses: ["fd00::2/64"] }
    delay: 20
    loss: 150%
  - endpoints: [a, b]
    rate: 10
    jitter: 1ms
`;
  assert.throws(
    () => parseTopology(text, { file: 'p.yaml' }),
    (e: unknown) =>
      e instanceof TopologyError &&
      e.message ===
        [
          'p.yaml has 6 problems:',
          '  p.yaml:5:26: links[0].endpoints[0].rate: rate "10mb" has the unknown unit "mb"; write a number and a unit, for example 10mbit, 500kbit or 1gbit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps are bytes per second)',
          '  p.yaml:6:25: links[0].endpoints[1].mtu: MTU 1000 is below 1280, the least IPv6 works with, and this link has IPv6 addresses; raise it to at least 1280, or use only IPv4 on this link',
          '  p.yaml:7:12: links[0].delay: must be a string, not the number 20; write it with its unit, for example delay: 20ms',
          '  p.yaml:8:11: links[0].loss: loss "150%" is over 100%; a loss is 0% to 100% of the packets',
          '  p.yaml:10:11: links[1].rate: must be a string, not the number 10; write it with its unit, for example rate: 10mbit',
          '  p.yaml:11:13: links[1].jitter: jitter without a delay; jitter varies a delay: add one, for example delay: 20ms with jitter: 5ms for 15 to 25 ms',
        ].join('\n'),
  );
});
