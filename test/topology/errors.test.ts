import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { parseTopology, resolveTopology } from '../../src/topology/index.js';
import { errorOf, thrown } from '../helpers/topology.js';

/** The message TopologyError makes of these issue lines. */
function report(lines: string[], file = 'lab.yaml'): string {
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return `${file} has ${count}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

const BAD: { name: string; text: string; lines: string[] }[] = [
  {
    name: 'a YAML syntax error (tab indentation), with the line and column from the yaml library',
    text: 'name: lab\nnodes:\n\tred: {}\n',
    lines: ['lab.yaml:3:1: YAML syntax: tabs are not allowed as indentation; indent with spaces'],
  },
  {
    name: 'an unclosed flow mapping',
    text: 'name: lab\nnodes: { red: {}, green: {}\n',
    lines: [
      'lab.yaml:2:8: YAML syntax: this "{" is never closed; add a "}" where the mapping ends (the YAML reader reached line 3, column 1 without finding one)',
    ],
  },
  {
    name: 'an unclosed [, at the line and column where it opens rather than at the end of the file',
    text: 'name: m\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a, b\n',
    lines: [
      'lab.yaml:6:16: YAML syntax: this "[" is never closed; add a "]" where the list ends (the YAML reader reached line 7, column 1 without finding one)',
    ],
  },
  {
    name: 'a [ closed by a }, inside an unclosed {: each opener at its place',
    text: 'name: m\nnodes: { a: { exec: [x, y }, b: {} }\n',
    lines: [
      'lab.yaml:2:8: YAML syntax: this "{" is never closed; add a "}" where the mapping ends (the YAML reader reached line 3, column 1 without finding one)',
      'lab.yaml:2:21: YAML syntax: this "[" is never closed; add a "]" where the list ends (the YAML reader reached line 2, column 27 without finding one)',
    ],
  },
  {
    name: 'JSON with its outer { and a [ left open',
    text: '{"name": "m", "nodes": {"a": {}, "b": {}}, "links": [{"endpoints": ["a", "b"]}\n',
    lines: [
      'lab.yaml:1:1: YAML syntax: this "{" is never closed; add a "}" where the mapping ends (the YAML reader reached line 2, column 1 without finding one)',
      'lab.yaml:1:53: YAML syntax: this "[" is never closed; add a "]" where the list ends (the YAML reader reached line 2, column 1 without finding one)',
    ],
  },
  {
    name: 'an unclosed double quote, where it opens',
    text: 'name: "lab\nnodes: {}\n',
    lines: [
      'lab.yaml:1:7: YAML syntax: this double quote is never closed; add the closing " where the text ends (the YAML reader reached line 3, column 1 without finding it)',
    ],
  },
  {
    name: 'an unclosed single quote, which leaves its [ open too',
    text: "name: lab\nnodes:\n  a: {}\nlinks:\n  - endpoints: ['a, b]\n",
    lines: [
      'lab.yaml:5:16: YAML syntax: this "[" is never closed; add a "]" where the list ends (the YAML reader reached line 6, column 1 without finding one)',
      "lab.yaml:5:17: YAML syntax: this single quote is never closed; add the closing ' where the text ends (the YAML reader reached line 6, column 1 without finding it)",
    ],
  },
  {
    name: 'a list at the top',
    text: '- red\n- green\n',
    lines: ['lab.yaml:1:1: the top level must be a mapping of name, nodes and links, not a list; start with name: my-lab, as in examples/two-computers.yaml'],
  },
  {
    name: 'an empty file',
    text: '# nothing here\n',
    lines: ['lab.yaml: the topology is empty; a lab needs at least name: and nodes:, as in examples/two-computers.yaml'],
  },
  {
    name: 'an unknown key, with the closest allowed one',
    text: 'name: lab\nnodes: { red: {}, green: {} }\nlink:\n  - endpoints: [red, green]\n',
    lines: [
      'lab.yaml:3:1: link: unknown key "link"; did you mean "links"? the lab takes name, prefix, nodes, links, addressing, routing, ospf, hosts and scenario',
    ],
  },
  {
    name: 'a missing name',
    text: 'nodes: { red: {}, green: {} }\n',
    lines: ['lab.yaml:1:1: missing required key "name"; name the lab, for example name: my-lab'],
  },
  {
    name: 'a bad lab name',
    text: 'name: my_lab!\nnodes: { red: {} }\n',
    lines: [
      `lab.yaml:1:7: name: lab name "my_lab!" contains "!"; use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit, for example my-lab`,
    ],
  },
  {
    name: 'a lab name over 63 characters',
    text: `name: ${'a'.repeat(64)}\nnodes: { red: {} }\n`,
    lines: [`lab.yaml:1:7: name: lab name "${'a'.repeat(64)}" is 64 characters; a lab name has at most 63`],
  },
  {
    name: 'a duplicate node, at the second occurrence',
    text: 'name: lab\nnodes:\n  red: {}\n  green: {}\n  red: {}\n',
    lines: ['lab.yaml:5:3: nodes.red: node "red" is defined twice (first at line 3, column 3); give each node its own name, or merge the two into one'],
  },
  {
    name: 'a duplicate key elsewhere',
    text: 'name: lab\nnodes: { red: {} }\nname: lab2\n',
    lines: ['lab.yaml:3:1: name: key "name" is given twice (first at line 1, column 1); keep only one of them'],
  },
  {
    name: 'a bad node name',
    text: 'name: lab\nnodes:\n  "red box": {}\n  -x: {}\n',
    lines: [
      `lab.yaml:3:3: nodes["red box"]: node name "red box" contains " " (a space); a node name is letters, digits, '_', '.' or '-', starting with a letter or digit, for example red or host-1`,
      `lab.yaml:4:3: nodes["-x"]: node name "-x" starts with "-"; a node name is letters, digits, '_', '.' or '-', starting with a letter or digit, for example red or host-1`,
    ],
  },
  {
    name: 'an unknown node in an endpoint, with the closest name',
    text: 'name: lab\nnodes: { red: {}, green: {} }\nlinks:\n  - endpoints: [red, gren]\n',
    lines: ['lab.yaml:4:22: links[0].endpoints[1]: unknown node "gren"; did you mean "green"? The nodes are red and green'],
  },
  {
    name: 'an unknown node with nothing close',
    text: 'name: lab\nnodes: { red: {}, green: {} }\nlinks:\n  - endpoints: [red, { node: router }]\n',
    lines: ['lab.yaml:4:30: links[0].endpoints[1].node: unknown node "router"; add "router" under nodes:, or use one of red and green'],
  },
  {
    name: 'a link from a node to itself',
    text: 'name: lab\nnodes: { red: {} }\nlinks:\n  - endpoints: ["red:a", "red:b"]\n',
    lines: ['lab.yaml:4:5: links[0]: both ends of the link are on node "red"; a link joins two different nodes: connect red to another node'],
  },
  {
    name: 'an interface used twice on one node, pointing at both places',
    text: 'name: lab\nnodes: { red: {}, green: {}, blue: {} }\nlinks:\n  - endpoints: ["red:eth0", "green"]\n  - endpoints: [blue, { node: red, interface: eth0 }]\n',
    lines: [
      'lab.yaml:5:47: links[1].endpoints[1].interface: interface "eth0" is used twice on node "red": here and at links[0].endpoints[0] (line 4, column 22); give this end another name, or leave the name out to have one chosen',
    ],
  },
  {
    name: 'an interface name over 15 characters (the STYLE.md example, word for word)',
    text: 'name: lab\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a, b]\n  - endpoints: [a, b]\n  - endpoints: [a, b]\n  - endpoints: [a, "b:eth-very-long-name0"]\n',
    lines: ['lab.yaml:7:23: links[3].endpoints[1]: interface name "eth-very-long-name0" is 19 characters; Linux allows 15'],
  },
  {
    name: 'interface names Linux refuses: lo, a slash, empty, ..',
    text: 'name: lab\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a:lo", "b:x/y"]\n  - endpoints: [{ node: a, interface: "" }, { node: b, interface: ".." }]\n  - endpoints: [{ node: a, interface: "e 1" }, { node: b, interface: "eth%d" }]\n',
    lines: [
      'lab.yaml:4:20: links[0].endpoints[0]: interface name "lo" is taken: it is the loopback device every namespace has; choose another name, such as eth0',
      'lab.yaml:4:28: links[0].endpoints[1]: interface name "x/y" contains "/"; Linux interface names have no "/", ":", spaces or control characters',
      'lab.yaml:5:39: links[1].endpoints[0].interface: the interface name is empty; name it, for example eth0, or leave the name out to have one chosen',
      'lab.yaml:5:67: links[1].endpoints[1].interface: ".." cannot be an interface name; choose a name such as eth0',
      'lab.yaml:6:39: links[2].endpoints[0].interface: interface name "e 1" contains " " (a space); Linux interface names have no "/", ":", spaces or control characters',
      'lab.yaml:6:70: links[2].endpoints[1].interface: interface name "eth%d" contains "%"; the kernel reads a "%" as a template (eth%d) and picks another name; Linux interface names have no "/", ":", spaces or control characters',
    ],
  },
  {
    name: 'a prefix that makes namespace names with a slash',
    text: 'name: lab\nprefix: "lab/"\nnodes: { a: {} }\n',
    lines: [
      'lab.yaml:2:9: prefix: prefix "lab/" contains "/"; the prefix starts every namespace name, and namespaces are files under /run/netns: no "/" or control characters',
    ],
  },
  {
    name: 'a namespace name over 255 bytes',
    text: `name: lab\nprefix: "${'x'.repeat(250)}"\nnodes: { short: {}, longer: {} }\n`,
    lines: [
      `lab.yaml:3:21: nodes.longer: namespace name "${'x'.repeat(60)}..." is 256 bytes; a file name under /run/netns has at most 255; shorten the prefix or the node name`,
    ],
  },
  {
    name: 'malformed addresses and prefix lengths, pointed at inside a shorthand string',
    text: 'name: lab\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.0.0.256/24", "b 10.0.0.2/33"]\n  - endpoints:\n      - { node: a, addresses: [10.1.0.1, "fd00::1::2/64", 127.0.0.1/8] }\n      - { node: b, addresses: [fd00::g/64, 10.1.0.2/x] }\n',
    lines: [
      'lab.yaml:4:20: links[0].endpoints[0]: "10.0.0.256" is not an IPv4 address: 256 is over 255; each of the four numbers is 0 to 255',
      'lab.yaml:4:39: links[0].endpoints[1]: prefix length /33 of "10.0.0.2/33" is too long for IPv4; an IPv4 address takes /0 to /32',
      'lab.yaml:6:32: links[1].endpoints[0].addresses[0]: address 10.1.0.1 has no prefix length; write 10.1.0.1/24 to share a /24 with the other end, or 10.1.0.1/32 for this address alone',
      'lab.yaml:6:42: links[1].endpoints[0].addresses[1]: "fd00::1::2" is not an IPv6 address: "::" may appear only once; an IPv6 address is eight groups of 1 to 4 hex digits joined by colons, with one "::" for a run of zero groups, for example fd00::1',
      'lab.yaml:6:59: links[1].endpoints[0].addresses[2]: 127.0.0.1 is a loopback address (127.0.0.0/8 belongs to lo) and cannot be given to an interface; use a private address such as 10.0.0.1/24',
      'lab.yaml:7:32: links[1].endpoints[1].addresses[0]: "fd00::g" is not an IPv6 address: "g" is not a group of 1 to 4 hex digits; an IPv6 address is eight groups of 1 to 4 hex digits joined by colons, with one "::" for a run of zero groups, for example fd00::1',
      'lab.yaml:7:44: links[1].endpoints[1].addresses[1]: "10.1.0.2/x" has "/x" where a prefix length belongs; write a number 0 to 32 after the slash, for example 10.1.0.2/24',
    ],
  },
  {
    name: 'the same address twice in the lab, pointing at both',
    text: 'name: lab\nnodes: { a: {}, b: {}, c: {} }\nlinks:\n  - endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"]\n  - endpoints: ["a", { node: c, addresses: [10.0.0.1/32] }]\n',
    lines: [
      'lab.yaml:5:45: links[1].endpoints[1].addresses[0]: address 10.0.0.1 is given twice: here and at links[0].endpoints[0] (line 4, column 20); every address in a lab must be unique: change one of them',
    ],
  },
  {
    name: 'routes: a dev the node lacks, neither via nor dev, a via of the wrong family, host bits, a fractional metric',
    text:
      'name: lab\nnodes:\n  a:\n    routes:\n      - { to: 10.2.0.0/24, dev: eth1 }\n      - { to: 10.3.0.0/24 }\n      - { to: 10.4.0.0/24, via: fd00::1 }\n' +
      '      - { to: 10.5.0.1/24, via: 10.0.0.2 }\n      - { to: default, via: 10.0.0.2, metric: 10.5 }\n  b: {}\nlinks:\n  - endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"]\n',
    lines: [
      `lab.yaml:5:33: nodes.a.routes[0].dev: node "a" has no interface "eth1"; did you mean "eth0"? a's interfaces are eth0`,
      'lab.yaml:6:9: nodes.a.routes[1]: the route has neither via (a gateway) nor dev (an interface); give one or both, for example { to: 10.0.2.0/24, via: 10.0.1.1 } or { to: 10.0.2.0/24, dev: eth0 }',
      `lab.yaml:7:33: nodes.a.routes[2].via: gateway fd00::1 is IPv6 but destination 10.4.0.0/24 is IPv4; a route's destination and gateway are of one family: use an IPv4 gateway`,
      'lab.yaml:8:15: nodes.a.routes[3].to: destination 10.5.0.1/24 has host bits set; a route goes to a network: write 10.5.0.0/24, or 10.5.0.1/32 for that one host',
      'lab.yaml:9:47: nodes.a.routes[4].metric: must be a whole number, not the number 10.5; for example metric: 100',
    ],
  },
  {
    name: 'routes: a gateway with a prefix length, default6, a duplicate route, a dev on a node without links',
    text: 'name: lab\nnodes:\n  a:\n    routes:\n      - { to: default, via: 10.0.0.1/24 }\n      - { to: default6, via: fd00::1 }\n      - { to: 10.9.0.0/16, dev: eth0 }\n      - { to: 10.9.0.0/16, dev: eth0, metric: 0 }\n  b:\n    routes: [{ to: default, dev: eth0 }]\n',
    lines: [
      'lab.yaml:5:29: nodes.a.routes[0].via: gateway "10.0.0.1/24" has a prefix length; a gateway is one address: write via: 10.0.0.1',
      'lab.yaml:6:15: nodes.a.routes[1].to: "default6" is not a destination; write "default" (its family comes from via, IPv4 with dev alone), or ::/0 for the IPv6 default route through a dev',
      'lab.yaml:7:33: nodes.a.routes[2].dev: node "a" has no interface "eth0"; a has no interfaces: connect it with a link first',
      'lab.yaml:8:33: nodes.a.routes[3].dev: node "a" has no interface "eth0"; a has no interfaces: connect it with a link first',
      'lab.yaml:10:34: nodes.b.routes[0].dev: node "b" has no interface "eth0"; b has no interfaces: connect it with a link first',
    ],
  },
  {
    name: 'a route given twice (metric 0 is the default metric)',
    text: 'name: lab\nnodes:\n  a:\n    routes:\n      - { to: 10.9.0.0/16, via: 10.0.0.2 }\n      - { to: 10.9.0.0/16, via: 10.0.0.3, metric: 0 }\n  b: {}\nlinks: [{ endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"] }]\n',
    lines: [
      'lab.yaml:6:9: nodes.a.routes[1]: the route to 10.9.0.0/16 is given twice in node "a": here and at nodes.a.routes[0] (line 5, column 9); remove one of them, or give them different metrics',
    ],
  },
  {
    name: 'a route through an interface whose bad name is reported is not reported again',
    text: 'name: lab\nnodes:\n  a: { routes: [{ to: default, dev: "a/b" }] }\n  b:\nlinks: [{ endpoints: ["a:a/b", b] }]\n',
    lines: ['lab.yaml:5:26: links[0].endpoints[0]: interface name "a/b" contains "/"; Linux interface names have no "/", ":", spaces or control characters'],
  },
  {
    name: 'wrong types everywhere',
    text: 'name: 42\nprefix: null\nnodes:\n  red: []\n  green: { exec: "ping red" }\nlinks:\n  - endpoints: [red, { node: green, addresses: 10.0.0.2/24 }]\n    mtu: "9000"\n  - endpoints: [red, 7]\n',
    lines: [
      'lab.yaml:1:7: name: must be a string, not the number 42; put it in quotes so YAML reads it as text: "42"',
      'lab.yaml:2:9: prefix: must be a string, not empty (null); for example prefix: "" (namespaces named after the nodes) or prefix: lab1-',
      'lab.yaml:4:8: nodes.red: must be a mapping, not a list; for example red: {} or red: { routes: [{ to: 10.0.2.0/24, via: 10.0.1.1 }] }',
      'lab.yaml:5:18: nodes.green.exec: must be a list, not the string "ping red"; write a list, even of one: [ping red]',
      'lab.yaml:7:48: links[0].endpoints[1].addresses: must be a list, not the string "10.0.0.2/24"; write a list, even of one: [10.0.0.2/24]',
      'lab.yaml:8:10: links[0].mtu: must be a number, not the string "9000"; write it without quotes: 9000',
      'lab.yaml:9:22: links[1].endpoints[1]: must be a string such as "red:eth0 10.0.0.1/24" or a mapping { node, interface, addresses }, not the number 7; for example "red:eth0 10.0.0.1/24" or { node: red, interface: eth0, addresses: [10.0.0.1/24] }',
    ],
  },
  {
    name: 'a link with three endpoints, and an MTU out of range',
    text: 'name: lab\nnodes: { a: {}, b: {}, c: {} }\nlinks:\n  - endpoints: [a, b, c]\n    mtu: 65536\n',
    lines: [
      'lab.yaml:4:16: links[0].endpoints: a link has exactly 2 endpoints; this one has 3; a link is one cable between two nodes: write one link for each cable',
      'lab.yaml:5:10: links[0].mtu: MTU 65536 is out of range; an MTU is 68 to 65535; 1500 is usual for Ethernet',
    ],
  },
  {
    name: 'an MTU past the largest exact number, reported once',
    text: 'name: lab\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a, b]\n    mtu: 1e20\n',
    lines: ['lab.yaml:5:10: links[0].mtu: MTU 100000000000000000000 is out of range; an MTU is 68 to 65535; 1500 is usual for Ethernet'],
  },
  {
    name: 'a metric past the largest exact number, and an infinite MTU, each once',
    text: 'name: lab\nnodes:\n  a: { routes: [{ to: default, dev: eth0, metric: 9007199254740993 }] }\n  b: {}\nlinks:\n  - endpoints: [a, b]\n    mtu: .inf\n',
    lines: [
      'lab.yaml:3:51: nodes.a.routes[0].metric: metric 9007199254740992 is out of range; a metric is 0 to 4294967295; lower is preferred',
      'lab.yaml:7:10: links[0].mtu: MTU Infinity is out of range; an MTU is 68 to 65535; 1500 is usual for Ethernet',
    ],
  },
  {
    name: 'an IPv6 link with an MTU below 1280',
    text: 'name: lab\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a fd00::1/64", "b fd00::2/64"]\n    mtu: 1000\n',
    lines: [
      'lab.yaml:5:10: links[0].mtu: MTU 1000 is below 1280, the least IPv6 works with, and this link has IPv6 addresses; raise it to at least 1280, or use only IPv4 on this link',
    ],
  },
  {
    name: 'a kind that is not one, with the closest',
    text: 'name: lab\nnodes:\n  r1: { kind: ruoter }\n  s: { kind: switch, fowarding: true }\n',
    lines: [
      'lab.yaml:3:15: nodes.r1.kind: must be one of host, router or bridge, not the string "ruoter"; did you mean router?',
      'lab.yaml:4:14: nodes.s.kind: must be one of host, router or bridge, not the string "switch"; for example kind: router (or host, bridge)',
      'lab.yaml:4:22: nodes.s.fowarding: unknown key "fowarding"; did you mean "forwarding"? a node takes kind, forwarding, bridge-name, routes, exec, frr, ospf, bgp and host',
    ],
  },
  {
    name: 'exec entries: empty commands, a non-boolean background, a missing run',
    text: 'name: lab\nnodes:\n  a:\n    exec: ["", { run: "x", background: "yes" }, { background: true }]\n',
    lines: [
      'lab.yaml:4:12: nodes.a.exec[0]: the command is empty; write a shell command, for example "ping -c 1 10.0.0.2", or remove the entry',
      'lab.yaml:4:40: nodes.a.exec[1].background: must be true or false, not the string "yes"; write true or false, without quotes',
      'lab.yaml:4:49: nodes.a.exec[2]: missing required key "run"; give the command, for example run: "python3 -m http.server 80"',
    ],
  },
  {
    name: 'JSON input: positions work the same',
    text: '{\n  "name": "lab",\n  "nodes": { "a": {}, "b": {} },\n  "links": [{ "endpoints": ["a", "c"], "MTU": 1500 }]\n}\n',
    lines: [
      'lab.yaml:4:35: links[0].endpoints[1]: unknown node "c"; add "c" under nodes:, or use one of a and b',
      'lab.yaml:4:40: links[0].MTU: unknown key "MTU"; did you mean "mtu"? a link takes endpoints, mtu, rate, delay, jitter, loss and vni',
    ],
  },
];

describe('a bad topology file gives exactly this report', () => {
  for (const c of BAD) {
    test(c.name, () => {
      assert.equal(errorOf(c.text).message, report(c.lines));
    });
  }
});

test('one file with many problems reports every one of them, in file order', () => {
  const text = `name: class room
prefx: lab-
nodes:
  red:
    routes:
      - { to: 10.0.2.0/24, via: fd00::1 }
      - { to: 10.0.3.0/24, dev: rveht }
    exec: [""]
  green: {}
  green: null
links:
  - endpoints:
      - { node: red, interface: rveth, addresses: [10.0.0.1/24] }
      - { node: gren, interface: gveth, adresses: [10.0.0.2/24] }
  - endpoints: ["red:rveth 10.0.0.1/33", "green:eth-very-long-name0 10.0.0.1/24"]
    mtu: 20
  - endpoints: [red, red]
`;
  const e = errorOf(text, 'class.yaml');
  assert.equal(
    e.message,
    report(
      [
        `class.yaml:1:7: name: lab name "class room" contains " " (a space); use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit, for example my-lab`,
        'class.yaml:2:1: prefx: unknown key "prefx"; did you mean "prefix"? the lab takes name, prefix, nodes, links, addressing, routing, ospf, hosts and scenario',
        `class.yaml:6:33: nodes.red.routes[0].via: gateway fd00::1 is IPv6 but destination 10.0.2.0/24 is IPv4; a route's destination and gateway are of one family: use an IPv4 gateway`,
        `class.yaml:7:33: nodes.red.routes[1].dev: node "red" has no interface "rveht"; did you mean "rveth"? red's interfaces are rveth`,
        'class.yaml:8:12: nodes.red.exec[0]: the command is empty; write a shell command, for example "ping -c 1 10.0.0.2", or remove the entry',
        'class.yaml:10:3: nodes.green: node "green" is defined twice (first at line 9, column 3); give each node its own name, or merge the two into one',
        'class.yaml:14:17: links[0].endpoints[1].node: unknown node "gren"; did you mean "green"? The nodes are red and green',
        'class.yaml:14:41: links[0].endpoints[1].adresses: unknown key "adresses"; did you mean "addresses"? an endpoint takes node, interface, addresses, mtu, rate, delay, jitter and loss',
        'class.yaml:15:22: links[1].endpoints[0]: interface "rveth" is used twice on node "red": here and at links[0].endpoints[0].interface (line 13, column 33); give this end another name, or leave the name out to have one chosen',
        'class.yaml:15:28: links[1].endpoints[0]: prefix length /33 of "10.0.0.1/33" is too long for IPv4; an IPv4 address takes /0 to /32',
        'class.yaml:15:49: links[1].endpoints[1]: interface name "eth-very-long-name0" is 19 characters; Linux allows 15',
        'class.yaml:15:69: links[1].endpoints[1]: address 10.0.0.1 is given twice: here and at links[0].endpoints[0].addresses[0] (line 13, column 52); every address in a lab must be unique: change one of them',
        'class.yaml:16:10: links[1].mtu: MTU 20 is out of range; an MTU is 68 to 65535; 1500 is usual for Ethernet',
        'class.yaml:17:5: links[2]: both ends of the link are on node "red"; a link joins two different nodes: connect red to another node',
      ],
      'class.yaml',
    ),
  );
  assert.equal(e.code, 'NSLAB_TOPOLOGY');
  assert.equal(e.file, 'class.yaml');
  assert.equal(e.issues.length, 14);
  assert.deepEqual(e.issues[10], {
    path: 'links[1].endpoints[1]',
    message: 'interface name "eth-very-long-name0" is 19 characters',
    hint: 'Linux allows 15',
    line: 15,
    column: 49,
  });
});

test('without a file name the report says "topology" and positions still come from the text', () => {
  const e = thrown(() => parseTopology('name: x\nnodes: { a: {} }\nlinks: [{ endpoints: [a, b] }]\n'));
  assert.equal(e.file, undefined);
  assert.equal(e.message, 'topology has 1 problem:\n  3:26: links[0].endpoints[1]: unknown node "b"; add "b" under nodes:, or use one of a');
});

test('resolveTopology reports the same problems with paths and no line numbers, in document order', () => {
  const e = thrown(() =>
    resolveTopology({ name: 'x', nodes: { a: {}, b: null }, links: [{ endpoints: ['a:eth0 10.0.0.1', { node: 'c', interface: 'eth0' }] }], extra: true }),
  );
  assert.deepEqual(e.issues, [
    {
      path: 'links[0].endpoints[0]',
      message: 'address 10.0.0.1 has no prefix length',
      hint: 'write 10.0.0.1/24 to share a /24 with the other end, or 10.0.0.1/32 for this address alone',
    },
    { path: 'links[0].endpoints[1].node', message: 'unknown node "c"', hint: 'add "c" under nodes:, or use one of a and b' },
    { path: 'extra', message: 'unknown key "extra"', hint: 'the lab takes name, prefix, nodes, links, addressing, routing, ospf, hosts and scenario' },
  ]);
});

test('resolveTopology of something that is not a mapping', () => {
  assert.throws(
    () => resolveTopology('name: x'),
    (e: unknown) =>
      e instanceof TopologyError &&
      e.message ===
        'topology has 1 problem:\n  the top level must be a mapping of name, nodes and links, not the string "name: x"; start with name: my-lab, as in examples/two-computers.yaml',
  );
  assert.throws(() => resolveTopology(undefined), /the topology is empty/);
});

test('onRead hears the name and node count once, as soon as the YAML is read: for a good file, a bad one, and one only the placing reader reads', () => {
  const heard = (text: string): { name: unknown; nodes: number }[] => {
    const calls: { name: unknown; nodes: number }[] = [];
    try {
      parseTopology(text, { onRead: (read) => calls.push(read) });
    } catch (e) {
      assert.ok(e instanceof TopologyError);
    }
    return calls;
  };
  assert.deepEqual(heard('name: good\nnodes: { a: {}, b: {}, c: {} }\nlinks: [{ endpoints: [a, b] }]\n'), [{ name: 'good', nodes: 3 }]);
  // Read by both readers (the quick one finds a problem, the placing one reports it): told once.
  assert.deepEqual(heard('name: bad\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: [a, z] }]\n'), [{ name: 'bad', nodes: 2 }]);
  // An anchor and alias: only the placing reader reads it.
  assert.deepEqual(heard('name: alias\nnodes: { a: &h {}, b: *h }\n'), [{ name: 'alias', nodes: 2 }]);
  // Not YAML at all, or no nodes: nothing to tell, or no nodes.
  assert.deepEqual(heard('name: [\n'), []);
  assert.deepEqual(heard('name: 7\n'), [{ name: 7, nodes: 0 }]);
});
