/**
 * One lab as the open pages watch it: the lab's picture, its links' state as the kernel announces it, and
 * its rates once a second, pushed to every page watching it. It runs only while a page is open: the first
 * page opens the lab's sockets and starts the clock, the last one to leave stops both. A lab that goes down
 * meanwhile is said so to the pages, its sockets closed (they would keep its namespaces alive), and watched
 * for again while pages stay.
 */
import { drawLiveGraph, observedGraph } from '../api/graph.js';
import { ratesBetween, type InterfaceCounters, type InterfaceRates } from '../api/counters.js';
import { LabWatch, type LinkState } from '../api/watch.js';
import { labSummaries } from './labs.js';
import { hostsGraph, isOverHosts } from '../api/hosts.js';

/**
 * A lab over several machines is not watched live: its namespaces are on other hosts. Its picture (nodes in
 * their hosts' boxes, each end's state) is drawn from every host's `nslab status`, asked again this often.
 */
const HOSTS_EVERY_MS = 5000;
/**
 * A rate is taken over at least this long: a tick right after another (the first one waits for the picture)
 * would divide a ping's one packet by a millisecond and read a thousand a second.
 */
const RATE_OVER_MS = 500;

export interface SessionEvent {
  type: 'hello' | 'lab' | 'down' | 'link' | 'stats' | 'labs';
  data: unknown;
}

export type Page = (event: SessionEvent) => void;

export class LabSession {
  /** The lab's name; '' for the picker's session, which only follows the list of labs. */
  readonly lab: string;
  readonly #everyMs: number;
  readonly #onEmpty: () => void;
  readonly #pages = new Set<Page>();
  #timer: NodeJS.Timeout | undefined;
  #watch: LabWatch | undefined;
  #opening: Promise<void> | undefined;
  #ticking = false;
  #snapshot: SessionEvent | undefined;
  #links = new Map<string, LinkState>();
  /** The counters the next rates are taken from, and when they were read; the rates last taken. */
  #base: { at: number; counters: InterfaceCounters[] } | undefined;
  #rates: InterfaceRates[] = [];
  #labs = '';
  /** A lab over several machines: the picture last sent, and when the hosts were last asked. */
  #overHosts: { svg: string; at: number } | undefined;

  constructor(lab: string, everyMs: number, onEmpty: () => void) {
    this.lab = lab;
    this.#everyMs = everyMs;
    this.#onEmpty = onEmpty;
  }

  get pages(): number {
    return this.#pages.size;
  }

  join(page: Page): void {
    this.#pages.add(page);
    if (this.#pages.size === 1) {
      this.#labs = JSON.stringify(labSummaries());
      this.#timer = setInterval(() => void this.#tick(), this.#everyMs);
      if (this.lab !== '') this.#opening = this.#open();
    } else if (this.#snapshot !== undefined) {
      page(this.#snapshot);
      for (const s of this.#links.values()) page({ type: 'link', data: { ...s, at: Date.now() } });
    }
  }

  leave(page: Page): void {
    this.#pages.delete(page);
    if (this.#pages.size === 0) void this.close();
  }

  /** Stops the clock and closes the lab's sockets. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pages.clear();
    await this.#opening?.catch(() => undefined);
    await this.#closeWatch();
    this.#onEmpty();
  }

  #send(event: SessionEvent): void {
    for (const page of this.#pages) page(event);
  }

  async #closeWatch(): Promise<void> {
    const w = this.#watch;
    this.#watch = undefined;
    this.#overHosts = undefined;
    this.#snapshot = undefined;
    this.#base = undefined;
    this.#rates = [];
    this.#links.clear();
    await w?.close();
  }

  #onLink(s: LinkState): void {
    const key = `${s.node}:${s.ifname}`;
    const old = this.#links.get(key);
    if (old !== undefined && old.up === s.up && old.carrier === s.carrier) return;
    this.#links.set(key, s);
    this.#send({ type: 'link', data: { ...s, at: Date.now() } });
  }

  /** Opens the watch and sends the picture; a lab that is not up is said so, and looked for again each tick. */
  async #open(): Promise<void> {
    if (isOverHosts(this.lab)) return this.#openOverHosts();
    let watch: LabWatch | undefined;
    try {
      watch = await LabWatch.open(this.lab, (s) => this.#onLink(s));
      const [model, sample] = await Promise.all([observedGraph(this.lab), sampled(watch)]);
      const svg = await drawLiveGraph(model);
      if (this.#pages.size === 0) return void (await watch.close());
      this.#watch = watch;
      this.#links = new Map(sample.links.map((s) => [`${s.node}:${s.ifname}`, s]));
      this.#base = { at: sample.at, counters: sample.counters };
      this.#rates = [];
      this.#snapshot = { type: 'lab', data: { lab: this.lab, svg, links: sample.links, model } };
      this.#send(this.#snapshot);
    } catch (e) {
      await watch?.close();
      this.#send({ type: 'down', data: { lab: this.lab, message: e instanceof Error ? e.message : String(e) } });
    }
  }

  /** A lab over several machines: its picture from every host's status, sent again when it changes. */
  async #openOverHosts(): Promise<void> {
    try {
      const { model } = await hostsGraph(this.lab);
      const svg = await drawLiveGraph(model);
      const links: LinkState[] = model.cables
        .flatMap((c) => [c.a, c.b])
        .filter((e) => e.up !== undefined)
        // A host's status says whether an interface is up, not its carrier: up stands for both.
        .map((e) => ({ node: e.node, ifname: e.ifname, up: e.up === true, carrier: e.up === true }));
      const unchanged = this.#overHosts?.svg === svg;
      this.#overHosts = { svg, at: Date.now() };
      this.#links = new Map(links.map((l) => [`${l.node}:${l.ifname}`, l]));
      this.#snapshot = { type: 'lab', data: { lab: this.lab, svg, links, model } };
      if (!unchanged) this.#send(this.#snapshot);
    } catch (e) {
      this.#overHosts = undefined;
      this.#send({ type: 'down', data: { lab: this.lab, message: e instanceof Error ? e.message : String(e) } });
    }
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const labs = labSummaries();
      const text = JSON.stringify(labs);
      if (text !== this.#labs) {
        this.#labs = text;
        this.#send({ type: 'labs', data: labs });
      }
      if (this.lab === '') return;
      await this.#opening;
      if (this.#overHosts !== undefined) {
        if (Date.now() - this.#overHosts.at >= HOSTS_EVERY_MS) this.#opening = this.#openOverHosts();
        return;
      }
      const watch = this.#watch;
      if (watch === undefined) {
        if (labs.some((l) => l.name === this.lab)) this.#opening = this.#open();
        return;
      }
      if (!watch.stillUp()) {
        await this.#closeWatch();
        const back = labs.some((l) => l.name === this.lab);
        this.#send({
          type: 'down',
          data: { lab: this.lab, message: back ? `lab ${this.lab} was brought up again: drawing it anew` : `lab ${this.lab} went down` },
        });
        if (back) this.#opening = this.#open();
        return;
      }
      const { links, counters, at } = await sampled(watch);
      // Events are the source of link state; a sample that disagrees (an event lost to a full socket) wins.
      for (const s of links) this.#onLink(s);
      if (this.#base === undefined) this.#base = { at, counters };
      else if (at - this.#base.at >= RATE_OVER_MS) {
        this.#rates = ratesBetween(this.#base.counters, counters, (at - this.#base.at) / 1000);
        this.#base = { at, counters };
      }
      this.#send({ type: 'stats', data: { at, rates: this.#rates, counters } });
    } catch (e) {
      // A namespace deleted under the watch: the next tick finds the lab down (or back).
      this.#send({ type: 'down', data: { lab: this.lab, message: e instanceof Error ? e.message : String(e) } });
      await this.#closeWatch();
    } finally {
      this.#ticking = false;
    }
  }
}

/** A watch's sample with the moment its counters were read (after the read, not before it was asked for). */
async function sampled(watch: LabWatch): Promise<{ links: LinkState[]; counters: InterfaceCounters[]; at: number }> {
  const sample = await watch.sample();
  return { ...sample, at: Date.now() };
}
