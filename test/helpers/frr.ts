/**
 * Helpers for tests that run FRR in a lab: whether this machine has FRR, the lab's processes as the kernel
 * sees them, and the proof that nothing of a lab's FRR is left (no daemon, no file of its own, nothing in
 * FRR's own directories).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { inWorld, needsRoot } from './sandbox.js';

/**
 * Pass as `{ skip: needsFrr }`: false inside the sandbox on a machine with FRR's daemons, else the reason.
 * Not in a world: FRR's daemons switch users, which a world forbids (test/cli/world.test.ts checks the refusal).
 */
export const needsFrr: string | false =
  needsRoot !== false
    ? needsRoot
    : inWorld
      ? "FRR's daemons switch users, which a world forbids: nslab refuses FRR labs there"
      : existsSync('/usr/lib/frr/zebra') && existsSync('/usr/lib/frr/ospfd')
        ? false
        : 'needs FRR (Debian package frr)';

/** What /var/tmp/frr (this machine's, not the sandbox's) held when the test file started (in a world, unreadable: FRR's). */
const tmpBefore = new Set(needsFrr === false && existsSync('/var/tmp/frr') ? readdirSync('/var/tmp/frr') : []);

/** The processes carrying NSLAB_LAB=`lab`, as `pid command`. */
export function labProcessList(lab: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`NSLAB_LAB=${lab}`)) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The pids of a node's FRR daemons, by daemon, from its pid files. */
export function daemonPids(lab: string, node: string): Record<string, number> {
  const dir = `/run/nslab/${lab}/frr/${node}/run`;
  const pids: Record<string, number> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.pid'))) pids[f.slice(0, -4)] = Number(readFileSync(`${dir}/${f}`, 'utf8').trim());
  return pids;
}

/** Nothing of the lab's FRR is left: no process of the lab, no directory of its own, nothing in FRR's directories. */
export function frrGone(lab: string): void {
  assert.deepEqual(labProcessList(lab), [], `no process of lab ${lab} is left`);
  assert.ok(!existsSync(`/run/nslab/${lab}`), `nothing of lab ${lab} is left under /run/nslab`);
  // The sandbox's /run is its own: FRR's run directory there is only a mount point of nslab's.
  assert.deepEqual(existsSync('/run/frr') ? readdirSync('/run/frr') : [], [], 'nothing in /run/frr');
  const tmpNow = existsSync('/var/tmp/frr') ? readdirSync('/var/tmp/frr') : [];
  assert.deepEqual(
    tmpNow.filter((f) => !tmpBefore.has(f)),
    [],
    "nothing new in this machine's /var/tmp/frr",
  );
}
