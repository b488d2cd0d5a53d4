/**
 * Writes docs/two-computers.svg, the tutorial's picture shown in the README, as `nslab graph
 * examples/two-computers.yaml` draws it. test/docs/pictures.test.ts draws it again and fails when the
 * committed file is stale: run `npm run draw` after changing the pictures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTopology } from '../src/topology/index.js';
import { graphFromLab, renderGraph } from '../src/view/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TUTORIAL_SVG = join(ROOT, 'docs', 'two-computers.svg');

export function tutorialSvg(): Promise<string> {
  const file = join(ROOT, 'examples', 'two-computers.yaml');
  return renderGraph(graphFromLab(parseTopology(readFileSync(file, 'utf8'), { file })), 'svg');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TUTORIAL_SVG, await tutorialSvg());
  console.log(`wrote ${TUTORIAL_SVG}`);
}
