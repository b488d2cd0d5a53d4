/** Progress of long runs on a terminal (`up: 523/1000 operations`), or each step as its `ip` command. */
import type { ProgressEvent } from '../api/index.js';
import { explain } from '../api/format.js';

export function progressPrinter(verb: string, explainSteps: boolean): ((e: ProgressEvent) => void) | undefined {
  if (explainSteps)
    return (e) =>
      process.stdout.write(
        `${explain(e.op)
          .split('\n')
          .map((l) => `$ ${l}`)
          .join('\n')}\n`,
      );
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (e) => {
    if (e.total < 100) return;
    const now = Date.now();
    if (now - last < 100 && e.done < e.total) return;
    last = now;
    process.stderr.write(`\r${verb}: ${e.done}/${e.total} operations`);
    if (e.done === e.total) process.stderr.write('\n');
  };
}
