/**
 * The reader the topology layer is given for the files a topology file names (an FRR config, a
 * containerlab lab's binds): the topology layer does no I/O itself (see ParseOptions.read).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** Reads a path as a topology file writes it: relative to that file's directory, or absolute. */
export function topologyFileReader(topologyFile: string): (path: string) => string {
  const dir = dirname(topologyFile);
  return (path) => readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8');
}
