/**
 * Address pools (`addressing:` in a lab): the addresses nslab hands out to cable ends that have none, the
 * same ones every run. The rules, in the order they apply:
 *
 * - A point-to-point cable (neither end on a bridge) whose ends have no IPv4 address gets the next /31 (or
 *   /30, `p2p-prefix: 30`) of `p2p`: the first end the lower address. With `ipv6`, a cable whose ends have
 *   no IPv6 address gets the next /127 of the first /64 of `ipv6`.
 * - A LAN (a bridge, or bridges joined by cables) gets the next /24 of `lan` and the next /64 of `ipv6` after
 *   the first. Its ends without an address get the subnet's host addresses in turn (.1, .2, ...): the ends
 *   on nodes that forward (routers) first, then the others, each in link order. A LAN where an end already
 *   has an address of a family given by hand takes no subnet of that family from the pool: the other ends
 *   get the free host addresses of that hand-given subnet.
 * - Cables in file order, LANs in file order of their first cable, ends in endpoint order.
 * - Addresses given by hand always win: no pool hands out an address, or a subnet overlapping one, that is
 *   given by hand anywhere in the lab.
 * - A family whose pool is not configured is left alone: ends without addresses keep none.
 */
import { parseIp } from './address.js';
import { clip, quote } from './bounded.js';
import type { Path, Problem } from './issues.js';
import { addressValue, cidrOf, familyBits, netAt, netOf, netsOverlap, netSize, netText, type Net } from './ip-math.js';
import { segmentName, type Attachment, type NetworkSegment } from './segments.js';
import type { Family } from './types.js';

export interface PoolSettings {
  p2p?: Net;
  lan?: Net;
  ipv6?: Net;
  /** 31 (the default) or 30. */
  p2pPrefix: 30 | 31;
  /** `summarize: true`: routing: static summarizes each node's routes. */
  summarize: boolean;
}

/** The prefix length of each LAN's IPv4 subnet. */
export const LAN_PREFIX_V4 = 24;
/** The prefix length of each LAN's IPv6 subnet, and of the point-to-point IPv6 range. */
export const LAN_PREFIX_V6 = 64;
/** The prefix length of each point-to-point IPv6 subnet (RFC 6164). */
export const P2P_PREFIX_V6 = 127;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const RESERVED: { net: Net; why: string }[] = [
  { net: { family: 4, base: 0n, prefixLength: 8 }, why: '0.0.0.0/8 ("this network")' },
  { net: { family: 4, base: 0x7f000000n, prefixLength: 8 }, why: 'the loopback range 127.0.0.0/8' },
  { net: { family: 4, base: 0xe0000000n, prefixLength: 3 }, why: 'the multicast and reserved range 224.0.0.0/3' },
  { net: { family: 6, base: 0n, prefixLength: 127 }, why: 'the unspecified and loopback addresses :: and ::1' },
  { net: { family: 6, base: 0xffn << 120n, prefixLength: 8 }, why: 'the multicast range ff00::/8' },
];

interface PoolKey {
  key: 'p2p' | 'lan' | 'ipv6';
  family: Family;
  /** The longest prefix the pool may have. */
  longest: (settings: { p2pPrefix: number }) => number;
  example: string;
  tooSmall: string;
}

const POOLS: PoolKey[] = [
  { key: 'p2p', family: 4, longest: (s) => s.p2pPrefix, example: '10.255.0.0/16', tooSmall: 'it must hold at least one point-to-point subnet' },
  { key: 'lan', family: 4, longest: () => LAN_PREFIX_V4, example: '10.1.0.0/16', tooSmall: `each LAN takes a /${LAN_PREFIX_V4}` },
  {
    key: 'ipv6',
    family: 6,
    longest: () => LAN_PREFIX_V6 - 1,
    example: 'fd00::/48',
    tooSmall: 'its first /64 is for point-to-point /127s, and each LAN takes one of the /64s after it',
  },
];

function readPool(text: string, pool: PoolKey, p2pPrefix: number, path: Path, problems: Problem[]): Net | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip.ok) {
    problems.push({ path, message: ip.problem.message, hint: `a pool is a network, for example ${pool.example}` });
    return undefined;
  }
  if (ip.value.family !== pool.family) {
    const other = pool.family === 4 ? 'put IPv6 pools under ipv6:' : 'put IPv4 pools under p2p: and lan:';
    problems.push({
      path,
      message: `the ${pool.key} pool is IPv${pool.family}, and ${clip(text)} is IPv${ip.value.family}`,
      hint: `${other}, for example ${pool.key}: ${pool.example}`,
    });
    return undefined;
  }
  if (slash === -1) {
    problems.push({ path, message: `pool ${clip(text)} has no prefix length`, hint: `write the network with its length, for example ${pool.example}` });
    return undefined;
  }
  const lenText = text.slice(slash + 1);
  const max = familyBits(pool.family);
  if (!/^[0-9]{1,3}$/.test(lenText) || Number(lenText) > max) {
    problems.push({
      path,
      message: `${quote(text)} has ${quote(`/${lenText}`)} where a prefix length belongs`,
      hint: `write a number 0 to ${max} after the slash, for example ${pool.example}`,
    });
    return undefined;
  }
  const prefixLength = Number(lenText);
  const net = netAt(pool.family, addressValue(ip.value.address), prefixLength);
  if (net.base !== addressValue(ip.value.address)) {
    problems.push({ path, message: `pool ${clip(text)} has host bits set`, hint: `a pool is a network: write ${netText(net)}` });
    return undefined;
  }
  const longest = pool.longest({ p2pPrefix });
  if (prefixLength > longest) {
    problems.push({ path, message: `pool ${clip(text)} is too small`, hint: `${pool.tooSmall}: give a /${longest} or larger, for example ${pool.example}` });
    return undefined;
  }
  const reserved = RESERVED.find((r) => netsOverlap(r.net, net));
  if (reserved !== undefined) {
    problems.push({ path, message: `pool ${clip(text)} overlaps ${reserved.why}`, hint: `use private addresses, for example ${pool.example}` });
    return undefined;
  }
  return net;
}

/** Reads the lab's `addressing:` (already shape-checked: wrong types are reported there and skipped here). */
export function readAddressing(raw: unknown, problems: Problem[]): PoolSettings {
  const settings: PoolSettings = { p2pPrefix: 31, summarize: false };
  if (!isRecord(raw)) return settings;
  if (raw['p2p-prefix'] === 30) settings.p2pPrefix = 30;
  if (raw.summarize === true) settings.summarize = true;
  for (const pool of POOLS) {
    const text = raw[pool.key];
    if (typeof text !== 'string') continue;
    const net = readPool(text.trim(), pool, settings.p2pPrefix, ['addressing', pool.key], problems);
    if (net !== undefined) settings[pool.key] = net;
  }
  if (settings.p2p !== undefined && settings.lan !== undefined && netsOverlap(settings.p2p, settings.lan)) {
    problems.push({
      path: ['addressing', 'lan'],
      message: `the lan pool ${netText(settings.lan)} overlaps the p2p pool ${netText(settings.p2p)}`,
      hint: 'give the two pools separate ranges, for example p2p: 10.255.0.0/16 and lan: 10.1.0.0/16',
    });
    delete settings.lan;
  }
  return settings;
}

/** Hands out blocks of one size from a pool, in order, skipping every block that overlaps a taken network. */
class BlockCursor {
  private next: bigint;
  private readonly end: bigint;
  private readonly size: bigint;
  private readonly start: bigint;
  /** Blocks handed out so far. */
  given = 0;
  constructor(
    readonly pool: Net,
    readonly blockLength: number,
    private readonly taken: readonly Net[],
    /** Blocks of the pool to leave out at its start. */
    skip = 0n,
  ) {
    this.size = 1n << BigInt(familyBits(pool.family) - blockLength);
    this.start = pool.base + skip * this.size;
    this.next = this.start;
    this.end = pool.base + netSize(pool);
  }

  /** Blocks the pool has in all (after those skipped). */
  get total(): bigint {
    return (this.end - this.start) / this.size;
  }

  take(): Net | undefined {
    while (this.next < this.end) {
      const block: Net = { family: this.pool.family, base: this.next, prefixLength: this.blockLength };
      const clash = this.taken.find((t) => netsOverlap(t, block));
      if (clash === undefined) {
        this.next += this.size;
        this.given++;
        return block;
      }
      // Jump past the taken network (it may be far larger than a block), to the next block boundary.
      const after = clash.base + netSize(clash);
      const aligned = ((after + this.size - 1n) / this.size) * this.size;
      this.next = aligned > this.next ? aligned : this.next + this.size;
    }
    return undefined;
  }
}

/** The addresses of a subnet that an interface may have, lowest first (not the network or broadcast address of an IPv4 subnet up to /30; not the subnet-router address of an IPv6 subnet up to /126). */
function* hostAddresses(net: Net): Generator<bigint> {
  const size = netSize(net);
  const bits = familyBits(net.family);
  const whole = net.prefixLength >= bits - 1;
  const first = whole ? net.base : net.base + 1n;
  const last = whole ? net.base + size - 1n : net.family === 4 ? net.base + size - 2n : net.base + size - 1n;
  for (let v = first; v <= last; v++) yield v;
}

const has = (a: Attachment, family: Family): boolean => a.addresses.some((c) => c.family === family);
const plural = (n: number | bigint, one: string, many = `${one}s`): string => `${String(n)} ${n === 1 || n === 1n ? one : many}`;

/**
 * Gives the ends without addresses their addresses from the pools (see the top of this file), adding to
 * each attachment's `addresses`. `forwards` says which nodes are routers. Exhausted pools are problems.
 */
export function assignPoolAddresses(segments: readonly NetworkSegment[], pools: PoolSettings, forwards: (node: string) => boolean, problems: Problem[]): void {
  const hand = segments.flatMap((s) => s.attachments.flatMap((a) => a.addresses));
  const taken = hand.map(netOf);
  const handValues = new Set(hand.map((c) => `${c.family} ${String(addressValue(c.address))}`));
  const p2ps = segments.filter((s) => s.kind === 'p2p');
  const lans = segments.filter((s) => s.kind === 'lan' && s.attachments.length > 0);

  // Point-to-point cables.
  const p2pRuns: { family: Family; pool: Net | undefined; cursor: (pool: Net) => BlockCursor; tail: string; first: (b: Net) => bigint }[] = [
    {
      family: 4,
      pool: pools.p2p,
      cursor: (pool) => new BlockCursor(pool, pools.p2pPrefix, taken),
      tail: '',
      first: (b) => (pools.p2pPrefix === 31 ? b.base : b.base + 1n),
    },
    {
      family: 6,
      pool: pools.ipv6,
      cursor: (pool) => new BlockCursor({ ...pool, prefixLength: LAN_PREFIX_V6 }, P2P_PREFIX_V6, taken),
      tail: ` in its first /${LAN_PREFIX_V6}`,
      first: (b) => b.base,
    },
  ];
  for (const run of p2pRuns) {
    if (run.pool === undefined) continue;
    const needy = p2ps.filter((s) => s.attachments.every((a) => !has(a, run.family)));
    if (needy.length === 0) continue;
    const cursor = run.cursor(run.pool);
    for (const s of needy) {
      const block = cursor.take();
      if (block === undefined) {
        problems.push(
          exhausted(
            run.family === 4 ? 'p2p' : 'ipv6',
            run.pool,
            cursor,
            run.tail,
            needy.length,
            `one for each point-to-point cable without IPv${run.family} addresses`,
          ),
        );
        break;
      }
      const base = run.first(block);
      s.attachments.forEach((a, k) => a.addresses.push(cidrOf(run.family, base + BigInt(k), block.prefixLength)));
    }
  }

  // LANs: a subnet each (unless one is given by hand), then host addresses.
  const lanRuns: { family: Family; key: 'lan' | 'ipv6'; pool: Net | undefined; blockLength: number; skip: bigint }[] = [
    { family: 4, key: 'lan', pool: pools.lan, blockLength: LAN_PREFIX_V4, skip: 0n },
    { family: 6, key: 'ipv6', pool: pools.ipv6, blockLength: LAN_PREFIX_V6, skip: 1n },
  ];
  for (const run of lanRuns) {
    if (run.pool === undefined) continue;
    const pool = run.pool;
    const needy = lans.filter((s) => s.attachments.some((a) => !has(a, run.family)));
    const fromPool = needy.filter((s) => s.attachments.every((a) => !has(a, run.family)));
    const cursor = new BlockCursor(pool, run.blockLength, taken, run.skip);
    for (const s of needy) {
      let subnet: Net | undefined;
      let source: string;
      const given = s.attachments.flatMap((a) => a.addresses.filter((c) => c.family === run.family).map((c) => ({ c, a })))[0];
      if (given !== undefined) {
        subnet = netOf(given.c);
        source = `${netText(subnet)} (of ${given.c.address}/${given.c.prefixLength}, given by hand at links[${given.a.link}].endpoints[${given.a.end}])`;
      } else {
        subnet = cursor.take();
        if (subnet === undefined) {
          const tail = run.family === 4 ? '' : ` after its first /${LAN_PREFIX_V6}`;
          problems.push(exhausted(run.key, pool, cursor, tail, fromPool.length, `one for each LAN without IPv${run.family} addresses`));
          break;
        }
        source = netText(subnet);
      }
      const order = [...s.attachments.filter((a) => forwards(a.node)), ...s.attachments.filter((a) => !forwards(a.node))].filter((a) => !has(a, run.family));
      const hosts = hostAddresses(subnet);
      for (const a of order) {
        // Pulled one by one: a for-of loop left with break would close the generator.
        let value: bigint | undefined;
        for (let r = hosts.next(); r.done !== true; r = hosts.next()) {
          if (!handValues.has(`${run.family} ${String(r.value)}`)) {
            value = r.value;
            break;
          }
        }
        if (value === undefined) {
          problems.push({
            path: ['nodes', s.bridges[0] ?? ''],
            at: 'key',
            message: `${segmentName(s)} needs ${plural(order.length, `IPv${run.family} address`, `IPv${run.family} addresses`)} for its ends without one, and its subnet ${source} has room for ${String(countFree(subnet, handValues, run.family))}`,
            hint:
              run.family === 4
                ? 'split the hosts over two LANs joined by a router, or give this LAN a larger subnet by hand'
                : 'give this LAN a larger IPv6 subnet by hand',
          });
          break;
        }
        a.addresses.push(cidrOf(run.family, value, subnet.prefixLength));
      }
    }
  }
}

/** The host addresses of a subnet not given by hand. */
function countFree(subnet: Net, handValues: ReadonlySet<string>, family: Family): bigint {
  let n = 0n;
  for (const v of hostAddresses(subnet)) if (!handValues.has(`${family} ${String(v)}`)) n++;
  return n;
}

function exhausted(key: string, pool: Net, cursor: BlockCursor, tail: string, needed: number, why: string): Problem {
  const blocked = cursor.total - BigInt(cursor.given);
  const hand = blocked > 0n ? ` (${plural(blocked, 'other overlaps', 'others overlap')} addresses given by hand)` : '';
  return {
    path: ['addressing', key],
    message: `the ${key} pool ${netText(pool)} has room for ${plural(cursor.given, `/${cursor.blockLength} subnet`)}${tail}${hand}, and the lab needs ${needed}: ${why}`,
    hint: `give a larger pool (a shorter prefix length than /${pool.prefixLength}), or give some ends their addresses by hand`,
  };
}
