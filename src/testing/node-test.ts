/**
 * nslab for node:test (`import { useLab } from 'nslab/node-test'`): a lab brought up before the tests of a
 * file (or of a describe block, or of each test) and taken down after them, with a name of its own.
 *
 *   const lab = useLab('test/kv.yaml');
 *   test('the client reaches the server', async () => assert(await lab.node('client').reach('server')));
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Lab } from '../index.js';
import { checkLeaks, noteLabs, testLab, type LabSource, type TestLabOptions } from './lab.js';

export { testLab, type LabSource, type TestLabOptions } from './lab.js';

export interface UseLabOptions extends TestLabOptions {
  /** Bring the lab up before each test and down after it, instead of once around them all. */
  each?: boolean;
}

/**
 * Registers hooks, where it is called (a file's top level, or a describe block), that bring the lab up
 * before the tests and take it down after them; returns the Lab (up once the tests run).
 */
export function useLab(source: LabSource, options: UseLabOptions = {}): Lab {
  const lab = testLab(source, options);
  const [start, end] = options.each === true ? [beforeEach, afterEach] : [before, after];
  start(async () => {
    await lab.up(options.up ?? {});
  });
  end(async () => {
    await lab.down();
  });
  return lab;
}

/** For `node --test --test-global-setup=...` (Node 24 and later): notes the labs up before the run. */
export function globalSetup(): void {
  noteLabs();
}

/** Fails the run when it left a lab up that was not up before it (NSLAB_LEAKED). */
export function globalTeardown(): void {
  checkLeaks();
}
