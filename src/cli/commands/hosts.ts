/** nslab hosts check FILE: is every host of a lab over several machines fit for it? Nothing is made. */
import type { Command } from 'commander';
import { NslabError } from '../../errors.js';
import { print } from '../context.js';
import { UsageError } from '../output.js';

export function register(program: Command): void {
  const hosts = program.command('hosts').description('the hosts of a lab over several machines');
  hosts
    .command('check')
    .description('reach every host of a lab over ssh and check it: nslab of the same version, root, VXLAN, the underlay and its MTU, free VNIs')
    .argument('<file>', 'topology file with hosts:')
    .option('--json', 'print as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      const lab = await api.Lab.fromFile(file);
      if (lab.resolved.hosts === undefined) throw new UsageError(`${file} has no hosts: it is a lab on this machine`);
      const checks = await api.checkHosts(lab.resolved);
      const { planCables } = await import('../../api/index.js');
      const facts = new Map(checks.flatMap((c) => (c.facts !== undefined ? [[c.name, c.facts] as const] : [])));
      const cables = checks.every((c) => c.ok) ? planCables(lab.resolved, facts) : { cables: [], problems: [] };
      const ok = checks.every((c) => c.ok) && cables.problems.length === 0;
      print(
        o.json === true,
        {
          lab: lab.name,
          ok,
          hosts: checks,
          cables: cables.cables.map((c) => ({ id: c.link.id, hosts: [c.hostA, c.hostB], vni: c.vni, mtu: c.mtu })),
          problems: cables.problems,
        },
        () =>
          [
            ...checks.map((c) =>
              c.ok && c.facts !== undefined
                ? `host ${c.name} (${c.ssh}): ok in ${c.ms} ms: nslab ${c.facts.version}, underlay ${c.facts.underlay.address} on ${c.facts.underlay.device} (MTU ${c.facts.underlay.mtu})`
                : `host ${c.name} (${c.ssh}): ${c.problems.join('; ')}`,
            ),
            ...cables.cables.map((c) => `cable ${c.link.id}: ${c.hostA} <-> ${c.hostB}, VNI ${c.vni}, MTU ${c.mtu}`),
            ...cables.problems,
          ].join('\n'),
      );
      if (!ok && o.json !== true) throw new NslabError('NSLAB_HOST', `lab ${lab.name} cannot be brought up over its hosts as they are: see above`);
      if (!ok) process.exitCode = 1;
    });
}
