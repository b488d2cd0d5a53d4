/**
 * Collects operations in order, keeps their ids unique and their `after` lists clean (known ids only, no
 * duplicates, in plan order), so every plan it yields is topologically ordered by construction.
 */
import type { Op, Plan } from './types.js';
import { NslabError } from '../errors.js';

export class PlanBuilder {
  readonly #lab: string;
  readonly #ops: Op[] = [];
  /** id -> position in the plan. */
  readonly #index = new Map<string, number>();
  /** By position: true once a later op waits for that op. */
  readonly #referenced: boolean[] = [];

  constructor(lab: string) {
    this.#lab = lab;
  }

  /**
   * Appends an op and returns its final id. Its dependencies must already be in the plan (that is what
   * keeps the plan topologically ordered). An id already taken gets `#2`, `#3`, ... so odd inputs (two
   * routes to one destination) still give unique, stable ids.
   *
   * The draft becomes the op itself (its `id` and `after` set to the final ones), not a copy: pass a fresh
   * object. Its `after` list is not kept, so one list may be passed for several drafts.
   */
  push(draft: Op): string {
    let id = draft.id;
    for (let n = 2; this.#index.has(id); n++) id = `${draft.id}#${n}`;
    const after = this.#cleanAfter(id, draft.after);
    draft.id = id;
    draft.after = after;
    this.#index.set(id, this.#ops.length);
    this.#ops.push(draft);
    this.#referenced.push(false);
    return id;
  }

  /** Ids of the ops nothing else waits for yet: waiting for these is waiting for everything so far. */
  sinks(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.#ops.length; i++) if (this.#referenced[i] !== true) ids.push((this.#ops[i] as Op).id);
    return ids;
  }

  build(): Plan {
    return { lab: this.#lab, ops: this.#ops };
  }

  /**
   * A new `after` list: the same ids, each once, in plan order; marks them referenced. Written for the
   * cold JIT the planner runs in (once per process): most lists are short and in plan order already,
   * and those are copied as they are, without a Set or a sort (a sort costs about 3 us and 1 KB there).
   */
  #cleanAfter(id: string, after: readonly string[]): string[] {
    let inOrder = true;
    let last = -1;
    for (let k = 0; k < after.length; k++) {
      const at = this.#positionOf(id, after[k] as string);
      this.#referenced[at] = true;
      if (at <= last) inOrder = false; // out of order, or listed twice
      last = at;
    }
    if (inOrder) return after.slice();
    return [...new Set(after)].sort((x, y) => (this.#index.get(x) ?? 0) - (this.#index.get(y) ?? 0));
  }

  #positionOf(id: string, dep: string): number {
    const at = this.#index.get(dep);
    if (at === undefined) throw new NslabError('NSLAB_INTERNAL', `planner bug: ${id} waits for ${dep}, which is not (yet) in the plan`);
    return at;
  }
}
