/**
 * A containerlab node that runs FRR: its image is FRR's, or it binds files into /etc/frr (or it is of
 * nslab's own kind frr). Its configuration is the frr.conf it binds (a file, or a directory bound to
 * /etc/frr), else its startup-config; its daemons are those its `daemons` file sets to yes (read through
 * the caller's reader), else (nslab's own) extras.frr.daemons, else the ones its configuration needs.
 */
import { posix } from 'node:path';
import { isFrrDaemon, readDaemonsFile, type FrrDaemon } from '../frr-daemons.js';
import { isInlineConfig } from '../frr-settings.js';
import type { Path } from '../issues.js';
import { describeValue } from '../shape.js';
import type { Found } from './inherit.js';
import { FRR_DIR } from './keys.js';
import { isRecord } from './read.js';
import type { Report } from './report.js';

/** A bind, `SOURCE:TARGET[:OPTIONS]`. */
export interface Bind {
  source: string;
  target: string;
  path: Path;
}

export function parseBind(b: Found<string>): Bind {
  const parts = b.value.split(':');
  return { source: parts[0] ?? '', target: parts[1] ?? '', path: b.path };
}

/** /etc/frr, /etc/frr/ and /etc/frr/./ as one. */
export const normalTarget = (t: string): string => posix.normalize(t).replace(/(.)\/$/, '$1');

export const isFrrBind = (b: Bind): boolean => normalTarget(b.target) === FRR_DIR || normalTarget(b.target).startsWith(`${FRR_DIR}/`);

/** The repository of an image, without its tag or digest: FRR's are frrouting/frr, quay.io/frrouting/frr. */
export const isFrrImage = (image: string): boolean => /frr/i.test(image.replace(/[:@][^/]*$/, ''));

export interface FrrSources {
  binds: readonly Bind[];
  startup: Found<unknown> | undefined;
  extrasFrr: Found<unknown> | undefined;
}

export interface FrrFound {
  /** The config as the raw form writes it: a path (relative to the containerlab file) or the text itself. */
  config?: { text: string; place: Path; charIndex?: number; inline: boolean };
  /** `deep`: the place is the list itself (extras.frr.daemons), whose items are the raw list's. */
  daemons?: { value: string[]; place: Path; deep: boolean };
}

export interface FileAccess {
  read?: (path: string) => string;
}

function readDaemons(file: string, place: Path, node: string, access: FileAccess, report: Report): FrrDaemon[] | undefined {
  if (access.read === undefined) {
    report.problem({
      path: place,
      message: `the FRR daemons file ${file} cannot be read: the lab was given as text, without a way to read its files`,
      hint: 'load the lab from its file (Lab.fromFile, nslab up FILE), or pass read to parseTopology',
    });
    return undefined;
  }
  let text: string;
  try {
    text = access.read(file);
  } catch (e) {
    report.problem({
      path: place,
      message: `cannot read the FRR daemons file ${file}: ${(e as Error).message}`,
      hint: "the path is relative to the containerlab file's directory; check it names an existing, readable file",
    });
    return undefined;
  }
  const read = readDaemonsFile(text);
  for (const p of read.problems)
    report.warnNode(node, place, `${file} line ${p.line} (${p.text}): ${p.message}, and is not started`, { hint: 'remove the line, or set it to no' });
  return read.daemons;
}

/** Whether a file can be read (a directory bound to /etc/frr may hold no daemons file). */
function readable(file: string, access: FileAccess): boolean {
  if (access.read === undefined) return false;
  try {
    access.read(file);
    return true;
  } catch {
    return false;
  }
}

export function findFrr(node: string, s: FrrSources, access: FileAccess, report: Report): FrrFound {
  const found: FrrFound = {};
  // A file bound into /etc/frr lies over the same file of a directory bound to /etc/frr, as mounts stack.
  let daemonsFile: { file: string; place: Path } | undefined;
  let inDirectory: { file: string; place: Path } | undefined;
  for (const b of s.binds) {
    const target = normalTarget(b.target);
    if (target === FRR_DIR) {
      found.config ??= { text: posix.join(b.source, 'frr.conf'), place: b.path, charIndex: 0, inline: false };
      const file = posix.join(b.source, 'daemons');
      if (readable(file, access)) inDirectory = { file, place: b.path };
    } else if (target === `${FRR_DIR}/frr.conf`) found.config = { text: b.source, place: b.path, charIndex: 0, inline: false };
    else if (target === `${FRR_DIR}/daemons`) daemonsFile = { file: b.source, place: b.path };
    else
      report.warnNode(
        node,
        b.path,
        `${b.source} is not mounted at ${b.target}: FRR runs from the node's frr.conf and daemons alone${target === `${FRR_DIR}/vtysh.conf` ? ' (its vtysh needs no vtysh.conf)' : ''}`,
      );
  }
  if (s.startup !== undefined && typeof s.startup.value === 'string') {
    if (found.config !== undefined)
      report.warnNode(node, s.startup.path, 'startup-config is left out: the frr.conf its binds mount is its FRR config', {
        at: 'key',
        hint: 'remove one of them',
      });
    else found.config = { text: s.startup.value, place: s.startup.path, inline: isInlineConfig(s.startup.value) };
  }
  daemonsFile ??= inDirectory;
  if (daemonsFile !== undefined) {
    const daemons = readDaemons(posix.normalize(daemonsFile.file), daemonsFile.place, node, access, report);
    if (daemons !== undefined) found.daemons = { value: daemons.filter((d) => d !== 'zebra'), place: daemonsFile.place, deep: false };
  }
  if (s.extrasFrr !== undefined) {
    report.warnNode(node, s.extrasFrr.path, "extras.frr is nslab's own; containerlab has none and would refuse this file", {
      at: 'key',
      hint: "bind a daemons file to /etc/frr/daemons to keep the file containerlab's",
    });
    const v = s.extrasFrr.value;
    const where: Path = [...s.extrasFrr.path, 'daemons'];
    const list = isRecord(v) ? v.daemons : undefined;
    if (!isRecord(v) || Object.keys(v).some((key) => key !== 'daemons'))
      report.problem({ path: s.extrasFrr.path, message: 'extras.frr takes only daemons', hint: 'write extras: { frr: { daemons: [ospfd] } }' });
    else if (!Array.isArray(list) || list.some((d) => typeof d !== 'string'))
      report.problem({ path: where, message: `must be a list of FRR daemons, not ${describeValue(list)}`, hint: 'write daemons: [ospfd, bgpd]' });
    else if (found.daemons !== undefined)
      report.warnNode(node, where, 'extras.frr.daemons is left out: the daemons file its binds mount says which daemons run', {
        at: 'key',
        hint: 'remove one of them',
      });
    else {
      // A name that is no daemon is kept, for the nslab check to name it beside the ones it knows.
      const names = list as string[];
      const ok = names.every(isFrrDaemon);
      found.daemons = { value: ok ? names.filter((d) => d !== 'zebra') : names, place: where, deep: !ok };
    }
  }
  return found;
}
