/** docs/testing.md shows the worked example that the test suite runs, byte for byte. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('docs/testing.md holds examples/testing/kv.test.ts as it is', () => {
  const doc = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../examples/testing/kv.test.ts', import.meta.url), 'utf8');
  assert.ok(doc.includes(`\`\`\`ts\n${example}\`\`\``), 'update docs/testing.md from examples/testing/kv.test.ts');
});
