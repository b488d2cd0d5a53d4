/**
 * Spare namespaces for a lab's first `up`: made while the command still checks the lab's file, observes
 * and plans, and named by the run when it comes to making namespaces (see startSpares). On a 2-core
 * machine that work keeps one core busy and leaves the other idle; the kernel makes most of a
 * thousand-node lab's namespaces there meanwhile, and naming a spare costs a bind mount. Unnamed and held
 * only by descriptors, a spare that is not named is freed by closing them, and leaves nothing behind.
 */
import { closeSockets, startSpares, type SpareMaker, type SpareNamespace } from '../native/index.js';
import { LAB_NAME_PATTERN } from '../topology/names.js';
import { hasState, STATE_ROOT } from './state.js';

const LAB_NAME = new RegExp(LAB_NAME_PATTERN);

export class Spares {
  /** The lab they are made for. */
  readonly lab: string;
  readonly #maker: SpareMaker;
  #left: Promise<SpareNamespace[]> | undefined;
  /** Those the first take got, and no take has claimed yet. */
  #taken: SpareNamespace[] | undefined;

  private constructor(lab: string, maker: SpareMaker) {
    this.lab = lab;
    this.#maker = maker;
  }

  /**
   * Starts making `nodes` spares for what looks like the first `up` of lab `lab`: its name and node count
   * as read from its file, before the file is checked (a file that turns out wrong only costs the spares).
   * Undefined when spares would go unused: a lab with a state file (it is up, and has its namespaces), a
   * name no lab can have, or no nodes. (A small lab gains little, but loses nothing either: the spares are
   * made on an idle core.)
   */
  static start(lab: unknown, nodes: number, stateRoot = STATE_ROOT): Spares | undefined {
    if (typeof lab !== 'string' || !LAB_NAME.test(lab) || nodes <= 0 || hasState(lab, stateRoot)) return undefined;
    return new Spares(lab, startSpares(nodes));
  }

  /** Makes `nodes` spares in all instead of the number given so far (the lab's count, once known for sure). */
  want(nodes: number): void {
    this.#maker.target(nodes);
  }

  /** Up to `count` spares; each is the caller's from then on. The first take stops the making. */
  async take(count: number): Promise<SpareNamespace[]> {
    this.#taken = await (this.#left ??= this.#maker.take());
    return this.#taken.splice(0, count);
  }

  /** How many spares are held now, made and not claimed: two descriptors each. */
  held(): number {
    return this.#taken?.length ?? this.#maker.held();
  }

  /** Frees the spares nobody took (and stops the making). */
  async close(): Promise<void> {
    const rest = await this.take(Infinity);
    await closeSockets(rest.flatMap((s) => [s.fd, s.nsFd]));
  }
}
