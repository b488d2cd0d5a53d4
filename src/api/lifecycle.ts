/**
 * Labs by name, whether or not this process has their topology: take one down (its state file, or its
 * kernel marks when the state is gone), read what the kernel has of it, clean up after crashes. What
 * callers may pass is the public options only; the engine's own stay inside.
 */
import { status as engineStatus, type LabStatus } from '../engine/observe.js';
import { clean as engineClean, down as engineDown, type DownOptions, type DownResult } from '../engine/teardown.js';
import { requireRights } from './rights.js';

export type { DownOptions, DownResult, LabStatus };

/** Removes the lab named `lab`: its processes (by pid), namespaces (with their links), hosts files and state. */
export async function down(lab: string, options: DownOptions = {}): Promise<DownResult> {
  requireRights(`taking lab ${lab} down`);
  return engineDown(lab, options);
}

/** What the kernel has of a lab that is up, read now. Throws NSLAB_NOT_FOUND when no such lab is up. */
export function status(lab: string): Promise<LabStatus> {
  return engineStatus(lab);
}

/**
 * Removes every lab (or only `labs`) found by its kernel marks or state files: for labs whose process was
 * killed, or whose state is gone. With `orphans`, only the labs whose owner process is gone (labs a
 * library process brought up; the CLI's belong to nobody and stay). Touches only what carries nslab's mark.
 */
export async function clean(options: DownOptions & { labs?: string[]; orphans?: boolean } = {}): Promise<DownResult[]> {
  requireRights('nslab clean');
  return engineClean(options);
}
