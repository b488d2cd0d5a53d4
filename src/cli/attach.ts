/** Commands run in a node with the terminal attached: `nslab exec`, `shell`, `ping`, the tutorial's proof. */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { runIn, type NodePlace } from '../api/exec.js';

/**
 * Runs argv inside a namespace with the terminal attached and resolves with its status as a shell reports
 * it (128 + the signal's number when a signal ended it). While it runs, the terminal's Ctrl-C and Ctrl-\
 * are the command's: nslab waits for it, as a shell does, instead of dying first.
 */
export async function attached(place: NodePlace, argv: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const keep = (): void => undefined;
  process.on('SIGINT', keep).on('SIGQUIT', keep);
  try {
    return (await runIn(place, argv, { stdio: 'inherit', ...(env !== undefined ? { env } : {}) })).exitCode;
  } finally {
    process.off('SIGINT', keep).off('SIGQUIT', keep);
  }
}

/** True when an executable named `name` is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(join(dir === '' ? '.' : dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * When `node` of `lab` runs on another host (a lab spread over hosts from here), runs `nslab ARGS` there
 * with the terminal attached and resolves with its status; undefined when the node is on this machine.
 * ssh's own failure (255) is said in one sentence.
 */
export async function onItsHost(lab: string, node: string, args: string[]): Promise<number | undefined> {
  const { nodeHost, nslabForNode } = await import('../api/hosts.js');
  if (nodeHost(lab, node) === undefined) return undefined;
  const keep = (): void => undefined;
  process.on('SIGINT', keep).on('SIGQUIT', keep);
  try {
    const r = await nslabForNode(lab, node, args, { stdio: 'inherit' });
    return r?.exitCode;
  } finally {
    process.off('SIGINT', keep).off('SIGQUIT', keep);
  }
}
