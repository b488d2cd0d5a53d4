// examples/vitest/vitest.config.ts — nslab with vitest: the lab fixture in the tests, and the leak check of
// the whole run as a global setup. Run from the repository's root (as root): npx vitest run --config examples/vitest/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // In this repository, 'nslab' is the package itself, from its sources (package.json's nslab-source
  // condition); a project that installs nslab needs none of this.
  resolve: { conditions: ['nslab-source'] },
  ssr: { resolve: { conditions: ['nslab-source'] } },
  test: {
    include: ['examples/vitest/**/*.test.ts'],
    // Notes the labs up before the run; fails the run if it leaves one up.
    globalSetup: ['nslab/vitest'],
    // Labs come up in milliseconds, but a loaded machine's ping and process start are slower.
    testTimeout: 30_000,
  },
});
