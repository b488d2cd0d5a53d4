/**
 * What each place in a topology is, for messages: its name as a learner reads it and an example of what to
 * write there. Keyed by a path pattern: node names as `*`, list indexes as `#`.
 */
import type { Path } from './issues.js';

interface Field {
  /** What goes here, e.g. "a route". */
  what: string;
  /** An example of a correct value. */
  example: string;
  /** For a mapping: what kind of mapping, to list its keys in "unknown key" messages. */
  mapping?: 'lab' | 'node' | 'route' | 'exec' | 'link' | 'endpoint' | 'addressing' | 'frr' | 'ospf' | 'bgp' | 'host' | 'step' | 'expect';
  /** What to say when this key is missing. */
  missing?: string;
}

const ENDPOINT_EXAMPLE = '"red:eth0 10.0.0.1/24" or { node: red, interface: eth0, addresses: [10.0.0.1/24] }';

const FIELDS: Record<string, Field> = {
  '': { what: 'a lab', example: 'name: my-lab, nodes: { red: {}, green: {} } and links: [...], as in examples/two-computers.yaml', mapping: 'lab' },
  $schema: { what: 'the JSON Schema address', example: '$schema: ./schema/nslab-topology.schema.json' },
  name: { what: 'the lab name', example: 'name: my-lab', missing: 'name the lab, for example name: my-lab' },
  prefix: { what: 'the namespace name prefix', example: 'prefix: "" (namespaces named after the nodes) or prefix: lab1-' },
  nodes: { what: 'the nodes', example: 'nodes: { red: {}, green: {} }', missing: 'list the computers of the lab, for example nodes: { red: {}, green: {} }' },
  'nodes.*': { what: 'a node', example: 'red: {} or red: { routes: [{ to: 10.0.2.0/24, via: 10.0.1.1 }] }', mapping: 'node' },
  'nodes.*.kind': { what: 'the kind of node', example: 'kind: router (or host, bridge)' },
  'nodes.*.forwarding': { what: 'forwarding', example: 'forwarding: true' },
  'nodes.*.bridge-name': { what: 'the bridge device name', example: 'bridge-name: br0' },
  'nodes.*.routes': { what: 'the routes', example: 'routes: [{ to: 10.0.2.0/24, via: 10.0.1.1 }]' },
  'nodes.*.routes.#': { what: 'a route', example: '{ to: 10.0.2.0/24, via: 10.0.1.1 }', mapping: 'route' },
  'nodes.*.routes.#.to': {
    what: 'the destination',
    example: 'to: 10.0.2.0/24',
    missing: 'say where the route goes, for example to: 10.0.2.0/24 or to: default',
  },
  'nodes.*.routes.#.via': { what: 'the gateway', example: 'via: 10.0.1.1' },
  'nodes.*.routes.#.dev': { what: 'the interface', example: 'dev: eth0' },
  'nodes.*.routes.#.metric': { what: 'the metric', example: 'metric: 100' },
  'nodes.*.exec': { what: 'the commands', example: 'exec: ["ping -c 1 10.0.0.2"]' },
  'nodes.*.exec.#': { what: 'a command', example: '"ping -c 1 10.0.0.2" or { run: "python3 -m http.server 80", background: true }', mapping: 'exec' },
  'nodes.*.exec.#.run': {
    what: 'the command',
    example: 'run: "python3 -m http.server 80"',
    missing: 'give the command, for example run: "python3 -m http.server 80"',
  },
  'nodes.*.exec.#.background': { what: 'background', example: 'background: true' },
  links: { what: 'the links', example: 'links: [{ endpoints: ["red:eth0 10.0.0.1/24", "green:eth0 10.0.0.2/24"] }]' },
  'links.#': { what: 'a link', example: '{ endpoints: ["red:eth0 10.0.0.1/24", "green:eth0 10.0.0.2/24"] }', mapping: 'link' },
  'links.#.endpoints': {
    what: 'the endpoints',
    example: 'endpoints: ["red:eth0 10.0.0.1/24", "green:eth0 10.0.0.2/24"]',
    missing: 'give the two ends of the cable, for example endpoints: ["red:eth0 10.0.0.1/24", "green:eth0 10.0.0.2/24"]',
  },
  'links.#.endpoints.#': { what: 'an endpoint', example: ENDPOINT_EXAMPLE, mapping: 'endpoint' },
  'links.#.endpoints.#.node': { what: 'the node', example: 'node: red', missing: 'say which node this end plugs into, for example node: red' },
  'links.#.endpoints.#.interface': { what: 'the interface name', example: 'interface: eth0' },
  'links.#.endpoints.#.addresses': { what: 'the addresses', example: 'addresses: [10.0.0.1/24]' },
  'links.#.endpoints.#.addresses.#': { what: 'an address', example: '10.0.0.1/24' },
  'links.#.mtu': { what: 'the MTU', example: 'mtu: 1500' },
  'links.#.rate': { what: 'the rate', example: 'rate: 10mbit' },
  'links.#.delay': { what: 'the delay', example: 'delay: 20ms' },
  'links.#.jitter': { what: 'the jitter', example: 'jitter: 5ms' },
  'links.#.loss': { what: 'the loss', example: 'loss: 1%' },
  'links.#.endpoints.#.mtu': { what: 'the MTU', example: 'mtu: 1500' },
  'links.#.endpoints.#.rate': { what: 'the rate', example: 'rate: 10mbit' },
  'links.#.endpoints.#.delay': { what: 'the delay', example: 'delay: 20ms' },
  'links.#.endpoints.#.jitter': { what: 'the jitter', example: 'jitter: 5ms' },
  'links.#.endpoints.#.loss': { what: 'the loss', example: 'loss: 1%' },
  addressing: { what: 'the address pools', example: 'addressing: { p2p: 10.255.0.0/16, lan: 10.1.0.0/16, ipv6: "fd00::/48" }', mapping: 'addressing' },
  'addressing.p2p': { what: 'the point-to-point pool', example: 'p2p: 10.255.0.0/16' },
  'addressing.lan': { what: 'the LAN pool', example: 'lan: 10.1.0.0/16' },
  'addressing.ipv6': { what: 'the IPv6 pool', example: 'ipv6: "fd00::/48"' },
  'addressing.p2p-prefix': { what: 'the point-to-point prefix length', example: 'p2p-prefix: 31 (or 30)' },
  routing: { what: 'the routing', example: 'routing: static (or none, ospf, bgp)' },
  ospf: { what: 'the OSPF settings', example: 'ospf: { area: 0, hello: 1, dead: 4 }', mapping: 'ospf' },
  'ospf.area': { what: 'the OSPF area', example: 'area: 0 (or 0.0.0.1)' },
  'ospf.hello': { what: 'the OSPF hello interval', example: 'hello: 1' },
  'ospf.dead': { what: 'the OSPF dead interval', example: 'dead: 4' },
  'nodes.*.frr': { what: 'the FRR settings', example: 'frr: { daemons: [ospfd], config: r1/frr.conf }', mapping: 'frr' },
  'nodes.*.frr.daemons': { what: 'the FRR daemons', example: 'daemons: [ospfd, bgpd]' },
  'nodes.*.frr.daemons.#': { what: 'an FRR daemon', example: 'ospfd' },
  'nodes.*.frr.config': { what: 'the FRR configuration', example: 'config: r1/frr.conf (a file beside the topology file) or a block of text after config: |' },
  'nodes.*.ospf': { what: "the router's OSPF settings", example: 'ospf: { area: 1 }', mapping: 'ospf' },
  'nodes.*.ospf.area': { what: 'the OSPF area', example: 'area: 1 (or 0.0.0.1)' },
  'nodes.*.ospf.hello': { what: 'the OSPF hello interval', example: 'hello: 1' },
  'nodes.*.ospf.dead': { what: 'the OSPF dead interval', example: 'dead: 4' },
  'nodes.*.bgp': { what: "the router's BGP settings", example: 'bgp: { as: 65001 }', mapping: 'bgp' },
  'nodes.*.bgp.as': { what: 'the AS number', example: 'as: 65001' },
  'nodes.*.host': { what: 'the host of the node', example: 'host: A (a name under hosts)' },
  'links.#.vni': { what: 'the VXLAN network identifier', example: 'vni: 1001' },
  hosts: { what: 'the hosts', example: 'hosts: { A: { ssh: root@10.99.0.1 }, B: { ssh: lab-b } }' },
  'hosts.*': { what: 'a host', example: 'A: { ssh: root@10.99.0.1 }', mapping: 'host' },
  'hosts.*.ssh': { what: 'the ssh destination', example: 'ssh: root@10.99.0.1', missing: 'say how to reach the host, for example ssh: root@10.99.0.1' },
  'hosts.*.underlay': { what: 'the underlay address', example: 'underlay: 10.99.0.1 (or an interface: eth1)' },
  scenario: { what: 'the scenario', example: 'scenario: [{ at: 1s, partition: [[client], [server]] }, { at: 2s, heal: true }]' },
  'scenario.#': { what: 'a step', example: '{ at: 1s, link: client:eth0, up: false }', mapping: 'step' },
  'scenario.#.at': { what: 'the time', example: 'at: 1.5s', missing: 'say when the step runs, for example at: 1s (from the start of the scenario)' },
  'scenario.#.name': { what: 'the name of the step', example: 'name: cut the uplink' },
  'scenario.#.link': { what: 'the link end', example: 'link: client:eth0' },
  'scenario.#.cable': { what: 'the cable', example: 'cable: [client, router]' },
  'scenario.#.partition': { what: 'the partition', example: 'partition: [[client], [server]]' },
  'scenario.#.heal': { what: 'heal', example: 'heal: true' },
  'scenario.#.up': { what: 'up', example: 'up: false' },
  'scenario.#.rate': { what: 'the rate', example: 'rate: 1mbit' },
  'scenario.#.mtu': { what: 'the MTU', example: 'mtu: 1400' },
  'scenario.#.expect': { what: 'a check', example: 'expect: { from: client, reach: server }', mapping: 'expect' },
  'scenario.#.expect.from': { what: 'the node', example: 'from: client', missing: 'say which node the check runs in, for example from: client' },
  'scenario.#.expect.reach': { what: 'the target', example: 'reach: server' },
  'scenario.#.expect.no-reach': { what: 'the target', example: 'no-reach: server' },
  'scenario.#.expect.connect': { what: 'the target and port', example: 'connect: server:8080' },
  'scenario.#.expect.no-connect': { what: 'the target and port', example: 'no-connect: server:8080' },
  'scenario.#.expect.timeout': { what: 'the timeout', example: 'timeout: 500ms' },
};

/** The pattern of a path: `links.#.endpoints.#`, `nodes.*.routes.#.via`. */
export function pattern(path: Path): string {
  return path.map((seg, i) => (typeof seg === 'number' ? '#' : i === 1 && (path[0] === 'nodes' || path[0] === 'hosts') ? '*' : seg)).join('.');
}

export function fieldAt(path: Path): Field | undefined {
  return FIELDS[pattern(path)];
}

/** What a mapping of each kind is called in messages. */
export const MAPPING_NAMES = {
  lab: 'the lab',
  node: 'a node',
  route: 'a route',
  exec: 'a command',
  link: 'a link',
  endpoint: 'an endpoint',
  addressing: 'addressing',
  frr: 'frr',
  ospf: 'ospf',
  bgp: 'bgp',
  host: 'a host',
  step: 'a scenario step',
  expect: 'a check',
} as const;
