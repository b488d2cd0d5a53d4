/** nslab's version, from its package.json (two directories up from src/multihost, dist/multihost and dist/bin alike). */
import { readFileSync } from 'node:fs';

export function nslabVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
