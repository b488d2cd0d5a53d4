/**
 * The shape of a topology file, as one zod schema: it checks the structure (which keys, which types, which
 * number ranges; unknown keys are errors) and it is also the source of the JSON Schema editors use, so
 * every field carries a description. Value rules that need a good message (names, addresses, references
 * between nodes and links) are checked in validate.ts; they appear here only as JSON Schema hints
 * (`pattern`, `maxLength`) for editors.
 *
 * Values with units (`rate: 10mbit`, `delay: 20ms`, `loss: 1%`) are strings here and parsed in units.ts;
 * address pools are strings here and parsed in pools.ts.
 */
import { FRR_DAEMON_NAMES } from './frr-daemons.js';
import type { z } from 'zod';
import { zod } from './lazy.js';
import { IFNAME_MAX, LAB_NAME_PATTERN, NODE_NAME_PATTERN } from './names.js';

const IFNAME_PATTERN = '^(?!\\.\\.?$)[^/:%\\s]+$';
const ENDPOINT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*(:[^/:%\\s]{1,15})?(\\s+[0-9A-Fa-f.:]+/[0-9]{1,3})*\\s*$';

export const MTU_MIN = 68;
export const MTU_MAX = 65535;
export const METRIC_MAX = 4294967295;
/** OSPF areas are 32-bit numbers (written 0 or 0.0.0.0); hello and dead intervals are 16-bit seconds. */
export const OSPF_AREA_MAX = 4294967295;
export const OSPF_INTERVAL_MAX = 65535;
/** AS numbers are 32-bit; 0 and 4294967295 are reserved (RFC 7607, RFC 7300). */
export const AS_MAX = 4294967294;
/** VXLAN network identifiers are 24-bit; 0 is left out (some switches treat it as no VNI). */
export const VNI_MIN = 1;
export const VNI_MAX = 16777215;

/** The schemas, built from zod the first time they are needed (see lazy.ts). */
function build() {
  const z = zod().z;
  const addressSchema = z
    .string()
    .meta({ examples: ['10.0.0.1/24', '10.10.1.2/32', 'fd00::1/64'] })
    .describe(
      'An interface address with its prefix length: IPv4 (10.0.0.1/24, 10.10.1.2/32) or IPv6 (fd00::1/64). Host bits may be set: 10.0.0.1/24 is address 10.0.0.1 in subnet 10.0.0.0/24. Every address in a lab must be unique.',
    );

  /** Link properties: on a link (both ends) or on one end (its own values win). Each shapes an end's egress. */
  const linkProperties = (where: 'link' | 'end') => {
    const whose = where === 'link' ? 'each end of the cable (each shapes what it sends)' : "this end (what it sends); over the link's own value";
    return {
      mtu: z
        .number()
        .int()
        .min(MTU_MIN)
        .max(MTU_MAX)
        .describe(
          where === 'link'
            ? `MTU of both ends, ${MTU_MIN} to ${MTU_MAX} (IPv6 needs at least 1280). Left out: the kernel's default, 1500.`
            : `MTU of this end, ${MTU_MIN} to ${MTU_MAX} (IPv6 needs at least 1280), over the link's mtu. Left out: the link's, else 1500.`,
        )
        .optional(),
      rate: z
        .string()
        .meta({ examples: ['10mbit', '1gbit', '500kbit', '1.5mbit', '100kbps'] })
        .describe(
          `Rate limit of ${whose}, with a tc unit: bit, kbit, mbit, gbit, tbit (bits per second) or bps, kbps, mbps, gbps (bytes per second); 1kbit to 1tbit. Left out: no limit.`,
        )
        .optional(),
      delay: z
        .string()
        .meta({ examples: ['20ms', '1s', '500us'] })
        .describe(`Delay added to what ${whose} sends: a number and us, ms or s; 0 to 60s. Left out: none.`)
        .optional(),
      jitter: z
        .string()
        .meta({ examples: ['5ms'] })
        .describe('Random variation of the delay, as delay (20ms, 500us); needs a delay. Left out: none.')
        .optional(),
      loss: z
        .string()
        .meta({ examples: ['1%', '0.5%'] })
        .describe(`Share of the packets ${whose} sends that are dropped: 0% to 100%. Left out: none.`)
        .optional(),
    };
  };

  const endpointObjectSchema = z
    .strictObject({
      node: z.string().meta({ pattern: NODE_NAME_PATTERN }).describe('The node this end of the cable plugs into (a name under `nodes`).'),
      interface: z
        .string()
        .meta({ minLength: 1, maxLength: IFNAME_MAX, pattern: IFNAME_PATTERN, examples: ['eth0', 'rveth', 'veth-red'] })
        .describe(
          `The interface name inside the node: 1 to ${IFNAME_MAX} characters, no "/", ":", "%" or spaces, not "lo". Left out: eth0, eth1, ... in file order, skipping names the node already uses.`,
        )
        .optional(),
      addresses: z
        .array(addressSchema)
        .describe(
          "Addresses of this interface, IPv4 and/or IPv6, each with its prefix length. Left out: none, or the next from the lab's addressing pools. None on a bridge's end (a port).",
        )
        .optional(),
      ...linkProperties('end'),
    })
    .describe('One end of a cable: { node, interface, addresses }, and its own mtu, rate, delay, jitter and loss.');

  const endpointStringSchema = z
    .string()
    .meta({ pattern: ENDPOINT_PATTERN, examples: ['red', 'red:rveth', 'red:veth-red 10.0.0.1/24', 'red:eth0 10.0.0.1/24 fd00::1/64', 'red 10.0.0.1/24'] })
    .describe(
      'One end of a cable in short: "NODE", "NODE:INTERFACE", then any addresses separated by spaces, for example "red:veth-red 10.0.0.1/24" or "red 10.0.0.1/24" (interface named eth0, eth1, ...).',
    );

  const endpointSchema = z.union([endpointStringSchema, endpointObjectSchema]);

  const linkSchema = z
    .strictObject({
      endpoints: z
        .array(endpointSchema)
        .meta({ minItems: 2, maxItems: 2 })
        .describe(
          'The two ends of the cable (a veth pair), each "NODE[:INTERFACE] [ADDRESS...]" or { node, interface, addresses }. The link is named NODE:INTERFACE--NODE:INTERFACE after them.',
        ),
      ...linkProperties('link'),
      vni: z
        .number()
        .int()
        .min(VNI_MIN)
        .max(VNI_MAX)
        .describe(
          `For a cable between two hosts (a VXLAN), its VXLAN network identifier, ${VNI_MIN} to ${VNI_MAX}, unique in the lab and free on both hosts. Left out: one nslab chooses and keeps. Unused when both ends are on one host.`,
        )
        .optional(),
    })
    .describe('A cable: a veth pair joining two different nodes (a VXLAN when they are on different hosts).');

  const routeSchema = z
    .strictObject({
      to: z
        .string()
        .meta({ examples: ['10.0.2.0/24', '10.10.1.3/32', 'fd00:2::/64', 'default', '::/0'] })
        .describe(
          'Destination: a network (10.0.2.0/24, fd00:2::/64; no host bits set), one address (10.10.1.3 means 10.10.1.3/32), or "default" (IPv6 when via is IPv6, else IPv4; write ::/0 for an IPv6 default route through a dev alone).',
        ),
      via: z
        .string()
        .meta({ examples: ['10.0.1.1', 'fd00:1::1'] })
        .describe('Gateway: the address of a neighbour to send through, without a prefix length. Same family as the destination.')
        .optional(),
      dev: z
        .string()
        .meta({ maxLength: IFNAME_MAX, examples: ['eth0', 'rveth'] })
        .describe("Interface to send through: one of this node's interfaces from `links`.")
        .optional(),
      metric: z
        .number()
        .int()
        .min(0)
        .max(METRIC_MAX)
        .describe('Route metric (priority): lower wins. Left out: the kernel default (0 for IPv4, 1024 for IPv6).')
        .optional(),
    })
    .meta({ anyOf: [{ required: ['via'] }, { required: ['dev'] }] })
    .describe('A static route in this node: to a destination, via a gateway and/or out of an interface (at least one of via and dev).');

  const execObjectSchema = z
    .strictObject({
      run: z.string().meta({ minLength: 1 }).describe('The command, run with `sh -c` inside the node.'),
      background: z
        .boolean()
        .describe('true: a server that keeps running; nslab starts it and `down` stops it. false (the default): it must exit 0.')
        .optional(),
    })
    .describe('A command with options.');

  const execSchema = z.union([
    z
      .string()
      .meta({ minLength: 1, examples: ['ping -c 1 10.10.1.3', 'sysctl -w net.ipv4.ip_forward=1'] })
      .describe('A command run with `sh -c` inside the node once the whole network is up; it must exit 0.'),
    execObjectSchema,
  ]);

  const frrSchema = z
    .strictObject({
      daemons: z
        .array(z.enum(FRR_DAEMON_NAMES))
        .meta({ examples: [['ospfd'], ['bgpd'], ['ospfd', 'ospf6d']] })
        .describe(
          'The FRR daemons to run besides zebra (and staticd, which FRR always starts with a configuration of your own), for example [ospfd] or [bgpd]. Left out: the daemons the config needs (router ospf: ospfd, router bgp: bgpd, ...).',
        )
        .optional(),
      config: z
        .string()
        .meta({ minLength: 1, examples: ['r1/frr.conf', 'router ospf\n ospf router-id 10.0.0.1\n'] })
        .describe(
          "The node's FRR configuration (frr.conf): a file, its path relative to the topology file's directory; or the configuration itself, written inline (text with a line break, for example a YAML block after |). Left out: none (or the one nslab writes for routing: ospf or bgp).",
        )
        .optional(),
    })
    .describe(
      'FRR routing daemons in this node: zebra and the daemons named, each node with its own configuration. A node with a config of its own keeps it under routing: ospf and bgp.',
    );

  const bgpSchema = z
    .strictObject({
      as: z
        .number()
        .int()
        .min(1)
        .max(AS_MAX)
        .meta({ examples: [65001, 4200000001] })
        .describe(
          `For routing: bgp, this router's AS number, 1 to ${AS_MAX}. Left out: 65001, 65002, ... by the routers' order in the file, skipping any given by hand.`,
        )
        .optional(),
    })
    .describe('For routing: bgp, what this router does differently from the others.');

  const ospfSchema = (where: 'lab' | 'node') =>
    z
      .strictObject({
        area: z
          .union([z.number().int().min(0).max(OSPF_AREA_MAX), z.string().meta({ pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$', examples: ['0.0.0.1'] })])
          .describe(
            where === 'lab'
              ? 'The OSPF area of every router, a number (0) or four numbers (0.0.0.0). Left out: 0, the backbone.'
              : "The OSPF area of this router's links, a number or four numbers (0.0.0.1); a link between a backbone (0) router and a router of another area is in that area. Left out: the lab's, else 0.",
          )
          .optional(),
        hello: z
          .number()
          .int()
          .min(1)
          .max(OSPF_INTERVAL_MAX)
          .describe(
            `Seconds between OSPF hellos, 1 to ${OSPF_INTERVAL_MAX}${where === 'node' ? ", over the lab's" : ''}. Left out: FRR's 10. Neighbours must agree.`,
          )
          .optional(),
        dead: z
          .number()
          .int()
          .min(1)
          .max(OSPF_INTERVAL_MAX)
          .describe(
            `Seconds without a hello before a neighbour is declared down, 1 to ${OSPF_INTERVAL_MAX}, more than hello${where === 'node' ? ", over the lab's" : ''}. Left out: 4 hellos when hello is given, else FRR's 40. Neighbours must agree.`,
          )
          .optional(),
      })
      .describe(
        where === 'lab'
          ? 'For routing: ospf, the area and timers of every router (each router may say its own).'
          : "For routing: ospf, this router's area and timers, over the lab's.",
      );

  const nodeSettingsSchema = z
    .strictObject({
      kind: z
        .enum(['host', 'router', 'bridge'])
        .describe(
          "host (the default): a computer. router: a computer that forwards IPv4 and IPv6 between its links. bridge: a LAN segment, a Linux bridge whose ports are the ends of the node's links (no addresses, routes or exec).",
        )
        .optional(),
      forwarding: z
        .boolean()
        .describe('true: this host forwards IPv4 and IPv6 between its links, as a router does. Left out: false for hosts; routers always forward.')
        .optional(),
      'bridge-name': z
        .string()
        .meta({ minLength: 1, maxLength: IFNAME_MAX, pattern: IFNAME_PATTERN, examples: ['br0', 'lan0'] })
        .describe('For kind: bridge, the name of the bridge device inside the node. Left out: br0.')
        .optional(),
      routes: z.array(routeSchema).describe('Static routes of this node, in addition to the routes its addresses imply.').optional(),
      exec: z
        .array(execSchema)
        .describe('Commands to run inside the node after the whole network is up, in order: a string (must exit 0) or { run, background: true } (a server).')
        .optional(),
      frr: frrSchema.optional(),
      ospf: ospfSchema('node').optional(),
      bgp: bgpSchema.optional(),
      host: z
        .string()
        .meta({ pattern: NODE_NAME_PATTERN, examples: ['A', 'lab-b'] })
        .describe('For a lab over several machines: the host (a name under hosts) this node runs on. Left out: nslab places it.')
        .optional(),
    })
    .describe('What a node is (kind) and has besides its cables: routes, commands and its FRR routing daemons.');

  const poolSchema = (what: string, example: string) =>
    z
      .string()
      .meta({ examples: [example] })
      .describe(what)
      .optional();

  const addressingSchema = z
    .strictObject({
      p2p: poolSchema(
        'IPv4 pool for point-to-point cables (neither end on a bridge) whose ends have no IPv4 address: each takes the next /31 (or /30, see p2p-prefix), the first end the lower address.',
        '10.255.0.0/16',
      ),
      lan: poolSchema(
        'IPv4 pool for LANs (bridges): each LAN without IPv4 addresses takes the next /24; its ends get .1, .2, ... (routers first, then hosts, in link order).',
        '10.1.0.0/16',
      ),
      ipv6: poolSchema(
        'IPv6 pool, /63 or larger: its first /64 gives a /127 to each point-to-point cable without IPv6 addresses; each LAN takes one of the next /64s (::1, ::2, ...).',
        'fd00::/48',
      ),
      'p2p-prefix': z
        .literal([31, 30])
        .describe(
          'Prefix length of the point-to-point IPv4 subnets: 31 (the default; two addresses, RFC 3021) or 30 (four addresses, the ends get the middle two).',
        )
        .optional(),
      summarize: z
        .boolean()
        .describe(
          'With routing: static, true gives each node one route for the subnets of a block of addresses it reaches through one gateway (two halves of a network through the same gateway become one route, up the prefix lengths), and leaves out routes inside a shorter route through the same gateway. Forwarding stays the same; there are fewer routes. Default false.',
        )
        .optional(),
    })
    .describe(
      'Address pools: addresses for cable ends that have none, the same every run. Addresses given by hand win, and no pool hands out one of them (or a subnet overlapping one). A pool left out hands out nothing.',
    );

  const hostSchema = z
    .strictObject({
      ssh: z
        .string()
        .meta({ minLength: 1, examples: ['root@10.99.0.1', 'lab-b'] })
        .describe(
          'How to reach the host: the ssh destination as you would type it (user@address, or a Host of your ~/.ssh/config). nslab runs your ssh, so its config, agent, ProxyJump and keys apply.',
        ),
      underlay: z
        .string()
        .meta({ examples: ['10.99.0.2', 'eth1'] })
        .describe("The host's address the other hosts send its VXLAN cables to, or the interface that has it. Left out: the address ssh reaches the host at.")
        .optional(),
    })
    .describe('One machine of the lab, reached over ssh, running nslab.');
  const expectSchema = z
    .strictObject({
      from: z.string().meta({ pattern: NODE_NAME_PATTERN }).describe('The node the check runs in.'),
      reach: z
        .string()
        .meta({ examples: ['server', '10.0.0.2'] })
        .describe('A node name or an address that a ping from `from` must reach within the timeout (echoes are sent every 100 ms until one is answered).')
        .optional(),
      'no-reach': z.string().describe('A node name or an address that no ping from `from` may reach within the timeout.').optional(),
      connect: z
        .string()
        .meta({ examples: ['server:8080', '10.0.0.2:80', '[fd00::2]:80'] })
        .describe(
          'NODE:PORT or ADDRESS:PORT ([ADDRESS]:PORT for IPv6): a TCP connection from `from` must be accepted within the timeout (a refused one is tried again).',
        )
        .optional(),
      'no-connect': z.string().describe('NODE:PORT or ADDRESS:PORT: no TCP connection from `from` may be accepted within the timeout.').optional(),
      timeout: z
        .string()
        .meta({ examples: ['1s', '300ms'] })
        .describe(
          'How long the check may take: a number and us, ms or s, up to 60s. Left out: 5s for reach and connect (they end as soon as they pass), 1s for no-reach and no-connect (they take all of it).',
        )
        .optional(),
    })
    .describe('A check: from a node, one of reach, no-reach, connect or no-connect. A failed check fails `nslab run` (exit 1), naming the step.');

  const stepSchema = z
    .strictObject({
      at: z
        .union([z.number().min(0), z.string()])
        .meta({ examples: ['0s', '1.5s', '500ms', 2000] })
        .describe(
          'When the step runs, from the start of the scenario: a duration (500ms, 1.5s) or a number of milliseconds. Steps run in file order, so their times may not go back.',
        ),
      name: z.string().describe('A name for the step, shown in the timeline and in a failure.').optional(),
      link: z
        .string()
        .meta({ examples: ['client:eth0'] })
        .describe('Change one end of a cable, NODE:INTERFACE, with up, rate or mtu.')
        .optional(),
      cable: z
        .array(z.string())
        .meta({ minItems: 2, maxItems: 2, examples: [['client', 'router']] })
        .describe('Change both ends of the one cable that joins two nodes, with up, rate or mtu.')
        .optional(),
      partition: z
        .array(z.array(z.string()))
        .meta({ minItems: 2, examples: [[['client'], ['server']]] })
        .describe(
          'Split the nodes into groups that cannot exchange packets, whatever path the packets take: each node drops every packet from or to a node of another group (nftables rules in the nodes; needs nft). Nodes not named are untouched.',
        )
        .optional(),
      heal: z.literal(true).describe('Undo every partition the scenario has made so far.').optional(),
      expect: expectSchema.optional(),
      up: z.boolean().describe('With link or cable: false pulls the cable out, true puts it back.').optional(),
      rate: z
        .string()
        .nullable()
        .meta({ examples: ['1mbit', null] })
        .describe("With link or cable: limit the egress rate (10mbit, 500kbit); null lifts the limit, keeping the link's delay and loss.")
        .optional(),
      mtu: z.number().int().min(MTU_MIN).max(MTU_MAX).describe(`With link or cable: the MTU, ${MTU_MIN} to ${MTU_MAX}.`).optional(),
    })
    .describe('One step of a scenario: at a time, one of link, cable, partition, heal or expect.');

  const labSchema = z
    .strictObject({
      $schema: z.string().describe('The JSON Schema of this file, for editors (JSON files). Ignored by nslab.').optional(),
      name: z
        .string()
        .meta({ pattern: LAB_NAME_PATTERN, examples: ['two-computers', 'my-lab'] })
        .describe(
          'The lab name: 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit. nslab keeps the lab state under /run/nslab/NAME and marks what it makes with it.',
        ),
      prefix: z
        .string()
        .meta({ examples: ['', 'lab1-'] })
        .describe(
          'Put before each node name to make its network namespace name (under /run/netns). Left out: the lab name and "-" (two-computers-red). "" makes the namespaces plain node names, so `ip netns exec red bash` works as in the tutorial.',
        )
        .optional(),
      nodes: z
        .record(z.string().meta({ pattern: NODE_NAME_PATTERN }), nodeSettingsSchema.nullable())
        .meta({ minProperties: 1 })
        .describe(
          'The computers: node name -> settings (empty, null or {} for none). Node names are letters, digits, "_", "." or "-", starting with a letter or digit. Each node is a network namespace.',
        ),
      links: z.array(linkSchema).describe('The cables between nodes. Left out: none.').optional(),
      addressing: addressingSchema.optional(),
      routing: z
        .enum(['static', 'none', 'ospf', 'bgp'])
        .describe(
          'static: nslab gives every host and router a route to every subnet of the lab it is not on, along a shortest path through routers (hosts with one gateway get a default route); routes given by hand win. ospf, bgp: every router runs FRR with a configuration nslab writes (OSPF on every link; or an AS per router and eBGP on every cable), and hosts get their routes as with static. none (the default): only the routes given by hand.',
        )
        .optional(),
      ospf: ospfSchema('lab').optional(),
      hosts: z
        .record(z.string().meta({ pattern: NODE_NAME_PATTERN }), hostSchema)
        .meta({ minProperties: 1 })
        .describe(
          'For a lab over several machines: host name -> { ssh, underlay }. Nodes go on the host their host: names, or are placed by nslab; cables between hosts are VXLAN. Left out: a lab on this machine.',
        )
        .optional(),
      scenario: z
        .array(stepSchema)
        .describe(
          'A timed script of faults and checks, run by `nslab run FILE` (and `lab.schedule(lab.resolved.scenario)`): steps at times from its start, in file order. `nslab up` ignores it.',
        )
        .optional(),
    })
    .describe('An nslab lab: network namespaces (nodes) joined by veth cables (links).');

  /** The keys each kind of mapping takes, for "unknown key" messages. */
  const allowedKeys = {
    lab: Object.keys(labSchema.shape).filter((k) => k !== '$schema'),
    node: Object.keys(nodeSettingsSchema.shape),
    route: Object.keys(routeSchema.shape),
    exec: Object.keys(execObjectSchema.shape),
    link: Object.keys(linkSchema.shape),
    endpoint: Object.keys(endpointObjectSchema.shape),
    addressing: Object.keys(addressingSchema.shape),
    frr: Object.keys(frrSchema.shape),
    ospf: Object.keys(ospfSchema('node').shape),
    bgp: Object.keys(bgpSchema.shape),
    host: Object.keys(hostSchema.shape),
    step: Object.keys(stepSchema.shape),
    expect: Object.keys(expectSchema.shape),
  } as const;
  return { labSchema, allowedKeys };
}

let built: ReturnType<typeof build> | undefined;

/** The zod schema of a topology file (a type: zod itself loads only when a file needs explaining). */
export type LabSchema = ReturnType<typeof build>['labSchema'];

/**
 * A topology as written: the file's shape as a TypeScript type (what `Lab.define` takes), from the same zod
 * schema as the JSON Schema editors use. Keys are the file's (kebab-case: `bridge-name`, `no-reach`).
 */
export type TopologyInput = z.input<LabSchema>;

/** The schema of a whole topology file. */
export function labSchema(): ReturnType<typeof build>['labSchema'] {
  return (built ??= build()).labSchema;
}

/** The keys each kind of mapping takes, for "unknown key" messages. */
export function allowedKeys(): ReturnType<typeof build>['allowedKeys'] {
  return (built ??= build()).allowedKeys;
}
