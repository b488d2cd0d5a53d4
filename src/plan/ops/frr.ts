/**
 * A node's FRR: its daemons started in the node's FRR view and its configuration loaded, or its daemons
 * ended and its files removed. Processes, like exec entries: no netlink socket carries them.
 */
import { FRR_BINDS, daemonArgv, inFrrView, readyFiles, VTYSH_CONF } from '../../topology/frr-view.js';
import { FRR_SHELL } from '../../topology/frr-daemons.js';
import { shellArg } from '../shell-quote.js';
import { fail, noLane, type OpKindSpec } from './kind.js';

/** `ip netns exec NETNS unshare ... sh -c '...' nslab-frr DIR NODE ARGV...`: a command in the node's FRR view. */
export function inViewText(netns: string, dir: string, node: string, argv: readonly string[]): string {
  return `ip netns exec ${shellArg(netns)} ${inFrrView(dir, node, argv).map(shellArg).join(' ')}`;
}

/** A here-document delimiter the text does not hold as a line of its own. */
function delimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let d = 'NSLAB_FRR_CONF';
  for (let n = 2; lines.has(d); n++) d = `NSLAB_FRR_CONF_${n}`;
  return d;
}

export const frrStart: OpKindSpec<'frr.start'> = {
  describe: (op) => `frr ${op.node}: ${op.frr.daemons.join(', ')}${op.frr.config !== '' ? ', configuration loaded' : ''}`,
  /**
   * The commands a person would type: the node's directories, its configuration, each daemon in the
   * background with its log (zebra first, waited for: the others connect to its zserv socket), and
   * `vtysh -b`, which loads frr.conf into the running daemons.
   */
  explain(op) {
    const d = shellArg(op.dir);
    const subs = FRR_BINDS.map((b) => `${d}/${b.sub}`).join(' ');
    const lines = [`mkdir -p ${FRR_BINDS.map((b) => b.target).join(' ')}`, `rm -rf ${d} && mkdir -p ${subs}`];
    if (op.frr.config !== '') {
      const end = delimiter(op.frr.config);
      lines.push(`cat > ${d}/etc/frr.conf <<'${end}'`, op.frr.config.replace(/\n$/, ''), end);
    } else lines.push(`: > ${d}/etc/frr.conf`);
    lines.push(
      `printf '%s\\n' ${shellArg(VTYSH_CONF.trim())} > ${d}/etc/vtysh.conf`,
      `chown -R frr:frr ${subs} && chmod 750 ${d}/etc && chmod 640 ${d}/etc/frr.conf ${d}/etc/vtysh.conf && chmod 700 ${d}/tmp`,
    );
    const [zebra, ...rest] = op.frr.daemons;
    const waitFor = (daemon: NonNullable<typeof zebra>): string =>
      `until ${readyFiles(daemon)
        .map((f) => `[ -S ${d}/run/${f} ]`)
        .join(' && ')}; do sleep 0.01; done`;
    const start = (daemon: NonNullable<typeof zebra>): string => `${inViewText(op.netns, op.dir, op.node, daemonArgv(daemon))} >> ${d}/${daemon}.log 2>&1 &`;
    if (zebra !== undefined) lines.push(start(zebra), waitFor(zebra));
    for (const daemon of rest) lines.push(start(daemon));
    for (const daemon of rest) lines.push(waitFor(daemon));
    if (op.frr.config !== '') lines.push(inViewText(op.netns, op.dir, op.node, [FRR_SHELL, '-b']));
    return lines.join('\n');
  },
  simulate(op, { lab, nsOf, nextPid }) {
    nsOf(op, op.netns);
    if (lab.processes.some((p) => p.node === op.node && p.frr !== undefined)) fail(op, `node ${op.node} runs FRR already (a second zebra would not start)`);
    for (const daemon of op.frr.daemons)
      lab.processes.push({ node: op.node, pid: nextPid(), startTime: '0', run: daemonArgv(daemon).join(' '), frr: { daemon, digest: op.digest } });
  },
  socket: () => undefined,
  lane: noLane,
};

export const frrStop: OpKindSpec<'frr.stop'> = {
  describe: (op) => `stop frr ${op.node}: ${op.daemons.map((p) => `${p.daemon} ${p.pid}`).join(', ')}`,
  explain: (op) => [...(op.daemons.length > 0 ? [`kill ${op.daemons.map((p) => p.pid).join(' ')}`] : []), `rm -rf ${shellArg(op.dir)}`].join('\n'),
  simulate(op, { lab }) {
    for (const p of op.daemons) {
      const i = lab.processes.findIndex((q) => q.pid === p.pid);
      if (i < 0) fail(op, `no process ${p.pid} (ESRCH)`);
      lab.processes.splice(i, 1);
    }
  },
  socket: () => undefined,
  lane: noLane,
};
