/**
 * The controller's journal of a lab over several machines, under /run/nslab/.hosts/LAB/ (a directory no
 * lab name can take: a lab name starts with a letter or a digit), apart from the lab's own directory,
 * which a host that is also the controller's machine uses for its part. Written whole (temporary file,
 * fsync, rename) before each step: which hosts hold a part, and what run is under way, so that a later
 * `down` or `clean` finishes what a killed or failed one left.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_ROOT } from '../engine/state.js';
import { lockLab } from '../engine/state.js';
import type { ResolvedLab } from '../topology/types.js';

export const HOSTS_STATE_VERSION = 1;

/** A host's part, as the controller last knew it. */
export interface HostPart {
  ssh: string;
  /** Its underlay address, as it said. */
  underlay?: string;
  /** `making`: an up sent it (it may hold the part or not); `up`: it said done; `left`: a down could not reach it. */
  part: 'making' | 'up' | 'left';
}

export interface HostsState {
  version: 1;
  lab: string;
  createdAt: string;
  updatedAt: string;
  source?: string;
  /** The whole lab as last brought up (every node with its host). */
  applied?: ResolvedLab;
  hosts: Record<string, HostPart>;
  /** Cable id -> its VNI, kept from up to up. */
  vnis: Record<string, number>;
  run?: { kind: 'up' | 'down'; pid: number; startedAt: string };
}

/** Where the controller's directories are. */
export function hostsRoot(stateRoot = STATE_ROOT): string {
  return join(stateRoot, '.hosts');
}

function file(lab: string, stateRoot?: string): string {
  return join(hostsRoot(stateRoot), lab, 'state.json');
}

export function readHostsState(lab: string, stateRoot?: string): HostsState | undefined {
  try {
    const s = JSON.parse(readFileSync(file(lab, stateRoot), 'utf8')) as HostsState;
    return s.version === HOSTS_STATE_VERSION && s.lab === lab ? s : undefined;
  } catch {
    return undefined;
  }
}

export function newHostsState(lab: string, source?: string): HostsState {
  const now = new Date().toISOString();
  return { version: 1, lab, createdAt: now, updatedAt: now, ...(source !== undefined ? { source } : {}), hosts: {}, vnis: {} };
}

export function writeHostsState(state: HostsState, stateRoot?: string): void {
  const target = file(state.lab, stateRoot);
  const dir = join(hostsRoot(stateRoot), state.lab);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  state.updatedAt = new Date().toISOString();
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}

/** Removes the controller's record of the lab (its lock goes when released). */
export function removeHostsState(lab: string, stateRoot?: string): void {
  rmSync(file(lab, stateRoot), { force: true });
}

/** The labs the controller has a record of. */
export function listHostsStates(stateRoot?: string): string[] {
  const root = hostsRoot(stateRoot);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'state.json')))
    .sort();
}

/** The controller's lock of the lab (a flock the kernel releases if this process dies). */
export function lockHosts(lab: string, stateRoot?: string): Promise<() => void> {
  return lockLab(lab, { root: hostsRoot(stateRoot) });
}

/** Removes the controller's directory when nothing is left in it (no lab, no ssh socket). */
export function tidyHostsRoot(stateRoot = STATE_ROOT): void {
  for (const dir of [hostsRoot(stateRoot), join(stateRoot, '.ssh')]) {
    try {
      if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
    } catch {
      // not there
    }
  }
}
