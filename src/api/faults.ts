/**
 * Faults on cue in a running lab: a cable between two nodes changed at both ends (`lab.cable`), and
 * partitions (`lab.partition`) that split nodes into groups which cannot exchange packets.
 *
 * A partition is made of nftables rules inside the nodes of the groups, not of cables cut: every node of a
 * group drops each packet from or to an address of a node of another group, whether it sends it, receives
 * it or forwards it. So it holds whatever path the packets take (in a ring of routers a cut cable is routed
 * around), it touches no node outside the groups (cutting the cable of a host on a LAN cuts it off from
 * everyone), and links stay up, so no route comes and goes with it. `heal()` deletes the rules. The rules
 * are written by the `nft` program (Debian's package nftables) inside each node, in one transaction per node.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { LinkChange } from '../engine/index.js';
import { NslabError, TopologyError } from '../errors.js';
import { inNetns, run } from '../process/index.js';
import { checkPartition, nodeAddresses, type ScenarioContext } from '../topology/index.js';
import { toIssues } from '../topology/issues.js';
import type { Lab, LinkEnd } from './lab.js';

/** The one cable between two nodes of a running lab (`lab.cable('a', 'b')`), changed at both ends at once. */
export class Cable {
  readonly lab: Lab;
  /** Its end on each node, in the order the nodes were named. */
  readonly a: LinkEnd;
  readonly b: LinkEnd;

  constructor(lab: Lab, a: LinkEnd, b: LinkEnd) {
    this.lab = lab;
    this.a = a;
    this.b = b;
  }

  /**
   * Changes both ends: `{ up: false }` pulls the cable out, `{ up: true }` puts it back (with the routes
   * the kernel dropped), `{ rate: 1e6 }` limits each end's egress, `{ rate: null }` lifts the limit.
   *
   * Equivalent to: ip -n NETNS_A link set IFNAME_A down; ip -n NETNS_B link set IFNAME_B down
   */
  async set(change: LinkChange): Promise<void> {
    await Promise.all([this.a.set(change), this.b.set(change)]);
  }
}

/** A partition in force (`lab.partition`). `await using` heals it at the end of the scope. */
export interface Partition extends AsyncDisposable {
  /** The groups, as given. */
  readonly groups: readonly (readonly string[])[];
  /** Deletes the partition's rules in every node: the groups reach each other again. A second call does nothing. */
  heal(): Promise<void>;
}

/** What the topology's checks need of a resolved lab (the same checks as a file's scenario). */
export function scenarioContext(lab: Lab, code: boolean): ScenarioContext {
  const r = lab.resolved;
  const names = r.nodes.map((n) => n.name);
  return {
    nodes: names,
    kindOf: (n) => r.nodes.find((x) => x.name === n)?.kind,
    interfacesOf: (n) => r.nodes.find((x) => x.name === n)?.interfaces,
    cablesBetween: (a, b) => r.links.filter((l) => (l.a.node === a && l.b.node === b) || (l.a.node === b && l.b.node === a)).length,
    code,
  };
}

let nftFound: boolean | undefined;

/** Is `nft` on PATH (as `ip netns exec` will look for it)? */
function hasNft(): boolean {
  nftFound ??= (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, 'nft'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return nftFound;
}

/** An nft table name for one partition: unique in the process, and from run to run. */
function tableName(): string {
  return `nslab_partition_${Math.random().toString(36).slice(2, 10)}`;
}

/** The ruleset one node of a partition loads: drop every packet from or to the other groups' addresses. */
export function partitionRules(table: string, others: readonly { family: 4 | 6; address: string }[]): string {
  const v4 = others.filter((a) => a.family === 4).map((a) => a.address);
  const v6 = others.filter((a) => a.family === 6).map((a) => a.address);
  const sets = [
    ...(v4.length > 0 ? [`  set v4 { type ipv4_addr; elements = { ${v4.join(', ')} } }`] : []),
    ...(v6.length > 0 ? [`  set v6 { type ipv6_addr; elements = { ${v6.join(', ')} } }`] : []),
  ];
  const match = (dir: 'saddr' | 'daddr'): string[] => [...(v4.length > 0 ? [`ip ${dir} @v4 drop`] : []), ...(v6.length > 0 ? [`ip6 ${dir} @v6 drop`] : [])];
  // Before everything else a node might have (priority -300 is before conntrack), so nothing accepts the packets first.
  const chain = (name: string, hook: string, rules: string[]): string =>
    `  chain ${name} { type filter hook ${hook} priority -300; policy accept; ${rules.join('; ')}; }`;
  return [
    `table inet ${table} {`,
    ...sets,
    chain('input', 'input', match('saddr')),
    chain('output', 'output', match('daddr')),
    chain('forward', 'forward', [...match('saddr'), ...match('daddr')]),
    '}',
    '',
  ].join('\n');
}

/** Splits the lab's nodes into groups that cannot exchange packets. See the top of this file. */
export async function makePartition(lab: Lab, groups: readonly (readonly string[])[]): Promise<Partition> {
  const problems: Parameters<typeof checkPartition>[3] = [];
  const checked = checkPartition(groups, ['groups'], scenarioContext(lab, true), problems);
  if (checked === undefined || problems.length > 0) throw new TopologyError(toIssues(problems, { groups }), `lab.partition() of lab ${lab.name}`);
  if (!hasNft())
    throw new NslabError(
      'NSLAB_MISSING_FEATURE',
      'a partition is made of nftables rules, and the nft program is not installed (or not on PATH): install it (Debian and Ubuntu: apt-get install nftables)',
    );
  const table = tableName();
  const members = checked.flatMap((group, i) => group.map((node) => ({ node, group: i })));
  const loaded: string[] = [];
  const heal = async (nodes: readonly string[]): Promise<void> => {
    await Promise.all(
      nodes.map(async (node) => {
        const r = await run(inNetns(lab.node(node).netns, ['nft', 'delete', 'table', 'inet', table]), { where: `node ${node} of lab ${lab.name}` });
        // Gone already (the lab went down, or the node was remade): nothing to heal.
        if (r.exitCode !== 0 && !/No such file or directory|Cannot open network namespace/.test(r.stderr))
          throw new NslabError('NSLAB_EXEC', `healing the partition in node ${node} of lab ${lab.name}: nft failed: ${r.stderr.trim()}`);
      }),
    );
  };
  const results = await Promise.all(
    members.map(async ({ node, group }) => {
      const others = checked.flatMap((g, i) => (i === group ? [] : g.flatMap((n) => nodeAddresses(lab.resolved, n))));
      if (others.length === 0) return undefined;
      const r = await run(inNetns(lab.node(node).netns, ['nft', '-f', '-']), {
        input: partitionRules(table, others),
        where: `node ${node} of lab ${lab.name}`,
      });
      if (r.exitCode === 0) {
        loaded.push(node);
        return undefined;
      }
      return `node ${node}: ${r.stderr.trim() || `nft exited with code ${r.exitCode}`}`;
    }),
  );
  const failed = results.filter((r) => r !== undefined);
  if (failed.length > 0) {
    await heal(loaded).catch(() => undefined);
    throw new NslabError(
      'NSLAB_EXEC',
      `cannot make the partition of lab ${lab.name}: nft refused its rules (is nf_tables in the kernel?):\n  ${failed.join('\n  ')}`,
    );
  }
  let healed: Promise<void> | undefined;
  const once = (): Promise<void> => (healed ??= heal(loaded));
  return { groups: checked, heal: once, [Symbol.asyncDispose]: once };
}
