/**
 * The reader the topology layer is given for the files a topology file names (an FRR config, a
 * containerlab lab's binds): the topology layer does no I/O itself (see ParseOptions.read).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { NslabError, TopologyError } from '../errors.js';
import { decodeTopology } from '../topology/text.js';

/** Reads a path as a topology file writes it: relative to that file's directory, or absolute. */
export function topologyFileReader(topologyFile: string): (path: string) => string {
  const dir = dirname(topologyFile);
  return (path) => readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8');
}

/**
 * The text of a topology file, read the one way every command and Lab.fromFile read one: a file that
 * cannot be read is NSLAB_NOT_FOUND or NSLAB_PERMISSION with what to do, and one that is not UTF-8 text
 * (a binary given by mistake) a TopologyError saying so, before anything reads it as YAML.
 */
export async function readTopologyFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const [what, hint] =
      code === 'EACCES' || code === 'EPERM'
        ? (['NSLAB_PERMISSION', 'check its permissions, or run as a user who may read it'] as const)
        : code === 'EISDIR'
          ? (['NSLAB_NOT_FOUND', 'give the topology file inside it, not the directory'] as const)
          : (['NSLAB_NOT_FOUND', 'check the path'] as const);
    throw new NslabError(what, `cannot read topology file ${path}: ${(cause as Error).message}; ${hint}`, { cause });
  }
  const decoded = decodeTopology(bytes);
  if (!decoded.ok) throw new TopologyError([decoded.issue], path);
  return decoded.text;
}
