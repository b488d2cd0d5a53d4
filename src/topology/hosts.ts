/**
 * A lab over several machines: its `hosts:` (each reached over ssh, with the address its VXLAN cables
 * arrive at), each node's `host:`, and the `vni:` of a cable between hosts. Read defensively, as the rest
 * of validate.ts: the shape check has reported wrong types already.
 */
import { parseIp, specialAddress } from './address.js';
import { OTHER, type Path, type Problem } from './issues.js';
import { checkInterfaceName, checkNodeName, quoteName } from './names.js';
import { clip, listWords } from './bounded.js';
import { closest } from './suggest.js';
import type { ResolvedHost } from './types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every host of `raw` (the file's `hosts:`) that is right, in file order; a wrong one is a problem. */
export function readHosts(raw: unknown, problems: Problem[]): ResolvedHost[] | undefined {
  if (!isRecord(raw)) return undefined;
  const hosts: ResolvedHost[] = [];
  const names = Object.keys(raw);
  if (names.length === 0) {
    problems.push({
      path: ['hosts'],
      message: 'the lab has no hosts',
      hint: 'name at least one, for example hosts: { A: { ssh: root@10.99.0.1 } }, or remove hosts:',
    });
    return undefined;
  }
  for (const name of names) {
    const path: Path = ['hosts', name];
    const bad = checkNodeName(name);
    if (bad !== undefined) {
      problems.push({ path, at: 'key', message: bad.message.replace('node name', 'host name'), hint: bad.hint.replace('a node name', 'a host name') });
      continue;
    }
    const h = raw[name];
    if (!isRecord(h) || typeof h.ssh !== 'string') continue;
    const host: ResolvedHost = { name, ssh: h.ssh };
    const sshProblem = checkSsh(h.ssh);
    if (sshProblem !== undefined) problems.push({ path: [...path, 'ssh'], ...sshProblem });
    if (typeof h.underlay === 'string') {
      const u = checkUnderlay(h.underlay);
      if (u !== undefined) problems.push({ path: [...path, 'underlay'], ...u });
      else host.underlay = h.underlay;
    }
    hosts.push(host);
  }
  return hosts;
}

/**
 * An ssh destination as a user types it: `user@address`, `address`, a Host of ~/.ssh/config, or
 * `ssh://user@host:port`. Never an option: nslab passes it to ssh after `--`, and refuses a leading `-`
 * (ssh would read `-oProxyCommand=...` as an option where an older ssh ignores `--`).
 */
function checkSsh(dest: string): { message: string; hint: string } | undefined {
  const example = 'write the destination you give ssh, for example root@10.99.0.1 or lab-b (a Host of ~/.ssh/config)';
  if (dest.trim() === '') return { message: 'the ssh destination is empty', hint: example };
  if (dest.startsWith('-')) return { message: `ssh destination ${quoteName(dest)} starts with "-", which ssh would read as an option`, hint: example };
  if ([...dest].some((ch) => /\s/.test(ch) || (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f'))
    return { message: `ssh destination ${quoteName(dest)} contains white space or a control character`, hint: example };
  return undefined;
}

/** An underlay: an IP address a peer can send to, or an interface name (the host then says its address). */
function checkUnderlay(text: string): { message: string; hint: string } | undefined {
  const hint = 'write the address the other hosts reach this one at (10.99.0.2), or the interface that has it (eth1)';
  const ip = parseIp(text);
  if (ip.ok || /^[0-9A-Fa-f.:]+$/.test(text)) {
    if (!ip.ok) return { message: ip.problem.message, hint };
    const special = specialAddress(ip.value);
    if (special !== undefined) return { message: `underlay ${text} is ${special}`, hint };
    return undefined;
  }
  const bad = checkInterfaceName(text);
  return bad !== undefined ? { message: `underlay ${quoteName(text)} is neither an IP address nor an interface name: ${bad.message}`, hint } : undefined;
}

/** Each node's `host:`, checked against the hosts; nodes without one are left out (placement finds theirs). */
export function readNodeHosts(
  rawNodes: Record<string, unknown> | undefined,
  names: readonly string[],
  hosts: readonly ResolvedHost[] | undefined,
  problems: Problem[],
): Map<string, string> {
  const pinned = new Map<string, string>();
  const hostNames = hosts?.map((h) => h.name) ?? [];
  for (const n of names) {
    const s = rawNodes?.[n];
    if (!isRecord(s) || typeof s.host !== 'string') continue;
    const path: Path = ['nodes', n, 'host'];
    if (hosts === undefined) {
      problems.push({
        path,
        message: `node ${quoteName(n)} is on host ${quoteName(s.host)}, and the lab has no hosts`,
        hint: `add hosts: { ${clip(s.host)}: { ssh: root@ADDRESS } } to spread the lab over machines, or remove host:`,
      });
      continue;
    }
    if (!hostNames.includes(s.host)) {
      const near = closest(s.host, hostNames);
      problems.push({
        path,
        message: `unknown host ${quoteName(s.host)}`,
        hint: near !== undefined ? `did you mean ${quoteName(near)}? The hosts are ${listWords(hostNames)}` : `the hosts are ${listWords(hostNames)}`,
      });
      continue;
    }
    pinned.set(n, s.host);
  }
  return pinned;
}

/** Each `vni:` once in the lab. */
export function checkUniqueVnis(rawLinks: unknown, problems: Problem[]): void {
  if (!Array.isArray(rawLinks)) return;
  const first = new Map<number, Path>();
  rawLinks.forEach((l: unknown, i) => {
    if (!isRecord(l) || typeof l.vni !== 'number') return;
    const path: Path = ['links', i, 'vni'];
    const prior = first.get(l.vni);
    if (prior === undefined) first.set(l.vni, path);
    else
      problems.push({
        path,
        message: `VNI ${l.vni} is given twice: here and at ${OTHER}`,
        hint: 'each cable between hosts is its own VXLAN segment: give this one another vni, or leave it out to have one chosen',
        other: prior,
      });
  });
}
