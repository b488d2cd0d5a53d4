/**
 * Kernel features a lab may need that a kernel can lack (this one has no netem, for instance). Each is
 * probed once per process in a throwaway namespace of our own, before anything of the lab is touched.
 */
import { NslabError } from '../errors.js';
import { addNamespaces, deleteNamespaces, NETNS_RUN_DIR } from '../native/index.js';
import { Handle } from '../rtnl/index.js';
import { qdiscSupported } from '../rtnl/qdisc.js';
import type { ResolvedEndpoint, ResolvedLab, Shaping } from '../topology/types.js';
import { randomHex } from './state.js';
import { locateFrr } from './frr.js';
import { inStartOrder, type FrrDaemon } from '../topology/frr-daemons.js';

const probed = new Map<string, boolean>();

/** Does this kernel have the qdisc kind? Probed on a veth in a namespace made for it and deleted after. */
export async function qdiscAvailable(kind: 'tbf' | 'netem', dir = NETNS_RUN_DIR): Promise<boolean> {
  const known = probed.get(kind);
  if (known !== undefined) return known;
  const name = `nslab-probe-${process.pid}-${randomHex(6)}`;
  const [err] = await addNamespaces([name], { dir });
  if (err !== undefined) throw err;
  try {
    await using h = await Handle.open({ netns: name, dir });
    await h.link.addVeth({ name: 'probe0', peer: { name: 'probe1' } });
    const ok = await qdiscSupported(h, 'probe0', kind);
    probed.set(kind, ok);
    return ok;
  } finally {
    await deleteNamespaces([name], { dir });
  }
}

/**
 * Can this kernel make VXLAN devices (the vxlan module built in or loadable)? Probed with one in a
 * namespace made for it and deleted after (its socket is never opened: the device is never up).
 */
export async function vxlanAvailable(dir = NETNS_RUN_DIR): Promise<boolean> {
  const known = probed.get('vxlan');
  if (known !== undefined) return known;
  const name = `nslab-probe-${process.pid}-${randomHex(6)}`;
  const [err] = await addNamespaces([name], { dir });
  if (err !== undefined) throw err;
  try {
    await using h = await Handle.open({ netns: name, dir });
    let ok = true;
    try {
      await h.link.addVxlan({ name: 'probe0', vni: 1, remote: '192.0.2.1', port: 4789 });
    } catch (e) {
      // EOPNOTSUPP: no module for the kind.
      if ((e as { errno?: number }).errno !== 95) throw e;
      ok = false;
    }
    probed.set('vxlan', ok);
    return ok;
  } finally {
    await deleteNamespaces([name], { dir });
  }
}

/** Netem's part of a shaping (delay, jitter, loss); what tbf cannot do. */
export function needsNetem(s: Shaping | undefined): boolean {
  return s !== undefined && (s.delayMs !== undefined || s.jitterMs !== undefined || s.lossPercent !== undefined);
}

function impairments(s: Shaping): string {
  return [
    s.delayMs !== undefined ? `delay ${s.delayMs}ms` : '',
    s.jitterMs !== undefined ? `jitter ${s.jitterMs}ms` : '',
    s.lossPercent !== undefined ? `loss ${s.lossPercent}%` : '',
  ]
    .filter((x) => x !== '')
    .join(', ');
}

export interface FeatureCheck {
  /** The lab to apply: as desired, or without what the kernel cannot do when that is allowed. */
  lab: ResolvedLab;
  /** What was left out, one line each. */
  skipped: string[];
}

/**
 * Checks that the kernel can do what the lab asks. Missing netem refuses the lab, naming the link ends,
 * unless `allowMissing`: then the ends keep their rate (tbf) and lose delay, jitter and loss, and each
 * loss is reported in `skipped`.
 */
export async function checkFeatures(lab: ResolvedLab, allowMissing: boolean, dir?: string, frrDirs?: readonly string[]): Promise<FeatureCheck> {
  checkFrr(lab, frrDirs);
  if (lab.tunnels !== undefined && lab.tunnels.length > 0 && !(await vxlanAvailable(dir))) {
    throw new NslabError(
      'NSLAB_MISSING_FEATURE',
      `lab ${lab.name} has cables to other hosts, which are VXLAN devices, and this kernel has no vxlan (the module is neither built in nor loadable). Nothing was changed. Load it (modprobe vxlan) or use a kernel that has it.`,
    );
  }
  const ends = lab.links.flatMap((l) => [l.a, l.b]);
  const impaired = ends.filter((e) => needsNetem(e.shaping));
  if (impaired.length === 0 || (await qdiscAvailable('netem', dir))) return { lab, skipped: [] };
  const lines = impaired.map((e) => `${e.node}:${e.ifname}: ${impairments(e.shaping as Shaping)}`);
  if (!allowMissing) {
    throw new NslabError(
      'NSLAB_MISSING_FEATURE',
      `lab ${lab.name} asks for delay, jitter or loss, which need the netem queueing discipline, and this kernel has none (sch_netem is neither built in nor loadable). Nothing was changed. The link ends:\n${lines.map((l) => `  ${l}`).join('\n')}\nRemove those properties, use a kernel with netem, or pass --allow-missing-features to apply the rest (rates) and skip them.`,
    );
  }
  const strip = (e: ResolvedEndpoint): ResolvedEndpoint => {
    if (!needsNetem(e.shaping)) return e;
    const { shaping, ...rest } = e;
    return shaping?.rate !== undefined ? { ...rest, shaping: { rate: shaping.rate } } : rest;
  };
  return {
    lab: { ...lab, links: lab.links.map((l) => ({ ...l, a: strip(l.a), b: strip(l.b) })) },
    skipped: lines.map((l) => `${l} (no netem in this kernel)`),
  };
}

/**
 * A lab whose nodes run FRR needs FRR here: every daemon they name (in `frrDirs`, FRR_PROGRAM_DIRS unless
 * told), vtysh and FRR's user. Throws NSLAB_MISSING_FEATURE naming the nodes, what is missing and the
 * Debian package; no option skips it (a router without its daemons routes nothing).
 */
export function checkFrr(lab: ResolvedLab, frrDirs?: readonly string[]): void {
  const nodes = lab.nodes.filter((n) => n.frr !== undefined);
  if (nodes.length === 0) return;
  const daemons = inStartOrder(nodes.flatMap((n) => n.frr?.daemons ?? ([] as FrrDaemon[])));
  try {
    locateFrr(daemons, frrDirs);
  } catch (e) {
    const names = nodes.map((n) => n.name);
    const which = names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
    throw new NslabError(
      'NSLAB_MISSING_FEATURE',
      `lab ${lab.name} runs FRR on ${nodes.length === 1 ? 'node' : 'nodes'} ${which}, and this machine cannot: ${(e as Error).message}. Nothing was changed.`,
      { cause: e },
    );
  }
}
