import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIp, inSubnet, isLinkLocal6, parseIp } from '../../src/plan/ip.js';
import { cidr } from './lab.js';

test('canonical address text: dotted quad, RFC 5952', () => {
  const cases: [string, string][] = [
    ['10.10.1.2', '10.10.1.2'],
    ['010.1.2.3', '010.1.2.3'], // leading zeros are octal-ambiguous: not an address (the topology refuses them), kept as text
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:1:0:0:0:1:0', '0:0:1::1:0'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['::', '::'],
    ['::ffff:0a00:0001', '::ffff:10.0.0.1'],
    ['1::2::3', '1::2::3'],
  ];
  for (const [input, expected] of cases) assert.equal(canonicalIp(input), expected, input);
  assert.equal(parseIp('256.0.0.1'), undefined);
  assert.deepEqual(parseIp('0.0.1.1'), { family: 4, value: 257n });
});

test('subnets and link-local', () => {
  assert.equal(inSubnet(cidr('10.10.1.2/24'), '10.10.1.200'), true);
  assert.equal(inSubnet(cidr('10.10.1.2/24'), '10.10.2.1'), false);
  assert.equal(inSubnet(cidr('10.10.1.2/32'), '10.10.1.3'), false);
  assert.equal(inSubnet(cidr('fd00:1::2/64'), 'fd00:1::ffff'), true);
  assert.equal(inSubnet(cidr('fd00:1::2/64'), '10.0.0.1'), false);
  assert.equal(isLinkLocal6('fe80::1'), true);
  assert.equal(isLinkLocal6('febf::1'), true);
  assert.equal(isLinkLocal6('fec0::1'), false);
});
