/**
 * Collects operations in order, keeps their ids unique and their `after` lists clean (known ids only, no
 * duplicates, in plan order), so every plan it yields is topologically ordered by construction.
 */
import type { Op, Plan } from './types.js';

export class PlanBuilder {
  readonly #lab: string;
  readonly #ops: Op[] = [];
  /** id -> position in the plan. */
  readonly #index = new Map<string, number>();
  readonly #referenced = new Set<string>();

  constructor(lab: string) {
    this.#lab = lab;
  }

  /**
   * Appends an op and returns its final id. Its dependencies must already be in the plan (that is what
   * keeps the plan topologically ordered). An id already taken gets `#2`, `#3`, ... so odd inputs (two
   * routes to one destination) still give unique, stable ids.
   */
  push(draft: Op): string {
    let id = draft.id;
    for (let n = 2; this.#index.has(id); n++) id = `${draft.id}#${n}`;
    const after = [...new Set(draft.after)];
    for (const dep of after) {
      if (!this.#index.has(dep)) throw new Error(`planner bug: ${id} waits for ${dep}, which is not (yet) in the plan`);
    }
    after.sort((x, y) => (this.#index.get(x) ?? 0) - (this.#index.get(y) ?? 0));
    for (const dep of after) this.#referenced.add(dep);
    this.#index.set(id, this.#ops.length);
    this.#ops.push({ ...draft, id, after });
    return id;
  }

  /** Ids of the ops nothing else waits for yet: waiting for these is waiting for everything so far. */
  sinks(): string[] {
    return this.#ops.filter((op) => !this.#referenced.has(op.id)).map((op) => op.id);
  }

  build(): Plan {
    return { lab: this.#lab, ops: this.#ops };
  }
}
