/**
 * What every command shares: the privilege check, printing for people or as JSON, and which lab a command
 * means when it is not named.
 */
import { NslabError } from '../errors.js';
import { DEFAULT_LAB_NAME, labsHolding, listLabs, nameList } from '../api/running.js';
import { UsageError } from './output.js';

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new NslabError('NSLAB_PERMISSION', `nslab ${what} needs root (it makes and enters network namespaces): run it with sudo`);
  }
}

/** Prints `value` as JSON, or the human text. */
export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/**
 * The lab a command means: --lab, a file's lab, the lab holding NODE, or the only lab that is up; with
 * none of those, the tutorial's. `fileLab` reads a file's lab name (the parser loads only then).
 */
export async function labName(options: { lab?: string }, file?: string, node?: string, fileLab?: (file: string) => Promise<string>): Promise<string> {
  if (options.lab !== undefined) return options.lab;
  if (file !== undefined && fileLab !== undefined) return fileLab(file);
  if (node !== undefined) {
    const holding = labsHolding(node);
    if (holding.length === 1 && holding[0] !== undefined) return holding[0];
    if (holding.length > 1) throw new UsageError(`node ${node} is in several labs (${nameList(holding)}): say which with --lab NAME`);
    throw new NslabError('NSLAB_NOT_FOUND', `no lab that is up has a node named ${node}; \`nslab ls\` lists the labs, \`nslab status\` their nodes`);
  }
  const labs = listLabs();
  if (labs.length === 1 && labs[0] !== undefined) return labs[0].name;
  if (labs.length > 1) throw new UsageError(`several labs are up (${nameList(labs.map((l) => l.name))}): say which with --lab NAME or a FILE`);
  return DEFAULT_LAB_NAME;
}

/** The lab a topology file defines, read with the parser (loaded now). */
export async function labOfFile(file: string): Promise<string> {
  const { Lab } = await import('../api/lab.js');
  return (await Lab.fromFile(file)).name;
}
