/**
 * Where each part of a converted lab came from in the containerlab file, so that a problem the nslab checks
 * find in the raw form (`nodes.PC1.exec[2]`) is placed where the user wrote it (`topology.groups.hosts.exec[0]`,
 * line and column), and said with that file's own path.
 */
import type { Path, Problem } from '../issues.js';

/** A place in the containerlab file; `charIndex` inside a string (the interface of "a:eth1"). */
export interface Place {
  path: Path;
  charIndex?: number;
}

export class Places {
  readonly #map = new Map<string, Place & { deep: boolean }>();

  /** `deep`: what lies under `raw` lies under `place` the same way (a list whose items are the raw list's). */
  set(raw: Path, place: Place, deep = false): void {
    this.#map.set(JSON.stringify(raw), { ...place, deep });
  }

  /** The place of a raw path: that of its longest recorded prefix. */
  find(raw: Path): Place {
    for (let n = raw.length; n >= 0; n--) {
      const e = this.#map.get(JSON.stringify(raw.slice(0, n)));
      if (e === undefined) continue;
      if (e.deep) return { path: [...e.path, ...raw.slice(n)] };
      return e.charIndex !== undefined ? { path: e.path, charIndex: e.charIndex } : { path: e.path };
    }
    return { path: [] };
  }

  /** A problem found in the raw form, placed in the containerlab file instead. */
  map(p: Problem): Problem {
    const at = this.find(p.path);
    const out: Problem = { ...p, path: at.path };
    delete out.charIndex;
    if (at.charIndex !== undefined) out.charIndex = at.charIndex;
    if (p.other !== undefined) {
      const other = this.find(p.other);
      out.other = other.path;
      delete out.otherCharIndex;
      if (other.charIndex !== undefined) out.otherCharIndex = other.charIndex;
    }
    return out;
  }
}
