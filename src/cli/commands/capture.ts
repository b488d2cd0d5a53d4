/**
 * `nslab capture NODE[:IF] [--lab NAME] [--filter EXPR] [--count N] [-w FILE | -w -]`: the packets of one
 * interface (or of all of a node's), as tcpdump's one-line summaries, or as pcap to a file or to standard
 * output (`nslab capture red:rveth -w - | wireshark -k -i -`). Ctrl-C stops it.
 */
import { createWriteStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { NslabError } from '../../errors.js';
import { interfaceIn, labName, nodeIn, requireRoot, runningLab } from '../context.js';
import { UsageError } from '../output.js';

export function register(program: Command): void {
  program
    .command('capture')
    .description("the packets of an interface (NODE:IF) or of all of a node's (NODE): one line each as tcpdump -n prints them, or pcap with -w")
    .argument('<target>', 'NODE:IFNAME, or NODE for all of its interfaces')
    .option('--lab <name>', 'the lab, when several are up')
    .option('--filter <expr>', 'only the packets this tcpdump filter takes (man pcap-filter): icmp, "tcp port 80", "host 10.10.1.3"')
    .option('-c, --count <n>', 'stop after N packets')
    .option('-w, --write <file>', 'write pcap to FILE, or to standard output with -w - (for wireshark -k -i -)')
    // How the controller of a lab over several machines stops a capture it started on a host: it ends the
    // ssh session's input.
    .addOption(new Option('--until-input-ends', 'stop when standard input ends').hideHelp())
    .action(async (target: string, o: { lab?: string; filter?: string; count?: string; write?: string; untilInputEnds?: boolean }) => {
      requireRoot('capture');
      const [node, ifname, extra] = target.split(':');
      if (node === undefined || node === '' || ifname === '' || extra !== undefined)
        throw new UsageError(`"${target}" is not NODE or NODE:IFNAME (for example red:rveth)`);
      if (o.count !== undefined && !/^[1-9]\d*$/.test(o.count)) throw new UsageError(`--count takes a whole number above 0, not "${o.count}"`);
      const applied = runningLab(await labName(o, undefined, node));
      if (ifname !== undefined) interfaceIn(applied, node, ifname);
      else nodeIn(applied, node);
      const where = ifname !== undefined ? `${node}:${ifname}` : node;
      // A node on another host: tcpdump runs there, its packets come here (a pcap written here).
      const { nodeHost } = await import('../../api/hosts.js');
      if (nodeHost(applied.name, node) !== undefined) {
        process.exitCode = await captureOnItsHost(applied.name, node, target, o);
        return;
      }
      const { Lab, packetClock } = await import('../../api/index.js');
      const toStdout = o.write === '-';
      const file = o.write !== undefined && !toStdout ? createWriteStream(o.write) : undefined;
      const fileDone = file !== undefined ? new Promise<void>((resolve, reject) => file.once('error', reject).once('close', resolve)) : undefined;
      let capture;
      try {
        capture = await Lab.open(applied.name)
          .node(node)
          .capture(ifname, {
            ...(o.filter !== undefined ? { filter: o.filter } : {}),
            ...(o.count !== undefined ? { count: Number(o.count) } : {}),
            ...(o.write !== undefined
              ? { mode: 'pcap' as const, keep: false, onData: (chunk: Uint8Array) => void (toStdout ? process.stdout.write(chunk) : file?.write(chunk)) }
              : {
                  mode: 'lines' as const,
                  keep: false,
                  onPacket: (p: { time: number; summary: string }) => void process.stdout.write(`${packetClock(p.time)} ${p.summary}\n`),
                }),
          });
      } catch (e) {
        file?.destroy();
        // A filter tcpdump refuses is bad input, like a bad option.
        if (e instanceof NslabError && e.code === 'NSLAB_CAPTURE_FILTER') throw new UsageError(e.message);
        throw e;
      }
      process.stderr.write(
        `nslab: capturing on ${where} of lab ${applied.name}${o.filter !== undefined ? ` (filter: ${o.filter})` : ''}${file !== undefined ? `, writing ${o.write}` : ''}; Ctrl-C stops\n`,
      );
      const stop = (): void => void capture.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (o.untilInputEnds === true) process.stdin.once('end', stop).resume();
      // The reader went away (wireshark closed, `| head` had enough): stop quietly.
      process.stdout.once('error', stop);
      try {
        const end = await capture.ended;
        file?.end();
        await fileDone;
        process.stderr.write(
          `nslab: ${end.packets} packet${end.packets === 1 ? '' : 's'} captured on ${where}${file !== undefined ? `, written to ${o.write}` : ''}\n`,
        );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/**
 * `nslab capture` of a node on another host: the same command runs there over ssh (`-w -` when a pcap is
 * wanted, so the bytes come here and FILE is written on this machine); its lines or bytes are passed on as
 * they come, its messages to standard error. Ctrl-C, or this process ending, ends the ssh session's input,
 * which stops it there. Resolves with its exit code.
 */
async function captureOnItsHost(lab: string, node: string, target: string, o: { filter?: string; count?: string; write?: string }): Promise<number> {
  const { streamForNode } = await import('../../api/hosts.js');
  const args = [
    'capture',
    '--lab',
    lab,
    target,
    '--until-input-ends',
    ...(o.filter !== undefined ? ['--filter', o.filter] : []),
    ...(o.count !== undefined ? ['--count', o.count] : []),
    ...(o.write !== undefined ? ['-w', '-'] : []),
  ];
  const file = o.write !== undefined && o.write !== '-' ? createWriteStream(o.write) : undefined;
  const fileDone = file !== undefined ? new Promise<void>((resolve, reject) => file.once('error', reject).once('close', resolve)) : undefined;
  const child = await streamForNode(lab, node, args);
  if (child === undefined) throw new NslabError('NSLAB_NOT_FOUND', `node ${node} of lab ${lab} is not on another host`);
  const out = file ?? process.stdout;
  child.stdout?.on('data', (chunk: Buffer) => void out.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => void process.stderr.write(chunk));
  const stop = (): void => void child.stdin?.end();
  process.on('SIGINT', stop).on('SIGTERM', stop);
  process.stdout.once('error', stop);
  try {
    const exit = await child.exited;
    file?.end();
    await fileDone;
    return exit.exitCode;
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
  }
}
