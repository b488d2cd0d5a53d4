import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TUTORIAL_SVG, tutorialSvg } from '../../scripts/draw-tutorial.js';

test('docs/two-computers.svg is what `nslab graph examples/two-computers.yaml` draws today (else: npm run draw)', async () => {
  assert.equal(readFileSync(TUTORIAL_SVG, 'utf8'), await tutorialSvg());
});
