/**
 * `nslab ui [FILE | --lab NAME] [--port N] [--listen ADDR]`: the live web page of the running labs. Runs
 * until interrupted (Ctrl-C); prints the page's URL, which carries the token every request needs.
 */
import type { Command } from 'commander';
import { NslabError } from '../../errors.js';
import { UsageError } from '../output.js';
import { runningLab, runningLabOf } from '../context.js';

export function register(program: Command): void {
  program
    .command('ui')
    .description('a live web page of a running lab: its diagram, link state and traffic; pull and plug cables, limit rates, watch packets')
    .argument('[file]', 'topology file of the lab to open on (a picker lists every lab that is up)')
    .option('--lab <name>', 'the lab to open on')
    .option('--port <n>', 'TCP port (0: any free one)', '8470')
    .option('--listen <addr>', 'address to listen on (default 127.0.0.1; any other is reachable by others: see docs/ui.md)')
    .action(async (file: string | undefined, o: { lab?: string; port: string; listen?: string }) => {
      if (process.getuid?.() !== 0)
        throw new NslabError('NSLAB_PERMISSION', "nslab ui reads and changes the labs' namespaces and needs root: run it with sudo");
      if (!/^\d+$/.test(o.port) || Number(o.port) > 65535) throw new UsageError(`--port takes a port number (0 for any free one), not "${o.port}"`);
      if (file !== undefined && o.lab !== undefined) throw new UsageError('ui takes a FILE or --lab NAME, not both');
      let lab = o.lab;
      if (lab !== undefined) runningLab(lab);
      else if (file !== undefined) {
        const { Lab } = await import('../../api/index.js');
        lab = (await Lab.fromFile(file)).name;
        runningLabOf(file, lab);
      }
      const { startUi } = await import('../../web/server.js');
      const ui = await startUi({ port: Number(o.port), ...(o.listen !== undefined ? { listen: o.listen } : {}), ...(lab !== undefined ? { lab } : {}) });
      if (!['127.0.0.1', 'localhost', '::1'].includes(ui.host))
        process.stderr.write(
          `nslab: warning: listening on ${ui.host}, not only on this machine: anyone who can reach it and has the URL's token can pull the cables of your labs (docs/ui.md)\n`,
        );
      process.stdout.write(`nslab ui: open ${ui.url}\n(Ctrl-C stops it)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void ui.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
