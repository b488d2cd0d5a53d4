/** nslab schema: the JSON Schema of the topology file, for editors. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the topology file (for editors)')
    .action(async () => {
      const { topologyJsonSchema } = await import('../../api/index.js');
      process.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    });
}
