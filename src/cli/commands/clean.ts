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
      const results = await clean({ ...(o.lab !== undefined ? { labs: o.lab } : {}), ...(o.orphans === true ? { orphans: true } : {}) });
      print(
        o.json === true,
        results.map((r) => ({ lab: r.lab, operations: r.plan.ops.length })),
        () => (results.length === 0 ? 'nothing of nslab was found' : results.map((r) => `removed lab ${r.lab} (${r.plan.ops.length} operations)`).join('\n')),
      );
    });
}
