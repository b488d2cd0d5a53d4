/**
 * The hosts files nslab leaves under /etc/netns (hosts.ts writes them): the header by which each says which
 * lab it was written for, the lab's own names beside them (its master file, its staging directory, its
 * removal's journal), finding what a killed run left, and removing a lab's files. Nothing without the
 * lab's header or name is touched. Apart from the writing, which needs the topology: a down loads only this.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeHostsFiles } from '../native/index.js';

export const ETC_NETNS = '/etc/netns';

export function header(lab: string): string {
  return `# written by nslab for lab ${lab}; nslab down removes it\n`;
}

/** The lab's hosts file as written, before it is linked into each namespace's directory (and removed). */
export function masterFile(lab: string, dir: string): string {
  return join(dir, `.nslab-${lab}.hosts`);
}

/**
 * Where a namespace's new directory is made, with its hosts file in it, before it is renamed into place:
 * a run killed between the two leaves it here, where its name says whose it is, and never an empty
 * directory under /etc/netns that no one could prove was nslab's.
 */
export function stagingDir(lab: string, dir: string): string {
  return join(dir, `.nslab-${lab}.staging`);
}

/** The journal of a removal: the header, then the namespaces whose directories it may leave empty. */
function removingFile(lab: string, dir: string): string {
  return join(dir, `.nslab-${lab}.removing`);
}

/** The lab a hosts file was written for, from its header; undefined when it is not nslab's. */
export function labOfFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(256);
    const line =
      head
        .subarray(0, readSync(fd, head, 0, head.length, 0))
        .toString('utf8')
        .split('\n')[0] ?? '';
    const m = /^# written by nslab for lab (\S+); nslab down removes it$/.exec(line);
    return m?.[1];
  } finally {
    closeSync(fd);
  }
}

/**
 * The hosts files nslab wrote that are still under `dir`, by lab: the namespaces whose directory holds one
 * (`/etc/netns/NS/hosts`) and whether the lab's own file (`.nslab-LAB.hosts`, left when a run was killed
 * while it wrote them), its staging directory or its removal's journal is there. `clean` removes those of
 * labs that are gone.
 */
export function hostsLeftovers(dir = ETC_NETNS): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const entry of entries) {
    // A staging directory (a killed up's) or a removal's journal (a killed down's): the lab's by its name.
    const staging = /^\.nslab-(.+)\.(?:staging|removing)$/.exec(entry);
    if (staging?.[1] !== undefined) {
      if (!found.has(staging[1])) found.set(staging[1], []);
      continue;
    }
    const m = /^\.nslab-(.+)\.hosts$/.exec(entry);
    const lab = m !== null ? labOfFile(join(dir, entry)) : labOfFile(join(dir, entry, 'hosts'));
    if (lab === undefined || (m !== null && m[1] !== lab)) continue;
    const list = found.get(lab) ?? [];
    if (m === null) list.push(entry);
    found.set(lab, list);
  }
  return found;
}

/** Runs fn; true when it failed with `code` (which is then swallowed), false when it succeeded. Other errors go on. */
export function ignore(codes: string | readonly string[], fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (typeof codes === 'string' ? code === codes : codes.includes(code)) return true;
    throw e;
  }
}

/**
 * Removes the lab's hosts files from the given namespaces' directories, each checked by its header first,
 * and each directory then left empty (one that holds other files too, someone else's, keeps them). The
 * names are journaled first: a run killed between a file and its directory leaves the directory empty, and
 * the next removal for the lab takes the empty directories its journal names. The files go in one batch on
 * two native threads: a thousand in 10 to 30 ms here, where moving each directory out through a staging
 * directory first, as up places them, took 27 to 41 (docs/performance.md).
 */
export async function removeHosts(lab: string, namespaces: readonly string[], dir = ETC_NETNS): Promise<void> {
  // No directory, no file of anyone's (a machine where no lab has written one yet).
  if (!existsSync(dir)) return;
  // The lab's own file, and what a run killed while it placed directories left staged: the lab's by name.
  const master = masterFile(lab, dir);
  if (labOfFile(master) === lab) unlinkSync(master);
  rmSync(stagingDir(lab, dir), { recursive: true, force: true });
  const journal = removingFile(lab, dir);
  if (labOfFile(journal) === lab) {
    for (const netns of readFileSync(journal, 'utf8').split('\n').slice(1)) {
      if (/^[^/]+$/.test(netns) && netns !== '.' && netns !== '..') ignore(['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'], () => rmdirSync(join(dir, netns)));
    }
  }
  if (namespaces.length > 0) {
    writeFileSync(journal, `${header(lab)}${namespaces.join('\n')}`);
    await removeHostsFiles(resolve(dir), namespaces, header(lab).trimEnd());
  }
  rmSync(journal, { force: true });
}
