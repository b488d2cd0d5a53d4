import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { describe, explain } from '../../src/plan/index.js';
import type { Op } from '../../src/plan/types.js';
import { cidr, route } from './lab.js';

const base = { after: [] };
const red = { node: 'red', netns: 'red', ifname: 'rveth' };
const green = { node: 'green', netns: 'green', ifname: 'gveth' };

test('explain: each op as the ip command that does the same', () => {
  const cases: [Op, string][] = [
    [{ ...base, id: '1', op: 'netns.add', netns: 'red', node: 'red' }, 'ip netns add red\nip -n red link set lo up'],
    [{ ...base, id: '2', op: 'netns.del', netns: 'red', node: 'red' }, 'ip netns del red'],
    [{ ...base, id: '3', op: 'veth.add', link: 'l', a: red, b: green }, 'ip link add rveth netns red type veth peer name gveth netns green'],
    [
      { ...base, id: '4', op: 'veth.add', link: 'l', a: red, b: green, mtu: 9000 },
      'ip link add rveth netns red mtu 9000 type veth peer name gveth netns green mtu 9000',
    ],
    [{ ...base, id: '5', op: 'veth.del', link: 'l', a: red }, 'ip -n red link del rveth'],
    [{ ...base, id: '6', op: 'addr.add', netns: 'red', ifname: 'rveth', cidr: cidr('10.10.1.2/32') }, 'ip -n red addr add 10.10.1.2/32 dev rveth'],
    [{ ...base, id: '7', op: 'addr.add', netns: 'red', ifname: 'rveth', cidr: cidr('fd00::1/64') }, 'ip -n red addr add fd00::1/64 dev rveth nodad'],
    [{ ...base, id: '8', op: 'addr.del', netns: 'red', ifname: 'rveth', cidr: cidr('10.10.1.2/32') }, 'ip -n red addr del 10.10.1.2/32 dev rveth'],
    [{ ...base, id: '9', op: 'link.set', netns: 'red', ifname: 'rveth', up: true }, 'ip -n red link set rveth up'],
    [{ ...base, id: '10', op: 'link.set', netns: 'red', ifname: 'rveth', mtu: 9000, up: true }, 'ip -n red link set rveth mtu 9000 up'],
    [
      { ...base, id: '11', op: 'route.add', netns: 'red', route: route('10.10.1.3/32', { dev: 'rveth' }) },
      'ip -n red route add 10.10.1.3/32 dev rveth proto 77',
    ],
    [
      { ...base, id: '12', op: 'route.add', netns: 'red', route: route('10.0.0.0/8', { via: '10.10.1.1', dev: 'rveth', metric: 100 }) },
      'ip -n red route add 10.0.0.0/8 via 10.10.1.1 dev rveth metric 100 proto 77',
    ],
    [{ ...base, id: '13', op: 'route.add', netns: 'red', route: route('default', { via: '10.10.1.1' }) }, 'ip -n red route add default via 10.10.1.1 proto 77'],
    [
      { ...base, id: '14', op: 'route.add', netns: 'red', route: route('default', { via: 'fd00::1', family: 6 }) },
      'ip -6 -n red route add default via fd00::1 proto 77',
    ],
    [{ ...base, id: '15', op: 'route.del', netns: 'red', route: route('fd00:1::/64', { via: 'fd00::1' }) }, 'ip -n red route del fd00:1::/64 via fd00::1'],
    [{ ...base, id: '16', op: 'sysctl.set', netns: 'red', key: 'net/ipv4/ip_forward', value: '1' }, 'ip netns exec red sysctl -qw net.ipv4.ip_forward=1'],
    [
      { ...base, id: '17', op: 'sysctl.set', netns: 'red', key: 'net/ipv6/conf/all/forwarding', value: '1' },
      'ip netns exec red sysctl -qw net.ipv6.conf.all.forwarding=1',
    ],
    [
      { ...base, id: '18', op: 'exec', netns: 'red', node: 'red', entry: { run: 'ping -c 1 10.10.1.3', background: false } },
      "ip netns exec red sh -c 'ping -c 1 10.10.1.3'",
    ],
    [
      { ...base, id: '19', op: 'exec', netns: 'red', node: 'red', entry: { run: 'python3 -m http.server', background: true } },
      "ip netns exec red sh -c 'python3 -m http.server' >/dev/null 2>&1 &",
    ],
    [{ ...base, id: '20', op: 'proc.kill', node: 'red', pid: 4242, startTime: '99' }, 'kill 4242'],
  ];
  for (const [op, expected] of cases) assert.equal(explain(op), expected, op.id);
});

test('explain: a command with quotes and spaces is quoted for sh, and pastes back to itself', () => {
  const run = `echo "it's a test" > '/tmp/out file'; printf '%s\\n' $HOME`;
  const op: Op = { ...base, id: 'x', op: 'exec', netns: 'red', node: 'red', entry: { run, background: false } };
  assert.equal(explain(op), `ip netns exec red sh -c 'echo "it'\\''s a test" > '\\''/tmp/out file'\\''; printf '\\''%s\\n'\\'' $HOME'`);
  // What sh gets back from the quoted argument is the command, byte for byte.
  const quoted = explain(op).slice('ip netns exec red sh -c '.length);
  const echoed = spawnSync('sh', ['-c', `printf '%s' ${quoted}`], { encoding: 'utf8' });
  assert.equal(echoed.stdout, run);
  // An odd namespace or interface name is quoted too.
  assert.equal(explain({ ...base, id: 'y', op: 'netns.del', netns: 'my lab', node: 'n' }), "ip netns del 'my lab'");
});

test('describe: short phrases for progress output', () => {
  assert.equal(describe({ ...base, id: '1', op: 'veth.add', link: 'l', a: red, b: green }), 'veth red:rveth <-> green:gveth');
  assert.equal(describe({ ...base, id: '2', op: 'netns.add', netns: 'red', node: 'red' }), 'netns red');
  assert.equal(describe({ ...base, id: '3', op: 'addr.add', netns: 'red', ifname: 'rveth', cidr: cidr('10.10.1.2/32') }), 'addr red:rveth 10.10.1.2/32');
  assert.equal(describe({ ...base, id: '4', op: 'link.set', netns: 'red', ifname: 'rveth', up: true }), 'link red:rveth up');
  assert.equal(
    describe({ ...base, id: '5', op: 'route.add', netns: 'red', route: route('10.10.1.3/32', { dev: 'rveth' }) }),
    'route red 10.10.1.3/32 dev rveth',
  );
  assert.equal(describe({ ...base, id: '6', op: 'veth.del', link: 'l', a: red }), 'delete veth red:rveth');
  assert.equal(describe({ ...base, id: '7', op: 'proc.kill', node: 'red', pid: 9, startTime: '99' }), 'kill 9 (node red)');
  assert.equal(
    describe({ ...base, id: '8', op: 'exec', netns: 'red', node: 'red', entry: { run: `echo ${'x'.repeat(80)}`, background: true } }),
    `exec red (background): echo ${'x'.repeat(54)}…`,
  );
  assert.equal(describe({ ...base, id: '9', op: 'sysctl.set', netns: 'red', key: 'net/ipv4/ip_forward', value: '1' }), 'sysctl red net/ipv4/ip_forward=1');
});
