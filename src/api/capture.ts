/**
 * Packet capture on a node's interface: tcpdump from the distribution, run inside the node's namespace
 * through the one process runner (why tcpdump: docs/capture.md). Two ways:
 *
 *   - `pcap` (the library's node.capture(), `nslab capture -w`): tcpdump writes the pcap stream; each
 *     packet arrives with its time and bytes, and stop() adds tcpdump's own one-line summary of each
 *     (`tcpdump -n -r -` over what was captured).
 *   - `lines` (`nslab capture` to a terminal, the web page's packet list): tcpdump prints its one-line
 *     summaries as packets come, exactly as `tcpdump -n` does.
 *
 * A capture resolves once tcpdump is listening (a packet sent after that is in it), and its errors (no
 * tcpdump, an interface that is not there, a filter tcpdump rejects) are NslabErrors with tcpdump's words.
 */
import type { Readable } from 'node:stream';
import { NslabError } from '../errors.js';
import { inNetns, labEnv, run, setgroupsDenied, startChild, type Child } from '../process/index.js';
import type { NodePlace } from './exec.js';
import { PcapReader, type PcapPacket } from './pcap.js';

/** What node.capture() takes besides the interface. */
export interface CaptureOptions {
  /** A tcpdump (pcap-filter) expression: `icmp`, `tcp port 80`, `host 10.10.1.3 and not arp`. */
  filter?: string;
  /** Stop by itself after this many packets. */
  count?: number;
  /** `pcap` (default): packets with their bytes, summaries at stop(); `lines`: summaries as they come, no bytes. */
  mode?: 'pcap' | 'lines';
  /** Each packet as it arrives (in `pcap` mode its summary is '' until stop()). */
  onPacket?: (packet: CapturedPacket) => void;
  /** The pcap stream itself, chunk by chunk, global header first (`pcap` mode): for `-w FILE` and `-w -`. */
  onData?: (chunk: Uint8Array) => void;
  /** Keep the packets for packets() and stop() (default true; a long capture to a file need not). */
  keep?: boolean;
}

/** One packet of a capture. */
export interface CapturedPacket {
  /** Seconds since the epoch, to the microsecond. */
  time: number;
  /** tcpdump's one-line summary, as `tcpdump -n` prints it after the time: `IP 10.10.1.2 > 10.10.1.3: ICMP echo request, ...`. */
  summary: string;
  /** Its length on the wire (`pcap` mode). */
  length?: number;
  /** The bytes captured, from the Ethernet header on (`pcap` mode). */
  data?: Uint8Array;
}

/** How a capture ended. */
export interface CaptureEnd {
  /** Packets captured. */
  packets: number;
  /** Stopped by stop() (else: the count was reached, or tcpdump ended by itself). */
  stopped: boolean;
}

/** `tcpdump -n -tt` prints the time as seconds since the epoch, then the summary. */
const LINE = /^(\d+\.\d+) (.*)$/;

/** A capture under way: what node.capture() resolves with. */
export interface Capture extends AsyncDisposable {
  /** `red:rveth`, or `red` for all of a node's interfaces. */
  readonly where: string;
  /** Resolves when tcpdump has ended (the count reached, or stop()). */
  readonly ended: Promise<CaptureEnd>;
  /** The packets so far (in `pcap` mode without summaries until stop()). */
  packets(): CapturedPacket[];
  /** Ends the capture and resolves with every packet it took, each with tcpdump's summary. */
  stop(): Promise<CapturedPacket[]>;
}

/**
 * Starts tcpdump on `ifname` (or on every interface of the namespace) and resolves once it listens;
 * `where` names the place in messages (`red:rveth`).
 *
 * Equivalent to: ip netns exec NETNS tcpdump -n -i IFNAME [-c COUNT] [-w -] [FILTER]
 */
export function startCapture(place: NodePlace, ifname: string | undefined, options: CaptureOptions = {}): Promise<Capture> {
  return TcpdumpCapture.start(place, ifname, options);
}

class TcpdumpCapture implements Capture {
  readonly where: string;
  readonly ended: Promise<CaptureEnd>;
  readonly #child: Child;
  readonly #options: CaptureOptions;
  readonly #packets: CapturedPacket[] = [];
  readonly #chunks: Uint8Array[] = [];
  #count = 0;
  #stopped = false;
  #summarised: Promise<void> | undefined;

  private constructor(where: string, child: Child, options: CaptureOptions) {
    this.where = where;
    this.#child = child;
    this.#options = options;
    const keep = options.keep !== false;
    if ((options.mode ?? 'pcap') === 'pcap') {
      const reader = new PcapReader();
      child.stdout?.on('data', (chunk: Buffer) => {
        if (keep) this.#chunks.push(chunk);
        options.onData?.(chunk);
        for (const p of reader.push(chunk)) this.#add({ time: p.time, summary: '', length: p.length, data: p.data }, keep);
      });
    } else {
      lines(child.stdout, (line) => {
        const m = LINE.exec(line);
        this.#add({ time: m !== null ? Number(m[1]) : Date.now() / 1000, summary: m?.[2] ?? line }, keep);
      });
    }
    this.ended = child.exited.then(() => ({ packets: this.#count, stopped: this.#stopped }));
  }

  #add(packet: CapturedPacket, keep: boolean): void {
    this.#count += 1;
    if (keep) this.#packets.push(packet);
    this.#options.onPacket?.(packet);
  }

  static async start(place: NodePlace, ifname: string | undefined, options: CaptureOptions = {}): Promise<Capture> {
    const where = ifname === undefined ? place.node : `${place.node}:${ifname}`;
    // tcpdump gives up root once the interface is open (initgroups, then setuid), which a world's user
    // namespace forbids even towards root: said before anything starts, not as tcpdump's EPERM.
    if (setgroupsDenied())
      throw new NslabError(
        'NSLAB_CAPTURE',
        `cannot capture on ${where} in your nslab world: tcpdump switches to a user of its own once it captures (setgroups and setuid), ` +
          'and a world, a user namespace of yours in which you alone exist, forbids that even towards root; capture as root (sudo nslab capture ...). See docs/rootless.md',
      );
    const pcap = (options.mode ?? 'pcap') === 'pcap';
    const argv = [
      'tcpdump',
      '-n',
      '-i',
      ifname ?? 'any',
      // Each packet handed over as it is captured, not a buffer's worth a second later.
      '--immediate-mode',
      ...(pcap ? ['-U', '-w', '-'] : ['-l', '-tt']),
      ...(options.count !== undefined ? ['-c', String(options.count)] : []),
      ...(options.filter !== undefined && options.filter.trim() !== '' ? [options.filter] : []),
    ];
    // Its output is read as it comes, not kept by the runner; it carries the lab's mark like every process
    // nslab starts in a node, so a capture left by a killed run goes with the lab.
    const child = await startChild(inNetns(place.netns, argv), { where, collect: false, env: labEnv(place.lab, place.node) });
    const capture = new TcpdumpCapture(where, child, options);
    await listening(child, where, options.filter, ifname === undefined ? 'LINUX_SLL2' : 'EN10MB');
    return capture;
  }

  packets(): CapturedPacket[] {
    return [...this.#packets];
  }

  async stop(): Promise<CapturedPacket[]> {
    this.#stopped = true;
    this.#child.kill('SIGTERM');
    await this.ended;
    await (this.#summarised ??= this.#summarise());
    return this.packets();
  }

  /** tcpdump's own one-line summaries of what was captured: `tcpdump -n -tt -r -` over the pcap stream. */
  async #summarise(): Promise<void> {
    if ((this.#options.mode ?? 'pcap') !== 'pcap' || this.#packets.length === 0) return;
    const r = await run(['tcpdump', '-n', '-tt', '-r', '-'], { input: Buffer.concat(this.#chunks), where: `the capture of ${this.where}` });
    const summaries = r.stdout.split('\n').filter((l) => l !== '');
    this.#packets.forEach((p, i) => {
      const m = LINE.exec(summaries[i] ?? '');
      p.summary = m?.[2] ?? summaries[i] ?? '';
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Calls `onLine` for each whole line of a stream. */
function lines(stream: Readable | null, onLine: (line: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l !== '') onLine(l);
  });
}

/** Resolves when tcpdump says it listens; rejects with its own words when it ends before. */
async function listening(child: Child, where: string, filter: string | undefined, linkType: string): Promise<void> {
  const heard = new Promise<boolean>((resolve) => {
    child.stderr?.on('data', () => {
      if (child.output().stderr.includes('listening on')) resolve(true);
    });
    void child.exited.then(() => resolve(false));
  });
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  const outcome = await Promise.race([heard, timer]);
  if (outcome === true) return;
  child.kill('SIGTERM');
  await child.exited;
  throw await captureError(child.output().stderr.trim(), where, filter, linkType, outcome === 'timeout');
}

async function captureError(said: string, where: string, filter: string | undefined, linkType: string, timedOut: boolean): Promise<NslabError> {
  const words = said
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('('))
    .join('; ');
  if (/exec of "tcpdump" failed|No such file or directory/.test(said) && !said.includes('tcpdump:'))
    return new NslabError('NSLAB_CAPTURE', `cannot capture on ${where}: tcpdump is not installed; install it (apt-get install tcpdump)`);
  if (filter !== undefined && /filter|expression|syntax|parse|unknown host|illegal|invalid/i.test(said)) {
    const at = await locateFilterError(filter, linkType);
    return new NslabError(
      'NSLAB_CAPTURE_FILTER',
      `capture filter "${filter}" on ${where}: ${words}${at !== undefined ? `\n  ${at}` : ''}\n  see \`man pcap-filter\` for the expressions tcpdump takes`,
    );
  }
  if (timedOut) return new NslabError('NSLAB_CAPTURE', `tcpdump on ${where} did not start listening within 10 s${words !== '' ? `: ${words}` : ''}`);
  return new NslabError('NSLAB_CAPTURE', `cannot capture on ${where}: ${words || 'tcpdump ended without a word'}`);
}

/**
 * Where a filter goes wrong: the longest start of it that tcpdump compiles, and the word after. tcpdump
 * itself only says "syntax error". Compiled without the optimizer (-O), which refuses a prefix that matches
 * no packet (`icmp and udp`) although it is well written.
 *
 * Equivalent to: tcpdump -O -y LINKTYPE -d 'PREFIX' (for each prefix)
 */
export async function locateFilterError(filter: string, linkType = 'EN10MB'): Promise<string | undefined> {
  const words = filter.trim().split(/\s+/);
  const compiles = async (k: number): Promise<boolean> =>
    (await run(['tcpdump', '-O', '-y', linkType, '-d', words.slice(0, k).join(' ')], { stdio: 'ignore' })).code === 0;
  let longest = 0;
  for (let k = 1; k <= words.length; k++) if (await compiles(k)) longest = k;
  if (longest === words.length) return undefined;
  const word = words[longest] ?? '';
  const marker = `${' '.repeat(words.slice(0, longest).join(' ').length + (longest > 0 ? 1 : 0))}${'^'.repeat(word.length)}`;
  return `${filter.trim()}\n  ${marker} tcpdump ${longest === 0 ? 'takes none of it' : `takes "${words.slice(0, longest).join(' ')}"`}; the trouble is at word ${longest + 1}, "${word}"`;
}

export type { PcapPacket };

/** `06:21:45.221326`: a packet's time as `tcpdump -n` prints it (local time, microseconds). */
export function packetClock(seconds: number): string {
  const d = new Date(Math.floor(seconds * 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(Math.round((seconds % 1) * 1e6) % 1e6).padStart(6, '0')}`;
}
