// examples/testing/scenario.test.ts — the scenario of examples/client-server.yaml, run from a test (as
// `nslab run` runs it from the command line). One of four files that use that file at the same time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useLab } from 'nslab/node-test';

const lab = useLab('examples/client-server.yaml');

test("the file's scenario passes: every check of its timeline", async () => {
  const result = await lab.runScenario().done;
  assert.equal(result.ok, true);
  assert.equal(result.steps.filter((s) => s.description.startsWith('expect')).length, 6);
});
