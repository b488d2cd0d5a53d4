import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError, type TopologyIssue } from '../../src/errors.js';
import { convertClab, isClabText, parseTopology, printNslab, type ResolvedLab } from '../../src/topology/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'clab');

/** A fixture's text, and a reader of the files beside it (as the api gives one over the disk). */
function fixture(path: string): { text: string; file: string; read: (p: string) => string } {
  const file = join(FIXTURES, path);
  return { text: readFileSync(file, 'utf8'), file: path, read: (p) => readFileSync(join(dirname(file), p), 'utf8') };
}

/** A reader over a few files. */
const files =
  (map: Record<string, string>) =>
  (path: string): string => {
    const text = map[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };

const short = (i: TopologyIssue): string => `${i.line ?? '?'}:${i.column ?? '?'}: ${i.path}: ${i.message}`;

/** The issues (line:column: path: message) a containerlab text is refused with. */
function refusal(text: string, read?: (p: string) => string, file = 'lab.clab.yml'): string[] {
  try {
    convertClab(text, read !== undefined ? { file, read } : { file });
  } catch (e) {
    assert.ok(e instanceof TopologyError, String(e));
    assert.equal(e.file, file);
    return e.issues.map(short);
  }
  assert.fail('the file was converted');
}

const nodeOf = (lab: ResolvedLab, name: string) => {
  const n = lab.nodes.find((x) => x.name === name);
  assert.ok(n, `node ${name}`);
  return n;
};

describe("containerlab's frr01 (lab-examples): three FRR routers in an OSPF triangle and three PCs", () => {
  const { text, file, read } = fixture('frr01/frr01.clab.yml');

  test('it is a containerlab file, by its name and by its shape', () => {
    assert.equal(isClabText(text, file), true);
    assert.equal(isClabText(text), true);
    assert.equal(isClabText(readFileSync(new URL('../../examples/two-lans.yaml', import.meta.url), 'utf8'), 'two-lans.yaml'), false);
    assert.equal(isClabText('{"name": "x", "topology": {"nodes": {}}}'), true);
    assert.equal(isClabText('{"name": "x", "nodes": {"a": {}}}'), false);
  });

  test('six nodes, named and made as containerlab names its containers', () => {
    const lab = parseTopology(text, { file, read });
    assert.equal(lab.name, 'frr01');
    assert.deepEqual(
      lab.nodes.map((n) => `${n.name} ${n.netns} ${n.kind}${n.forwarding ? ' forwarding' : ''}`),
      [
        'router1 clab-frr01-router1 router forwarding',
        'router2 clab-frr01-router2 router forwarding',
        'router3 clab-frr01-router3 router forwarding',
        'PC1 clab-frr01-PC1 host',
        'PC2 clab-frr01-PC2 host',
        'PC3 clab-frr01-PC3 host',
      ],
    );
  });

  test("the six links as the file has them, with containerlab's MTU and no addresses (FRR and exec set them)", () => {
    const lab = parseTopology(text, { file, read });
    assert.deepEqual(
      lab.links.map((l) => l.id),
      [
        'router1:eth1--router2:eth1',
        'router1:eth2--router3:eth1',
        'router2:eth2--router3:eth2',
        'PC1:eth1--router1:eth3',
        'PC2:eth1--router2:eth3',
        'PC3:eth1--router3:eth3',
      ],
    );
    assert.deepEqual(new Set(lab.links.map((l) => l.mtu)), new Set([9500]));
    assert.deepEqual(
      lab.links.flatMap((l) => [...l.a.addresses, ...l.b.addresses]),
      [],
    );
  });

  test("each router's FRR: the daemons its daemons file sets to yes, its frr.conf as it is, and where it is", () => {
    const lab = parseTopology(text, { file, read });
    for (const r of ['router1', 'router2', 'router3']) {
      assert.deepEqual(nodeOf(lab, r).frr, {
        daemons: ['zebra', 'ospfd', 'ldpd', 'staticd'],
        config: fixture(`frr01/${r}/frr.conf`).text,
        source: { kind: 'file', file: `frr01/${r}/frr.conf` },
      });
    }
  });

  test('the PCs keep their exec commands, in order, addresses and routes included', () => {
    const lab = parseTopology(text, { file, read });
    assert.deepEqual(
      nodeOf(lab, 'PC1').exec.map((e) => e.run),
      [
        'ip link set eth1 up',
        'ip addr add 192.168.11.2/24 dev eth1',
        'ip route add 192.168.0.0/16 via 192.168.11.1 dev eth1',
        'ip route add 10.10.10.0/24 via 192.168.11.1 dev eth1',
      ],
    );
    assert.equal(nodeOf(lab, 'PC1').routes.length, 0);
  });

  test('what is left out is said once for each place: the images', () => {
    const { warnings } = convertClab(text, { file, read });
    assert.deepEqual(warnings.map(short), [
      "7:7: topology.groups.routers.image: router1, router2 and router3: image quay.io/frrouting/frr:10.5.1 is not run: FRR here is this machine's (Debian's frr package), whatever version the image has",
      "10:7: topology.groups.hosts.image: PC1, PC2 and PC3: image wbitt/network-multitool:3.22.2 is not run: commands here run this machine's programs",
    ]);
    assert.deepEqual(parseTopology(text, { file, read }).warnings, warnings);
  });

  test('printed as an nslab file, it reads back as the same lab', () => {
    const { raw, warnings } = convertClab(text, { file, read });
    const printed = printNslab(raw, { header: ['converted from frr01.clab.yml'] });
    assert.match(printed, /^# converted from frr01\.clab\.yml\n/);
    assert.match(printed, /\n {2}router1:\n {4}kind: router\n {4}frr:\n {6}daemons: \[ospfd, ldpd\]\n {6}config: router1\/frr\.conf\n/);
    assert.match(printed, /\n {2}- endpoints: \[router1:eth1, router2:eth1\]\n {4}mtu: 9500\n/);
    const mine = parseTopology(printed, { file: 'frr01/frr01.yaml', read });
    const theirs = parseTopology(text, { file, read });
    assert.equal(warnings.length, 2);
    const { warnings: _said, ...lab } = theirs;
    assert.deepEqual(mine, lab);
  });
});

describe("containerlab's own labs that a namespace cannot be: every refusal, at its line", () => {
  const REFUSED: Record<string, string[]> = {
    'srlfrr01/srlfrr01.clab.yml': [
      '6:13: topology.nodes.srl.kind: node "srl" is of kind nokia_srlinux, a vendor\'s network OS, which runs in its own image: a network namespace cannot be it',
    ],
    'br01/br01.clab.yml': [
      '11:13: topology.nodes.srl1.kind: node "srl1" is of kind nokia_srlinux, a vendor\'s network OS, which runs in its own image: a network namespace cannot be it',
      '13:13: topology.nodes.srl2.kind: node "srl2" is of kind nokia_srlinux, a vendor\'s network OS, which runs in its own image: a network namespace cannot be it',
      '15:13: topology.nodes.srl3.kind: node "srl3" is of kind nokia_srlinux, a vendor\'s network OS, which runs in its own image: a network namespace cannot be it',
    ],
    'cvx01/topo.clab.yml': [
      '6:13: topology.nodes.sw1.kind: node "sw1" is of kind cumulus_cvx, a vendor\'s network OS, which runs in its own image: a network namespace cannot be it',
    ],
    'smoke/01-linux-nodes.clab.yml': [
      '55:21: topology.nodes.l3.network-mode: node "l3" has network-mode: host, which makes it this machine\'s own network',
      "70:13: topology.links[3].type: this link is of type host, which nslab cannot make: it puts the other end in this machine's own network, which nslab never touches",
      '77:13: topology.links[4].type: this link is of type mgmt-net, which nslab cannot make: it joins the management network, and nslab makes none',
      '84:13: topology.links[5].type: this link is of type dummy, which nslab cannot make: nslab makes no dummy interfaces',
    ],
    'smoke/03-linux-nodes-to-bridge-and-host.clab.yml': [
      '18:13: topology.nodes.hostnode.kind: node "hostnode" is of kind host, which nslab cannot make: it stands for this machine\'s own network, which nslab never touches',
      '25:30: topology.links[2].endpoints[1]: this link goes to containerlab\'s host ("host:l1-01-03-eth3"), which nslab cannot make: it puts the other end in this machine\'s own network, which nslab never touches',
    ],
    // l3 is empty: it takes kind linux and network-mode host from group g3, the default group.
    'smoke/24-basic-groups.clab.yaml': ['48:21: topology.groups.g3.network-mode: node "l3" has network-mode: host, which makes it this machine\'s own network'],
    'smoke/24-bridge-in-ns.clab.yaml': [
      '6:21: topology.nodes["br01|bp1"].network-mode: node "br01|bp1" shares the network namespace of "bp1" (network-mode: container:bp1), and in nslab each node is a namespace of its own',
    ],
  };
  for (const [path, issues] of Object.entries(REFUSED)) {
    test(path, () => {
      const { text, read } = fixture(path);
      assert.deepEqual(refusal(text, read, path), issues);
    });
  }

  test('each refusal says what to do', () => {
    const { text, read } = fixture('smoke/01-linux-nodes.clab.yml');
    try {
      convertClab(text, { file: 'x.clab.yml', read });
    } catch (e) {
      assert.ok(e instanceof TopologyError);
      assert.deepEqual(
        e.issues.map((i) => i.hint),
        [
          "nslab never touches the machine's network: remove network-mode, or use containerlab for this lab",
          'remove the link, or use containerlab for this lab',
          'remove the link, or use containerlab for this lab',
          'remove the link and make the interface in exec: ip link add NAME type dummy && ip link set NAME up',
        ],
      );
    }
  });
});

const INHERIT = `name: inherit
prefix: lab
topology:
  defaults:
    kind: linux
    exec: [ip link set eth1 up]
  kinds:
    linux:
      image: alpine:3
      exec: [echo kind]
  groups:
    routers:
      image: quay.io/frrouting/frr:10.5.1
      binds: [r1/daemons:/etc/frr/daemons]
      sysctls: { net.ipv4.conf.all.rp_filter: 0, kernel.pid_max: 65536 }
  nodes:
    r1:
      group: routers
      binds: [r1/frr.conf:/etc/frr/frr.conf]
      exec: [ip link set eth1 up, echo r1]
    r2:
      group: routers
      binds: [r2:/etc/frr/]
    h1:
      sysctls: { net.ipv4.ip_forward: 1 }
    h2:
    sw:
      kind: bridge
  links:
    - endpoints: [r1:eth1, r2:eth1]
    - type: veth
      endpoints: [{ node: r1, interface: eth2 }, { node: sw, interface: p1 }]
      mtu: 1500
    - endpoints: [h1:eth1, sw:p2]
    - endpoints: [h2:eth1, sw:p3]
    - endpoints: [h2:eth2, r2:eth2]
`;
const INHERIT_FILES = files({ 'r1/frr.conf': 'router ospf\n', 'r1/daemons': 'ospfd=yes\n', 'r2/frr.conf': 'router bgp 65002\n', 'r2/daemons': 'bgpd=yes\n' });

describe('inheritance: node, then group, then kind, then defaults, as containerlab resolves them', () => {
  test('kinds and groups fill what a node leaves out; exec joins from the defaults to the node, each command once', () => {
    const lab = parseTopology(INHERIT, { file: 'lab.clab.yml', read: INHERIT_FILES });
    assert.deepEqual(
      lab.nodes.map((n) => `${n.name} ${n.netns} ${n.kind}${n.forwarding ? ' forwarding' : ''}: ${n.exec.map((e) => e.run).join('; ')}`),
      [
        'r1 lab-inherit-r1 router forwarding: sysctl -w net.ipv4.conf.all.rp_filter=0; ip link set eth1 up; echo kind; echo r1',
        'r2 lab-inherit-r2 router forwarding: sysctl -w net.ipv4.conf.all.rp_filter=0; ip link set eth1 up; echo kind',
        'h1 lab-inherit-h1 host forwarding: ip link set eth1 up; echo kind',
        'h2 lab-inherit-h2 host forwarding: ip link set eth1 up; echo kind',
        'sw lab-inherit-sw bridge: ',
      ],
    );
    assert.equal(nodeOf(lab, 'sw').bridge, 'sw');
  });

  test('FRR from binds: a file each, or a directory bound to /etc/frr with its frr.conf and daemons', () => {
    const lab = parseTopology(INHERIT, { file: 'lab.clab.yml', read: INHERIT_FILES });
    assert.deepEqual(nodeOf(lab, 'r1').frr, { daemons: ['zebra', 'ospfd', 'staticd'], config: 'router ospf\n', source: { kind: 'file', file: 'r1/frr.conf' } });
    // r2's directory has a daemons file, and the group's bind of r1/daemons to /etc/frr/daemons lies over it.
    assert.deepEqual(nodeOf(lab, 'r2').frr, {
      daemons: ['zebra', 'ospfd', 'staticd'],
      config: 'router bgp 65002\n',
      source: { kind: 'file', file: 'r2/frr.conf' },
    });
    assert.deepEqual(
      parseTopology(INHERIT.replace('      binds: [r1/daemons:/etc/frr/daemons]\n', ''), { file: 'lab.clab.yml', read: INHERIT_FILES }).nodes.find(
        (n) => n.name === 'r2',
      )?.frr?.daemons,
      ['zebra', 'bgpd', 'staticd'],
    );
  });

  test('what is left out, each where it is written, for all the nodes it concerns', () => {
    const { warnings } = convertClab(INHERIT, { file: 'lab.clab.yml', read: INHERIT_FILES });
    assert.deepEqual(warnings.map(short), [
      '6:5: topology.defaults.exec: sw: exec is left out: a bridge runs nothing',
      "9:7: topology.kinds.linux.image: h1 and h2: image alpine:3 is not run: commands here run this machine's programs",
      "13:7: topology.groups.routers.image: r1 and r2: image quay.io/frrouting/frr:10.5.1 is not run: FRR here is this machine's (Debian's frr package), whatever version the image has",
      '14:15: topology.groups.routers.binds[0]: the FRR config of "r2" needs bgpd (line 1: router bgp 65002), which is not among its daemons: FRR leaves that part out',
      '15:50: topology.groups.routers.sysctls["kernel.pid_max"]: r1 and r2: sysctl kernel.pid_max is left out: it is this machine\'s, not one network namespace\'s',
      "28:13: topology.nodes.sw.kind: sw: made as a bridge inside the lab, in a namespace of its own (containerlab's bridge is a bridge of this machine, made beforehand)",
    ]);
  });

  test('a group that does not exist, a node without a kind, a kind that does not exist', () => {
    assert.deepEqual(
      refusal('name: g\ntopology:\n  groups: { routers: {} }\n  nodes:\n    a: { kind: linux, group: router }\n    b: {}\n    c: { kind: linx }\n'),
      [
        '5:30: topology.nodes.a.group: node "a" is in group "router", and the file has no such group',
        '6:5: topology.nodes.b: node "b" has no kind',
        '7:16: topology.nodes.c.kind: unknown kind "linx"',
      ],
    );
  });

  test('a key containerlab does not know either, with the nearest it does', () => {
    const text = 'name: k\ntopology:\n  nodes:\n    a: { kind: linux, execs: [x] }\n  link: []\n';
    try {
      convertClab(text, { file: 'k.clab.yml' });
      assert.fail('converted');
    } catch (e) {
      assert.ok(e instanceof TopologyError);
      assert.deepEqual(e.issues.map(short), ['4:23: topology.nodes.a.execs: unknown key "execs"', '5:3: topology.link: unknown key "link"']);
      assert.match(e.issues[0]?.hint ?? '', /^did you mean "exec"\? a node takes image, image-pull-policy, restart-policy, kind, /);
      assert.equal(e.issues[1]?.hint, 'did you mean "links"? topology takes nodes, groups, kinds, defaults and links');
    }
  });
});

describe('nodes and links', () => {
  test('a linux node with two links forwards, as under Docker; with one, it is a plain host', () => {
    const lab = parseTopology(INHERIT, { file: 'lab.clab.yml', read: INHERIT_FILES });
    assert.equal(nodeOf(lab, 'h2').forwarding, true);
    const one = parseTopology('name: o\ntopology:\n  nodes: { a: { kind: linux }, b: { kind: linux } }\n  links: [{ endpoints: [a:eth1, b:eth1] }]\n');
    assert.equal(nodeOf(one, 'a').forwarding, false);
  });

  test('prefix: as containerlab names containers', () => {
    const ns = (prefix: string | undefined): string =>
      parseTopology(`name: p\n${prefix !== undefined ? `prefix: ${prefix}\n` : ''}topology:\n  nodes: { a: { kind: linux } }\n`).nodes[0]?.netns ?? '';
    assert.deepEqual([ns(undefined), ns('__lab-name'), ns('""'), ns('mine')], ['clab-p-a', 'p-a', 'a', 'mine-p-a']);
  });

  test('links in both forms; addresses, MACs and vars are left out, and said', () => {
    const text = [
      'name: l',
      'topology:',
      '  nodes: { a: { kind: linux }, b: { kind: linux } }',
      '  links:',
      '    - endpoints: ["a:eth1", "b:eth1"]',
      '      ipv4: [10.0.0.1/24, 10.0.0.2/24]',
      '      vars: { x: 1 }',
      '    - type: veth',
      '      mtu: 1400',
      '      endpoints:',
      '        - { node: a, interface: eth2, mac: "02:00:00:00:00:01" }',
      '        - { node: b, interface: eth2, ipv6: "fd00::2/64" }',
      '    - type: veth-stitch',
      '      endpoints: [{ node: a, interface: eth3 }, { node: b, interface: eth3 }]',
      '',
    ].join('\n');
    const { raw, warnings } = convertClab(text, { file: 'l.clab.yml' });
    assert.deepEqual(raw.links, [
      {
        endpoints: [
          { node: 'a', interface: 'eth1' },
          { node: 'b', interface: 'eth1' },
        ],
        mtu: 9500,
      },
      {
        endpoints: [
          { node: 'a', interface: 'eth2' },
          { node: 'b', interface: 'eth2' },
        ],
        mtu: 1400,
      },
      {
        endpoints: [
          { node: 'a', interface: 'eth3' },
          { node: 'b', interface: 'eth3' },
        ],
        mtu: 9500,
      },
    ]);
    assert.deepEqual(warnings.map(short), [
      '6:7: topology.links[0].ipv4: ipv4 is left out: containerlab sets these addresses only on some vendor kinds, never on a linux node',
      "7:7: topology.links[0].vars: vars is left out: it is for containerlab's templates",
      '11:39: topology.links[1].endpoints[0].mac: the MAC address 02:00:00:00:00:01 is left out: the kernel chooses one',
      '12:39: topology.links[1].endpoints[1].ipv6: ipv6 is left out: containerlab sets these addresses only on some vendor kinds, never on a linux node',
      '13:13: topology.links[2].type: this veth-stitch link is made as a plain cable: containerlab stitches one to capture or impair traffic it cannot reach otherwise, and a cable here can be captured and impaired itself',
    ]);
  });

  test("nslab's own checks, placed in the containerlab file: a long interface name at its character, an unknown node, a name used twice", () => {
    const text = [
      'name: n',
      'topology:',
      '  nodes:',
      '    router1: { kind: linux }',
      '    router2: { kind: linux }',
      '  links:',
      '    - endpoints: ["router1:eth-very-long-name0", "router2:eth1"]',
      '    - endpoints: ["router1:eth2", "routr3:eth1"]',
      '    - type: veth',
      '      endpoints: [{ node: router1, interface: eth2 }, { node: router2, interface: eth2 }]',
      '',
    ].join('\n');
    assert.deepEqual(refusal(text), [
      '7:28: topology.links[0].endpoints[0]: interface name "eth-very-long-name0" is 19 characters',
      '8:36: topology.links[1].endpoints[1]: unknown node "routr3"',
      '10:47: topology.links[2].endpoints[0].interface: interface "eth2" is used twice on node "router1": here and at topology.links[1].endpoints[0] (line 8, column 28)',
    ]);
  });

  test('a bridge: a bridge node named after it, or br0 when its name is no interface name', () => {
    const text =
      'name: b\ntopology:\n  nodes:\n    br-clab: { kind: bridge }\n    a-very-long-bridge: { kind: ovs-bridge }\n    h: { kind: linux }\n  links:\n    - endpoints: [h:eth1, br-clab:eth1]\n    - endpoints: [h:eth2, a-very-long-bridge:eth1]\n';
    const lab = parseTopology(text);
    assert.deepEqual(
      lab.nodes.map((n) => [n.name, n.kind, n.bridge]),
      [
        ['br-clab', 'bridge', 'br-clab'],
        ['a-very-long-bridge', 'bridge', 'br0'],
        ['h', 'host', undefined],
      ],
    );
    assert.deepEqual(lab.warnings?.map(short), [
      "4:22: topology.nodes.br-clab.kind: br-clab: made as a bridge inside the lab, in a namespace of its own (containerlab's bridge is a bridge of this machine, made beforehand)",
      '5:33: topology.nodes.a-very-long-bridge.kind: a-very-long-bridge: made as a bridge inside the lab, in a namespace of its own (containerlab\'s ovs-bridge is a bridge of this machine, made beforehand), and a Linux bridge, not Open vSwitch; its device is br0, since "a-very-long-bridge" cannot be an interface name',
    ]);
  });

  test("nslab's kind frr: startup-config written inline (its line kept), extras.frr.daemons, both said to be nslab's own", () => {
    const text = [
      'name: f',
      'topology:',
      '  nodes:',
      '    r1:',
      '      kind: frr',
      '      extras: { frr: { daemons: [bgpd] } }',
      '      startup-config: |',
      '        router bgp 65001',
      '         neighbor 10.0.0.1 remote-as 65002',
      '',
    ].join('\n');
    const lab = parseTopology(text, { file: 'f.clab.yml' });
    assert.deepEqual(nodeOf(lab, 'r1').frr, {
      daemons: ['zebra', 'bgpd', 'staticd'],
      config: 'router bgp 65001\n neighbor 10.0.0.1 remote-as 65002\n',
      source: { kind: 'inline', file: 'f.clab.yml', line: 8 },
    });
    assert.deepEqual(lab.warnings?.map(short), [
      "5:13: topology.nodes.r1.kind: r1: kind frr is nslab's own; containerlab has no such kind (it runs FRR as kind: linux with an FRR image) and would refuse this file",
      "6:17: topology.nodes.r1.extras.frr: r1: extras.frr is nslab's own; containerlab has none and would refuse this file",
    ]);
    assert.deepEqual(refusal(text.replace('[bgpd]', '[bgp]')), [
      '6:34: topology.nodes.r1.extras.frr.daemons[0]: must be one of zebra, bgpd, ripd, ripngd, ospfd, ospf6d, isisd, babeld, pimd, pim6d, ldpd, nhrpd, eigrpd, sharpd, pbrd, staticd, bfdd, fabricd, vrrpd or pathd, not the string "bgp"',
    ]);
  });

  test('an FRR file that cannot be read is a problem at the bind that names it', () => {
    const text = 'name: r\ntopology:\n  nodes:\n    r1: { kind: linux, binds: [r1/daemons:/etc/frr/daemons, r1/frr.conf:/etc/frr/frr.conf] }\n';
    assert.deepEqual(refusal(text, files({ 'r1/daemons': 'ospfd=yes\n' })), [
      "4:61: topology.nodes.r1.binds[1]: cannot read the FRR config r1/frr.conf: ENOENT: no such file or directory, open 'r1/frr.conf'",
    ]);
    assert.deepEqual(refusal(text, files({})), [
      "4:32: topology.nodes.r1.binds[0]: cannot read the FRR daemons file r1/daemons: ENOENT: no such file or directory, open 'r1/daemons'",
    ]);
  });

  test('templates are refused where the first one is; environment variables are read as written, and said', () => {
    assert.deepEqual(refusal('name: t\ntopology:\n  nodes:\n    {{ range .nodes }}\n'), [
      '4:5: : this file is a containerlab template ({{ ... }}), which containerlab renders before reading it, and nslab reads files as written',
    ]);
    const { warnings } = convertClab('name: e\ntopology:\n  nodes:\n    a: { kind: linux, image: "${IMG:=alpine}" }\n', { file: 'e.clab.yml' });
    assert.deepEqual(
      warnings.map(short).filter((w) => w.includes('environment')),
      ['4:31: : ${IMG:=alpine} is read as written: containerlab would put the environment variable IMG (or the default) here before reading the file'],
    );
  });
});
