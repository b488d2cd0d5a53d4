/**
 * The head start of `nslab up FILE`, taken before node loads the rest of nslab (main.ts imports this
 * module alone first, and the program after): the file's text is read, glanced at (topology/peek.ts),
 * and as many spare namespaces as it lists nodes start being made (engine/spares.ts), on the core that
 * would sit idle while node loads nslab and parses the file (figures: docs/performance.md).
 *
 * The up command is told of them (main's `early`) and checks them against the file as parsed: it asks
 * for more or fewer, starts its own if the glance saw another lab, and frees those it does not name. Any
 * doubt here (another command, a dry run, not root, a file that cannot be read or glanced at) means no
 * head start, never an error: the command itself says what is wrong.
 */
import { readFileSync } from 'node:fs';
import { glance, Spares } from '../api/early.js';

export function headStart(argv: readonly string[]): Spares | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words.length !== 2 || words[0] !== 'up' || argv.some((a) => a === '--dry-run' || a === '--help' || a === '-h' || a === '--')) return undefined;
  let text: string;
  try {
    text = readFileSync(words[1] as string, 'utf8');
  } catch {
    return undefined;
  }
  const seen = glance(text);
  return seen !== undefined ? Spares.start(seen.name, seen.nodes) : undefined;
}
