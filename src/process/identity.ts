/**
 * A process's identity is its pid and its start time: a pid alone can be reused by another process once
 * ours has ended. Every process nslab ends, it ends here, and only when both still match.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process nslab started, as recorded: enough to find it again and to know it is still the same one. */
export interface ProcessIdentity {
  pid: number;
  /** Clock ticks since boot when it started (/proc/PID/stat field 22). */
  startTime: string;
}

/**
 * Its start time (/proc/PID/stat field 22), or undefined when no such process runs. A zombie (ended, not
 * yet reaped by its parent) does not run: it holds nothing and no signal reaches it.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** True while the pid still runs the process that was recorded (same start time), not a reused pid. */
export function isRunning(p: ProcessIdentity): boolean {
  return p.startTime !== '' && processStartTime(p.pid) === p.startTime;
}

/**
 * Ends a process nslab started, and its process group when it leads one: SIGTERM, then SIGKILL if it is
 * still there after `graceMs`. Does nothing when the pid no longer runs the recorded process. Resolves once
 * it is gone (or after the SIGKILL).
 */
export async function endProcess(p: ProcessIdentity, options: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  if (!isRunning(p)) return;
  const target = options.group === false ? p.pid : -p.pid;
  const signal = (s: NodeJS.Signals): boolean => {
    try {
      process.kill(target, s);
      return true;
    } catch {
      // Not a group leader (a group signal finds no group): the process alone.
      try {
        process.kill(p.pid, s);
        return true;
      } catch {
        return false;
      }
    }
  };
  if (!signal('SIGTERM')) return;
  const deadline = Date.now() + (options.graceMs ?? 500);
  while (Date.now() < deadline) {
    if (!isRunning(p)) return;
    await sleep(10);
  }
  if (isRunning(p)) signal('SIGKILL');
}
