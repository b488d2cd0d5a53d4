/**
 * nslab part probe | up: what the controller of a lab over several machines runs on each host, over ssh
 * (src/multihost). Not for people: hidden from the help, documented in docs/cli.md.
 */
import type { Command } from 'commander';
import { requireRoot } from '../context.js';

export function register(program: Command): void {
  const part = program.command('part', { hidden: true }).description("a host's part of a lab over several machines (run by the controller over ssh)");
  part
    .command('probe')
    .description('say what this host is (JSON), reading a probe request (JSON) on standard input')
    .action(async () => {
      const { probeHost } = await import('../../api/index.js');
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      try {
        const facts = await probeHost(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Parameters<typeof probeHost>[0]);
        process.stdout.write(`${JSON.stringify(facts)}\n`);
      } catch (e) {
        process.stdout.write(`${JSON.stringify({ event: 'error', code: (e as { code?: string }).code ?? 'NSLAB_INTERNAL', message: (e as Error).message })}\n`);
        process.exitCode = 1;
      }
    });
  part
    .command('up')
    .description("bring this host's part up: the part on standard input, then go or abort")
    .action(async () => {
      requireRoot('part up');
      const { partUp } = await import('../../api/index.js');
      process.exitCode = await partUp(process.stdin, process.stdout);
    });
  part
    .command('why-read')
    .description("this host's share of a why over several machines: its nodes as its kernel has them (JSON)")
    .requiredOption('--lab <name>', 'the lab')
    .action(async (o: { lab: string }) => {
      requireRoot('part why-read');
      const { whyShareOf } = await import('../../api/hosts.js');
      process.stdout.write(`${JSON.stringify(await whyShareOf(o.lab))}\n`);
    });
}
