/**
 * What a conversion finds: problems (the file is one nslab cannot make) and warnings (what it leaves out).
 * A warning about a node said at one place (a group's image, the defaults' binds) is said once for all the
 * nodes it concerns: "router1, router2 and router3: image ... is not run".
 */
import type { Path, Problem } from '../issues.js';
import { listWords } from '../bounded.js';

interface NodeWarning {
  nodes: string[];
  problem: Problem;
}

export class Report {
  readonly problems: Problem[] = [];
  readonly #warnings: (Problem | NodeWarning)[] = [];
  readonly #byPlace = new Map<string, NodeWarning>();

  problem(p: Problem): void {
    this.problems.push(p);
  }

  warn(p: Problem): void {
    this.#warnings.push(p);
  }

  /** A warning about `node`; `message` says the rest ("image X is not run: ..."). */
  warnNode(node: string, path: Path, message: string, options: { hint?: string; at?: 'key' } = {}): void {
    const key = JSON.stringify([path, options.at ?? '', message, options.hint ?? '']);
    const known = this.#byPlace.get(key);
    if (known !== undefined) {
      known.nodes.push(node);
      return;
    }
    const problem: Problem = { path, message };
    if (options.hint !== undefined) problem.hint = options.hint;
    if (options.at !== undefined) problem.at = options.at;
    const w: NodeWarning = { nodes: [node], problem };
    this.#byPlace.set(key, w);
    this.#warnings.push(w);
  }

  /** The warnings in the order they were found, each node warning naming its nodes. */
  warnings(): Problem[] {
    return this.#warnings.map((w) => ('nodes' in w ? { ...w.problem, message: `${listWords(w.nodes)}: ${w.problem.message}` } : w));
  }
}
