/**
 * What the test-runner helpers (vitest.ts, node-test.ts) share: a lab for a test from a file, a topology
 * object or a Lab, isolated by default; and the leak check of a whole run.
 */
import { readFileSync } from 'node:fs';
import { Lab, listLabs, NslabError, type LabOptions, type TopologyInput, type UpOptions } from '../index.js';

/** A topology file's path (relative to the current directory), a topology object, or a Lab of your own. */
export type LabSource = string | TopologyInput | Lab;

export interface TestLabOptions extends LabOptions {
  /**
   * Each Lab gets a name and namespaces of its own (LabOptions.isolate), so that test files running in
   * parallel can share one topology file and its node names. Default true; false uses the file's names.
   */
  isolate?: boolean;
  /** Passed to `lab.up()`. */
  up?: Pick<UpOptions, 'allowMissingFeatures' | 'lockWaitMs'>;
}

/** The Lab a test uses: a Lab given is used as it is; a file is read now (its problems thrown now, when the test file loads). */
export function testLab(source: LabSource, options: TestLabOptions = {}): Lab {
  if (source instanceof Lab) return source;
  const labOptions: LabOptions = { isolate: options.isolate ?? true };
  if (typeof source !== 'string') return Lab.define(source, labOptions);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (cause) {
    throw new NslabError('NSLAB_NOT_FOUND', `cannot read topology file ${source} (from ${process.cwd()}): ${(cause as Error).message}`, { cause });
  }
  return Lab.parse(text, source, labOptions);
}

/** Labs up when the run began. */
let before: Set<string> | undefined;

/** Notes the labs up now: those the run brings up and leaves are the leaks `checkLeaks` reports. */
export function noteLabs(): void {
  before = new Set(listLabs().map((l) => l.name));
}

/**
 * Throws NSLAB_LEAKED when a lab that was not up when `noteLabs` ran is up now: a test that brought a lab
 * up and did not take it down. The leaked labs are left for you to see (and `nslab down --lab NAME`).
 */
export function checkLeaks(): void {
  const left = listLabs().filter((l) => before !== undefined && !before.has(l.name));
  if (left.length === 0) return;
  throw new NslabError(
    'NSLAB_LEAKED',
    `the test run left ${left.length === 1 ? 'a lab' : `${left.length} labs`} up: ${left.map((l) => l.name).join(', ')}; a test brought ${left.length === 1 ? 'it' : 'them'} up without taking ${left.length === 1 ? 'it' : 'them'} down (use the fixture, or lab.down() in a finally). Remove ${left.length === 1 ? 'it' : 'them'} with: ${left.map((l) => `nslab down --lab ${l.name}`).join('; ')}`,
  );
}
