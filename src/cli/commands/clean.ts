/** nslab clean [--lab NAME]: remove labs by their kernel marks, after a crash or with the state lost. */
import type { Command } from 'commander';
import { clean } from '../../api/lifecycle.js';
import { print, requireRoot } from '../context.js';

export function register(program: Command): void {
  program
    .command('clean')
    .description('remove labs by their kernel marks (after a crash, or with the state lost); touches nothing unmarked')
    .option('--lab <name...>', 'only these labs')
    .option('--orphans', 'only labs whose owner process is gone (labs a test run brought up and did not take down)')
    .option('--json', 'print as JSON')
    .action(async (o: { lab?: string[]; orphans?: boolean; json?: boolean }) => {
      requireRoot('clean');
      // Labs spread over hosts from here: their parts on every host that answers (the rest stays recorded).
      const api = await import('../../api/index.js');
      const over = o.orphans === true ? [] : api.labsOverHosts().filter((l) => o.lab === undefined || o.lab.includes(l));
      const spread: { lab: string; hosts: string[] }[] = [];
      const failures: string[] = [];
      for (const lab of over) {
        try {
          spread.push({ lab, hosts: (await api.downOverHosts(lab)).down });
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
      const results = await clean({ ...(o.lab !== undefined ? { labs: o.lab } : {}), ...(o.orphans === true ? { orphans: true } : {}) });
      if (failures.length > 0) process.stderr.write(`nslab: ${failures.join('\n')}\n`);
      if (failures.length > 0) process.exitCode = 1;
      if (spread.length > 0 && o.json !== true) for (const s of spread) process.stdout.write(`removed lab ${s.lab} from hosts ${s.hosts.join(', ')}\n`);
      print(
        o.json === true,
        results.map((r) => ({ lab: r.lab, operations: r.plan.ops.length })),
        () => (results.length === 0 ? 'nothing of nslab was found' : results.map((r) => `removed lab ${r.lab} (${r.plan.ops.length} operations)`).join('\n')),
      );
    });
}
