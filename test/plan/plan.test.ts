import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe as suite, test } from 'node:test';
import { explain, levels, plan as planWithMacs, simulate } from '../../src/plan/index.js';
import { cidrText } from '../../src/plan/ip.js';
import { linkMacs } from '../../src/plan/mac.js';
import { laneOf } from '../../src/plan/levels.js';
import type { ObservedLab, Op, Plan } from '../../src/plan/types.js';
import { parseTopology, routesOf } from '../../src/topology/index.js';
import type { Cidr, ResolvedLab } from '../../src/topology/types.js';
import { cidr, makeLab, route, tutorial } from './lab.js';

/** The plan without the veth ends' addresses, which plan/mac.ts derives (its own tests below): what the rest compare. */
function plan(...args: Parameters<typeof planWithMacs>): Plan {
  const p = planWithMacs(...args);
  for (const op of p.ops) {
    if (op.op !== 'veth.add') continue;
    delete op.a.mac;
    delete op.b.mac;
  }
  return p;
}

const VETH = 'veth:red:rveth--green:gveth';
const RED = { node: 'red', netns: 'red', ifname: 'rveth' };
const GREEN = { node: 'green', netns: 'green', ifname: 'gveth' };

/**
 * The state a plan leaves behind, checked op by op (simulate throws where the kernel would refuse): run
 * in plan order, and as the engine runs it, wave by wave, with each wave in order and with its lanes
 * reversed (each lane's ops stay in order, as one socket sends them; a missing dependency inside a wave
 * shows up as a difference or a refusal). Every way must give the same state.
 */
function run(p: Plan, observed: ObservedLab | null): ObservedLab {
  const inOrder = simulate(p, observed);
  const lanes = new Map(p.ops.map((op, i) => [op, laneOf(p)[i] ?? op.id]));
  const lanesReversed = (wave: Op[]): Op[] => {
    const byLane = new Map<string, Op[]>();
    for (const op of wave) byLane.set(lanes.get(op) as string, [...(byLane.get(lanes.get(op) as string) ?? []), op]);
    return [...byLane.values()].reverse().flat();
  };
  for (const reverse of [false, true]) {
    const waves: Plan = { lab: p.lab, ops: levels(p).flatMap((w) => (reverse ? lanesReversed(w) : w)) };
    const other = simulate(waves, observed);
    assert.deepEqual(normal(other), normal(inOrder), `wave order${reverse ? ' (reversed)' : ''} gives another state`);
  }
  return inOrder;
}

/** A state with links, addresses, routes and processes in a canonical order (pids depend on the order execs ran). */
function normal(lab: ObservedLab): unknown {
  const namespaces = Object.fromEntries(
    Object.entries(lab.namespaces).map(([n, ns]) => [
      n,
      {
        ...ns,
        links: ns.links
          .map((l) => ({ ...l, addresses: l.addresses.map((c) => `${c.address}/${c.prefixLength}`).sort() }))
          .sort((x, y) => x.ifname.localeCompare(y.ifname)),
        routes: ns.routes.map((r) => JSON.stringify(r)).sort(),
      },
    ]),
  );
  return { namespaces, processes: lab.processes.map((x) => `${x.node} ${x.run}`).sort() };
}

function after(desired: ResolvedLab, observed: ObservedLab | null): ObservedLab {
  return run(plan(desired, observed), observed);
}

function ids(p: Plan): string[] {
  return p.ops.map((o) => o.id);
}

/** A router between two hosts, IPv4 and IPv6, gateways, metrics, an MTU, exec entries, a prefix. */
function routed(): ResolvedLab {
  return makeLab(
    'routed',
    {
      h1: {
        routes: [route('default', { via: '10.0.1.1' }), route('default', { via: 'fd00:1::1', family: 6 })],
        exec: [
          { run: 'python3 -m http.server 8080', background: true },
          { run: 'echo ready', background: false },
        ],
      },
      r: { forwarding: true },
      h2: {
        routes: [route('10.0.1.0/24', { via: '10.0.2.1', metric: 100 }), route('fd00:1::/64', { via: 'fd00:2::1', dev: 'eth0' })],
        exec: [{ run: 'true', background: false }],
      },
    },
    [
      { a: 'h1:eth0', b: 'r:eth1', aAddrs: ['10.0.1.2/24', 'fd00:1::2/64'], bAddrs: ['10.0.1.1/24', 'fd00:1::1/64'], mtu: 9000 },
      { a: 'r:eth2', b: 'h2:eth0', aAddrs: ['10.0.2.1/24', 'fd00:2::1/64'], bAddrs: ['10.0.2.2/24', 'FD00:2:0::2/64'] },
    ],
    'lab-',
  );
}

suite('plan: creation', () => {
  test('the tutorial lab gives exactly the tutorial steps', () => {
    const expected: Op[] = [
      { op: 'netns.add', id: 'netns:red', after: [], netns: 'red', node: 'red' },
      { op: 'netns.add', id: 'netns:green', after: [], netns: 'green', node: 'green' },
      { op: 'veth.add', id: VETH, after: ['netns:red', 'netns:green'], link: 'red:rveth--green:gveth', a: RED, b: GREEN },
      { op: 'addr.add', id: 'addr:red:rveth:10.10.1.2/32', after: [VETH], netns: 'red', ifname: 'rveth', cidr: cidr('10.10.1.2/32') },
      { op: 'addr.add', id: 'addr:green:gveth:10.10.1.3/32', after: [VETH], netns: 'green', ifname: 'gveth', cidr: cidr('10.10.1.3/32') },
      { op: 'link.set', id: 'up:red:rveth', after: [VETH], netns: 'red', ifname: 'rveth', up: true },
      { op: 'link.set', id: 'up:green:gveth', after: [VETH], netns: 'green', ifname: 'gveth', up: true },
      {
        op: 'route.add',
        id: 'route:red:10.10.1.3/32',
        after: ['addr:red:rveth:10.10.1.2/32', 'up:red:rveth'],
        netns: 'red',
        route: route('10.10.1.3/32', { dev: 'rveth' }),
      },
      {
        op: 'route.add',
        id: 'route:green:10.10.1.2/32',
        after: ['addr:green:gveth:10.10.1.3/32', 'up:green:gveth'],
        netns: 'green',
        route: route('10.10.1.2/32', { dev: 'gveth' }),
      },
    ];
    assert.deepEqual(plan(tutorial(), null), { lab: 'two-computers', ops: expected });
  });

  test('the tutorial explained is the tutorial, command for command', () => {
    const lines = plan(tutorial(), null).ops.map(explain).join('\n').split('\n');
    assert.deepEqual(lines, [
      'ip netns add red',
      'ip -n red link set lo up',
      'ip netns add green',
      'ip -n green link set lo up',
      'ip link add rveth netns red type veth peer name gveth netns green',
      'ip -n red addr add 10.10.1.2/32 dev rveth',
      'ip -n green addr add 10.10.1.3/32 dev gveth',
      'ip -n red link set rveth up',
      'ip -n green link set gveth up',
      'ip -n red route add 10.10.1.3/32 dev rveth proto 77',
      'ip -n green route add 10.10.1.2/32 dev gveth proto 77',
    ]);
  });

  test('a lab without IPv6 leaves duplicate address detection as the kernel has it: no sysctl at all', () => {
    const p = plan(tutorial(), null);
    assert.deepEqual(
      p.ops.filter((o) => o.op === 'sysctl.set'),
      [],
    );
  });

  test('a router gets forwarding after its namespace, an IPv6 lab no DAD before its devices; ids use node names, ops the namespace names', () => {
    const p = plan(routed(), null);
    const sysctls = p.ops.filter((o) => o.op === 'sysctl.set');
    const noDad = (node: string) => [
      {
        op: 'sysctl.set',
        id: `sysctl:${node}:net/ipv6/conf/default/accept_dad`,
        after: [`netns:${node}`],
        netns: `lab-${node}`,
        key: 'net/ipv6/conf/default/accept_dad',
        value: '0',
      },
      {
        op: 'sysctl.set',
        id: `sysctl:${node}:net/ipv6/conf/all/accept_dad`,
        after: [`netns:${node}`],
        netns: `lab-${node}`,
        key: 'net/ipv6/conf/all/accept_dad',
        value: '0',
      },
    ];
    assert.deepEqual(sysctls, [
      ...noDad('h1'),
      { op: 'sysctl.set', id: 'sysctl:r:net/ipv4/ip_forward', after: ['netns:r'], netns: 'lab-r', key: 'net/ipv4/ip_forward', value: '1' },
      { op: 'sysctl.set', id: 'sysctl:r:net/ipv6/conf/all/forwarding', after: ['netns:r'], netns: 'lab-r', key: 'net/ipv6/conf/all/forwarding', value: '1' },
      ...noDad('r'),
      ...noDad('h2'),
    ]);
    assert.deepEqual(ids(p), [
      'netns:h1',
      'netns:r',
      'netns:h2',
      'sysctl:h1:net/ipv6/conf/default/accept_dad',
      'sysctl:h1:net/ipv6/conf/all/accept_dad',
      'sysctl:r:net/ipv4/ip_forward',
      'sysctl:r:net/ipv6/conf/all/forwarding',
      'sysctl:r:net/ipv6/conf/default/accept_dad',
      'sysctl:r:net/ipv6/conf/all/accept_dad',
      'sysctl:h2:net/ipv6/conf/default/accept_dad',
      'sysctl:h2:net/ipv6/conf/all/accept_dad',
      'veth:h1:eth0--r:eth1',
      'veth:r:eth2--h2:eth0',
      'addr:h1:eth0:10.0.1.2/24',
      'addr:h1:eth0:fd00:1::2/64',
      'addr:r:eth1:10.0.1.1/24',
      'addr:r:eth1:fd00:1::1/64',
      'addr:r:eth2:10.0.2.1/24',
      'addr:r:eth2:fd00:2::1/64',
      'addr:h2:eth0:10.0.2.2/24',
      'addr:h2:eth0:fd00:2::2/64',
      'up:h1:eth0',
      'up:r:eth1',
      'up:r:eth2',
      'up:h2:eth0',
      'route:h1:default',
      'route:h1:default6',
      'route:h2:10.0.1.0/24@100',
      'route:h2:fd00:1::/64',
      'exec:h1:0',
      'exec:h1:1',
      'exec:h2:0',
    ]);
    const veth = p.ops.find((o) => o.id === 'veth:h1:eth0--r:eth1');
    const noDadIds = (node: string) => [`sysctl:${node}:net/ipv6/conf/default/accept_dad`, `sysctl:${node}:net/ipv6/conf/all/accept_dad`];
    assert.deepEqual(veth, {
      op: 'veth.add',
      id: 'veth:h1:eth0--r:eth1',
      after: ['netns:h1', 'netns:r', ...noDadIds('h1'), ...noDadIds('r')],
      link: 'h1:eth0--r:eth1',
      a: { node: 'h1', netns: 'lab-h1', ifname: 'eth0' },
      b: { node: 'r', netns: 'lab-r', ifname: 'eth1' },
      mtu: 9000,
    });
    // The first exec of each node waits for the whole network; later ones for the one before.
    const exec = (id: string) => p.ops.find((o) => o.id === id)?.after;
    const sinks = [
      'sysctl:r:net/ipv4/ip_forward',
      'sysctl:r:net/ipv6/conf/all/forwarding',
      'addr:r:eth1:10.0.1.1/24',
      'addr:r:eth1:fd00:1::1/64',
      'addr:r:eth2:10.0.2.1/24',
      'addr:r:eth2:fd00:2::1/64',
      'up:r:eth1',
      'up:r:eth2',
      'route:h1:default',
      'route:h1:default6',
      'route:h2:10.0.1.0/24@100',
      'route:h2:fd00:1::/64',
    ];
    assert.deepEqual(exec('exec:h1:0'), sinks);
    assert.deepEqual(exec('exec:h1:1'), ['exec:h1:0']);
    assert.deepEqual(exec('exec:h2:0'), sinks);
  });

  test('the same inputs give the same plan, and the plan survives JSON', () => {
    const a = plan(routed(), null);
    const b = plan(routed(), null);
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
    const base = after(routed(), null);
    const changed = makeLab('routed', { h1: {}, r: { forwarding: true } }, [{ a: 'h1:eth0', b: 'r:eth1', aAddrs: ['10.0.1.3/24'] }], 'lab-');
    assert.deepEqual(plan(changed, base), plan(changed, structuredClone(base)));
  });

  test('the order observed namespaces are listed in does not change the plan', () => {
    const base = after(routed(), null);
    const reversed: ObservedLab = { processes: [...base.processes].reverse(), namespaces: Object.fromEntries(Object.entries(base.namespaces).reverse()) };
    const smaller = makeLab('routed', { h1: {}, r: { forwarding: true } }, [], 'lab-');
    assert.deepEqual(plan(smaller, reversed), plan(smaller, base));
  });
});

suite("plan: a second plan against the first one's result is empty", () => {
  for (const [name, lab] of [
    ['tutorial', tutorial({ redExec: [{ run: 'sleep 1000', background: true }] })],
    ['routed', routed()],
  ] as const) {
    test(name, () => {
      const first = plan(lab, null);
      const state = run(first, null);
      assert.deepEqual(plan(lab, state), { lab: lab.name, ops: [] });
    });
  }
});

suite('plan: reconcile', () => {
  const twoLinks = () =>
    makeLab('two-computers', { red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })] }, green: { routes: [route('10.10.1.2/32', { dev: 'gveth' })] } }, [
      { a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.2/32'], bAddrs: ['10.10.1.3/32'] },
      { a: 'red:r2', b: 'green:g2', aAddrs: ['10.10.2.1/24'], bAddrs: ['10.10.2.2/24'] },
    ]);

  test('a link added: only its veth, addresses and up', () => {
    const base = after(tutorial(), null);
    const desired = twoLinks();
    const p = plan(desired, base);
    const v = 'veth:red:r2--green:g2';
    assert.deepEqual(p.ops, [
      {
        op: 'veth.add',
        id: v,
        after: [],
        link: 'red:r2--green:g2',
        a: { node: 'red', netns: 'red', ifname: 'r2' },
        b: { node: 'green', netns: 'green', ifname: 'g2' },
      },
      { op: 'addr.add', id: 'addr:red:r2:10.10.2.1/24', after: [v], netns: 'red', ifname: 'r2', cidr: cidr('10.10.2.1/24') },
      { op: 'addr.add', id: 'addr:green:g2:10.10.2.2/24', after: [v], netns: 'green', ifname: 'g2', cidr: cidr('10.10.2.2/24') },
      { op: 'link.set', id: 'up:red:r2', after: [v], netns: 'red', ifname: 'r2', up: true },
      { op: 'link.set', id: 'up:green:g2', after: [v], netns: 'green', ifname: 'g2', up: true },
    ]);
    assert.deepEqual(plan(desired, run(p, base)).ops, []);
  });

  test('a hub of 64 cables or more brings its end of each up first; its peers wait for it; smaller namespaces do not wait', () => {
    const star = (leaves: number, hubFirst: boolean): Plan => {
      const nodes = Object.fromEntries([['hub', {}], ...Array.from({ length: leaves }, (_, i) => [`l${i}`, {}])]);
      const links = Array.from({ length: leaves }, (_, i) => ({ endpoints: hubFirst ? ['hub', `l${i}`] : [`l${i}`, 'hub'] }));
      return plan(parseTopology(JSON.stringify({ name: 's', addressing: { p2p: '10.0.0.0/16' }, nodes, links })), null);
    };
    const ups = (p: Plan): Map<string, Op> => new Map(p.ops.filter((o) => o.op === 'link.set').map((o) => [o.id, o]));
    // IPv6 walks a namespace's whole routing table when a link there becomes ready: a hub end raised to a
    // peer already up costs two walks (10^8 steps at 10,000 cables), raised first, one.
    for (const hubFirst of [true, false]) {
      const big = ups(star(64, hubFirst));
      const leafUp = big.get('up:l7:eth0');
      const hubUp = [...big.values()].find((o) => o.id.startsWith('up:hub:') && o.after.some((a) => a.includes('l7')));
      assert.ok(hubUp !== undefined && leafUp !== undefined);
      assert.ok(leafUp.after.includes(hubUp.id), `${JSON.stringify(leafUp)} waits for ${hubUp.id}`);
      assert.ok(!hubUp.after.some((a) => a.startsWith('up:')), JSON.stringify(hubUp));
    }
    const small = ups(star(63, true));
    assert.ok([...small.values()].every((o) => o.after.every((a) => !a.startsWith('up:'))));
  });

  test('a link removed: one veth.del', () => {
    const base = after(twoLinks(), null);
    const p = plan(tutorial(), base);
    assert.deepEqual(p.ops, [
      { op: 'veth.del', id: 'del-veth:green:g2--red:r2', after: [], link: 'green:g2--red:r2', a: { node: 'green', netns: 'green', ifname: 'g2' } },
    ]);
    assert.deepEqual(plan(tutorial(), run(p, base)).ops, []);
  });

  test('a node removed: its cables to staying nodes are cut, then its namespace goes with the rest', () => {
    const three = makeLab(
      'two-computers',
      { red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })] }, green: { routes: [route('10.10.1.2/32', { dev: 'gveth' })] }, blue: {} },
      [
        { a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.2/32'], bAddrs: ['10.10.1.3/32'] },
        { a: 'green:gb', b: 'blue:bg', aAddrs: ['10.10.3.1/24'], bAddrs: ['10.10.3.2/24'] },
      ],
    );
    const base = after(three, null);
    const p = plan(tutorial(), base);
    // The kernel destroys a namespace asynchronously: green:gb would linger (and hold its name) after
    // `ip netns del blue`, so it is deleted explicitly, first.
    assert.deepEqual(p.ops, [
      { op: 'veth.del', id: 'del-veth:green:gb--blue:bg', after: [], link: 'green:gb--blue:bg', a: { node: 'green', netns: 'green', ifname: 'gb' } },
      { op: 'netns.del', id: 'del-netns:blue', after: ['del-veth:green:gb--blue:bg'], netns: 'blue', node: 'blue' },
    ]);
    const state = run(p, base);
    assert.deepEqual(
      state.namespaces['green']?.links.map((l) => l.ifname),
      ['gveth'],
    );
    assert.deepEqual(plan(tutorial(), state).ops, []);
  });

  test('a node removed with no cable to a staying node: netns.del only', () => {
    const island = makeLab('two-computers', { red: {}, blue: {}, cyan: {} }, [{ a: 'blue:b', b: 'cyan:c' }]);
    const p = plan(makeLab('two-computers', { red: {} }, []), after(island, null));
    assert.deepEqual(p.ops, [
      { op: 'netns.del', id: 'del-netns:blue', after: [], netns: 'blue', node: 'blue' },
      { op: 'netns.del', id: 'del-netns:cyan', after: [], netns: 'cyan', node: 'cyan' },
    ]);
  });

  test('a node removed: its background processes end first', () => {
    const withBlue = makeLab('two-computers', { red: {}, blue: { exec: [{ run: 'nc -l 7', background: true }] } }, []);
    const base = after(withBlue, null);
    assert.deepEqual(base.processes, [{ node: 'blue', pid: 1001, startTime: '0', run: 'nc -l 7' }]);
    const p = plan(makeLab('two-computers', { red: {} }, []), base);
    assert.deepEqual(p.ops, [
      { op: 'proc.kill', id: 'kill:blue:1001', after: [], node: 'blue', pid: 1001, startTime: '0' },
      { op: 'netns.del', id: 'del-netns:blue', after: ['kill:blue:1001'], netns: 'blue', node: 'blue' },
    ]);
  });

  test('an address changed: addr.del, then addr.add (and the routes the kernel drops with the last IPv4 address)', () => {
    const base = after(tutorial(), null);
    const desired = makeLab(
      'two-computers',
      { red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })] }, green: { routes: [route('10.10.1.4/32', { dev: 'gveth' })] } },
      [{ a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.4/32'], bAddrs: ['10.10.1.3/32'] }],
    );
    const p = plan(desired, base);
    assert.deepEqual(p.ops, [
      { op: 'route.del', id: 'del-route:red:10.10.1.3/32', after: [], netns: 'red', route: route('10.10.1.3/32', { dev: 'rveth' }) },
      { op: 'route.del', id: 'del-route:green:10.10.1.2/32', after: [], netns: 'green', route: route('10.10.1.2/32', { dev: 'gveth' }) },
      {
        op: 'addr.del',
        id: 'del-addr:red:rveth:10.10.1.2/32',
        after: ['del-route:red:10.10.1.3/32'],
        netns: 'red',
        ifname: 'rveth',
        cidr: cidr('10.10.1.2/32'),
      },
      {
        op: 'addr.add',
        id: 'addr:red:rveth:10.10.1.4/32',
        after: ['del-addr:red:rveth:10.10.1.2/32'],
        netns: 'red',
        ifname: 'rveth',
        cidr: cidr('10.10.1.4/32'),
      },
      {
        op: 'route.add',
        id: 'route:red:10.10.1.3/32',
        after: ['del-route:red:10.10.1.3/32', 'del-addr:red:rveth:10.10.1.2/32', 'addr:red:rveth:10.10.1.4/32'],
        netns: 'red',
        route: route('10.10.1.3/32', { dev: 'rveth' }),
      },
      {
        op: 'route.add',
        id: 'route:green:10.10.1.4/32',
        after: ['del-route:green:10.10.1.2/32'],
        netns: 'green',
        route: route('10.10.1.4/32', { dev: 'gveth' }),
      },
    ]);
    assert.deepEqual(plan(desired, run(p, base)).ops, []);
  });

  test('an IPv4 primary removed beside a wanted secondary: both go, the secondary comes back', () => {
    const lab = (addrs: string[]) =>
      makeLab('sec', { red: { routes: [route('default', { via: '10.0.0.254' })] }, blue: {} }, [
        { a: 'red:e', b: 'blue:f', aAddrs: addrs, bAddrs: ['10.0.0.254/24'] },
      ]);
    const base = after(lab(['10.0.0.1/24', '10.0.0.2/24', 'fd00::1/64']), null);
    const desired = lab(['10.0.0.2/24', 'fd00::1/64']);
    const p = plan(desired, base);
    assert.deepEqual(
      p.ops.map((o) => [o.id, o.after]),
      [
        ['del-route:red:default', []],
        ['del-addr:red:e:10.0.0.2/24', ['del-route:red:default']],
        ['del-addr:red:e:10.0.0.1/24', ['del-route:red:default', 'del-addr:red:e:10.0.0.2/24']],
        ['addr:red:e:10.0.0.2/24', ['del-addr:red:e:10.0.0.2/24', 'del-addr:red:e:10.0.0.1/24']],
        ['route:red:default', ['del-route:red:default', 'del-addr:red:e:10.0.0.2/24', 'del-addr:red:e:10.0.0.1/24', 'addr:red:e:10.0.0.2/24']],
      ],
    );
    assert.deepEqual(plan(desired, run(p, base)).ops, []);
  });

  test('the same address with another prefix length: the add waits for the del', () => {
    const lab = (len: number) =>
      makeLab('red-blue', { red: {}, blue: {} }, [{ a: 'red:veth-red', b: 'blue:veth-blue', aAddrs: [`10.0.0.1/${len}`], bAddrs: ['10.0.0.2/16'] }]);
    const p = plan(lab(16), after(lab(24), null));
    assert.deepEqual(p.ops, [
      { op: 'addr.del', id: 'del-addr:red:veth-red:10.0.0.1/24', after: [], netns: 'red', ifname: 'veth-red', cidr: cidr('10.0.0.1/24') },
      {
        op: 'addr.add',
        id: 'addr:red:veth-red:10.0.0.1/16',
        after: ['del-addr:red:veth-red:10.0.0.1/24'],
        netns: 'red',
        ifname: 'veth-red',
        cidr: cidr('10.0.0.1/16'),
      },
    ]);
  });

  test("addresses nslab did not put there (an exec command's, zebra's from an FRR config) are left alone when nslab knows what it applied", () => {
    // frr01's PC1 sets its address in exec: `ip addr add 192.168.11.2/24 dev eth1`. A second `up` of the
    // same lab must not take it away (exec entries do not run again on a node that stays).
    const lab = makeLab('clab', { pc1: { exec: [{ run: 'ip addr add 192.168.11.2/24 dev eth1', background: false }] }, r1: { forwarding: true } }, [
      { a: 'pc1:eth1', b: 'r1:eth3' },
    ]);
    const base = after(lab, null);
    const up = structuredClone(base);
    up.namespaces.pc1?.links.find((l) => l.ifname === 'eth1')?.addresses.push(cidr('192.168.11.2/24'));
    up.namespaces.r1?.links.find((l) => l.ifname === 'eth3')?.addresses.push(cidr('192.168.11.1/24'));
    assert.deepEqual(plan(lab, up, lab).ops, []);
    // What nslab put there and the file no longer wants still goes; the others stay beside it.
    const addressed = makeLab('clab', { pc1: {}, r1: { forwarding: true } }, [{ a: 'pc1:eth1', b: 'r1:eth3', aAddrs: ['10.0.0.1/24'] }]);
    const withOurs = structuredClone(up);
    withOurs.namespaces.pc1?.links.find((l) => l.ifname === 'eth1')?.addresses.push(cidr('10.0.0.1/24'));
    assert.deepEqual(ids(plan(lab, withOurs, addressed)), ['del-addr:pc1:eth1:10.0.0.1/24']);
    // Without a record of what it applied (a lost state file), nslab cannot tell them apart, and removes what the file does not want.
    assert.deepEqual(ids(plan(lab, up)), ['del-addr:pc1:eth1:192.168.11.2/24', 'del-addr:r1:eth3:192.168.11.1/24']);
  });

  test('an address moving to another interface of the namespace is removed first', () => {
    const lab = (onR2: boolean) =>
      makeLab('m', { red: {}, green: {} }, [
        { a: 'red:r1', b: 'green:g1', aAddrs: onR2 ? [] : ['10.9.0.1/24'] },
        { a: 'red:r2', b: 'green:g2', aAddrs: onR2 ? ['10.9.0.1/24'] : [] },
      ]);
    const p = plan(lab(true), after(lab(false), null));
    assert.deepEqual(ids(p), ['del-addr:red:r1:10.9.0.1/24', 'addr:red:r2:10.9.0.1/24']);
    assert.deepEqual(p.ops[1]?.after, ['del-addr:red:r1:10.9.0.1/24']);
  });

  test('exec entries run only on nodes made by this plan', () => {
    const first = tutorial({ redExec: [{ run: 'echo red', background: false }], greenExec: [{ run: 'sleep 1000', background: true }] });
    const base = after(first, null);
    const desired = makeLab(
      'two-computers',
      {
        red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })], exec: [{ run: 'echo red', background: false }] },
        green: { routes: [route('10.10.1.2/32', { dev: 'gveth' })], exec: [{ run: 'sleep 1000', background: true }] },
        blue: {
          exec: [
            { run: 'ping -c1 10.10.4.1', background: false },
            { run: 'sleep 1000', background: true },
          ],
        },
      },
      [
        { a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.2/32'], bAddrs: ['10.10.1.3/32'] },
        { a: 'green:gb', b: 'blue:bg', aAddrs: ['10.10.4.1/24'], bAddrs: ['10.10.4.2/24'] },
      ],
    );
    const p = plan(desired, base);
    assert.deepEqual(ids(p), [
      'netns:blue',
      'veth:green:gb--blue:bg',
      'addr:green:gb:10.10.4.1/24',
      'addr:blue:bg:10.10.4.2/24',
      'up:green:gb',
      'up:blue:bg',
      'exec:blue:0',
      'exec:blue:1',
    ]);
    assert.deepEqual(p.ops[6]?.after, ['addr:green:gb:10.10.4.1/24', 'addr:blue:bg:10.10.4.2/24', 'up:green:gb', 'up:blue:bg']);
    assert.deepEqual(p.ops[7]?.after, ['exec:blue:0']);
    const state = run(p, base);
    assert.deepEqual(
      state.processes.map((x) => x.node),
      ['green', 'blue'],
    );
    assert.deepEqual(plan(desired, state).ops, []);
  });

  test('a namespace that vanished is made again, with its cable, routes and exec entries', () => {
    const lab = tutorial({ greenExec: [{ run: 'echo green', background: false }] });
    const base = after(lab, null);
    const gone = simulate({ lab: lab.name, ops: [{ op: 'netns.del', id: 'x', after: [], netns: 'green', node: 'green' }] }, base);
    assert.deepEqual(gone.namespaces['red']?.links, []);
    assert.deepEqual(gone.namespaces['red']?.routes, []);
    const p = plan(lab, gone);
    assert.deepEqual(ids(p), [
      'netns:green',
      VETH,
      'addr:red:rveth:10.10.1.2/32',
      'addr:green:gveth:10.10.1.3/32',
      'up:red:rveth',
      'up:green:gveth',
      'route:red:10.10.1.3/32',
      'route:green:10.10.1.2/32',
      'exec:green:0',
    ]);
    assert.deepEqual(p.ops[1]?.after, ['netns:green']);
    assert.deepEqual(plan(lab, run(p, gone)).ops, []);
  });

  test('half a cable: the half is deleted before the cable is made again', () => {
    const base = after(tutorial(), null);
    const half = structuredClone(base);
    const red = half.namespaces['red'];
    const green = half.namespaces['green'];
    assert.ok(red !== undefined && green !== undefined && red.links[0] !== undefined);
    delete red.links[0].peer;
    green.links = [];
    green.routes = [];
    const p = plan(tutorial(), half);
    const del = 'del-veth:red:rveth';
    assert.deepEqual(p.ops.slice(0, 2), [
      { op: 'veth.del', id: del, after: [], link: 'red:rveth', a: RED },
      { op: 'veth.add', id: VETH, after: [del], link: 'red:rveth--green:gveth', a: RED, b: GREEN },
    ]);
    assert.deepEqual(ids(p).slice(2), [
      'addr:red:rveth:10.10.1.2/32',
      'addr:green:gveth:10.10.1.3/32',
      'up:red:rveth',
      'up:green:gveth',
      'route:red:10.10.1.3/32',
      'route:green:10.10.1.2/32',
    ]);
    // red's route went with the old device: it is added again, not deleted.
    assert.deepEqual(p.ops.find((o) => o.id === 'route:red:10.10.1.3/32')?.after, [del, 'addr:red:rveth:10.10.1.2/32', 'up:red:rveth']);
    assert.deepEqual(plan(tutorial(), run(p, half)).ops, []);
  });

  test('a cable whose peer is elsewhere: the pair is deleted once, then the cable is made', () => {
    const wrong = makeLab('two-computers', { red: {}, green: {} }, [{ a: 'red:rveth', b: 'green:x' }]);
    const base = after(wrong, null);
    const p = plan(tutorial(), base);
    const del = 'del-veth:green:x--red:rveth';
    assert.deepEqual(p.ops.slice(0, 2), [
      { op: 'veth.del', id: del, after: [], link: 'green:x--red:rveth', a: { node: 'green', netns: 'green', ifname: 'x' } },
      { op: 'veth.add', id: VETH, after: [del], link: 'red:rveth--green:gveth', a: RED, b: GREEN },
    ]);
    assert.deepEqual(plan(tutorial(), run(p, base)).ops, []);
  });

  test('a cable into a namespace that goes is cut before the name is used again', () => {
    const before = makeLab('m', { red: {}, blue: {} }, [{ a: 'red:rveth', b: 'blue:b' }]);
    const base = after(before, null);
    const desired = makeLab('m', { red: {}, green: {} }, [{ a: 'red:rveth', b: 'green:gveth' }]);
    const p = plan(desired, base);
    assert.deepEqual(ids(p), ['del-veth:red:rveth--blue:b', 'del-netns:blue', 'netns:green', 'veth:red:rveth--green:gveth', 'up:red:rveth', 'up:green:gveth']);
    assert.deepEqual(p.ops[1]?.after, ['del-veth:red:rveth--blue:b']);
    assert.deepEqual(p.ops[3]?.after, ['del-veth:red:rveth--blue:b', 'netns:green']);
    assert.deepEqual(plan(desired, run(p, base)).ops, []);
  });

  test('a link that is down comes up; an MTU that differs is set', () => {
    const base = after(tutorial(), null);
    const seen = structuredClone(base);
    const red = seen.namespaces['red'];
    assert.ok(red?.links[0] !== undefined);
    red.links[0].up = false;
    red.routes = []; // IPv4 routes through a device that went down are gone
    const desired = makeLab(
      'two-computers',
      { red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })] }, green: { routes: [route('10.10.1.2/32', { dev: 'gveth' })] } },
      [{ a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.2/32'], bAddrs: ['10.10.1.3/32'], mtu: 9000 }],
    );
    const p = plan(desired, seen);
    assert.deepEqual(p.ops, [
      { op: 'link.set', id: 'up:red:rveth', after: [], netns: 'red', ifname: 'rveth', up: true, mtu: 9000 },
      { op: 'link.set', id: 'mtu:green:gveth', after: [], netns: 'green', ifname: 'gveth', mtu: 9000 },
      { op: 'route.add', id: 'route:red:10.10.1.3/32', after: ['up:red:rveth'], netns: 'red', route: route('10.10.1.3/32', { dev: 'rveth' }) },
    ]);
    assert.deepEqual(plan(desired, run(p, seen)).ops, []);
  });

  test('a route changed: route.del, then route.add', () => {
    const lab = (metric: number) =>
      makeLab('red-blue', { red: { routes: [route('default', { via: '10.0.0.2', metric })] }, blue: {} }, [
        { a: 'red:veth-red', b: 'blue:veth-blue', aAddrs: ['10.0.0.1/24'], bAddrs: ['10.0.0.2/24'] },
      ]);
    const base = after(lab(10), null);
    assert.deepEqual(base.namespaces['red']?.routes, [{ family: 4, to: 'default', via: '10.0.0.2', dev: 'veth-red', metric: 10 }]);
    const p = plan(lab(20), base);
    assert.deepEqual(p.ops, [
      {
        op: 'route.del',
        id: 'del-route:red:default@10',
        after: [],
        netns: 'red',
        route: { family: 4, to: 'default', via: '10.0.0.2', dev: 'veth-red', metric: 10 },
      },
      {
        op: 'route.add',
        id: 'route:red:default@20',
        after: ['del-route:red:default@10'],
        netns: 'red',
        route: route('default', { via: '10.0.0.2', metric: 20 }),
      },
    ]);
    assert.deepEqual(plan(lab(20), run(p, base)).ops, []);
  });

  test('forwarding is set again where it reads back different', () => {
    const base = after(routed(), null);
    const seen = structuredClone(base);
    const r = seen.namespaces['lab-r'];
    assert.ok(r !== undefined);
    r.sysctls['net/ipv4/ip_forward'] = '0';
    assert.deepEqual(plan(routed(), seen).ops, [
      { op: 'sysctl.set', id: 'sysctl:r:net/ipv4/ip_forward', after: [], netns: 'lab-r', key: 'net/ipv4/ip_forward', value: '1' },
    ]);
  });

  test('DAD is turned off again where it reads back on, and in every namespace once a lab takes up IPv6', () => {
    const base = after(routed(), null);
    const seen = structuredClone(base);
    const h2 = seen.namespaces['lab-h2'];
    assert.ok(h2 !== undefined);
    h2.sysctls['net/ipv6/conf/default/accept_dad'] = '1';
    assert.deepEqual(plan(routed(), seen).ops, [
      { op: 'sysctl.set', id: 'sysctl:h2:net/ipv6/conf/default/accept_dad', after: [], netns: 'lab-h2', key: 'net/ipv6/conf/default/accept_dad', value: '0' },
    ]);
    // An IPv4 lab made first (DAD as the kernel has it) that gains an IPv6 address.
    const v4 = makeLab('six', { a: {}, b: {} }, [{ a: 'a:e0', b: 'b:e0', aAddrs: ['10.0.0.1/24'], bAddrs: ['10.0.0.2/24'] }]);
    const v6 = makeLab('six', { a: {}, b: {} }, [{ a: 'a:e0', b: 'b:e0', aAddrs: ['10.0.0.1/24', 'fd00::1/64'], bAddrs: ['10.0.0.2/24'] }]);
    const made = after(v4, null);
    const ids6 = plan(v6, made).ops.map((o) => o.id);
    assert.deepEqual(ids6, ['sysctl:a:net/ipv6/conf/default/accept_dad', 'sysctl:b:net/ipv6/conf/default/accept_dad', 'addr:a:e0:fd00::1/64']);
    assert.deepEqual(plan(v6, after(v6, made)).ops, []);
  });

  test('observed IPv6 addresses in another spelling, and link-local ones, are left alone', () => {
    const lab = makeLab('six', { a: {}, b: {} }, [{ a: 'a:e0', b: 'b:e0', aAddrs: ['fd00::1/64'], bAddrs: ['fd00::2/64'] }]);
    const seen = structuredClone(after(lab, null));
    const e0 = seen.namespaces['a']?.links[0];
    assert.ok(e0 !== undefined);
    e0.addresses = [cidr('FD00:0:0::1/64'), cidr('fe80::1c2f:aaff:fe00:1/64')];
    assert.deepEqual(plan(lab, seen).ops, []);
  });

  test('a link of ours that is not a veth, where a cable should be, is deleted first', () => {
    const base = after(tutorial(), null);
    const seen = structuredClone(base);
    const red = seen.namespaces['red'];
    assert.ok(red?.links[0] !== undefined);
    red.links[0] = { ifname: 'rveth', kind: 'dummy', up: true, mtu: 1500, addresses: [] };
    const green = seen.namespaces['green'];
    assert.ok(green !== undefined);
    green.links = [];
    green.routes = [];
    const p = plan(tutorial(), seen);
    assert.deepEqual(ids(p).slice(0, 2), ['del-veth:red:rveth', VETH]);
  });
});

test('an address added beside a primary that goes waits for it (else the kernel deletes it as a secondary)', () => {
  const lab = (addrs: string[]) =>
    makeLab('sec', { h1: { routes: [route('default', { via: '10.0.1.1' })] }, r: {} }, [{ a: 'h1:eth0', b: 'r:eth1', aAddrs: addrs, bAddrs: ['10.0.1.1/24'] }]);
  const base = after(lab(['10.0.1.2/24']), null);
  const desired = lab(['10.0.1.3/24']);
  const p = plan(desired, base);
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [['del-route:h1:default'], ['del-addr:h1:eth0:10.0.1.2/24'], ['addr:h1:eth0:10.0.1.3/24'], ['route:h1:default']],
  );
  assert.deepEqual(plan(desired, run(p, base)).ops, []);
});

suite('plan: link-layer addresses', () => {
  test('every veth end gets one from the lab, node and interface names: the same on every plan, distinct, locally administered', () => {
    const lab = routed();
    const first = planWithMacs(lab, null).ops.filter((o) => o.op === 'veth.add');
    const again = planWithMacs(lab, null).ops.filter((o) => o.op === 'veth.add');
    assert.deepEqual(first, again);
    const macs = first.flatMap((o) => (o.op === 'veth.add' ? [o.a.mac, o.b.mac] : []));
    assert.equal(new Set(macs).size, 4);
    for (const mac of macs) assert.match(mac ?? '', /^02(:[0-9a-f]{2}){5}$/);
    const op = first[0];
    assert.ok(op?.op === 'veth.add');
    assert.equal(explain(op), `ip link add eth0 netns lab-h1 address ${op.a.mac} mtu 9000 type veth peer name eth1 netns lab-r address ${op.b.mac} mtu 9000`);
  });

  test('a cable made again keeps its addresses; other labs get others', () => {
    const lab = tutorial();
    const made = planWithMacs(lab, null).ops.find((o) => o.op === 'veth.add');
    const remade = planWithMacs(lab, after(lab, null)).ops;
    assert.deepEqual(remade, [], 'nothing to make while it is there');
    const macs = linkMacs(lab);
    assert.ok(made?.op === 'veth.add');
    assert.equal(macs.get('red\u0000rveth'), made.a.mac);
    const other = linkMacs({ ...lab, name: 'another' });
    assert.notEqual(other.get('red\u0000rveth'), made.a.mac);
  });

  test('two ends whose names hash alike get distinct addresses, the same ones every time', () => {
    // Many ends: a clash among 40-bit hashes is rare, so the rule is checked on a lab with thousands.
    const nodes: Record<string, object> = {};
    const links: { a: string; b: string; aAddrs: string[]; bAddrs: string[] }[] = [];
    for (let i = 0; i < 3000; i++) {
      nodes[`n${i}`] = {};
      if (i > 0) links.push({ a: `n${i - 1}:r`, b: `n${i}:l`, aAddrs: [], bAddrs: [] });
    }
    const big = makeLab('big', nodes, links);
    const macs = [...linkMacs(big).values()];
    assert.equal(new Set(macs).size, macs.length);
    assert.deepEqual([...linkMacs(big).values()], macs);
  });
});

suite('plan: computed routes (routing: static)', () => {
  /** The ring of six routers with a host on each (examples/router-ring.yaml), a hand route on r1. */
  const ring = (): ResolvedLab =>
    parseTopology(
      readFileSync(new URL('../../examples/router-ring.yaml', import.meta.url), 'utf8').replace(
        '  r1: { kind: router }',
        '  r1: { kind: router, routes: [{ to: 10.3.0.18/31, via: 10.3.0.10 }] }',
      ),
    );

  test("one routes.add per node for its computed routes, beside a route.add per hand-written one; in JSON, ip's words", () => {
    const lab = ring();
    const p = plan(lab, null);
    const r1 = p.ops.filter((o) => o.op.startsWith('route') && (o as { netns: string }).netns === 'ring-r1');
    assert.deepEqual(
      r1.map((o) => o.id),
      ['route:r1:10.3.0.18/31', 'routes:r1'],
    );
    const computed = r1[1] as Extract<Op, { op: 'routes.add' }>;
    assert.deepEqual(computed.after, (r1[0] as Op).after);
    assert.equal(computed.routes.length, 8);
    const json = JSON.parse(JSON.stringify(computed)) as { routes: string[] };
    assert.deepEqual(json.routes.slice(0, 2), ['10.3.0.2/31 via 10.3.0.1 dev eth0', '10.3.0.4/31 via 10.3.0.1 dev eth0']);
    assert.equal(explain(computed).split('\n')[0], 'ip -n ring-r1 route add 10.3.0.2/31 via 10.3.0.1 dev eth0 proto 77');
    assert.equal(explain(computed).split('\n').length, 8);
    assert.equal(p.ops.filter((o) => o.op === 'routes.add').length, 12);
    assert.equal(p.ops.filter((o) => o.op === 'route.add').length, 1);
    // What the kernel would have at the end: every route of every node, the hand one on r1 included.
    const end = after(lab, null);
    for (const n of lab.nodes) assert.equal(end.namespaces[n.netns]?.routes.length, routesOf(lab, n).length, n.name);
  });

  test('a lab that is up as planned plans nothing; a computed route gone is added back alone, one changed is replaced', () => {
    const lab = ring();
    const base = after(lab, null);
    assert.deepEqual(plan(lab, base).ops, []);
    const seen = structuredClone(base);
    const r3 = seen.namespaces['ring-r3'];
    assert.ok(r3 !== undefined);
    const gone = r3.routes.splice(4, 1)[0];
    const changed = r3.routes[0];
    assert.ok(gone !== undefined && changed !== undefined);
    const was = `${cidrText(changed.to as Cidr)} via ${changed.via ?? ''} dev ${changed.dev ?? ''}`;
    changed.via = '10.3.0.5';
    changed.dev = 'eth1';
    const p = plan(lab, seen);
    const add = p.ops.find((o) => o.op === 'routes.add');
    assert.deepEqual(
      p.ops.map((o) => o.id),
      [`del-route:r3:${cidrText(changed.to as Cidr)}`, 'routes:r3'],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(add)).routes, [was, `${cidrText(gone.to as Cidr)} via ${gone.via ?? ''} dev ${gone.dev ?? ''}`]);
    assert.deepEqual(plan(lab, run(p, seen)).ops, []);
  });
});
