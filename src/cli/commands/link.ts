/** nslab link set NODE:IF ...: change a link of a running lab, without a re-up. */
import type { Command } from 'commander';
import type { LinkChange } from '../../api/index.js';
import { interfaceIn, labName, requireRoot } from '../context.js';
import { UsageError } from '../output.js';

export function register(program: Command): void {
  const link = program.command('link').description('change a link of a running lab, without a re-up');
  link
    .command('set')
    .description('NODE:IFNAME up | down | mtu N | rate RATE (10mbit, 1gbit...) | rate none; the next nslab up restores the file')
    .argument('<endpoint>', 'NODE:IFNAME')
    .argument('<changes...>', 'up, down, mtu N, rate RATE')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (endpoint: string, words: string[], o: { lab?: string }) => {
      requireRoot('link set');
      const [node, ifname, extra] = endpoint.split(':');
      if (node === undefined || node === '' || ifname === undefined || ifname === '' || extra !== undefined)
        throw new UsageError(`"${endpoint}" is not NODE:IFNAME (for example red:rveth)`);
      const api = await import('../../api/index.js');
      const change = parseLinkChange(words, api.parseRate);
      const lab = api.Lab.open(await labName(o, undefined, node));
      interfaceIn(lab.resolved, node, ifname);
      await lab.link(endpoint).set(change);
      process.stdout.write(`${endpoint}: ${words.join(' ')}\n`);
    });
}

type RateParser = (text: string) => { ok: true; value: number } | { ok: false; problem: { message: string; hint: string } };

/** `up`, `down`, `mtu 1400`, `rate 10mbit`, `rate none`, in any combination; rates as the topology file writes them. */
export function parseLinkChange(words: readonly string[], parseRate: RateParser): LinkChange {
  const change: LinkChange = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'up' || w === 'down') change.up = w === 'up';
    else if (w === 'mtu' && /^\d+$/.test(words[i + 1] ?? '')) change.mtu = Number(words[++i]);
    else if (w === 'rate' && words[i + 1] === 'none') {
      change.rate = null;
      i++;
    } else if (w === 'rate' && words[i + 1] !== undefined) {
      const r = parseRate(words[++i] as string);
      if (!r.ok) throw new UsageError(`link set: ${r.problem.message}; ${r.problem.hint}`);
      change.rate = r.value;
    } else throw new UsageError(`link set: "${w ?? ''}" is not one of up, down, mtu N, rate RATE, rate none`);
  }
  if (Object.keys(change).length === 0) throw new UsageError('link set: say what to change: up, down, mtu N, rate RATE');
  return change;
}
