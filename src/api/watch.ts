/**
 * Watching a running lab: its links' state as the kernel announces it (rtnetlink multicast, no polling),
 * and its counters whenever asked. The web page's live view is built on this; so can a test be.
 *
 *   const watch = await LabWatch.open('two-computers', (s) => console.log(s.node, s.ifname, s.up, s.carrier));
 *   const { counters } = await watch.sample();
 *   await watch.close();
 *
 * A watch holds a socket in each of the lab's namespaces, and an open socket keeps a namespace alive after
 * `nslab down` removed it: close the watch when the lab is gone (`stillUp()` says so).
 */
import { listLabs, parseMark, readState, type LabSummary } from '../engine/index.js';
import { NslabError } from '../errors.js';
import { Handle, type Link, type Subscription } from '../rtnl/index.js';
import { byNodeAndName, countersOf, type InterfaceCounters } from './counters.js';

/** One interface's state: administrative (`ip link set up`) and carrier (the other end is there and up). */
export interface LinkState {
  node: string;
  ifname: string;
  up: boolean;
  carrier: boolean;
}

export { listLabs, type LabSummary };

export class LabWatch {
  readonly lab: string;
  /** The lab instance watched (its state's id and last update): a re-up or a new lab of the name is another. */
  readonly instance: string;
  readonly #handles: { node: string; handle: Handle }[];
  readonly #subscriptions: Subscription[] = [];
  #closed = false;

  private constructor(lab: string, instance: string, handles: { node: string; handle: Handle }[]) {
    this.lab = lab;
    this.instance = instance;
    this.#handles = handles;
  }

  /**
   * Opens a watch on a running lab; `onLink` hears every change of one of its links, within milliseconds
   * of the kernel's. `onError` hears what goes wrong afterwards (a namespace gone, a message that did not
   * decode); the watch itself never throws after it opened.
   *
   * Equivalent to: ip -n NETNS monitor link (for each of the lab's namespaces)
   */
  static async open(lab: string, onLink: (state: LinkState) => void, onError: (error: Error) => void = () => {}): Promise<LabWatch> {
    const state = readState(lab);
    if (state === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${lab} is up; \`nslab ls\` lists the labs`);
    const namespaces = Object.entries(state.namespaces);
    const handles = await Handle.openMany(namespaces.map(([netns]) => netns));
    const watch = new LabWatch(
      lab,
      instanceOf(state),
      handles.map((handle, i) => ({ node: namespaces[i]?.[1] ?? '', handle })),
    );
    try {
      for (const { node, handle } of watch.#handles) {
        watch.#subscriptions.push(
          await handle.subscribe(
            ['link'],
            (e) => {
              if (e.type === 'link-new' && watch.#ours(e.link)) onLink(linkState(node, e.link));
            },
            onError,
          ),
        );
      }
    } catch (e) {
      await watch.close();
      throw e;
    }
    return watch;
  }

  #ours(link: Link): boolean {
    return link.name !== 'lo' && parseMark(link.alias)?.lab === this.lab;
  }

  /** Every link's state and counters now: one link dump per namespace. */
  async sample(): Promise<{ links: LinkState[]; counters: InterfaceCounters[] }> {
    const dumps = await Promise.all(this.#handles.map(async ({ node, handle }) => ({ node, links: (await handle.link.list()).filter((l) => this.#ours(l)) })));
    return {
      links: byNodeAndName(dumps.flatMap(({ node, links }) => links.map((l) => linkState(node, l)))),
      counters: byNodeAndName(dumps.flatMap(({ node, links }) => countersOf(this.lab, node, links))),
    };
  }

  /** Is the watched lab still up as it was (not taken down, nor brought up again with other changes)? */
  stillUp(): boolean {
    const state = readState(this.lab);
    return state !== undefined && instanceOf(state) === this.instance;
  }

  /** Closes the sockets (idempotent); the namespaces can then go. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscriptions) s.close();
    await Handle.closeAll(this.#handles.map((h) => h.handle));
  }
}

function linkState(node: string, l: Link): LinkState {
  return { node, ifname: l.name, up: l.up, carrier: l.lowerUp };
}

function instanceOf(state: { id: string; updatedAt: string }): string {
  return `${state.id}@${state.updatedAt}`;
}
