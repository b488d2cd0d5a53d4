/**
 * `--explain` is a faithful script: for every example, what `nslab up FILE --explain` prints (in a real
 * run, and with --dry-run before anything exists), run by sh on a clean machine, makes the same kernel
 * state as nslab: the same links, addresses, routes (with their protocol), qdiscs and sysctls. Read back
 * with ip, tc and sysctl, the independent witnesses.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseTopology } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { nslabOk, ROOT } from '../helpers/cli.js';
import { ipJson, needsRoot, netnsList, sh } from '../helpers/sandbox.js';

interface IpLink {
  ifname: string;
  flags: string[];
  mtu: number;
  link_type: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}
interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  metric?: number;
  type?: string;
}
interface TcQdisc {
  dev: string;
  kind: string;
  root?: boolean;
  options?: Record<string, unknown>;
}

/** What the kernel has in the lab's namespaces, in a form two runs can be compared by. */
function kernelState(lab: ResolvedLab): unknown {
  const state: Record<string, unknown> = {};
  for (const node of lab.nodes) {
    const ns = node.netns;
    const links = ipJson<IpLink[]>(['-d', '-n', ns, 'link', 'show'])
      .map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind ?? l.link_type, up: l.flags.includes('UP'), mtu: l.mtu, master: l.master ?? null }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const addresses = ipJson<IpAddr[]>(['-n', ns, 'addr', 'show'])
      .flatMap((l) => l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`))
      .sort();
    const routes = [4, 6]
      .flatMap((f) =>
        ipJson<IpRoute[]>([`-${f}`, '-n', ns, 'route', 'show', 'table', 'main'])
          .filter((r) => !(r.dst.startsWith('fe80') || r.dst.startsWith('ff00')))
          .map((r) => `${r.type ?? ''} ${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'} proto ${r.protocol ?? '-'} metric ${r.metric ?? '-'}`),
      )
      .sort();
    const qdiscs = (JSON.parse(execFileSync('tc', ['-j', '-n', ns, 'qdisc', 'show'], { encoding: 'utf8' }) || '[]') as TcQdisc[])
      .filter((q) => q.root === true && q.kind !== 'noqueue')
      .map((q) => ({ dev: q.dev, kind: q.kind, options: q.options ?? {} }))
      .sort((a, b) => a.dev.localeCompare(b.dev));
    const sysctls = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.accept_dad', 'net.ipv6.conf.all.accept_dad'].map(
      (k) => `${k}=${sh('ip', ['netns', 'exec', ns, 'sysctl', '-n', k]).trim()}`,
    );
    state[node.name] = { links, addresses, routes, qdiscs, sysctls };
  }
  return state;
}

/**
 * Removes the namespaces a replayed script made (by their exact names: the test made them), after ending
 * the processes its background exec entries started in them (`ip netns pids`: those in that namespace).
 */
function removeReplayed(lab: ResolvedLab): void {
  const present = new Set(netnsList());
  for (const n of lab.nodes) {
    if (!present.has(n.netns)) continue;
    for (const pid of sh('ip', ['netns', 'pids', n.netns])
      .split('\n')
      .filter((p) => p !== '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Ended meanwhile.
      }
    }
    sh('ip', ['netns', 'del', n.netns]);
  }
}

/**
 * Runs a script by sh. Its output goes to a file, not a pipe: a background exec entry's process (`... &`)
 * keeps what it inherited open, and a pipe would wait for it to end.
 */
function replay(script: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const out = openSync(join(dir, 'out'), 'w');
  try {
    execFileSync('sh', ['-c', script], { stdio: ['ignore', out, out] });
  } catch (e) {
    throw new Error(`the script failed: ${readFileSync(join(dir, 'out'), 'utf8')}`, { cause: e });
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true });
  }
}

const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => /\.ya?ml$/.test(f))
  // Their routers' routes come from FRR daemons, which a script of ip commands does not start.
  .filter((f) => !/-(ospf|bgp)\.yaml$/.test(f))
  .sort();

describe('--explain replayed by sh makes what nslab makes', { skip: needsRoot }, () => {
  for (const file of EXAMPLES) {
    test(file, () => {
      const path = join('examples', file);
      const lab = parseTopology(readFileSync(join(ROOT, path), 'utf8'), { file: path });
      const dry = nslabOk(['up', path, '--dry-run', '--explain']).stdout;
      const real = nslabOk(['up', path, '--explain']).stdout;
      const made = kernelState(lab);
      nslabOk(['down', path]);
      for (const [name, script] of [
        ['real run', real],
        ['dry run', dry],
      ] as const) {
        try {
          replay(script);
          assert.deepEqual(kernelState(lab), made, `${file}: the ${name}'s script`);
        } finally {
          removeReplayed(lab);
        }
      }
    });
  }
});
