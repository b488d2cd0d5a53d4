import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { parseTopology, resolveTopology, routesOf, type ResolvedLab } from '../../src/topology/index.js';
import { placedParse } from '../../src/topology/parse.js';

const example = (name: string): string => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');

/** A reader over a few files, as the api gives one over the disk. */
const files =
  (map: Record<string, string>) =>
  (path: string): string => {
    const text = map[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };

const nodeOf = (lab: ResolvedLab, name: string) => {
  const n = lab.nodes.find((x) => x.name === name);
  assert.ok(n, `node ${name}`);
  return n;
};
const routes = (lab: ResolvedLab, name: string): string[] =>
  routesOf(lab, nodeOf(lab, name)).map(
    (r) => `${r.to === 'default' ? `default${r.family === 6 ? '6' : ''}` : `${r.to.address}/${r.to.prefixLength}`} via ${r.via ?? '-'}`,
  );

function problems(text: string, read?: (p: string) => string): string[] {
  try {
    parseTopology(text, read !== undefined ? { file: 'lab.yaml', read } : { file: 'lab.yaml' });
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    return e.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  assert.fail('accepted');
}

const TRIANGLE = `name: tri
routing: ospf
addressing: { p2p: 10.0.0.0/24, lan: 10.1.0.0/16 }
nodes:
  r1: { kind: router }
  r2: { kind: router }
  sw: { kind: bridge }
  h1:
links:
  - endpoints: [r1, r2]
  - endpoints: [sw, r1]
  - endpoints: [sw, r2]
  - endpoints: [sw, h1]
`;

describe('routing: ospf', () => {
  test('a cable between routers is point-to-point, a LAN of routers keeps its broadcast type, the router id is the lowest address', () => {
    const lab = parseTopology(TRIANGLE);
    assert.equal(lab.routing, 'ospf');
    assert.deepEqual(nodeOf(lab, 'r1').frr, {
      daemons: ['zebra', 'ospfd'],
      source: { kind: 'generated', routing: 'ospf' },
      config: [
        '! FRR configuration of r1, written by nslab for routing: ospf',
        'frr defaults traditional',
        'hostname r1',
        '!',
        'router ospf',
        ' ospf router-id 10.0.0.0',
        'exit',
        '!',
        'interface eth0',
        ' ip ospf area 0',
        ' ip ospf network point-to-point',
        'exit',
        '!',
        'interface eth1',
        ' ip ospf area 0',
        'exit',
        '!',
        '',
      ].join('\n'),
    });
    assert.match(nodeOf(lab, 'r2').frr?.config ?? '', /ospf router-id 10\.0\.0\.1\n/);
  });

  test('routers get no computed routes (their daemons route); hosts get theirs as under static, hand-written ones stay', () => {
    const lab = parseTopology(TRIANGLE.replace('  r1: { kind: router }', '  r1: { kind: router, routes: [{ to: 192.0.2.0/24, via: 10.0.0.1 }] }'));
    assert.deepEqual(routes(lab, 'r1'), ['192.0.2.0/24 via 10.0.0.1']);
    assert.deepEqual(routes(lab, 'r2'), []);
    // Two routers on its LAN: a route to each other subnet, through the lowest gateway (no default route).
    assert.deepEqual(routes(lab, 'h1'), ['10.0.0.0/31 via 10.1.0.1']);
    const ring = parseTopology(example('router-ring-ospf.yaml'));
    assert.deepEqual(routes(ring, 'h1'), ['default via 10.3.0.12']);
    assert.equal(ring.nodes.filter((n) => n.frr !== undefined).length, 6);
  });

  test("towards hosts an interface is passive; timers are the lab's, dead four hellos unless given; fast hellos make a fast lab", () => {
    const lab = parseTopology(example('router-ring-ospf.yaml'));
    const r1 = nodeOf(lab, 'r1').frr?.config ?? '';
    assert.match(
      r1,
      /interface eth0\n ip ospf area 0\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf retransmit-interval 1\nexit\n/,
    );
    assert.match(
      r1,
      /router ospf\n ospf router-id 10\.3\.0\.0\n timers throttle lsa all 100\n timers throttle spf 0 50 500\n timers lsa min-arrival 100\nexit\n/,
    );
    // FRR's own timers where the lab asks for none.
    assert.doesNotMatch(nodeOf(parseTopology(TRIANGLE), 'r1').frr?.config ?? '', /retransmit|timers/);
    assert.match(r1, /interface eth2\n ip ospf area 0\n ip ospf passive\nexit\n/);
    const hello = parseTopology(example('router-ring-ospf.yaml').replace('ospf: { hello: 1, dead: 4 }', 'ospf: { hello: 2 }'));
    assert.match(nodeOf(hello, 'r3').frr?.config ?? '', / ip ospf hello-interval 2\n ip ospf dead-interval 8\n/);
  });

  test('areas: a link between a backbone router and a router of area 1 is in area 1; the same words every run', () => {
    const text = TRIANGLE.replace('  r2: { kind: router }', '  r2: { kind: router, ospf: { area: 0.0.0.1 } }');
    const lab = parseTopology(text);
    for (const r of ['r1', 'r2']) assert.deepEqual(nodeOf(lab, r).frr?.config.match(/area \S+/g), ['area 0.0.0.1', 'area 0.0.0.1']);
    assert.deepEqual(parseTopology(text), lab);
    const lone = parseTopology(
      `name: a\nrouting: ospf\nospf: { area: 7 }\naddressing: { p2p: 10.0.0.0/24 }\nnodes: { r1: { kind: router }, h: {} }\nlinks: [{ endpoints: [r1, h] }]\n`,
    );
    assert.match(nodeOf(lone, 'r1').frr?.config ?? '', / ip ospf area 7\n ip ospf passive\n/);
  });

  test('dual stack: ospf6d beside ospfd, the IPv6 interfaces in OSPFv3', () => {
    const lab = parseTopology(example('router-ring-dual.yaml').replace('routing: static', 'routing: ospf'));
    const r1 = nodeOf(lab, 'r1').frr;
    assert.deepEqual(r1?.daemons, ['zebra', 'ospfd', 'ospf6d']);
    assert.match(
      r1?.config ?? '',
      /interface eth0\n ip ospf area 0\n ip ospf network point-to-point\n ipv6 ospf6 area 0\n ipv6 ospf6 network point-to-point\nexit\n/,
    );
    assert.match(r1?.config ?? '', /router ospf6\n ospf6 router-id 10\.4\.0\.0\nexit\n/);
    assert.deepEqual(routes(lab, 'h1'), ['default via 10.4.0.12', 'default6 via fd00:4::c']);
  });

  test('what cannot work is refused, each at its place', () => {
    const areas = TRIANGLE.replace('  r1: { kind: router }', '  r1: { kind: router, ospf: { area: 2 } }').replace(
      '  r2: { kind: router }',
      '  r2: { kind: router, ospf: { area: 1 } }',
    );
    const why =
      'an OSPF link is in one area: give these routers one area, or make one side the backbone (area 0), whose routers then join the other area through this link';
    assert.deepEqual(problems(areas), [
      `lab.yaml:7:7: nodes.sw: OSPF routers of different areas share this LAN: r1 (2) and r2 (1); ${why}`,
      `lab.yaml:10:5: links[0]: OSPF routers of different areas share this link: r1 (2) and r2 (1); ${why}`,
    ]);
    const timers = TRIANGLE.replace('  r2: { kind: router }', '  r2: { kind: router, ospf: { hello: 1 } }');
    assert.deepEqual(problems(timers), [
      'lab.yaml:6:38: nodes.r2.ospf.hello: routers r1 and r2 share a link with different OSPF timers (hello 10, dead 40 at nodes.r1 (line 5, column 7); hello 1, dead 4 here): they would never become neighbours; give them the same hello and dead, or set them once for the whole lab under ospf: at the top',
    ]);
    assert.deepEqual(problems(TRIANGLE.replace('routing: ospf', 'routing: ospf\nospf: { hello: 5, dead: 5 }')), [
      "lab.yaml:3:25: ospf.dead: r1's OSPF dead interval (5 s) is not longer than its hello interval (5 s); a neighbour is declared down after dead seconds without a hello: make it several hellos long, for example dead: 20",
    ]);
    assert.deepEqual(problems(TRIANGLE.replace('  h1:', '  h1: { ospf: { area: 1 } }')), [
      'lab.yaml:8:9: nodes.h1.ospf: host "h1" has OSPF settings, and only routers run OSPF; make it kind: router, or remove ospf here (hosts get routes to their gateway router)',
    ]);
    assert.deepEqual(problems(TRIANGLE.replace('routing: ospf', 'routing: static\nospf: { hello: 1 }')), [
      'lab.yaml:3:1: ospf: the lab has OSPF settings, and its routing is static; they are for routing: ospf: write that, or remove ospf',
    ]);
    assert.deepEqual(
      problems(TRIANGLE.replace('routing: ospf', 'routing: bgp').replace('  r1: { kind: router }', '  r1: { kind: router, ospf: { area: 1 } }')),
      [
        'lab.yaml:5:23: nodes.r1.ospf: node "r1" has OSPF settings, and the lab\'s routing is bgp; they are for routing: ospf: write that at the top of the file, or remove ospf here',
      ],
    );
    assert.deepEqual(problems(TRIANGLE.replace('  r1: { kind: router }', '  r1: { kind: router, ospf: { area: 0.0.300.1 } }')), [
      'lab.yaml:5:37: nodes.r1.ospf.area: OSPF area "0.0.300.1" is neither a number nor four numbers 0 to 255; write a number such as 0 or 1, or four numbers such as 0.0.0.1',
    ]);
  });
});

describe('routing: bgp', () => {
  test('an AS per router in file order, an eBGP session on each cable to another router, connected subnets announced', () => {
    const lab = parseTopology(example('router-ring-bgp.yaml'));
    assert.deepEqual(nodeOf(lab, 'r1').frr, {
      daemons: ['zebra', 'bgpd'],
      source: { kind: 'generated', routing: 'bgp' },
      config: [
        '! FRR configuration of r1, written by nslab for routing: bgp',
        'frr defaults traditional',
        'hostname r1',
        '!',
        'router bgp 65001',
        ' bgp router-id 10.3.0.0',
        ' no bgp ebgp-requires-policy',
        ' no bgp default ipv4-unicast',
        ' timers bgp 3 9',
        ' neighbor 10.3.0.1 remote-as 65002',
        ' neighbor 10.3.0.1 timers connect 5',
        ' neighbor 10.3.0.10 remote-as 65006',
        ' neighbor 10.3.0.10 timers connect 5',
        ' !',
        ' address-family ipv4 unicast',
        '  redistribute connected',
        '  neighbor 10.3.0.1 activate',
        '  neighbor 10.3.0.10 activate',
        ' exit-address-family',
        'exit',
        '!',
        '',
      ].join('\n'),
    });
    assert.deepEqual(routes(lab, 'h4'), ['default via 10.3.0.18']);
  });

  test('ASes given by hand are kept and skipped by the ones handed out', () => {
    const text = example('router-ring-bgp.yaml')
      .replace('  r2: { kind: router }', '  r2: { kind: router, bgp: { as: 65001 } }')
      .replace('  r4: { kind: router }', '  r4: { kind: router, bgp: { as: 65003 } }');
    const lab = parseTopology(text);
    const as = (n: string): string | undefined => /router bgp (\d+)/.exec(nodeOf(lab, n).frr?.config ?? '')?.[1];
    assert.deepEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map(as), ['65002', '65001', '65004', '65003', '65005', '65006']);
  });

  test('one AS at both ends of a cable: an iBGP session, with next-hop-self', () => {
    const text = example('router-ring-bgp.yaml')
      .replace('  r1: { kind: router }', '  r1: { kind: router, bgp: { as: 65100 } }')
      .replace('  r2: { kind: router }', '  r2: { kind: router, bgp: { as: 65100 } }');
    const c = nodeOf(parseTopology(text), 'r1').frr?.config ?? '';
    assert.match(c, / neighbor 10\.3\.0\.1 remote-as 65100\n/);
    assert.match(c, / {2}neighbor 10\.3\.0\.1 activate\n {2}neighbor 10\.3\.0\.1 next-hop-self\n {2}neighbor 10\.3\.0\.10 activate\n/);
  });

  test('dual stack: each family its own sessions and address family', () => {
    const lab = parseTopology(example('router-ring-dual.yaml').replace('routing: static', 'routing: bgp'));
    const c = nodeOf(lab, 'r1').frr?.config ?? '';
    assert.match(c, / neighbor fd00:4::1 remote-as 65002\n/);
    assert.match(
      c,
      / address-family ipv6 unicast\n {2}redistribute connected\n {2}neighbor fd00:4::1 activate\n {2}neighbor fd00:4::a activate\n exit-address-family\n/,
    );
  });
});

describe("a node's own FRR", () => {
  test('a config file beside the topology file, read through the reader; daemons found from it; zebra and staticd as FRR starts them', () => {
    const text = 'name: own\nnodes:\n  r1: { kind: router, frr: { config: r1/frr.conf } }\n  h: {}\nlinks: [{ endpoints: [r1, h] }]\n';
    const lab = parseTopology(text, { file: 'labs/own.yaml', read: files({ 'r1/frr.conf': 'router ospf\n network 10.0.0.0/8 area 0\n' }) });
    assert.deepEqual(nodeOf(lab, 'r1').frr, {
      daemons: ['zebra', 'ospfd', 'staticd'],
      config: 'router ospf\n network 10.0.0.0/8 area 0\n',
      source: { kind: 'file', file: 'labs/r1/frr.conf' },
    });
  });

  test('a config written inline keeps the line it starts on, by both readers; a router keeps its own under routing: ospf', () => {
    const text = [
      'name: inline',
      'routing: ospf',
      'nodes:',
      '  r1:',
      '    kind: router',
      '    frr:',
      '      daemons: [bgpd]',
      '      config: |',
      '        router bgp 65001',
      '         neighbor 10.0.0.1 remote-as 65002',
      '  r2: { kind: router }',
      'links: [{ endpoints: ["r1 10.0.0.0/31", "r2 10.0.0.1/31"] }]',
      '',
    ].join('\n');
    const lab = parseTopology(text, { file: 'inline.yaml' });
    assert.deepEqual(nodeOf(lab, 'r1').frr, {
      daemons: ['zebra', 'bgpd', 'staticd'],
      config: 'router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n',
      source: { kind: 'inline', file: 'inline.yaml', line: 9 },
    });
    assert.deepEqual(placedParse(text, { file: 'inline.yaml' }), lab);
    // r2's configuration is nslab's, and r1 (its own config) is no OSPF neighbour of it: r2's link is passive.
    assert.match(nodeOf(lab, 'r2').frr?.config ?? '', /interface eth0\n ip ospf area 0\n ip ospf passive\n/);
  });

  test('daemons named without one the config needs: a warning, placed, and FRR would leave that part out', () => {
    const text = 'name: w\nnodes:\n  r1:\n    kind: router\n    frr: { daemons: [ospfd], config: "router bgp 65001\\n" }\n';
    const lab = parseTopology(text, { file: 'w.yaml' });
    assert.deepEqual(lab.warnings, [
      {
        path: 'nodes.r1.frr.daemons',
        message: 'the FRR config of "r1" needs bgpd (line 1: router bgp 65001), which is not among its daemons: FRR leaves that part out',
        hint: 'add bgpd to daemons, or leave daemons out to have them found from the config',
        line: 5,
        column: 21,
      },
    ]);
    assert.deepEqual(nodeOf(lab, 'r1').frr?.daemons, ['zebra', 'ospfd', 'staticd']);
    assert.equal(nodeOf(lab, 'r1').frr?.source.kind, 'inline');
  });

  test('frr without a config: the daemons start empty (exec may configure them through vtysh)', () => {
    const lab = parseTopology('name: e\nnodes: { r1: { kind: router, frr: {} } }\n');
    assert.deepEqual(nodeOf(lab, 'r1').frr, { daemons: ['zebra', 'staticd'], config: '', source: { kind: 'none' } });
  });

  test('problems: a bridge with FRR, a daemon twice or unknown, a file that cannot be read, a path without a reader', () => {
    assert.deepEqual(problems('name: p\nnodes:\n  sw: { kind: bridge, frr: {} }\n'), [
      'lab.yaml:3:28: nodes.sw.frr: bridge "sw" has FRR settings; a bridge is a LAN segment and routes nothing: run FRR on a router of the LAN',
    ]);
    assert.deepEqual(problems('name: p\nnodes:\n  r: { kind: router, frr: { daemons: [ospfd, ospf, ospfd] } }\n'), [
      'lab.yaml:3:46: nodes.r.frr.daemons[1]: must be one of zebra, bgpd, ripd, ripngd, ospfd, ospf6d, isisd, babeld, pimd, pim6d, ldpd, nhrpd, eigrpd, sharpd, pbrd, staticd, bfdd, fabricd, vrrpd or pathd, not the string "ospf"; did you mean ospfd?',
      'lab.yaml:3:52: nodes.r.frr.daemons[2]: ospfd is named twice in the daemons of "r" (first at daemons[0]); name each daemon once',
    ]);
    assert.deepEqual(problems('name: p\nnodes:\n  r: { kind: router, frr: { config: r/frr.conf } }\n', files({})), [
      "lab.yaml:3:37: nodes.r.frr.config: cannot read the FRR config r/frr.conf: ENOENT: no such file or directory, open 'r/frr.conf'; the path is relative to the topology file's directory; check it names an existing, readable file",
    ]);
    assert.throws(
      () => resolveTopology({ name: 'p', nodes: { r: { kind: 'router', frr: { config: 'r/frr.conf' } } } }),
      (e: unknown) =>
        e instanceof TopologyError &&
        e.issues[0]?.message === 'the FRR config file "r/frr.conf" cannot be read: the lab was given as text or an object, without a way to read its files',
    );
    assert.deepEqual(problems('name: p\nrouting: ospf\nnodes:\n  r: { kind: router, frr: { config: "router ospf\\n" }, ospf: { area: 1 } }\n'), [
      'lab.yaml:4:56: nodes.r.ospf: router "r" has an FRR config of its own, so nslab writes none for it and its OSPF settings would not be used; remove ospf here, or remove frr.config to have nslab write the configuration',
    ]);
  });
});

describe('the configurations FRR reads: vtysh --dryrun accepts every one (skipped without FRR)', () => {
  const labs: [string, string][] = [
    ['ring, ospf', example('router-ring-ospf.yaml')],
    ['ring, bgp', example('router-ring-bgp.yaml')],
    ['dual-stack ring, ospf', example('router-ring-dual.yaml').replace('routing: static', 'routing: ospf')],
    ['dual-stack ring, bgp', example('router-ring-dual.yaml').replace('routing: static', 'routing: bgp')],
    ['a LAN of routers, areas', TRIANGLE.replace('  r2: { kind: router }', '  r2: { kind: router, ospf: { area: 1 } }')],
  ];
  for (const [name, text] of labs) {
    test(name, (t) => {
      if (!existsSync('/usr/bin/vtysh')) return t.skip('vtysh (Debian package frr) is not installed');
      const dir = mkdtempSync(join(tmpdir(), 'nslab-frr-'));
      try {
        for (const node of parseTopology(text).nodes) {
          if (node.frr === undefined) continue;
          const file = join(dir, `${node.name}.conf`);
          writeFileSync(file, node.frr.config);
          const r = spawnSync('vtysh', ['--dryrun', '-f', file], { encoding: 'utf8' });
          assert.equal(r.status, 0, `${node.name}: ${r.stdout}${r.stderr}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
