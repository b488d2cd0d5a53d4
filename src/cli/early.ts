/**
 * The head start of `nslab up FILE`, taken before node loads the rest of nslab (main.ts imports this
 * module alone first, and the program after): the file's text is read, glanced at (topology/peek.ts),
 * and as many spare namespaces as it lists nodes start being made (engine/spares.ts), on the core that
 * would sit idle while node loads nslab and parses the file (figures: docs/performance.md). That of
 * `nslab down --lab NAME` (or FILE): the files of the namespaces its state names are read into the
 * kernel's caches meanwhile, for its identity check (engine/state.ts warmNamespaces).
 *
 * The up command is told of them (main's `early`) and checks them against the file as parsed: it asks
 * for more or fewer, starts its own if the glance saw another lab, and frees those it does not name. Any
 * doubt here (another command, a dry run, not root, a file that cannot be read or glanced at) means no
 * head start, never an error: the command itself says what is wrong.
 */
import { readFileSync } from 'node:fs';
import { glance, Spares, warmNamespaces } from '../api/early.js';

export function headStart(argv: readonly string[]): Spares | undefined {
  if (process.getuid?.() !== 0 || argv.some((a) => a === '--help' || a === '-h' || a === '--')) return undefined;
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'down') {
    // The lab's namespaces' files are read into the kernel's caches for the identity check (warmNamespaces).
    const lab = labOption(argv) ?? (words.length === 2 ? glanced(words[1] as string)?.name : undefined);
    if (lab !== undefined) warmNamespaces(lab);
    return undefined;
  }
  if (words.length !== 2 || words[0] !== 'up' || argv.includes('--dry-run')) return undefined;
  const seen = glanced(words[1] as string);
  return seen !== undefined ? Spares.start(seen.name, seen.nodes) : undefined;
}

/** --lab NAME or --lab=NAME. */
function labOption(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--lab');
  if (at >= 0) return argv[at + 1];
  return argv.find((a) => a.startsWith('--lab='))?.slice('--lab='.length);
}

/** What a glance at a topology file sees, if it can be read. */
function glanced(file: string): ReturnType<typeof glance> {
  try {
    return glance(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
