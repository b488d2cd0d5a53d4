/**
 * nslab for vitest (`import { labFixture } from 'nslab/vitest'`): a lab fixture for `test.extend`, up before
 * the test that uses it and down after it, with a name of its own; and, as a `globalSetup` module, the
 * run's leak check.
 *
 *   const test = base.extend<{ lab: Lab }>({ lab: labFixture('test/kv.yaml') });
 *   test('the client reaches the server', async ({ lab }) => expect(await lab.node('client').reach('server')).toBe(true));
 *
 *   // vitest.config.ts
 *   export default defineConfig({ test: { globalSetup: ['nslab/vitest'] } });
 *
 * It needs nothing from vitest itself: a fixture is a function of (context, use).
 */
import type { Lab } from '../index.js';
import { checkLeaks, noteLabs, testLab, type LabSource, type TestLabOptions } from './lab.js';

export { testLab, type LabSource, type TestLabOptions } from './lab.js';

/** A fixture for `test.extend({ lab: labFixture(source) })`: a fresh lab per test (up and down take milliseconds). */
export function labFixture(source: LabSource, options: TestLabOptions = {}): (context: object, use: (lab: Lab) => Promise<void>) => Promise<void> {
  // vitest reads the fixture's source for which other fixtures it uses: the first parameter must be an
  // object pattern, here an empty one (it uses none).
  // eslint-disable-next-line no-empty-pattern
  return async ({}, use) => {
    const lab = testLab(source, options);
    await lab.up(options.up ?? {});
    try {
      await use(lab);
    } finally {
      await lab.down();
    }
  };
}

/** vitest's globalSetup: notes the labs up before the run. */
export function setup(): void {
  noteLabs();
}

/** vitest's globalSetup teardown: fails the run when it left a lab up that was not up before it (NSLAB_LEAKED). */
export function teardown(): void {
  checkLeaks();
}
