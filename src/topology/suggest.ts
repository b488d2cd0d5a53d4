/**
 * "Did you mean ...?": the candidate closest to a misspelt word, when one is close enough to be a typo.
 *
 * It must stay cheap on a lab of 100,000 nodes with many misspelt names: the candidates are normalised
 * once (`suggester`), a candidate whose length or letters alone put it too far is skipped, the distance is
 * computed only within the band of edits that could still win and stops as soon as a row is past it, and
 * each suggester has a budget of work, past which it stops suggesting (the message still lists names).
 */

/**
 * The work one suggester may do, in candidates looked at plus cells of the distance table computed: about a
 * second of the CLI (which runs without the optimising compiler) at the most, 50 ms with it. That is
 * about 100 suggestions among 100,000 names, and as many as a smaller lab needs.
 */
const BUDGET = 10_000_000;

/** Words longer than this get no suggestion: nobody types a name that long, and a third of it is a lot of edits to try. */
const LONGEST = 100;

/** The work of one suggester (see BUDGET), and the distance table's rows, reused (three: a swap looks two rows back). */
interface Work {
  cells: number;
  rows: Int32Array[];
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  return boundedDistance(a, b, Math.max(a.length, b.length), { cells: 0, rows: [] });
}

/**
 * editDistance(a, b) when it is at most `most`, else any number above `most`. Only the cells within
 * `most` of the diagonal are computed; `work.cells` counts them.
 */
function boundedDistance(a: string, b: string, most: number, work: Work): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > most) return most + 1;
  const over = most + 1;
  if ((work.rows[0]?.length ?? 0) < m + 1) work.rows = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)];
  let before = work.rows[0] as Int32Array; // row i - 2
  let prev = work.rows[1] as Int32Array; // row i - 1
  let row = work.rows[2] as Int32Array; // row i
  for (let j = 0; j <= m; j++) prev[j] = j <= most ? j : over;
  for (let i = 1; i <= n; i++) {
    const from = Math.max(1, i - most);
    const to = Math.min(m, i + most);
    row[0] = i <= most ? i : over;
    if (from > 1) row[from - 1] = over;
    let best = row[0];
    const ai = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) v = Math.min(v, (before[j - 2] as number) + 1);
      row[j] = v > over ? over : v;
      if (v < best) best = v;
    }
    if (to < m) row[to + 1] = over;
    work.cells += to - from + 1;
    if (best > most) return over;
    [before, prev, row] = [prev, row, before];
  }
  return (prev[m] as number) > over ? over : (prev[m] as number);
}

const normalise = (s: string): string => s.toLowerCase().replaceAll('_', '-');

/** The most edits a suggestion for `word` may be from it: a third of its length (2 for 4 to 8 letters, 1 for shorter ones). */
const editsAllowed = (word: string): number => (word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3)));

/** Which of 32 buckets of characters a text has: an edit changes at most two buckets, so half the buckets two texts differ in is a floor of their distance. */
function buckets(s: string): number {
  let mask = 0;
  for (let k = 0; k < s.length; k++) mask |= 1 << (s.charCodeAt(k) & 31);
  return mask;
}

function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * closest() for one list of candidates asked about many words: the candidates normalised once, answers
 * remembered, and the whole of its work bounded (see BUDGET).
 */
export function suggester(candidates: readonly string[]): (word: string) => string | undefined {
  const normal = candidates.map(normalise);
  const masks = Int32Array.from(normal, buckets);
  const answers = new Map<string, string | undefined>();
  const work: Work = { cells: 0, rows: [] };
  return (word) => {
    if (word.length > LONGEST) return undefined;
    if (answers.has(word)) return answers.get(word);
    const w = normalise(word);
    const mask = buckets(w);
    const limit = editsAllowed(word);
    let best: string | undefined;
    let bestDistance = limit + 1;
    if (work.cells >= BUDGET) return undefined;
    work.cells += normal.length;
    for (let i = 0; i < normal.length && work.cells < BUDGET; i++) {
      // Only a candidate nearer than the best so far can win (the first of equals wins, as in file order).
      const most = bestDistance - 1;
      const c = normal[i] as string;
      if (Math.abs(c.length - w.length) > most || bitCount((masks[i] as number) ^ mask) > 2 * most) continue;
      const dist = most === 0 ? (c === w ? 0 : 1) : boundedDistance(w, c, most, work);
      if (dist < bestDistance) {
        best = candidates[i];
        bestDistance = dist;
        if (dist === 0) break;
      }
    }
    const answer = best === undefined || best === word || bestDistance * 2 >= Math.max(word.length, best.length) || work.cells >= BUDGET ? undefined : best;
    answers.set(word, answer);
    return answer;
  };
}

/**
 * The candidate nearest to `word` (ignoring case, `_` versus `-`), or undefined when none is within a third
 * of the word's length (2 edits for words of 4 to 8 letters, 1 for shorter ones) and less than half of it.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return suggester([...candidates])(word);
}
