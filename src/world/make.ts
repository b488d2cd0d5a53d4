/**
 * Making a world: bin/nslab-world (a POSIX shell script beside the launcher; it says each step) makes the
 * user, mount and network namespaces, mounts the world's /run/netns, /run/nslab and /etc/netns, prints
 * `ready`, and becomes the holder. Its own process, and not this one, because a process with threads (node
 * has several from its start) cannot enter a new user namespace; a script, so that an AppArmor profile can
 * allow user namespaces to it alone (etc/apparmor/nslab-world).
 */
import { join } from 'node:path';
import { packageRoot } from '../native/index.js';
import { processStartTime, startChild } from '../process/index.js';
import { explainFailure } from './preflight.js';
import { WORLD_ENV, type WorldPlace } from './place.js';
import { userNamespaceOf, type WorldRecord } from './record.js';

/** bin/nslab-world of this package. */
export function worldScript(): string {
  return join(packageRoot(), 'bin', 'nslab-world');
}

/** bin/nslab of this package: the launcher, which enters the world before node starts. */
export function launcher(): string {
  return join(packageRoot(), 'bin', 'nslab');
}

/** How long a world may take to be made (here: 30 to 100 ms; a mount table of thousands takes longer). */
const READY_TIMEOUT_MS = 20_000;

/**
 * Makes a world whose state directory is `place`'s labs/ (which must exist) and returns its record (not yet
 * written). Throws NSLAB_WORLD (or the refusal the facts explain) when the kernel refuses it.
 */
export async function makeWorld(place: WorldPlace): Promise<WorldRecord> {
  // Detached: its own session, so the terminal's Ctrl-C and hangup never reach the holder.
  // NSLAB_WORLD in the holder's environment too: everything of a world carries the mark.
  const child = await startChild([worldScript(), place.dir], {
    detached: true,
    killSignal: 'SIGKILL',
    where: 'your world',
    env: { ...process.env, [WORLD_ENV]: place.dir },
  });
  // Its standard output ends when it becomes the holder (which closes it) or dies.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    new Promise<boolean>((resolve) => child.stdout?.once('close', () => resolve(false)).resume()),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), READY_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  const startTime = processStartTime(child.pid);
  const userns = userNamespaceOf(child.pid);
  if (timedOut || child.output().stdout !== 'ready\n' || startTime === undefined || userns === undefined) {
    child.kill('SIGKILL');
    await child.exited;
    const { stdout, stderr } = child.output();
    const said = `${stderr}${stdout.replace(/^ready\n/, '')}`;
    throw explainFailure(timedOut ? `no answer in ${READY_TIMEOUT_MS / 1000} s. ${said}` : said, process.getuid?.() ?? 0);
  }
  child.stderr?.destroy();
  return { pid: child.pid, startTime, userns, id: randomId(), createdAt: new Date().toISOString() };
}

function randomId(): string {
  return Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
}
